#include "gui/mainwindow.h"

#include "core/edit/editsession.h"
#include "core/session/releasesession.h"
#include "core/telemetry/healthmonitor.h"
#include "gui/panels/applybar.h"
#include "gui/panels/connectionbanner.h"
#include "gui/panels/contextbar.h"
#include "gui/panels/demomenu.h"
#include "gui/panels/historypanel.h"
#include "gui/panels/matchrouteeditor.h"
#include "gui/panels/mirrorpanel.h"
#include "gui/panels/previewtabs.h"
#include "gui/panels/releaselistpanel.h"
#include "gui/panels/routeeditor.h"
#include "gui/panels/trafficpanel.h"
#include "gui/presentationmode.h"
#include "gui/releaseactions.h"
#include "gui/widgets/dialogs.h"
#include "gui/windowlayout.h"
#include "k8s/kubeclient.h"

#include <QFrame>
#include <QGuiApplication>
#include <QLabel>
#include <QLineEdit>
#include <QMenuBar>
#include <QScrollArea>
#include <QScrollBar>
#include <QSettings>
#include <QShortcut>
#include <QSplitter>
#include <QStatusBar>
#include <QTabBar>
#include <QTreeView>
#include <QVBoxLayout>

namespace canary::gui {

using Connection = core::ReleaseSession::Connection;

MainWindow::MainWindow(core::ReleaseSession *session, core::HealthMonitor *health, QWidget *parent)
    : QMainWindow(parent)
    , m_health(health)
    , m_edits(new core::EditSession(session, this))
    , m_actions(new ReleaseActions(m_edits, this))
    , m_presentation(new PresentationMode(this, m_actions))
{
    setObjectName(QStringLiteral("mainWindow"));
    buildUi();
    buildShortcuts();
    connect(m_edits, &core::EditSession::changed, this, [this] {
        refreshWriteState();
        const QString context = m_session ? m_session->endpoint().contextName : QString();
        const QString name = m_edits->live() ? m_edits->live()->name : QString();
        setWindowTitle(name.isEmpty() ? context + QStringLiteral("[*]") : tr("%1 — %2[*]").arg(name, context));
        setWindowModified(m_edits->hasDraft());
    });
    connect(m_edits, &core::EditSession::applyFinished, this, [this](bool ok) {
        m_actions->onApplyFinished(ok);
        refreshWriteState();
    });
    setSession(session);
    fitToScreen(this);
}

MainWindow::~MainWindow() = default;

void MainWindow::buildUi()
{
    auto *central = new QWidget(this);
    auto *outer = new QVBoxLayout(central);
    outer->setContentsMargins(8, 6, 8, 4);
    outer->setSpacing(6);
    m_contextBar = new ContextBar(central);
    outer->addWidget(m_contextBar);
    m_banner = new ConnectionBanner(central);
    outer->addWidget(m_banner);

    m_split = new QSplitter(Qt::Horizontal, central);
    m_split->setObjectName(QStringLiteral("mainSplitter"));
    m_split->setChildrenCollapsible(false);
    outer->addWidget(m_split, 1);
    m_releases = new ReleaseListPanel(m_split);
    m_editorScroll = new QScrollArea(m_split);
    m_editorScroll->setObjectName(QStringLiteral("editorScroll"));
    m_editorScroll->setWidgetResizable(true);
    m_editorScroll->setFrameShape(QFrame::NoFrame);
    m_editorScroll->setWidget(buildEditor());
    m_editorScroll->widget()->installEventFilter(this); // its minimum width changes with the release shown
    auto *side = new QSplitter(Qt::Vertical, m_split);
    side->setChildrenCollapsible(false);
    m_trafficPanel = new TrafficPanel(m_edits, m_health, side);
    m_tabs = new PreviewTabs(m_edits, side);
    side->setStretchFactor(0, 3); // the charts take the larger part of the column
    side->setStretchFactor(1, 2);
    m_history = new HistoryPanel(m_edits, m_tabs);
    m_tabs->addTab(m_history, tr("&History"));
    connect(m_split, &QSplitter::splitterMoved, this, [this] { m_userArranged = true; });
    setCentralWidget(central);

    m_connectionLabel = new QLabel(this);
    m_connectionLabel->setObjectName(QStringLiteral("connectionLabel"));
    statusBar()->addWidget(m_connectionLabel, 1);

    buildMenus();
    connect(m_contextBar, &ContextBar::contextRequested, this, &MainWindow::switchContext);
    connect(m_contextBar, &ContextBar::namespaceRequested, this, [this](const QString &ns) {
        if (ns == m_session->currentNamespace())
            return;
        if (hasDraft()
            && !confirm(this, tr("Discard your edits?"),
                        tr("Switching to namespace %1 discards the unapplied edits of %2.").arg(ns, selectedRelease()),
                        m_edits->summaries().join(QLatin1Char('\n')))) {
            m_contextBar->setNamespaces(m_session->namespaces(), m_session->currentNamespace());
            return;
        }
        m_edits->setRelease({});
        m_lastNamespace.insert(m_session->endpoint().contextName, ns);
        m_session->setNamespace(ns);
    });
    connect(m_contextBar, &ContextBar::refreshRequested, this, [this] { m_session->refresh(); });
    connect(m_banner, &ConnectionBanner::retryRequested, this, [this] { m_session->refresh(); });
    connect(m_releases, &ReleaseListPanel::releaseActivated, this, &MainWindow::onReleaseActivated);
    connect(m_releases, &ReleaseListPanel::preferredWidthChanged, this, &MainWindow::arrange);
    connect(m_routeEditor, &RouteEditor::promoteRequested, this, [this](const QString &v) { m_actions->promote(v); });
    connect(m_applyBar, &ApplyBar::applyRequested, this, &MainWindow::applyDraft);
    connect(m_applyBar, &ApplyBar::rollbackRequested, m_actions, &ReleaseActions::rollback);
    connect(m_history, &HistoryPanel::rollbackEntryRequested, m_actions, &ReleaseActions::rollbackEntry);
    connect(m_actions, &ReleaseActions::started, this, &MainWindow::refreshWriteState);
    connect(m_history, &HistoryPanel::countChanged, this,
            [this](int n) { m_tabs->setTabText(3, n ? tr("&History (%1)").arg(n) : tr("&History")); });
    connect(m_trafficPanel, &TrafficPanel::readings, m_routeEditor, &RouteEditor::setReadings);
    connect(m_trafficPanel, &TrafficPanel::message, this,
            [this](const QString &text) { statusBar()->showMessage(text, 8000); });
    setStyleSheet(
            QStringLiteral("QFrame#banner{background:#1d2a33;border-radius:6px;}"
                           "QFrame#banner QLabel{color:#eef2f5;}"
                           "QFrame#card{background:palette(base);border:1px solid palette(midlight);border-radius:6px;}"
                           "QLabel#releaseTitle{font-size:15pt;font-weight:600;}"
                           "QLabel#sectionLabel{font-weight:600;margin-top:4px;}"
                           "QLineEdit[invalid=\"true\"]{background:#fde8e8;border:1px solid #d64545;}"));
}

void MainWindow::buildMenus()
{
    QMenu *view = menuBar()->addMenu(tr("&View"));
    view->addAction(m_presentation->action());
    m_demoMenu = new DemoMenu(m_edits, this);
    QAction *demo = menuBar()->addMenu(m_demoMenu);
    demo->setVisible(m_demoMenu->isDemoCluster());
    connect(m_demoMenu, &DemoMenu::demoClusterChanged, demo, &QAction::setVisible);
    connect(m_demoMenu, &DemoMenu::written, this,
            [this](const QString &message) { statusBar()->showMessage(message, 8000); });
    // On a projector: the charts and the weights, nothing to choose from.
    m_presentation->setHiddenWidgets(
            { menuBar(), statusBar(), m_contextBar, m_releases, m_tabs, m_mirror, m_matchRoutes });
    m_presentation->setHiddenWidgets(m_presentation->hiddenWidgets() + m_trafficPanel->tools());
    m_presentation->setCharts(m_trafficPanel->charts());
    connect(m_presentation, &PresentationMode::toggled, this, [this] {
        m_userArranged = false;
        QMetaObject::invokeMethod(this, &MainWindow::arrange, Qt::QueuedConnection); // once laid out
    });
}

void MainWindow::setPresentation(bool on)
{
    m_presentation->setOn(on);
}

bool MainWindow::isPresenting() const
{
    return m_presentation->isOn();
}

QWidget *MainWindow::buildEditor()
{
    auto *card = new QFrame;
    card->setObjectName(QStringLiteral("card"));
    card->setFrameShape(QFrame::StyledPanel);
    auto *layout = new QVBoxLayout(card);
    layout->setContentsMargins(12, 10, 12, 10);
    layout->setSpacing(8);
    m_routeEditor = new RouteEditor(m_edits, card);
    m_mirror = new MirrorPanel(m_edits, card);
    m_matchRoutes = new MatchRouteEditor(m_edits, card);
    m_applyBar = new ApplyBar(m_edits, card);
    layout->addWidget(m_routeEditor);
    layout->addWidget(m_mirror);
    auto *line = new QFrame(card);
    line->setFrameShape(QFrame::HLine);
    line->setFrameShadow(QFrame::Sunken);
    layout->addWidget(line);
    layout->addWidget(m_matchRoutes);
    layout->addStretch(1);
    layout->addWidget(m_applyBar);
    return card;
}

void MainWindow::buildShortcuts()
{
    const auto shortcut = [this](const QKeySequence &keys, auto slot) {
        auto *s = new QShortcut(keys, this);
        connect(s, &QShortcut::activated, this, slot);
    };
    shortcut(QKeySequence(Qt::CTRL | Qt::Key_Return), [this] {
        if (m_applyBar->canApply())
            applyDraft();
    });
    shortcut(QKeySequence::Undo, [this] { m_edits->undo(); });
    shortcut(QKeySequence::Redo, [this] { m_edits->redo(); });
    shortcut(QKeySequence(Qt::CTRL | Qt::Key_L), [this] { m_releases->view()->setFocus(); });
    shortcut(QKeySequence::Find, [this] { m_releases->filterBox()->setFocus(); });
    shortcut(QKeySequence::Refresh, [this] { m_session->refresh(); });
    shortcut(QKeySequence(Qt::Key_Escape), [this] {
        if (m_session->isApplying())
            m_session->cancelApply();
        else
            m_presentation->setOn(false);
    });
}

void MainWindow::setSession(core::ReleaseSession *session)
{
    if (m_session)
        disconnect(m_session, nullptr, this, nullptr);
    m_session = session;
    m_edits->setSession(session);
    m_releases->setSession(session);
    connect(session, &core::ReleaseSession::releasesChanged, this, &MainWindow::onReleasesChanged);
    connect(session, &core::ReleaseSession::connectionChanged, this, &MainWindow::onConnectionChanged);
    connect(session, &core::ReleaseSession::accessChanged, this, &MainWindow::refreshWriteState);
    connect(session, &core::ReleaseSession::namespacesChanged, this,
            [this] { m_contextBar->setNamespaces(m_session->namespaces(), m_session->currentNamespace()); });
    m_contextBar->setNamespaces(session->namespaces(), session->currentNamespace());
    m_contextBar->setIdentity(session->endpoint().server.toString(), session->endpoint().userName);
    if (!m_hasKubeconfig)
        m_contextBar->setContexts({ session->endpoint().contextName }, session->endpoint().contextName);
    setWindowTitle(session->endpoint().contextName + QStringLiteral("[*]"));
    if (m_health) // it follows the client's endpoint itself: a demo started again is found again
        m_health->setClient(session->client());
    m_demoMenu->refresh();
    onConnectionChanged();
    onReleasesChanged();
}

void MainWindow::setKubeconfig(const k8s::KubeconfigOptions &options)
{
    m_kubeconfig = options;
    m_hasKubeconfig = true;
    const Result<QStringList> contexts = k8s::kubeconfigContexts(options);
    m_contextBar->setContexts(contexts ? *contexts : QStringList(), m_session->endpoint().contextName);
}

bool MainWindow::switchContext(const QString &context)
{
    if (!m_session || context == m_session->endpoint().contextName)
        return true;
    if (hasDraft()
        && !confirm(this, tr("Discard your edits?"),
                    tr("Switching to context %1 discards the unapplied edits of %2.").arg(context, selectedRelease()),
                    m_edits->summaries().join(QLatin1Char('\n')))) {
        m_contextBar->setCurrentContext(m_session->endpoint().contextName);
        return false;
    }
    // The kubeconfig file is not written: kubectl's current-context stays kubectl's.
    k8s::KubeconfigOptions options = m_kubeconfig;
    options.context = context;
    options.ns = m_lastNamespace.value(
            context, QSettings().value(QStringLiteral("contexts/%1/namespace").arg(context)).toString());
    const Result<k8s::ClusterEndpoint> endpoint = k8s::loadKubeconfig(options);
    if (!endpoint) {
        m_contextBar->setCurrentContext(m_session->endpoint().contextName);
        confirm(this, tr("Cannot switch to %1").arg(context), endpoint.error().message);
        return false;
    }
    m_lastNamespace.insert(m_session->endpoint().contextName, m_session->currentNamespace());
    QSettings().setValue(QStringLiteral("contexts/%1/namespace").arg(m_session->endpoint().contextName),
                         m_session->currentNamespace());
    core::ReleaseSession *old = m_session;
    auto *next = new core::ReleaseSession(*endpoint, this);
    next->setKubeconfigOptions(options);
    next->setServerSideApply(old->serverSideApply());
    setSession(next);
    if (old->parent() == this)
        old->deleteLater();
    m_contextBar->setCurrentContext(context);
    next->start();
    return true;
}

QString MainWindow::selectedRelease() const
{
    return m_edits->releaseName();
}

bool MainWindow::hasDraft() const
{
    return m_edits->hasDraft();
}

void MainWindow::selectRelease(const QString &name)
{
    onReleaseActivated(name);
}

void MainWindow::onReleaseActivated(const QString &key)
{
    if (key == m_edits->releaseName())
        return;
    if (hasDraft()
        && !confirm(this, tr("Discard your edits?"),
                    tr("%1 has edits that are not applied. Switching to %2 discards them.").arg(selectedRelease(), key),
                    m_edits->summaries().join(QLatin1Char('\n')))) {
        m_releases->setCurrentRelease(m_edits->releaseName());
        return;
    }
    m_edits->setRelease(key);
    m_releases->setCurrentRelease(key);
    refreshWriteState();
}

void MainWindow::onReleasesChanged()
{
    // The first release is shown at once; an empty namespace says so in the editor.
    if (m_edits->releaseName().isEmpty() && !m_session->releases().isEmpty())
        onReleaseActivated(m_session->releases().constFirst().name);
    m_releases->setCurrentRelease(m_edits->releaseName());
    refreshWriteState();
}

void MainWindow::onConnectionChanged()
{
    const Connection c = m_session->connection();
    m_connectionLabel->setText(connectionStatusText(*m_session));
    m_banner->setState(c, m_session->endpoint().server.toString(), m_session->connectionDetail());
    refreshWriteState();
}

void MainWindow::refreshWriteState()
{
    m_applyBar->refresh();
    const bool writable = canWrite(m_session->connection()) && !m_session->isApplying()
            && m_session->writeAccess() != core::ReleaseSession::Access::Denied;
    m_routeEditor->setPromoteEnabled(m_edits->live() && writable);
    m_history->setWritable(writable);
}

void MainWindow::applyDraft()
{
    m_edits->apply(false);
    refreshWriteState();
}

bool MainWindow::eventFilter(QObject *watched, QEvent *event)
{
    if (watched == m_editorScroll->widget() && event->type() == QEvent::LayoutRequest)
        QMetaObject::invokeMethod(this, &MainWindow::arrange, Qt::QueuedConnection); // once laid out
    return QMainWindow::eventFilter(watched, event);
}

void MainWindow::resizeEvent(QResizeEvent *event)
{
    QMainWindow::resizeEvent(event);
    arrange();
}

void MainWindow::arrange()
{
    // Until the user moves the dividers themselves.
    if (!m_userArranged)
        arrangeColumns(m_split, columnNeeds(m_releases, m_releases->preferredWidth(), m_editorScroll, m_tabs->tabBar()),
                       m_presentation->isOn());
}

} // namespace canary::gui
