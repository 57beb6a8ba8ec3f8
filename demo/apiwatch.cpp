#include "demo/apiwatch.h"

#include "demo/apiresponse.h"
#include "demo/faultplan.h"
#include "demo/objectstore.h"
#include "demo/selectors.h"
#include "demo/tables.h"

#include <httplib.h>

#include <QDateTime>
#include <QJsonDocument>

#include <memory>

namespace canary::demo {

namespace {

// One watch stream: what it was asked for and how far it has got. httplib calls pump() until it returns false
// (the stream is cut) or the sink is done.
class WatchStream final {
public:
    WatchStream(ObjectStore &store, FaultPlan &faults, const std::atomic<bool> &stopping,
                const httplib::Request &request, const ResourceType &type, QString ns, QString apiVersion);
    bool pump(httplib::DataSink &sink);

private:
    bool write(httplib::DataSink &sink, const QString &eventType, const QJsonObject &object) const;
    bool wanted(const QJsonObject &object) const;
    bool sendInitialObjects(httplib::DataSink &sink);
    void sendExpired(httplib::DataSink &sink) const;
    bool sendEvents(httplib::DataSink &sink, const QList<WatchEvent> &events) const;
    bool sendBookmark(httplib::DataSink &sink);

    ObjectStore &m_store;
    const std::atomic<bool> &m_stopping;
    const ResourceType &m_type;
    const QString m_ns;
    const QString m_apiVersion;
    const bool m_bookmarks;
    const bool m_table; // kubectl get -w: every object as a one-row Table
    const QString m_labelSelector;
    const QString m_fieldSelector;
    const QDateTime m_deadline;
    const QDateTime m_dropAt; // --fault drop-watch: when the stream is cut without a clean end
    qint64 m_after = 0;
    bool m_initial = false;
    bool m_expired = false;
    QDateTime m_nextBookmark;
};

int timeoutSeconds(const httplib::Request &request)
{
    return param(request, "timeoutSeconds").isEmpty() ? 1800 : param(request, "timeoutSeconds").toInt();
}

QDateTime dropTime(const FaultPlan &faults)
{
    const int dropAfter = faults.dropWatchAfterMs.load();
    return dropAfter > 0 ? QDateTime::currentDateTimeUtc().addMSecs(dropAfter) : QDateTime();
}

WatchStream::WatchStream(ObjectStore &store, FaultPlan &faults, const std::atomic<bool> &stopping,
                         const httplib::Request &request, const ResourceType &type, QString ns, QString apiVersion)
    : m_store(store)
    , m_stopping(stopping)
    , m_type(type)
    , m_ns(std::move(ns))
    , m_apiVersion(std::move(apiVersion))
    , m_bookmarks(param(request, "allowWatchBookmarks") == QLatin1String("true"))
    , m_table(wantsTable(request.get_header_value("Accept")))
    , m_labelSelector(param(request, "labelSelector"))
    , m_fieldSelector(param(request, "fieldSelector"))
    , m_deadline(QDateTime::currentDateTimeUtc().addSecs(qMax(1, timeoutSeconds(request))))
    , m_dropAt(dropTime(faults))
    , m_nextBookmark(QDateTime::currentDateTimeUtc().addSecs(10))
{
    const QString rv = param(request, "resourceVersion");
    if (rv.isEmpty() || rv == QLatin1String("0")) {
        m_initial = true;
    } else {
        m_after = rv.toLongLong();
        m_expired = takeFault(faults.expiredWatches); // --fault 410=N: as after an etcd compaction
    }
}

bool WatchStream::write(httplib::DataSink &sink, const QString &eventType, const QJsonObject &object) const
{
    const bool asRow = m_table && eventType != QLatin1String("BOOKMARK") && eventType != QLatin1String("ERROR");
    const std::optional<QJsonObject> table = asRow ? asTable(m_type, { object }, {}) : std::nullopt;
    const QByteArray line = QJsonDocument(QJsonObject { { QStringLiteral("type"), eventType },
                                                        { QStringLiteral("object"), table ? *table : object } })
                                    .toJson(QJsonDocument::Compact)
            + '\n';
    return sink.write(line.constData(), size_t(line.size()));
}

bool WatchStream::wanted(const QJsonObject &object) const
{
    return selectorsMatch(m_labelSelector, m_fieldSelector, object);
}

bool WatchStream::sendInitialObjects(httplib::DataSink &sink)
{
    m_initial = false;
    qint64 rv = 0;
    for (const QJsonObject &o : m_store.list(m_type, m_ns, &rv)) {
        if (wanted(o) && !write(sink, QStringLiteral("ADDED"), asVersion(o, m_apiVersion)))
            return false;
    }
    m_after = rv;
    return true;
}

void WatchStream::sendExpired(httplib::DataSink &sink) const
{
    write(sink, QStringLiteral("ERROR"),
          statusJson(statusError(410, QStringLiteral("Expired"),
                                 QStringLiteral("too old resource version: %1 (%2)")
                                         .arg(m_after)
                                         .arg(m_store.currentResourceVersion()))));
    sink.done();
}

bool WatchStream::sendEvents(httplib::DataSink &sink, const QList<WatchEvent> &events) const
{
    for (const WatchEvent &e : events) {
        if (wanted(e.object) && !write(sink, e.type, asVersion(e.object, m_apiVersion)))
            return false;
    }
    return true;
}

bool WatchStream::sendBookmark(httplib::DataSink &sink)
{
    const QDateTime now = QDateTime::currentDateTimeUtc();
    if (!m_bookmarks || now < m_nextBookmark)
        return true;
    m_nextBookmark = now.addSecs(10);
    const QJsonObject bookmark { { QStringLiteral("kind"), m_type.kind },
                                 { QStringLiteral("apiVersion"), m_apiVersion },
                                 { QStringLiteral("metadata"),
                                   QJsonObject { { QStringLiteral("resourceVersion"), QString::number(m_after) } } } };
    return write(sink, QStringLiteral("BOOKMARK"), bookmark);
}

bool WatchStream::pump(httplib::DataSink &sink)
{
    if (m_dropAt.isValid() && QDateTime::currentDateTimeUtc() >= m_dropAt)
        return false; // --fault drop-watch: cut the stream without a clean end
    if (m_stopping) {
        sink.done();
        return true;
    }
    if (m_initial)
        return sendInitialObjects(sink);
    QList<WatchEvent> events;
    qint64 scanned = 0;
    const auto wait = std::chrono::milliseconds(m_dropAt.isValid() ? 50 : 500);
    if (m_expired || !m_store.eventsAfter(m_after, m_type, m_ns, wait, &events, &scanned)) {
        sendExpired(sink);
        return true;
    }
    if (!sendEvents(sink, events))
        return false;
    m_after = scanned;
    if (!sendBookmark(sink))
        return false;
    if (QDateTime::currentDateTimeUtc() >= m_deadline) {
        sink.done();
        return true;
    }
    return sink.is_writable();
}

} // namespace

void serveWatch(ObjectStore &store, FaultPlan &faults, const std::atomic<bool> &stopping,
                const httplib::Request &request, httplib::Response &response, const ResourceType &type,
                const QString &ns, const QString &apiVersion)
{
    auto stream = std::make_shared<WatchStream>(store, faults, stopping, request, type, ns, apiVersion);
    response.status = 200;
    // A compressed stream would hold events back in the compressor: watch responses go out as they are.
    response.set_chunked_content_provider("application/json;stream=watch",
                                          [stream](size_t, httplib::DataSink &sink) { return stream->pump(sink); });
}

} // namespace canary::demo
