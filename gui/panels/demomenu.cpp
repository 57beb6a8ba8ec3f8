#include "gui/panels/demomenu.h"

#include "core/edit/editsession.h"
#include "core/session/releasesession.h"
#include "k8s/kubeclient.h"
#include "k8s/kubereply.h"

#include <QJsonDocument>
#include <QJsonObject>

namespace canary::gui {

namespace {

constexpr char kErrorPercent[] = "demo.canarydeck.io/error-percent";
constexpr char kLatencyMs[] = "demo.canarydeck.io/latency-ms";

} // namespace

DemoMenu::DemoMenu(core::EditSession *edits, QWidget *parent)
    : QMenu(tr("&Demo"), parent)
    , m_edits(edits)
    , m_fail(addAction(QString(), this, &DemoMenu::makeFail))
    , m_slow(addAction(QString(), this, &DemoMenu::makeSlow))
    , m_heal(addAction(QString(), this, &DemoMenu::heal))
{
    setObjectName(QStringLiteral("demoMenu"));
    m_fail->setObjectName(QStringLiteral("demoFail"));
    m_slow->setObjectName(QStringLiteral("demoSlow"));
    m_heal->setObjectName(QStringLiteral("demoHeal"));
    connect(m_edits, &core::EditSession::changed, this, &DemoMenu::refresh);
    connect(this, &QMenu::aboutToShow, this, &DemoMenu::refresh);
    refresh();
}

bool DemoMenu::isDemoCluster() const
{
    const core::ReleaseSession *session = m_edits->session();
    if (!session)
        return false;
    const QJsonObject &extensions = session->endpoint().clusterExtensions;
    return extensions.contains(QLatin1String("canarydeck.io/demo"))
            || extensions.contains(QLatin1String("canarydeck.io/traffic"));
}

QStringList DemoMenu::targets() const
{
    const core::Release *release = m_edits->live();
    const int canary = release ? release->canaryVersion() : -1;
    return canary < 0 ? QStringList() : release->versions.at(canary).workloads;
}

void DemoMenu::refresh()
{
    const bool demo = isDemoCluster();
    if (demo != m_demo) {
        m_demo = demo;
        Q_EMIT demoClusterChanged(demo);
    }
    const QStringList workloads = targets();
    const QString name = workloads.isEmpty() ? tr("the canary") : workloads.join(QLatin1String(", "));
    m_fail->setText(tr("Make %1 &fail (%2 % errors)").arg(name).arg(kFailPercent));
    m_slow->setText(tr("Make it &slow (+%1 ms)").arg(kSlowMs));
    m_heal->setText(tr("&Heal %1").arg(name));
    for (QAction *action : { m_fail, m_slow, m_heal })
        action->setEnabled(demo && !workloads.isEmpty());
    const QString why = workloads.isEmpty() ? tr("The release shown has no canary Deployment to break.") : QString();
    for (QAction *action : { m_fail, m_slow, m_heal })
        action->setToolTip(why);
}

void DemoMenu::makeFail()
{
    annotate({ { QLatin1String(kErrorPercent), QString::number(kFailPercent) } },
             tr("answers %1 % of its requests with 500").arg(kFailPercent));
}

void DemoMenu::makeSlow()
{
    annotate({ { QLatin1String(kLatencyMs), QString::number(kSlowMs) } },
             tr("takes %1 ms longer to answer").arg(kSlowMs));
}

void DemoMenu::heal()
{
    // A merge patch removes a key given as null.
    annotate({ { QLatin1String(kErrorPercent), QJsonValue::Null }, { QLatin1String(kLatencyMs), QJsonValue::Null } },
             tr("is healthy again"));
}

void DemoMenu::annotate(const QJsonObject &annotations, const QString &what)
{
    core::ReleaseSession *session = m_edits->session();
    if (!session || !isDemoCluster())
        return;
    const QByteArray patch
            = QJsonDocument(QJsonObject { { QStringLiteral("metadata"),
                                            QJsonObject { { QStringLiteral("annotations"), annotations } } } })
                      .toJson(QJsonDocument::Compact);
    for (const QString &deployment : targets()) {
        const QString path = QStringLiteral("/apis/apps/v1/namespaces/%1/deployments/%2")
                                     .arg(session->currentNamespace(), deployment);
        k8s::KubeReply *reply
                = session->client()->send(k8s::KubeRequest::mergePatch(path, patch), tr("annotate %1").arg(deployment));
        connect(reply, &k8s::KubeReply::finished, this, [this, reply, deployment, what] {
            reply->deleteLater();
            m_lastError = reply->ok() ? QString() : reply->error().message;
            Q_EMIT written(reply->ok() ? tr("Demo: %1 %2").arg(deployment, what)
                                       : tr("Demo: cannot annotate %1: %2").arg(deployment, m_lastError));
        });
    }
}

} // namespace canary::gui
