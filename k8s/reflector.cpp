#include "k8s/reflector.h"

#include "k8s/kubeclient.h"
#include "k8s/kubeerror.h"
#include "k8s/kubereply.h"

#include <QJsonArray>
#include <QNetworkReply>
#include <QTimer>

namespace canary::k8s {

namespace {

constexpr int kPageSize = 500;
constexpr int kFirstBackoffMs = 500;
constexpr int kMaxBackoffMs = 30000;
// Under the 295 s idle limit of common load balancers, as kube-rs asks.
constexpr int kWatchTimeoutSeconds = 290;
// A stream that breaks sooner than this is a server in trouble, not a proxy's connection limit.
constexpr qint64 kStreamLastedMs = 1000;
// Watch streams have no transfer timeout, but their headers come at once from a server that is there.
constexpr int kStreamOpenTimeoutMs = 10000;

// Answers that another attempt will not change: the user needs a permission, or the kind is not served.
bool isRefusal(int status)
{
    return status >= 400 && status < 500 && status != 401 && status != 408 && status != 410 && status != 429;
}

int httpStatus(const QNetworkReply *reply)
{
    return reply->attribute(QNetworkRequest::HttpStatusCodeAttribute).toInt();
}

} // namespace

Reflector::Reflector(KubeClient *client, QString collectionPath, QObject *parent)
    : QObject(parent)
    , m_client(client)
    , m_path(std::move(collectionPath))
    , m_retry(new QTimer(this))
    , m_openDeadline(new QTimer(this))
    , m_backoffMs(kFirstBackoffMs)
{
    m_retry->setSingleShot(true);
    connect(m_retry, &QTimer::timeout, this, &Reflector::attempt);
    m_openDeadline->setSingleShot(true);
    m_openDeadline->setInterval(kStreamOpenTimeoutMs);
    connect(m_openDeadline, &QTimer::timeout, this, [this] {
        dropStream();
        retry(false,
              tr("watch %1: the API server did not answer within %2 s").arg(m_path).arg(kStreamOpenTimeoutMs / 1000));
    });
}

Reflector::~Reflector()
{
    ++m_generation;
    dropStream();
    if (m_listReply)
        m_listReply->deleteLater();
}

Reflector::Key Reflector::keyOf(const QJsonObject &object)
{
    const QJsonObject meta = object.value(QLatin1String("metadata")).toObject();
    return { meta.value(QLatin1String("namespace")).toString(), meta.value(QLatin1String("name")).toString() };
}

void Reflector::start()
{
    stop();
    m_backoffMs = kFirstBackoffMs;
    m_expiredInRow = 0;
    list();
}

void Reflector::stop()
{
    ++m_generation;
    m_retry->stop();
    if (m_listReply) {
        m_listReply->disconnect(this);
        m_listReply->deleteLater();
        m_listReply = nullptr;
    }
    dropStream();
    m_listing.clear();
    setState(State::Idle);
}

void Reflector::retryNow()
{
    if (m_state != State::Backoff)
        return;
    m_retry->stop();
    attempt();
}

QJsonObject withoutManagedFields(QJsonObject object)
{
    QJsonObject meta = object.value(QLatin1String("metadata")).toObject();
    if (!meta.contains(QLatin1String("managedFields")))
        return object;
    meta.remove(QLatin1String("managedFields"));
    object.insert(QLatin1String("metadata"), meta);
    return object;
}

void Reflector::attempt()
{
    if (m_relistNext || !m_synced)
        list();
    else
        watch();
}

void Reflector::setState(State state, const QString &detail)
{
    if (state == m_state && detail == m_detail)
        return;
    m_state = state;
    m_detail = detail;
    Q_EMIT stateChanged(state, detail);
}

void Reflector::list(const QString &continueToken)
{
    if (continueToken.isEmpty()) {
        if (m_listReply) {
            m_listReply->disconnect(this);
            m_listReply->deleteLater();
        }
        m_listing.clear();
        setState(State::Listing, m_state == State::Listing ? m_detail : QString());
    }
    KubeRequest request = KubeRequest::get(m_path);
    request.query.addQueryItem(QStringLiteral("limit"), QString::number(kPageSize));
    if (!continueToken.isEmpty())
        request.query.addQueryItem(QStringLiteral("continue"), continueToken);
    KubeReply *reply = m_client->send(request, tr("list %1").arg(m_path));
    m_listReply = reply;
    connect(reply, &KubeReply::finished, this, [this, reply] {
        reply->deleteLater();
        if (reply != m_listReply)
            return;
        m_listReply = nullptr;
        if (!reply->ok()) {
            if (isRefusal(reply->httpStatus())) {
                fail(reply->error().message);
                return;
            }
            // 410: the continue token outlived etcd's compaction, and the list starts over.
            const bool expired = reply->httpStatus() == 410;
            retry(true, reply->error().message, expired && ++m_expiredInRow == 1);
            return;
        }
        const QJsonObject page = reply->json();
        for (const QJsonValue &item : page.value(QLatin1String("items")).toArray()) {
            const QJsonObject object = m_transform ? m_transform(item.toObject()) : item.toObject();
            const Key key = keyOf(object);
            if (!key.second.isEmpty())
                m_listing.insert(key, object);
        }
        const QJsonObject meta = page.value(QLatin1String("metadata")).toObject();
        const QString next = meta.value(QLatin1String("continue")).toString();
        if (next.isEmpty())
            finishList(meta.value(QLatin1String("resourceVersion")).toString());
        else
            list(next);
    });
}

void Reflector::finishList(const QString &resourceVersion)
{
    m_resourceVersion = resourceVersion;
    m_relistNext = false;
    m_backoffMs = kFirstBackoffMs;
    const QMap<Key, QJsonObject> previous = std::exchange(m_store, std::exchange(m_listing, {}));
    m_synced = true;
    const int generation = m_generation;
    for (auto it = previous.cbegin(); it != previous.cend(); ++it) {
        if (m_store.contains(it.key()))
            continue;
        Q_EMIT deleted(it.value());
        if (generation != m_generation)
            return;
    }
    Q_EMIT resynced();
    if (generation == m_generation)
        watch();
}

void Reflector::watch()
{
    dropStream();
    m_decoder.clear();
    KubeRequest request = KubeRequest::get(m_path);
    request.query.addQueryItem(QStringLiteral("watch"), QStringLiteral("1"));
    request.query.addQueryItem(QStringLiteral("resourceVersion"), m_resourceVersion);
    request.query.addQueryItem(QStringLiteral("allowWatchBookmarks"), QStringLiteral("true"));
    request.query.addQueryItem(QStringLiteral("timeoutSeconds"), QString::number(kWatchTimeoutSeconds));
    QNetworkReply *stream = m_client->openStream(request);
    m_stream = stream;
    m_streamAge.start();
    m_openDeadline->start();
    connect(stream, &QNetworkReply::metaDataChanged, this, [this, stream] {
        if (stream != m_stream || httpStatus(stream) == 0)
            return;
        m_openDeadline->stop();
        if (httpStatus(stream) == 200) {
            m_backoffMs = kFirstBackoffMs;
            setState(State::Watching);
        }
    });
    connect(stream, &QNetworkReply::readyRead, this, &Reflector::onStreamData);
    connect(stream, &QNetworkReply::finished, this, &Reflector::onStreamFinished);
}

void Reflector::dropStream()
{
    m_openDeadline->stop();
    if (!m_stream)
        return;
    QNetworkReply *stream = m_stream;
    m_stream = nullptr;
    stream->disconnect(this);
    stream->abort();
    stream->deleteLater();
}

void Reflector::onStreamData()
{
    if (!m_stream || httpStatus(m_stream) != 200)
        return; // an error body is read in onStreamFinished
    const int generation = m_generation;
    for (const QJsonObject &event : m_decoder.feed(m_stream->readAll())) {
        const QString type = event.value(QLatin1String("type")).toString();
        const QJsonObject object = event.value(QLatin1String("object")).toObject();
        if (type == QLatin1String("ERROR")) {
            dropStream();
            const QString message = object.value(QLatin1String("message")).toString();
            if (object.value(QLatin1String("code")).toInt() == 410)
                retry(true, tr("watch %1: %2").arg(m_path, message), ++m_expiredInRow == 1);
            else
                retry(false, tr("watch %1: %2").arg(m_path, message));
            return;
        }
        const QString rv
                = object.value(QLatin1String("metadata")).toObject().value(QLatin1String("resourceVersion")).toString();
        if (!rv.isEmpty())
            m_resourceVersion = rv;
        m_expiredInRow = 0;
        const Key key = keyOf(object);
        if (type == QLatin1String("BOOKMARK") || key.second.isEmpty())
            continue;
        if (type == QLatin1String("DELETED")) {
            if (m_store.remove(key) > 0)
                Q_EMIT deleted(object);
        } else if (type == QLatin1String("ADDED") || type == QLatin1String("MODIFIED")) {
            const QJsonObject kept = m_transform ? m_transform(object) : object;
            m_store.insert(key, kept);
            Q_EMIT applied(kept);
        }
        if (generation != m_generation)
            return;
    }
}

void Reflector::onStreamFinished()
{
    if (!m_stream)
        return;
    const int status = httpStatus(m_stream);
    if (status == 200) {
        const int generation = m_generation;
        onStreamData(); // what came with the end
        if (generation != m_generation || !m_stream)
            return; // stopped by a listener, or an ERROR event said what to do
    }
    QNetworkReply *stream = m_stream;
    m_stream = nullptr;
    m_openDeadline->stop();
    stream->deleteLater();
    if (status == 200) {
        // Ended by timeoutSeconds, or cut by a proxy or load balancer: carry on from the last resourceVersion.
        if (m_streamAge.elapsed() >= kStreamLastedMs)
            watch();
        else if (stream->error() == QNetworkReply::NoError)
            retry(false, tr("watch %1: the server closed the stream").arg(m_path));
        else
            retry(false, networkErrorText(stream));
        return;
    }
    if (status == 0) {
        retry(false, networkErrorText(stream));
        return;
    }
    const Error error = decodeStatus(status, stream->readAll(), tr("watch %1").arg(m_path));
    if (status == 410)
        retry(true, error.message, ++m_expiredInRow == 1);
    else if (status == 401)
        retry(true, error.message); // listing again goes through send(), which refreshes exec credentials
    else if (isRefusal(status))
        fail(error.message);
    else
        retry(false, error.message);
}

void Reflector::retry(bool relist, const QString &why, bool immediately)
{
    m_relistNext = m_relistNext || relist;
    if (immediately && m_relistNext) {
        setState(State::Listing, why);
        m_retry->start(0);
        return;
    }
    setState(State::Backoff, why);
    m_retry->start(m_backoffMs);
    m_backoffMs = qMin(m_backoffMs * 2, kMaxBackoffMs);
}

void Reflector::fail(const QString &why)
{
    m_retry->stop();
    dropStream();
    setState(State::Failed, why);
}

} // namespace canary::k8s
