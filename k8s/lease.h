#pragma once

#include <QDateTime>
#include <QJsonObject>
#include <QObject>
#include <QPointer>
#include <QString>

#include <functional>

namespace canary::k8s {

class KubeClient;
class KubeReply;

// A coordination.k8s.io/v1 Lease as client-go's leader election reads it.
struct LeaseRecord {
    QString holder; // spec.holderIdentity (empty: released)
    int durationSeconds = 0;
    QDateTime acquireTime;
    QDateTime renewTime;
    int transitions = 0;
    QJsonObject object; // as read; empty when there is no Lease

    static LeaseRecord fromJson(const QJsonObject &lease);
    bool exists() const { return !object.isEmpty(); }
    bool isHeld() const { return !holder.isEmpty(); }
    // Seconds since the last renewal (or the acquisition), -1 when neither is known.
    qint64 secondsSinceRenewal(const QDateTime &now = QDateTime::currentDateTimeUtc()) const;
    // Held, but not renewed within its duration: another candidate may take it.
    bool isExpired(const QDateTime &now = QDateTime::currentDateTimeUtc()) const;
    QString annotation(const QString &key) const;
};

// A Lease's MicroTime: RFC 3339 in UTC with microseconds, as the API server stores it.
QString leaseTime(const QDateTime &time);
QString leasePath(const QString &ns, const QString &name);

// One candidate for a Lease (client-go's LeaseLock): acquire by create, or by an update with the
// resourceVersion read when it is free, expired or already ours; renew by update; release by
// clearing the holder. Every write is conditional, so there are never two holders.
class LeaseLock final : public QObject {
    Q_OBJECT
public:
    LeaseLock(KubeClient *client, QString ns, QString name, QString identity, QObject *parent = nullptr);

    QString identity() const { return m_identity; }
    QString name() const { return m_name; }
    QString ns() const { return m_ns; }
    void setDurationSeconds(int seconds) { m_durationSeconds = seconds; }
    int durationSeconds() const { return m_durationSeconds; }
    // Tells this candidate apart from another with the same identity (the same user on the same host,
    // in another window): written as the annotation canarydeck.io/instance.
    void setInstance(const QString &instance) { m_instance = instance; }
    // Annotations written with every acquire and renew (the last check of a rollout, for example).
    void setAnnotations(const QJsonObject &annotations) { m_annotations = annotations; }
    // Whether a Lease held by another candidate and not yet expired may be taken anyway (its holder is
    // known to be dead).
    void setTakeOver(std::function<bool(const LeaseRecord &)> takeOver) { m_takeOver = std::move(takeOver); }

    void acquire();
    void renew();
    void release();
    bool isHeld() const { return m_held; }
    // The Lease as last read or written.
    const LeaseRecord &record() const { return m_record; }
    // Whether a record is this candidate's own (same identity and instance).
    bool isOwn(const LeaseRecord &record) const;

Q_SIGNALS:
    // ok false: refused (the message names the holder and how long since it renewed) or failed.
    void acquired(bool ok, const QString &message);
    // ok false: the Lease was lost (someone else wrote it) or could not be written.
    void renewed(bool ok, const QString &message);
    void released();

private:
    void readForAcquire();
    void write(QJsonObject lease, bool create, bool acquiring);
    QJsonObject spec(bool takingOver) const;
    QString refusal(const LeaseRecord &record) const;
    KubeReply *send(KubeReply *reply);

    QPointer<KubeClient> m_client;
    QString m_ns;
    QString m_name;
    QString m_identity;
    QString m_instance;
    int m_durationSeconds = 30;
    QJsonObject m_annotations;
    std::function<bool(const LeaseRecord &)> m_takeOver;
    LeaseRecord m_record;
    bool m_held = false;
    QPointer<KubeReply> m_inFlight;
};

} // namespace canary::k8s
