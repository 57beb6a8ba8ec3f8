#include "mainwindow.h"

#include "istio.h"
#include "trafficchart.h"
#include "trafficmonitor.h"
#include "versioncolors.h"
#include "weighteditor.h"
#include "yaml.h"
#include "yamldiff.h"

#include <QApplication>
#include <QComboBox>
#include <QDateTime>
#include <QFontDatabase>
#include <QFrame>
#include <QHBoxLayout>
#include <QHeaderView>
#include <QLabel>
#include <QPlainTextEdit>
#include <QPushButton>
#include <QShortcut>
#include <QSplitter>
#include <QStatusBar>
#include <QTextBlock>
#include <QTreeWidget>
#include <QVBoxLayout>

namespace canary::gui {

namespace {

QFrame *card(QWidget *parent)
{
    auto *frame = new QFrame(parent);
    frame->setObjectName(QStringLiteral("card"));
    frame->setFrameShape(QFrame::StyledPanel);
    return frame;
}

QString podsText(int pods)
{
    if (pods < 0)
        return QString();
    return pods == 1 ? QObject::tr("1 pod") : QObject::tr("%1 pods").arg(pods);
}

} // namespace

MainWindow::MainWindow(core::ReleaseSession *session, core::TrafficMonitor *traffic, QWidget *parent)
    : QMainWindow(parent)
    , m_session(session)
    , m_traffic(traffic)
{
    setObjectName(QStringLiteral("mainWindow"));
    setWindowTitle(tr("Canary Deck — %1").arg(session->endpoint().contextName));
    buildUi();
    connect(m_session, &core::ReleaseSession::releasesChanged, this, &MainWindow::onReleasesChanged);
    connect(m_session, &core::ReleaseSession::connectionChanged, this, &MainWindow::onConnectionChanged);
    connect(m_session, &core::ReleaseSession::applyFinished, this, &MainWindow::onApplyFinished);
    connect(m_session, &core::ReleaseSession::namespacesChanged, this, [this] {
        const QSignalBlocker block(m_namespaceCombo);
        m_namespaceCombo->clear();
        m_namespaceCombo->addItems(m_session->namespaces());
        m_namespaceCombo->setCurrentText(m_session->currentNamespace());
    });
    if (m_traffic) {
        connect(m_traffic, &core::TrafficMonitor::updated, this, &MainWindow::onTraffic);
        connect(m_traffic, &core::TrafficMonitor::failed, this, [this](const QString &message) { m_metricsLabel->setText(message); });
    }
    onConnectionChanged();
    showRelease(false);
}

void MainWindow::buildUi()
{
    auto *central = new QWidget(this);
    auto *outer = new QVBoxLayout(central);
    outer->setContentsMargins(12, 10, 12, 6);
    outer->setSpacing(10);

    // Header: product, context, namespace.
    auto *banner = new QFrame(central);
    banner->setObjectName(QStringLiteral("banner"));
    auto *header = new QHBoxLayout(banner);
    header->setContentsMargins(14, 8, 14, 8);
    auto *product = new QLabel(tr("<span style='font-size:17pt;font-weight:700'>Canary Deck</span>"), banner);
    m_contextLabel = new QLabel(banner);
    m_contextLabel->setObjectName(QStringLiteral("contextLabel"));
    m_contextLabel->setText(tr("Context <b>%1</b> · %2 · user %3")
                                    .arg(m_session->endpoint().contextName.toHtmlEscaped(),
                                         m_session->endpoint().server.toString().toHtmlEscaped(),
                                         m_session->endpoint().userName.toHtmlEscaped()));
    m_namespaceCombo = new QComboBox(banner);
    m_namespaceCombo->setObjectName(QStringLiteral("namespaceCombo"));
    m_namespaceCombo->addItem(m_session->currentNamespace());
    m_namespaceCombo->setMinimumWidth(160);
    auto *nsLabel = new QLabel(tr("&Namespace"), banner);
    nsLabel->setBuddy(m_namespaceCombo);
    connect(m_namespaceCombo, &QComboBox::currentTextChanged, this, [this](const QString &ns) { m_session->setNamespace(ns); });
    header->addWidget(product);
    header->addSpacing(24);
    header->addWidget(m_contextLabel, 1);
    header->addWidget(nsLabel);
    header->addWidget(m_namespaceCombo);
    outer->addWidget(banner);

    auto *split = new QSplitter(Qt::Horizontal, central);
    outer->addWidget(split, 1);

    // Left: the services of the namespace.
    m_releaseList = new QTreeWidget(split);
    m_releaseList->setObjectName(QStringLiteral("releaseList"));
    m_releaseList->setHeaderLabels({ tr("Service"), tr("Versions"), tr("Routing") });
    m_releaseList->setRootIsDecorated(false);
    m_releaseList->setAlternatingRowColors(true);
    m_releaseList->setUniformRowHeights(true);
    m_releaseList->header()->setStretchLastSection(true);
    m_releaseList->setMinimumWidth(400);
    connect(m_releaseList, &QTreeWidget::currentItemChanged, this, [this](QTreeWidgetItem *item) {
        if (item)
            selectRelease(item->data(0, Qt::UserRole).toString());
    });

    // Right: the editor on top; traffic and the YAML to apply side by side below.
    auto *right = new QSplitter(Qt::Vertical, split);
    auto *editor = card(right);
    auto *bottom = new QSplitter(Qt::Horizontal, right);
    auto *ev = new QVBoxLayout(editor);
    ev->setContentsMargins(14, 12, 14, 12);
    m_releaseTitle = new QLabel(editor);
    m_releaseTitle->setObjectName(QStringLiteral("releaseTitle"));
    m_releaseDetail = new QLabel(editor);
    m_releaseDetail->setObjectName(QStringLiteral("releaseDetail"));
    m_releaseDetail->setWordWrap(true);
    m_releaseDetail->setTextFormat(Qt::RichText);
    ev->addWidget(m_releaseTitle);
    ev->addWidget(m_releaseDetail);
    auto *routeRow = new QHBoxLayout;
    m_routeCombo = new QComboBox(editor);
    m_routeCombo->setObjectName(QStringLiteral("routeCombo"));
    auto *routeLabel = new QLabel(tr("&Route"), editor);
    routeLabel->setBuddy(m_routeCombo);
    routeRow->addWidget(routeLabel);
    routeRow->addWidget(m_routeCombo, 1);
    ev->addLayout(routeRow);
    connect(m_routeCombo, &QComboBox::currentIndexChanged, this, [this](int i) {
        if (i < 0)
            return;
        m_routeIndex = m_routeCombo->itemData(i).toInt();
        showRelease(false);
    });
    m_weights = new WeightEditor(editor);
    m_weights->setObjectName(QStringLiteral("weightEditor"));
    ev->addWidget(m_weights);
    connect(m_weights, &WeightEditor::weightsChanged, this, &MainWindow::onWeightsEdited);
    connect(m_weights, &WeightEditor::promoteRequested, this, &MainWindow::promote);
    m_sumLabel = new QLabel(editor);
    m_sumLabel->setObjectName(QStringLiteral("sumLabel"));
    ev->addWidget(m_sumLabel);
    auto *buttons = new QHBoxLayout;
    m_applyButton = new QPushButton(tr("&Apply"), editor);
    m_applyButton->setObjectName(QStringLiteral("applyButton"));
    m_applyButton->setDefault(true);
    m_applyButton->setToolTip(tr("Dry-run on the server, then update the VirtualService (Ctrl+Return)"));
    m_resetButton = new QPushButton(tr("&Discard edits"), editor);
    m_resetButton->setObjectName(QStringLiteral("resetButton"));
    m_rollbackButton = new QPushButton(tr("Roll&back"), editor);
    m_rollbackButton->setObjectName(QStringLiteral("rollbackButton"));
    buttons->addWidget(m_applyButton);
    buttons->addWidget(m_resetButton);
    buttons->addStretch(1);
    buttons->addWidget(m_rollbackButton);
    ev->addLayout(buttons);
    m_messageLabel = new QLabel(editor);
    m_messageLabel->setObjectName(QStringLiteral("messageLabel"));
    m_messageLabel->setWordWrap(true);
    m_messageLabel->setTextInteractionFlags(Qt::TextSelectableByMouse);
    ev->addWidget(m_messageLabel);
    connect(m_applyButton, &QPushButton::clicked, this, &MainWindow::applyDraft);
    connect(m_resetButton, &QPushButton::clicked, this, &MainWindow::resetDraft);
    connect(m_rollbackButton, &QPushButton::clicked, this, &MainWindow::rollback);
    auto *applyShortcut = new QShortcut(QKeySequence(Qt::CTRL | Qt::Key_Return), this);
    connect(applyShortcut, &QShortcut::activated, this, &MainWindow::applyDraft);

    m_chart = new TrafficChart(bottom);
    m_chart->setObjectName(QStringLiteral("trafficChart"));
    m_chart->setMinimumHeight(260);

    auto *yamlCard = card(bottom);
    auto *yv = new QVBoxLayout(yamlCard);
    yv->setContentsMargins(10, 10, 10, 10);
    m_yamlTitle = new QLabel(tr("<b>VirtualService to apply</b>"), yamlCard);
    m_yaml = new QPlainTextEdit(yamlCard);
    m_yaml->setObjectName(QStringLiteral("yamlPreview"));
    m_yaml->setReadOnly(true);
    m_yaml->setLineWrapMode(QPlainTextEdit::NoWrap);
    m_yaml->setFont(QFontDatabase::systemFont(QFontDatabase::FixedFont));
    yv->addWidget(m_yamlTitle);
    yv->addWidget(m_yaml, 1);

    bottom->setStretchFactor(0, 3);
    bottom->setStretchFactor(1, 2);
    bottom->setSizes({ 620, 400 });
    right->setStretchFactor(0, 0);
    right->setStretchFactor(1, 1);
    split->setStretchFactor(0, 0);
    split->setStretchFactor(1, 1);
    split->setSizes({ 440, 1000 });
    setCentralWidget(central);

    m_connectionLabel = new QLabel(this);
    m_connectionLabel->setObjectName(QStringLiteral("connectionLabel"));
    m_metricsLabel = new QLabel(this);
    m_metricsLabel->setObjectName(QStringLiteral("metricsLabel"));
    statusBar()->addWidget(m_connectionLabel, 1);
    statusBar()->addPermanentWidget(m_metricsLabel);
    m_metricsLabel->setText(m_traffic && m_traffic->source().isValid()
                                    ? tr("Traffic from %1").arg(m_traffic->source().toString())
                                    : tr("No traffic source: start with --metrics-url URL"));

    setStyleSheet(QStringLiteral("QFrame#banner{background:#1d2a33;border-radius:8px;}"
                                 "QFrame#banner QLabel{color:#eef2f5;}"
                                 "QFrame#card{background:palette(base);border:1px solid palette(midlight);border-radius:8px;}"
                                 "QLabel#releaseTitle{font-size:16pt;font-weight:600;}"
                                 "QPushButton{padding:6px 16px;}"));
    resize(1440, 900);
}

void MainWindow::onConnectionChanged()
{
    using C = core::ReleaseSession::Connection;
    const C c = m_session->connection();
    const QString dot = c == C::Connected ? QStringLiteral("#1f9d55")
            : c == C::Failed || c == C::NoIstio ? QStringLiteral("#d64545")
                                                : QStringLiteral("#d4a418");
    QString text = QStringLiteral("<span style='color:%1'>●</span> ").arg(dot);
    switch (c) {
    case C::Connecting: text += tr("Connecting…"); break;
    case C::Connected: text += tr("Connected"); break;
    case C::Reconnecting: text += tr("Reconnecting"); break;
    case C::NoIstio: text += tr("Istio not installed"); break;
    case C::Failed: text += tr("Disconnected"); break;
    }
    if (!m_session->istioVersion().isEmpty())
        text += tr(" · Istio networking.istio.io/%1").arg(m_session->istioVersion());
    if (!m_session->connectionDetail().isEmpty())
        text += QStringLiteral(" · ") + m_session->connectionDetail().toHtmlEscaped();
    m_connectionLabel->setText(text);
    updateButtons();
}

void MainWindow::onReleasesChanged()
{
    const QString keep = m_releaseName;
    {
        const QSignalBlocker block(m_releaseList);
        m_releaseList->clear();
        for (const core::Release &r : m_session->releases()) {
            QStringList versions;
            for (const core::ReleaseVersion &v : r.versions)
                versions.append(v.pods >= 0 ? QStringLiteral("%1 (%2)").arg(v.name).arg(v.pods) : v.name);
            const core::ReleaseRoute *route = r.route(r.defaultRoute);
            QStringList split;
            if (route) {
                for (int i = 0; i < r.versions.size(); ++i) {
                    if (route->weights.value(i, -1) >= 0)
                        split.append(QString::number(route->weights.at(i)));
                }
            }
            auto *item = new QTreeWidgetItem(m_releaseList, { r.name, versions.join(QLatin1String(", ")), split.join(QLatin1Char('/')) });
            item->setData(0, Qt::UserRole, r.name);
            item->setToolTip(0, tr("VirtualService %1").arg(r.virtualService));
            if (r.name == keep)
                m_releaseList->setCurrentItem(item);
        }
        for (const QString &svc : m_session->unroutedServices()) {
            auto *item = new QTreeWidgetItem(m_releaseList, { svc, QString(), tr("—") });
            item->setToolTip(0, tr("No VirtualService routes to %1").arg(svc));
            item->setToolTip(2, item->toolTip(0));
            item->setData(0, Qt::UserRole, QString(QStringLiteral("service:") + svc));
            item->setForeground(0, palette().brush(QPalette::Disabled, QPalette::Text));
            item->setForeground(2, palette().brush(QPalette::Disabled, QPalette::Text));
        }
        for (int c = 0; c < m_releaseList->columnCount(); ++c)
            m_releaseList->resizeColumnToContents(c);
    }
    if (m_releaseName.isEmpty() && !m_session->releases().isEmpty()) {
        selectRelease(m_session->releases().constFirst().name);
        return;
    }
    showRelease(true);
}

void MainWindow::selectRelease(const QString &name)
{
    if (name != m_releaseName) {
        m_releaseName = name;
        m_routeIndex = -1;
        m_draftWeights.clear();
        m_messageLabel->clear();
    }
    for (int i = 0; i < m_releaseList->topLevelItemCount(); ++i) {
        QTreeWidgetItem *item = m_releaseList->topLevelItem(i);
        if (item->data(0, Qt::UserRole).toString() == name && m_releaseList->currentItem() != item) {
            const QSignalBlocker block(m_releaseList);
            m_releaseList->setCurrentItem(item);
        }
    }
    showRelease(false);
}

void MainWindow::showRelease(bool keepDraft)
{
    const core::Release *r = m_session->release(m_releaseName);
    if (!r) {
        m_releaseTitle->setText(m_releaseName.startsWith(QLatin1String("service:")) ? m_releaseName.mid(8) : tr("No service selected"));
        m_releaseDetail->setText(m_releaseName.startsWith(QLatin1String("service:"))
                                         ? tr("No VirtualService routes to this service, so all its pods share its traffic.")
                                         : tr("Pick a service on the left to see how its traffic is routed."));
        m_weights->setRows({}, {});
        m_routeCombo->clear();
        m_yaml->clear();
        m_chart->setSeries({}, QDateTime::currentMSecsSinceEpoch());
        updateButtons();
        return;
    }
    if (m_routeIndex < 0 || !r->route(m_routeIndex))
        m_routeIndex = r->defaultRoute;
    {
        const QSignalBlocker block(m_routeCombo);
        m_routeCombo->clear();
        for (const core::ReleaseRoute &route : r->routes) {
            const QString label = route.match.isEmpty() ? tr("#%1 default route (every other request)").arg(route.index)
                                                        : tr("#%1 when %2").arg(route.index).arg(core::summarizeMatch(route.match));
            m_routeCombo->addItem(route.name.isEmpty() ? label : label + QStringLiteral(" — ") + route.name, route.index);
        }
        m_routeCombo->setCurrentIndex(m_routeCombo->findData(m_routeIndex));
    }
    m_releaseTitle->setText(r->name);
    QStringList detail;
    detail.append(tr("VirtualService <b>%1</b>").arg(r->virtualService.toHtmlEscaped()));
    if (!r->destinationRule.isEmpty())
        detail.append(tr("DestinationRule <b>%1</b>").arg(r->destinationRule.toHtmlEscaped()));
    detail.append(tr("hosts %1").arg(r->hosts.join(QLatin1String(", ")).toHtmlEscaped()));
    detail.append(r->gateways.isEmpty() ? tr("mesh traffic") : tr("gateways %1").arg(r->gateways.join(QLatin1String(", ")).toHtmlEscaped()));
    m_releaseDetail->setText(detail.join(QStringLiteral(" · ")));

    const QList<int> live = r->routeWeights(m_routeIndex);
    const bool liveChanged = live != m_liveWeights || core::resourceVersion(r->vs) != m_liveResourceVersion;
    const bool dirty = !m_draftWeights.isEmpty() && m_draftWeights != m_liveWeights;
    m_liveWeights = live;
    m_liveResourceVersion = core::resourceVersion(r->vs);
    if (!keepDraft || !dirty || m_draftWeights.size() != live.size())
        m_draftWeights = live;
    QList<WeightRow> rows;
    for (int i = 0; i < r->versions.size(); ++i) {
        const core::ReleaseVersion &v = r->versions.at(i);
        QStringList info;
        if (v.pods >= 0)
            info.append(podsText(v.pods));
        info.append(v.subset.isEmpty() ? tr("service %1").arg(v.host) : tr("subset of %1").arg(v.host));
        rows.append(WeightRow { v.name, info.join(QStringLiteral(" · ")), versionColor(v.name, v.labels, i) });
    }
    m_weights->setRows(rows, m_draftWeights);
    if (keepDraft && dirty && liveChanged)
        showMessage(tr("The live VirtualService changed while you were editing; your edits are kept. Apply will be "
                       "checked against the new version."),
                    false);
    updatePreview();
    onTraffic();
}

void MainWindow::onWeightsEdited(const QList<int> &weights)
{
    m_draftWeights = weights;
    updatePreview();
}

Result<QJsonObject> MainWindow::draftObject() const
{
    const core::Release *r = m_session->release(m_releaseName);
    if (!r)
        return makeError(tr("No release selected."));
    const core::ReleaseRoute *route = r->route(m_routeIndex);
    QMap<QString, int> weights;
    for (int i = 0; i < r->versions.size(); ++i) {
        const bool inRoute = route && route->weights.value(i, -1) >= 0;
        if (m_draftWeights.value(i) > 0 || inRoute)
            weights.insert(r->versions.at(i).name, m_draftWeights.value(i));
    }
    return core::setRouteWeights(*r, m_routeIndex, weights);
}

QString MainWindow::draftSummary() const
{
    const core::Release *r = m_session->release(m_releaseName);
    if (!r)
        return {};
    QStringList parts;
    for (int i = 0; i < r->versions.size(); ++i)
        parts.append(QStringLiteral("%1 %2%").arg(r->versions.at(i).name).arg(m_draftWeights.value(i)));
    return tr("%1 route #%2: %3").arg(r->name).arg(m_routeIndex).arg(parts.join(QLatin1String(", ")));
}

void MainWindow::updatePreview()
{
    const core::Release *r = m_session->release(m_releaseName);
    if (!r) {
        m_yaml->clear();
        return;
    }
    int sum = 0;
    for (int w : std::as_const(m_draftWeights))
        sum += w;
    const bool dirty = m_draftWeights != m_liveWeights;
    m_sumLabel->setText(sum == 100 ? (dirty ? tr("Weights sum to 100 — not applied yet") : tr("Weights sum to 100 — as live"))
                                   : tr("<span style='color:#d64545'>Weights sum to %1; they must sum to 100</span>").arg(sum));
    const Result<QJsonObject> draft = draftObject();
    const QJsonObject shown = draft ? *draft : r->vs;
    const QString before = QString::fromUtf8(k8s::renderYaml(core::withoutServerFields(r->vs)));
    const QString after = QString::fromUtf8(k8s::renderYaml(core::withoutServerFields(shown)));
    m_yaml->setPlainText(after);
    // Lines that differ from the live object are marked, so the change is visible at a glance.
    QList<QTextEdit::ExtraSelection> marks;
    int line = 0;
    int changed = 0;
    for (const core::DiffLine &d : core::diffLines(before.split(QLatin1Char('\n')), after.split(QLatin1Char('\n')))) {
        if (d.kind == core::DiffLine::Kind::Removed) {
            ++changed;
            continue;
        }
        if (d.kind == core::DiffLine::Kind::Added) {
            ++changed;
            QTextEdit::ExtraSelection mark;
            mark.format.setBackground(QColor(QStringLiteral("#d9f2e1")));
            mark.format.setProperty(QTextFormat::FullWidthSelection, true);
            mark.cursor = QTextCursor(m_yaml->document()->findBlockByNumber(line));
            marks.append(mark);
        }
        ++line;
    }
    m_yaml->setExtraSelections(marks);
    m_yamlTitle->setText(changed ? tr("<b>VirtualService to apply</b> — changed lines highlighted against the live object")
                                 : tr("<b>VirtualService %1</b> — live, no changes").arg(r->virtualService.toHtmlEscaped()));
    if (!draft && sum == 100)
        showMessage(draft.error().message, true);
    updateButtons();
}

void MainWindow::updateButtons()
{
    const core::Release *r = m_session->release(m_releaseName);
    int sum = 0;
    for (int w : std::as_const(m_draftWeights))
        sum += w;
    const bool connected = m_session->connection() == core::ReleaseSession::Connection::Connected
            || m_session->connection() == core::ReleaseSession::Connection::Reconnecting;
    const bool busy = m_session->isApplying();
    m_applyButton->setEnabled(r && connected && !busy && sum == 100 && m_draftWeights != m_liveWeights);
    m_resetButton->setEnabled(r && m_draftWeights != m_liveWeights);
    m_rollbackButton->setEnabled(r && connected && !busy && m_session->canRollback(m_releaseName));
    m_rollbackButton->setToolTip(r && m_session->canRollback(m_releaseName)
                                         ? tr("Undo your last apply: %1").arg(m_session->rollbackSummary(m_releaseName))
                                         : tr("Nothing applied in this session to roll back"));
    m_weights->setPromoteEnabled(r && connected && !busy);
}

void MainWindow::applyDraft()
{
    if (!m_applyButton->isEnabled())
        return;
    const Result<QJsonObject> draft = draftObject();
    if (!draft) {
        showMessage(draft.error().message, true);
        return;
    }
    showMessage(tr("Dry-run, then apply…"), false);
    m_session->apply(m_releaseName, *draft, draftSummary());
    updateButtons();
}

void MainWindow::promote(const QString &version)
{
    const core::Release *r = m_session->release(m_releaseName);
    if (!r)
        return;
    const Result<QJsonObject> promoted = core::promoteVersion(*r, version);
    if (!promoted) {
        showMessage(promoted.error().message, true);
        return;
    }
    showMessage(tr("Promoting %1 to 100%…").arg(version), false);
    m_session->apply(m_releaseName, *promoted, tr("promote %1 to 100% of %2").arg(version, r->name));
    updateButtons();
}

void MainWindow::rollback()
{
    showMessage(tr("Rolling back…"), false);
    m_session->rollback(m_releaseName);
    updateButtons();
}

void MainWindow::resetDraft()
{
    m_draftWeights = m_liveWeights;
    m_weights->setWeights(m_draftWeights);
    m_messageLabel->clear();
    updatePreview();
}

void MainWindow::onApplyFinished(const QString &release, bool ok, const QString &message)
{
    if (release == m_releaseName) {
        // After an apply, or a conflict, the editor shows the live object again.
        m_draftWeights.clear();
        showRelease(false);
    }
    showMessage(message, !ok);
    updateButtons();
}

void MainWindow::showMessage(const QString &text, bool error)
{
    m_messageLabel->setStyleSheet(error ? QStringLiteral("color:#b42318;font-weight:600;") : QStringLiteral("color:palette(text);"));
    m_messageLabel->setText(text);
}

void MainWindow::onTraffic()
{
    if (!m_traffic)
        return;
    const core::Release *r = m_session->release(m_releaseName);
    const qint64 now = QDateTime::currentMSecsSinceEpoch();
    if (!r) {
        m_chart->setSeries({}, now);
        return;
    }
    QList<ChartSeries> series;
    QList<double> latest;
    double total = 0;
    for (int i = 0; i < r->versions.size(); ++i) {
        const core::ReleaseVersion &v = r->versions.at(i);
        series.append(ChartSeries { v.name, versionColor(v.name, v.labels, i), m_traffic->series(v) });
        latest.append(m_traffic->latestRate(v));
        total += latest.constLast();
    }
    for (double &l : latest)
        l = total > 0 ? 100.0 * l / total : -1;
    m_weights->setObservedShares(latest);
    m_chart->setSeries(series, now);
    if (m_traffic->lastError().isEmpty())
        m_metricsLabel->setText(tr("Traffic from %1 · %2 req/s for %3").arg(m_traffic->source().toString()).arg(total, 0, 'f', 1).arg(r->name));
}

} // namespace canary::gui
