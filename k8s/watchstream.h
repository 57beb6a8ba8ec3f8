#pragma once

#include <QByteArray>
#include <QJsonObject>
#include <QList>
#include <QStringList>

namespace canary::k8s {

// Splits a watch stream into events: one JSON object per line, lines split anywhere across reads.
class WatchStreamDecoder final {
public:
    // Returns the complete events in the data so far; malformed lines are reported in errors.
    QList<QJsonObject> feed(const QByteArray &data, QStringList *errors = nullptr);
    void clear() { m_pending.clear(); }

private:
    QByteArray m_pending;
};

} // namespace canary::k8s
