#include "k8s/lease.h"

#include "k8s/humanduration.h"
#include "k8s/kubeclient.h"
#include "k8s/kubereply.h"

#include <QJsonDocument>

namespace canary::k8s {

namespace {

const QString kGroup = QStringLiteral("coordination.k8s.io");
const QString kInstanceAnnotation = QStringLiteral("canarydeck.io/instance");

QDateTime parseTime(const QJsonValue &value)
{
    QDateTime t = QDateTime::fromString(value.toString(), Qt::ISODateWithMs);
    if (!t.isValid()) // microseconds: Qt reads at most milliseconds
        t = QDateTime::fromString(value.toString().section(QLatin1Char('.'), 0, 0) + QLatin1Char('Z'), Qt::ISODate);
    return t;
}

} // namespace

LeaseRecord LeaseRecord::fromJson(const QJsonObject &lease)
{
    const QJsonObject spec = lease.value(QLatin1String("spec")).toObject();
    LeaseRecord r;
    r.object = lease;
    r.holder = spec.value(QLatin1String("holderIdentity")).toString();
    r.durationSeconds = spec.value(QLatin1String("leaseDurationSeconds")).toInt();
    r.acquireTime = parseTime(spec.value(QLatin1String("acquireTime")));
    r.renewTime = parseTime(spec.value(QLatin1String("renewTime")));
    r.transitions = spec.value(QLatin1String("leaseTransitions")).toInt();
    return r;
}

qint64 LeaseRecord::secondsSinceRenewal(const QDateTime &now) const
{
    const QDateTime last = renewTime.isValid() ? renewTime : acquireTime;
    return last.isValid() ? qMax<qint64>(0, last.secsTo(now)) : -1;
}

bool LeaseRecord::isExpired(const QDateTime &now) const
{
    const qint64 since = secondsSinceRenewal(now);
    return isHeld() && (since < 0 || since > durationSeconds);
}

QString LeaseRecord::annotation(const QString &key) const
{
    return object.value(QLatin1String("metadata"))
            .toObject()
            .value(QLatin1String("annotations"))
            .toObject()
            .value(key)
            .toString();
}

QString leaseTime(const QDateTime &time)
{
    const QDateTime utc = time.toUTC();
    return utc.toString(QStringLiteral("yyyy-MM-ddTHH:mm:ss.zzz")) + QStringLiteral("000Z");
}

QString leasePath(const QString &ns, const QString &name)
{
    return objectPath(kGroup, QStringLiteral("v1"), ns, QStringLiteral("leases"), name);
}

LeaseLock::LeaseLock(KubeClient *client, QString ns, QString name, QString identity, QObject *parent)
    : QObject(parent)
    , m_client(client)
    , m_ns(std::move(ns))
    , m_name(std::move(name))
    , m_identity(std::move(identity))
{ }

bool LeaseLock::isOwn(const LeaseRecord &record) const
{
    return record.holder == m_identity && record.annotation(kInstanceAnnotation) == m_instance;
}

KubeReply *LeaseLock::send(KubeReply *reply)
{
    if (m_inFlight)
        m_inFlight->cancel();
    m_inFlight = reply;
    return reply;
}

void LeaseLock::acquire()
{
    if (!m_client) {
        Q_EMIT acquired(false, tr("No cluster to take the Lease on."));
        return;
    }
    readForAcquire();
}

void LeaseLock::readForAcquire()
{
    KubeReply *reply
            = send(m_client->send(KubeRequest::get(leasePath(m_ns, m_name)), tr("Lease %1/%2").arg(m_ns, m_name)));
    connect(reply, &KubeReply::finished, this, [this, reply] {
        reply->deleteLater();
        if (reply->httpStatus() == 404) {
            const QJsonObject lease { { QStringLiteral("apiVersion"), QStringLiteral("coordination.k8s.io/v1") },
                                      { QStringLiteral("kind"), QStringLiteral("Lease") },
                                      { QStringLiteral("metadata"),
                                        QJsonObject { { QStringLiteral("name"), m_name },
                                                      { QStringLiteral("namespace"), m_ns } } } };
            m_record = LeaseRecord();
            write(lease, true, true);
            return;
        }
        if (!reply->ok()) {
            Q_EMIT acquired(false, reply->error().message);
            return;
        }
        m_record = LeaseRecord::fromJson(reply->json());
        if (m_record.isHeld() && !m_record.isExpired() && !isOwn(m_record) && !(m_takeOver && m_takeOver(m_record))) {
            Q_EMIT acquired(false, refusal(m_record));
            return;
        }
        write(m_record.object, false, true);
    });
}

QString LeaseLock::refusal(const LeaseRecord &r) const
{
    const qint64 since = r.secondsSinceRenewal();
    return tr("Lease %1/%2 is held by %3, renewed %4 ago; it can be taken over once it has gone %5 without renewal.")
            .arg(m_ns, m_name, r.holder, since < 0 ? tr("an unknown time") : humanDuration(since),
                 humanDuration(r.durationSeconds));
}

QJsonObject LeaseLock::spec(bool takingOver) const
{
    const QString now = leaseTime(QDateTime::currentDateTimeUtc());
    QJsonObject s = m_record.object.value(QLatin1String("spec")).toObject();
    s.insert(QStringLiteral("holderIdentity"), m_identity);
    s.insert(QStringLiteral("leaseDurationSeconds"), m_durationSeconds);
    s.insert(QStringLiteral("renewTime"), now);
    if (takingOver) {
        s.insert(QStringLiteral("acquireTime"), now);
        if (m_record.exists() && m_record.holder != m_identity)
            s.insert(QStringLiteral("leaseTransitions"), m_record.transitions + 1);
        else if (!s.contains(QLatin1String("leaseTransitions")))
            s.insert(QStringLiteral("leaseTransitions"), 0);
    }
    return s;
}

void LeaseLock::write(QJsonObject lease, bool create, bool acquiring)
{
    QJsonObject meta = lease.value(QLatin1String("metadata")).toObject();
    QJsonObject annotations = meta.value(QLatin1String("annotations")).toObject();
    for (auto it = m_annotations.begin(); it != m_annotations.end(); ++it)
        annotations.insert(it.key(), it.value());
    annotations.insert(kInstanceAnnotation, m_instance);
    meta.insert(QStringLiteral("annotations"), annotations);
    meta.remove(QStringLiteral("managedFields"));
    lease.insert(QStringLiteral("metadata"), meta);
    lease.insert(QStringLiteral("spec"), spec(acquiring && !isOwn(m_record)));
    const QByteArray body = QJsonDocument(lease).toJson(QJsonDocument::Compact);
    const QString what = tr("Lease %1/%2").arg(m_ns, m_name);
    KubeReply *reply = send(
            m_client->send(create ? KubeRequest::create(
                                   collectionPath(kGroup, QStringLiteral("v1"), m_ns, QStringLiteral("leases")), body)
                                  : KubeRequest::replace(leasePath(m_ns, m_name), body),
                           what));
    connect(reply, &KubeReply::finished, this, [this, reply, acquiring] {
        reply->deleteLater();
        if (reply->ok()) {
            m_record = LeaseRecord::fromJson(reply->json());
            m_held = true;
            if (acquiring)
                Q_EMIT acquired(true, {});
            else
                Q_EMIT renewed(true, {});
            return;
        }
        const bool lost = reply->httpStatus() == 409;
        const QString message = lost ? tr("Lease %1/%2 was taken by another driver meanwhile.").arg(m_ns, m_name)
                                     : reply->error().message;
        if (lost)
            m_held = false;
        if (acquiring)
            Q_EMIT acquired(false, message);
        else
            Q_EMIT renewed(false, message);
    });
}

void LeaseLock::renew()
{
    if (!m_held || !m_client) {
        Q_EMIT renewed(false, tr("Lease %1/%2 is not held.").arg(m_ns, m_name));
        return;
    }
    write(m_record.object, false, false);
}

void LeaseLock::release()
{
    if (!m_held || !m_client) {
        Q_EMIT released();
        return;
    }
    m_held = false;
    QJsonObject lease = m_record.object;
    QJsonObject s = lease.value(QLatin1String("spec")).toObject();
    s.insert(QStringLiteral("holderIdentity"), QString()); // client-go's ReleaseOnCancel
    s.insert(QStringLiteral("leaseDurationSeconds"), 1);
    s.insert(QStringLiteral("renewTime"), leaseTime(QDateTime::currentDateTimeUtc()));
    lease.insert(QStringLiteral("spec"), s);
    QJsonObject meta = lease.value(QLatin1String("metadata")).toObject();
    meta.remove(QStringLiteral("managedFields"));
    lease.insert(QStringLiteral("metadata"), meta);
    KubeReply *reply = send(m_client->send(
            KubeRequest::replace(leasePath(m_ns, m_name), QJsonDocument(lease).toJson(QJsonDocument::Compact)),
            tr("Lease %1/%2").arg(m_ns, m_name)));
    connect(reply, &KubeReply::finished, this, [this, reply] {
        reply->deleteLater();
        if (reply->ok())
            m_record = LeaseRecord::fromJson(reply->json());
        Q_EMIT released();
    });
}

} // namespace canary::k8s
