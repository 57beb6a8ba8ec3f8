#include "k8s/kubewatch.h"

#include "k8s/kubeclient.h"
#include "k8s/kubereply.h"

#include <QJsonArray>
#include <QJsonDocument>
#include <QNetworkReply>
#include <QTimer>

namespace canary::k8s {

KubeWatch::KubeWatch(KubeClient *client, QString collectionPath, QObject *parent)
    : QObject(parent)
    , m_client(client)
    , m_path(std::move(collectionPath))
    , m_retry(new QTimer(this))
{
    m_retry->setSingleShot(true);
    connect(m_retry, &QTimer::timeout, this, [this] {
        if (m_needRelist || m_resourceVersion.isEmpty())
            list();
        else
            watch();
    });
}

KubeWatch::~KubeWatch()
{
    stop();
}

void KubeWatch::start()
{
    stop();
    list();
}

void KubeWatch::stop()
{
    m_retry->stop();
    if (m_listReply) {
        m_listReply->disconnect(this);
        m_listReply->deleteLater();
    }
    if (m_stream) {
        m_stream->disconnect(this);
        m_stream->abort();
        m_stream->deleteLater();
    }
    m_state = State::Idle;
}

void KubeWatch::setState(State state, const QString &detail)
{
    if (state == m_state && detail.isEmpty())
        return;
    m_state = state;
    Q_EMIT stateChanged(state, detail);
}

void KubeWatch::list(const QString &continueToken)
{
    if (continueToken.isEmpty()) {
        m_listed.clear();
        setState(m_state == State::Reconnecting ? State::Reconnecting : State::Listing);
    }
    KubeRequest request = KubeRequest::get(m_path);
    request.query.addQueryItem(QStringLiteral("limit"), QStringLiteral("500"));
    if (!continueToken.isEmpty())
        request.query.addQueryItem(QStringLiteral("continue"), continueToken);
    m_listReply = m_client->send(request, QStringLiteral("list %1").arg(m_path));
    connect(m_listReply, &KubeReply::finished, this, [this, reply = m_listReply.data()] {
        reply->deleteLater();
        if (reply != m_listReply)
            return;
        if (!reply->ok()) {
            // An expired continue token means the list starts over.
            retryLater(reply->error().message, true);
            return;
        }
        const QJsonObject page = reply->json();
        for (const QJsonValue &item : page.value(QLatin1String("items")).toArray())
            m_listed.append(item.toObject());
        const QJsonObject meta = page.value(QLatin1String("metadata")).toObject();
        const QString next = meta.value(QLatin1String("continue")).toString();
        if (!next.isEmpty()) {
            list(next);
            return;
        }
        m_resourceVersion = meta.value(QLatin1String("resourceVersion")).toString();
        m_needRelist = false;
        const QList<QJsonObject> items = std::exchange(m_listed, {});
        Q_EMIT listed(items);
        watch();
    });
}

void KubeWatch::watch()
{
    if (m_stream) {
        m_stream->disconnect(this);
        m_stream->abort();
        m_stream->deleteLater();
    }
    m_decoder.clear();
    KubeRequest request = KubeRequest::get(m_path);
    request.query.addQueryItem(QStringLiteral("watch"), QStringLiteral("1"));
    request.query.addQueryItem(QStringLiteral("resourceVersion"), m_resourceVersion);
    request.query.addQueryItem(QStringLiteral("allowWatchBookmarks"), QStringLiteral("true"));
    request.query.addQueryItem(QStringLiteral("timeoutSeconds"), QStringLiteral("290"));
    m_stream = m_client->openStream(request);
    connect(m_stream, &QNetworkReply::metaDataChanged, this, [this] {
        const int status = m_stream->attribute(QNetworkRequest::HttpStatusCodeAttribute).toInt();
        if (status == 200) {
            m_backoffMs = 500;
            setState(State::Watching);
        }
    });
    connect(m_stream, &QNetworkReply::readyRead, this, &KubeWatch::onStreamData);
    connect(m_stream, &QNetworkReply::finished, this, &KubeWatch::onStreamFinished);
}

void KubeWatch::onStreamData()
{
    if (!m_stream)
        return;
    const int status = m_stream->attribute(QNetworkRequest::HttpStatusCodeAttribute).toInt();
    if (status != 200)
        return; // read as an error body in onStreamFinished
    for (const QJsonObject &e : m_decoder.feed(m_stream->readAll())) {
        const QString type = e.value(QLatin1String("type")).toString();
        const QJsonObject object = e.value(QLatin1String("object")).toObject();
        if (type == QLatin1String("ERROR")) {
            const int code = object.value(QLatin1String("code")).toInt();
            m_needRelist = code == 410;
            m_stream->disconnect(this);
            m_stream->abort();
            m_stream->deleteLater();
            retryLater(object.value(QLatin1String("message")).toString(), m_needRelist);
            return;
        }
        const QString rv = object.value(QLatin1String("metadata")).toObject().value(QLatin1String("resourceVersion")).toString();
        if (!rv.isEmpty())
            m_resourceVersion = rv;
        if (type == QLatin1String("BOOKMARK"))
            continue;
        Q_EMIT changed(type, object);
    }
}

void KubeWatch::onStreamFinished()
{
    if (!m_stream)
        return;
    QNetworkReply *stream = m_stream;
    m_stream = nullptr;
    stream->deleteLater();
    const int status = stream->attribute(QNetworkRequest::HttpStatusCodeAttribute).toInt();
    if (status == 200 && stream->error() == QNetworkReply::NoError) {
        onStreamData();
        watch(); // a clean close (timeoutSeconds): carry on from the last resourceVersion
        return;
    }
    if (status == 410 || status == 401) {
        // 410: the resourceVersion is gone. 401: credentials expired; listing again refreshes them.
        retryLater(status == 410 ? QStringLiteral("resource version expired") : QStringLiteral("credentials expired"), true);
        return;
    }
    retryLater(status > 0 ? QStringLiteral("HTTP %1").arg(status) : stream->errorString(), false);
}

void KubeWatch::retryLater(const QString &why, bool relist)
{
    m_needRelist = m_needRelist || relist;
    setState(State::Reconnecting, why);
    m_retry->start(m_needRelist && m_backoffMs <= 500 ? 0 : m_backoffMs);
    m_backoffMs = qMin(m_backoffMs * 2, 30000);
}

} // namespace canary::k8s
