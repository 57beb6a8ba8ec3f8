#pragma once

#include "core/model/release.h"

#include <QList>
#include <QObject>

namespace canary::core {

// Builds the releases of a namespace on the thread pool: a namespace of thousands takes a few hundred
// milliseconds, not to be spent on the thread that paints. Only the newest build is delivered.
class ReleaseBuilder final : public QObject {
    Q_OBJECT
public:
    // From this many VirtualServices on, a build is worth a thread (buildReleases also splits it).
    static constexpr int kBackgroundFrom = 512;

    using QObject::QObject;
    void build(const NamespaceSnapshot &snapshot);
    // What a build under way finds is not delivered (the owner built something newer itself).
    void cancel() { ++m_generation; }

Q_SIGNALS:
    void built(const QList<canary::core::Release> &releases);

private:
    int m_generation = 0;
};

} // namespace canary::core
