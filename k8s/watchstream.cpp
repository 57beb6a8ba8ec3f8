#include "k8s/watchstream.h"

#include <QJsonDocument>

namespace canary::k8s {

QList<QJsonObject> WatchStreamDecoder::feed(const QByteArray &data, QStringList *errors)
{
    m_pending += data;
    QList<QJsonObject> out;
    qsizetype start = 0;
    for (;;) {
        const qsizetype nl = m_pending.indexOf('\n', start);
        if (nl < 0)
            break;
        const QByteArray line = m_pending.mid(start, nl - start).trimmed();
        start = nl + 1;
        if (line.isEmpty())
            continue;
        QJsonParseError error;
        const QJsonDocument doc = QJsonDocument::fromJson(line, &error);
        if (doc.isObject())
            out.append(doc.object());
        else if (errors)
            errors->append(QStringLiteral("malformed watch event: %1").arg(error.errorString()));
    }
    m_pending.remove(0, start);
    if (m_pending.size() > 64 * 1024 * 1024) { // a line that never ends is not a watch stream
        m_pending.clear();
        if (errors)
            errors->append(QStringLiteral("watch event larger than 64 MiB discarded"));
    }
    return out;
}

} // namespace canary::k8s
