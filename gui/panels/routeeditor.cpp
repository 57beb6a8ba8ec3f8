#include "gui/panels/routeeditor.h"

#include "core/edit/editsession.h"
#include "core/model/validation.h"
#include "core/models/routelistmodel.h"
#include "gui/widgets/elidingcombobox.h"
#include "gui/widgets/versioncolors.h"
#include "gui/widgets/weighteditor.h"

#include <QComboBox>
#include <QHBoxLayout>
#include <QLabel>
#include <QVBoxLayout>

namespace canary::gui {

namespace {

QString podsText(int pods)
{
    if (pods < 0)
        return QString();
    return pods == 1 ? QObject::tr("1 pod") : QObject::tr("%1 pods").arg(pods);
}

} // namespace

RouteEditor::RouteEditor(core::EditSession *edits, QWidget *parent)
    : QWidget(parent)
    , m_edits(edits)
    , m_routes(new core::RouteListModel(core::RouteListModel::Scope::AllRoutes, this))
    , m_title(new QLabel(this))
    , m_detail(new QLabel(this))
    , m_routeCombo(new ElidingComboBox(this))
    , m_weights(new WeightEditor(this))
    , m_sum(new QLabel(this))
    , m_observedNote(new QLabel(this))
{
    setObjectName(QStringLiteral("routeEditor"));
    auto *layout = new QVBoxLayout(this);
    layout->setContentsMargins(0, 0, 0, 0);
    layout->setSpacing(6);
    m_title->setObjectName(QStringLiteral("releaseTitle"));
    m_title->setWordWrap(true);
    m_detail->setObjectName(QStringLiteral("releaseDetail"));
    m_detail->setWordWrap(true);
    layout->addWidget(m_title);
    layout->addWidget(m_detail);

    auto *routeRow = new QHBoxLayout;
    auto *routeLabel = new QLabel(tr("&Route"), this);
    routeLabel->setBuddy(m_routeCombo);
    m_routeCombo->setObjectName(QStringLiteral("routeCombo"));
    m_routeCombo->setModel(m_routes);
    m_routeCombo->setModelColumn(core::RouteListModel::LabelColumn);
    // Long match conditions must not widen the window: the combo elides, its list shows them whole.
    m_routeCombo->setMinimumContentsLength(16);
    routeRow->addWidget(routeLabel);
    routeRow->addWidget(m_routeCombo, 1);
    layout->addLayout(routeRow);
    m_weights->setObjectName(QStringLiteral("weightEditor"));
    layout->addWidget(m_weights);
    m_sum->setObjectName(QStringLiteral("sumLabel"));
    m_sum->setWordWrap(true);
    layout->addWidget(m_sum);
    m_observedNote->setObjectName(QStringLiteral("observedNote"));
    m_observedNote->setWordWrap(true);
    m_observedNote->setStyleSheet(QStringLiteral("color:palette(mid);"));
    layout->addWidget(m_observedNote);

    connect(m_routeCombo, &QComboBox::activated, this, [this](int row) {
        m_edits->selectRoute(m_routes->index(row, 0).data(core::RouteListModel::RouteIndexRole).toInt());
    });
    connect(m_weights, &WeightEditor::weightsChanged, m_edits, &core::EditSession::setWeights);
    connect(m_weights, &WeightEditor::dragStarted, m_edits, &core::EditSession::beginGesture);
    connect(m_weights, &WeightEditor::dragFinished, m_edits, &core::EditSession::endGesture);
    connect(m_weights, &WeightEditor::promoteRequested, this, &RouteEditor::promoteRequested);
    m_routes->setEditSession(m_edits);
    connect(m_edits, &core::EditSession::changed, this, &RouteEditor::refresh);
    refresh();
}

void RouteEditor::refresh()
{
    refreshHeading();
    const Result<core::Release> cur = m_edits->current();
    if (!cur) {
        m_weights->setRows({}, {});
        m_sum->clear();
        m_observedNote->clear();
        m_routeCombo->setEnabled(false);
        return;
    }
    const core::Release &r = *cur;
    const int route = m_edits->routeIndex();
    m_routeCombo->setEnabled(true);
    const int row = m_routes->rowOfRoute(route);
    if (row != m_routeCombo->currentIndex()) {
        const QSignalBlocker block(m_routeCombo);
        m_routeCombo->setCurrentIndex(row);
    }
    QList<WeightRow> rows;
    for (int i = 0; i < r.versions.size(); ++i) {
        const core::ReleaseVersion &v = r.versions.at(i);
        QStringList info;
        if (v.pods >= 0)
            info.append(podsText(v.pods));
        info.append(v.needsSubset                ? tr("pods labelled version=%1, no subset yet").arg(v.name)
                            : v.subset.isEmpty() ? tr("service %1").arg(v.host)
                                                 : tr("subset of %1").arg(v.host));
        rows.append(WeightRow { v.name, info.join(QStringLiteral(" · ")), versionColor(v.name, v.labels, i) });
    }
    m_weights->setRows(rows, r.routeWeights(route));
    int sum = 0;
    for (int w : r.routeWeights(route))
        sum += w;
    m_sum->setText(sum == 100 ? tr("Weights of route #%1 sum to 100").arg(route)
                              : tr("<span style='color:#d64545'>Weights of route #%1 sum to %2; Istio reads them as "
                                   "proportions — set one slider to write a sum of 100</span>")
                                        .arg(route)
                                        .arg(sum));
    // Traffic is counted per version of the whole release: a match route has none of its own to show.
    const bool defaultRoute = route == r.defaultRoute;
    int matchRoutes = 0;
    for (const core::ReleaseRoute &rr : r.routes)
        matchRoutes += rr.index != r.defaultRoute ? 1 : 0;
    m_weights->setObservedVisible(defaultRoute);
    m_weights->setObservedToolTip(
            tr("Share of all requests to %1 that reached this version, on every route").arg(r.name));
    if (!defaultRoute)
        m_observedNote->setText(tr("Traffic is measured per version for the whole release; this match route has no "
                                   "share of its own to show."));
    else if (matchRoutes > 0)
        m_observedNote->setText(
                tr("Observed: each version's share of all requests to %1 %2, match routes included, so it "
                   "can differ from these weights.")
                        .arg(r.name, m_observedWindow));
    else
        m_observedNote->setText(
                tr("Observed: each version's share of all requests to %1 %2.").arg(r.name, m_observedWindow));
}

void RouteEditor::refreshHeading()
{
    const QString name = m_edits->releaseName();
    const core::Release *live = m_edits->live();
    if (!live) {
        const bool unrouted = name.startsWith(QLatin1String("service:"));
        m_title->setText(unrouted ? name.mid(8) : tr("No service selected"));
        m_detail->setText(unrouted ? tr("No VirtualService routes to this service, so all its pods share its traffic.")
                                  : name.isEmpty() ? tr("This namespace has no services to route yet.")
                                                   : tr("%1 is no longer in this namespace.").arg(name));
        return;
    }
    m_title->setText(m_edits->hasDraft() ? tr("%1 — edited, not applied").arg(live->name) : live->name);
    QStringList detail;
    detail.append(tr("VirtualService <b>%1</b>").arg(live->virtualService.toHtmlEscaped()));
    if (!live->destinationRule.isEmpty())
        detail.append(tr("DestinationRule <b>%1</b>").arg(live->destinationRule.toHtmlEscaped()));
    detail.append(tr("hosts %1").arg(live->hosts.join(QLatin1String(", ")).toHtmlEscaped()));
    detail.append(live->gateways.isEmpty()
                          ? tr("mesh traffic")
                          : tr("gateways %1").arg(live->gateways.join(QLatin1String(", ")).toHtmlEscaped()));
    for (const QString &manager : core::otherRouteManagers(live->vs))
        detail.append(QStringLiteral("<span style='color:#b7791f'>⚠ %1</span>")
                              .arg(tr("routes also managed by %1").arg(manager).toHtmlEscaped()));
    m_detail->setText(detail.join(QStringLiteral(" · ")));
}

void RouteEditor::setReadings(const QList<VersionReading> &readings, const QString &window)
{
    m_weights->setReadings(readings);
    if (window != m_observedWindow) {
        m_observedWindow = window;
        refresh();
    }
}

void RouteEditor::setPromoteEnabled(bool enabled)
{
    m_weights->setPromoteEnabled(enabled);
}

} // namespace canary::gui
