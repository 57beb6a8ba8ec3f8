#include "gui/mainwindow.h"
#include "core/edit/releaseedits.h"

#include "core/model/istio.h"
#include "core/routing/routing.h"
#include "gui/trafficchart.h"
#include "core/telemetry/trafficmonitor.h"
#include "gui/versioncolors.h"
#include "gui/weighteditor.h"
#include "k8s/yaml.h"
#include "core/model/validation.h"
#include "core/model/yamldiff.h"

#include <QApplication>
#include <QCheckBox>
#include <QComboBox>
#include <QDateTime>
#include <QDoubleSpinBox>
#include <QFontDatabase>
#include <QFrame>
#include <QGridLayout>
#include <QHBoxLayout>
#include <QHeaderView>
#include <QLabel>
#include <QLineEdit>
#include <QMessageBox>
#include <QPlainTextEdit>
#include <QPushButton>
#include <QScrollBar>
#include <QShortcut>
#include <QSplitter>
#include <QStatusBar>
#include <QTabWidget>
#include <QTextBlock>
#include <QTimer>
#include <QToolButton>
#include <QTreeWidget>
#include <QVBoxLayout>

namespace canary::gui {

namespace {

// A splitter gives a pane at least its minimumSizeHint, which ignores height-for-width: a wrapped
// message appearing in the editor would squeeze the slider rows. This grows the pane to the
// height its layout needs at its width, taking the room from the panes below it.
class PaneHeightKeeper final : public QObject {
public:
    PaneHeightKeeper(QSplitter *splitter, QWidget *pane)
        : QObject(pane)
        , m_splitter(splitter)
        , m_pane(pane)
    {
        pane->installEventFilter(this);
    }

protected:
    bool eventFilter(QObject *watched, QEvent *event) override
    {
        if (watched == m_pane && (event->type() == QEvent::LayoutRequest || event->type() == QEvent::Resize))
            QTimer::singleShot(0, this, &PaneHeightKeeper::fit);
        return false;
    }

private:
    void fit()
    {
        QLayout *layout = m_pane->layout();
        const int index = m_splitter->indexOf(m_pane);
        if (!layout || index < 0 || m_splitter->count() < 2)
            return;
        const int needed = layout->hasHeightForWidth() ? layout->totalHeightForWidth(m_pane->width()) : layout->totalMinimumSize().height();
        QList<int> sizes = m_splitter->sizes();
        const int grow = needed - sizes.at(index);
        if (grow <= 0)
            return;
        const int from = index + 1 < sizes.size() ? index + 1 : index - 1;
        sizes[index] += grow;
        sizes[from] = qMax(0, sizes.at(from) - grow);
        m_splitter->setSizes(sizes);
    }

    QSplitter *m_splitter;
    QWidget *m_pane;
};

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

QString yamlOf(const QJsonObject &object)
{
    return core::reviewYaml(object);
}

QPlainTextEdit *codeView(QWidget *parent, const QString &name)
{
    auto *view = new QPlainTextEdit(parent);
    view->setObjectName(name);
    view->setReadOnly(true);
    view->setLineWrapMode(QPlainTextEdit::NoWrap);
    view->setFont(QFontDatabase::systemFont(QFontDatabase::FixedFont));
    return view;
}

QTextEdit::ExtraSelection lineMark(QPlainTextEdit *view, int line, const QColor &color)
{
    QTextEdit::ExtraSelection mark;
    mark.format.setBackground(color);
    mark.format.setProperty(QTextFormat::FullWidthSelection, true);
    mark.cursor = QTextCursor(view->document()->findBlockByNumber(line));
    return mark;
}

const QColor kAdded(QStringLiteral("#d9f2e1"));
const QColor kRemoved(QStringLiteral("#fbe0e0"));

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
    connect(m_session, &core::ReleaseSession::accessChanged, this, &MainWindow::refreshButtons);
    connect(m_session, &core::ReleaseSession::applyFinished, this, &MainWindow::onApplyFinished);
    connect(m_session, &core::ReleaseSession::dryRunFinished, this, &MainWindow::onDryRun);
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
    refresh();
}

void MainWindow::buildUi()
{
    auto *central = new QWidget(this);
    auto *outer = new QVBoxLayout(central);
    outer->setContentsMargins(12, 10, 12, 6);
    outer->setSpacing(10);

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
    auto *refresh = new QToolButton(banner);
    refresh->setObjectName(QStringLiteral("refreshButton"));
    refresh->setText(tr("Refresh"));
    refresh->setToolTip(tr("Discover the cluster's APIs again, check permissions again and reload everything (F5)"));
    connect(refresh, &QToolButton::clicked, m_session, &core::ReleaseSession::refresh);
    header->addWidget(refresh);
    outer->addWidget(banner);

    auto *split = new QSplitter(Qt::Horizontal, central);
    outer->addWidget(split, 1);

    m_releaseList = new QTreeWidget(split);
    m_releaseList->setObjectName(QStringLiteral("releaseList"));
    m_releaseList->setHeaderLabels({ tr("Service"), tr("Versions"), tr("Routing") });
    m_releaseList->setRootIsDecorated(false);
    m_releaseList->setAlternatingRowColors(true);
    m_releaseList->setUniformRowHeights(true);
    m_releaseList->setMinimumWidth(360);
    connect(m_releaseList, &QTreeWidget::currentItemChanged, this, [this](QTreeWidgetItem *item) {
        if (item)
            selectRelease(item->data(0, Qt::UserRole).toString());
    });

    auto *right = new QSplitter(Qt::Vertical, split);
    new PaneHeightKeeper(right, buildEditor(right));
    auto *bottom = new QSplitter(Qt::Horizontal, right);
    m_chart = new TrafficChart(bottom);
    m_chart->setObjectName(QStringLiteral("trafficChart"));
    m_chart->setMinimumHeight(240);
    buildDetails(bottom);
    bottom->setStretchFactor(0, 3);
    bottom->setStretchFactor(1, 2);
    bottom->setSizes({ 560, 460 });
    right->setStretchFactor(0, 0);
    right->setStretchFactor(1, 1);
    split->setStretchFactor(0, 0);
    split->setStretchFactor(1, 1);
    split->setSizes({ 400, 1040 });
    setCentralWidget(central);

    m_connectionLabel = new QLabel(this);
    m_connectionLabel->setObjectName(QStringLiteral("connectionLabel"));
    m_metricsLabel = new QLabel(this);
    m_metricsLabel->setObjectName(QStringLiteral("metricsLabel"));
    statusBar()->addWidget(m_connectionLabel, 1);
    statusBar()->addPermanentWidget(m_metricsLabel);
    m_metricsLabel->setText(m_traffic && m_traffic->source().isValid() ? tr("Traffic from %1").arg(m_traffic->source().toString())
                                                                       : tr("No traffic source: start with --metrics-url URL"));

    const auto shortcut = [this](const QKeySequence &keys, auto slot) {
        auto *s = new QShortcut(keys, this);
        connect(s, &QShortcut::activated, this, slot);
    };
    shortcut(QKeySequence(Qt::CTRL | Qt::Key_Return), &MainWindow::applyDraft);
    shortcut(QKeySequence::Undo, &MainWindow::undo);
    shortcut(QKeySequence::Redo, &MainWindow::redo);
    shortcut(QKeySequence(Qt::CTRL | Qt::Key_L), [this] { m_releaseList->setFocus(); });
    shortcut(QKeySequence::Refresh, [this] { m_session->refresh(); });
    shortcut(QKeySequence(Qt::Key_Escape), [this] {
        if (m_session->isApplying())
            m_session->cancelApply();
    });

    setStyleSheet(QStringLiteral("QFrame#banner{background:#1d2a33;border-radius:8px;}"
                                 "QFrame#banner QLabel{color:#eef2f5;}"
                                 "QFrame#card{background:palette(base);border:1px solid palette(midlight);border-radius:8px;}"
                                 "QLabel#releaseTitle{font-size:16pt;font-weight:600;}"
                                 "QLabel#sectionLabel{font-weight:600;margin-top:6px;}"
                                 "QPushButton{padding:5px 14px;}"
                                 "QLineEdit[invalid=\"true\"]{background:#fde8e8;border:1px solid #d64545;}"));
    resize(1440, 940);
}

QWidget *MainWindow::buildEditor(QWidget *parent)
{
    auto *editor = card(parent);
    auto *ev = new QVBoxLayout(editor);
    ev->setContentsMargins(14, 12, 14, 10);
    ev->setSpacing(6);
    m_releaseTitle = new QLabel(editor);
    m_releaseTitle->setObjectName(QStringLiteral("releaseTitle"));
    m_releaseDetail = new QLabel(editor);
    m_releaseDetail->setObjectName(QStringLiteral("releaseDetail"));
    m_releaseDetail->setWordWrap(true);
    ev->addWidget(m_releaseTitle);
    ev->addWidget(m_releaseDetail);

    auto *columns = new QHBoxLayout;
    columns->setSpacing(18);
    ev->addLayout(columns);

    // Left column: the weights of one route.
    auto *weightsColumn = new QVBoxLayout;
    auto *routeRow = new QHBoxLayout;
    m_routeCombo = new QComboBox(editor);
    m_routeCombo->setObjectName(QStringLiteral("routeCombo"));
    auto *routeLabel = new QLabel(tr("&Route"), editor);
    routeLabel->setBuddy(m_routeCombo);
    routeRow->addWidget(routeLabel);
    routeRow->addWidget(m_routeCombo, 1);
    weightsColumn->addLayout(routeRow);
    connect(m_routeCombo, &QComboBox::currentIndexChanged, this, [this](int i) {
        if (i < 0)
            return;
        m_routeIndex = m_routeCombo->itemData(i).toInt();
        refresh();
    });
    m_weights = new WeightEditor(editor);
    m_weights->setObjectName(QStringLiteral("weightEditor"));
    weightsColumn->addWidget(m_weights);
    connect(m_weights, &WeightEditor::weightsChanged, this, &MainWindow::onWeightsEdited);
    connect(m_weights, &WeightEditor::promoteRequested, this, &MainWindow::promote);
    m_sumLabel = new QLabel(editor);
    m_sumLabel->setObjectName(QStringLiteral("sumLabel"));
    weightsColumn->addWidget(m_sumLabel);
    auto *mirrorRow = new QHBoxLayout;
    auto *mirrorLabel = new QLabel(tr("M&irror"), editor);
    m_mirrorVersion = new QComboBox(editor);
    m_mirrorVersion->setObjectName(QStringLiteral("mirrorVersion"));
    mirrorLabel->setBuddy(m_mirrorVersion);
    m_mirrorPercent = new QDoubleSpinBox(editor);
    m_mirrorPercent->setObjectName(QStringLiteral("mirrorPercent"));
    m_mirrorPercent->setRange(0, 100);
    m_mirrorPercent->setDecimals(1);
    m_mirrorPercent->setSuffix(QStringLiteral(" %"));
    m_mirrorButton = new QPushButton(tr("Set mirror"), editor);
    m_mirrorButton->setObjectName(QStringLiteral("mirrorButton"));
    m_mirrorButton->setToolTip(tr("Copy this share of the route's requests to another version; answers from the copy are discarded"));
    connect(m_mirrorButton, &QPushButton::clicked, this, &MainWindow::setMirror);
    mirrorRow->addWidget(mirrorLabel);
    mirrorRow->addWidget(m_mirrorVersion, 1);
    mirrorRow->addWidget(m_mirrorPercent);
    mirrorRow->addWidget(m_mirrorButton);
    weightsColumn->addLayout(mirrorRow);
    weightsColumn->addStretch(1);
    columns->addLayout(weightsColumn, 3);

    // Right column: the match routes in front of the default route, and a form to add one.
    auto *rulesColumn = new QVBoxLayout;
    auto *rulesLabel = new QLabel(tr("Match routes — first match wins, conditions in a route are ANDed"), editor);
    rulesLabel->setObjectName(QStringLiteral("sectionLabel"));
    rulesColumn->addWidget(rulesLabel);
    auto *rulesRow = new QHBoxLayout;
    m_matchRoutes = new QTreeWidget(editor);
    m_matchRoutes->setObjectName(QStringLiteral("matchRoutes"));
    m_matchRoutes->setHeaderLabels({ tr("#"), tr("When"), tr("Goes to") });
    m_matchRoutes->setRootIsDecorated(false);
    m_matchRoutes->setMaximumHeight(120);
    m_matchRoutes->header()->setStretchLastSection(true);
    rulesRow->addWidget(m_matchRoutes, 1);
    auto *ruleButtons = new QVBoxLayout;
    const auto tool = [editor](const QString &name, const QString &text, const QString &tip) {
        auto *b = new QToolButton(editor);
        b->setObjectName(name);
        b->setText(text);
        b->setToolTip(tip);
        b->setMinimumWidth(70);
        return b;
    };
    m_moveUp = tool(QStringLiteral("moveUpButton"), tr("Up"), tr("Evaluate this route earlier"));
    m_moveDown = tool(QStringLiteral("moveDownButton"), tr("Down"), tr("Evaluate this route later"));
    m_removeRoute = tool(QStringLiteral("removeRouteButton"), tr("Remove"), tr("Remove the selected match route"));
    connect(m_moveUp, &QToolButton::clicked, this, [this] { moveRoute(-1); });
    connect(m_moveDown, &QToolButton::clicked, this, [this] { moveRoute(+1); });
    connect(m_removeRoute, &QToolButton::clicked, this, &MainWindow::removeRoute);
    connect(m_matchRoutes, &QTreeWidget::itemSelectionChanged, this, &MainWindow::refreshButtons);
    ruleButtons->addWidget(m_moveUp);
    ruleButtons->addWidget(m_moveDown);
    ruleButtons->addWidget(m_removeRoute);
    ruleButtons->addStretch(1);
    rulesRow->addLayout(ruleButtons);
    rulesColumn->addLayout(rulesRow);

    columns->addLayout(rulesColumn, 4);

    auto *form = new QHBoxLayout;
    m_ruleField = new QComboBox(editor);
    m_ruleField->setObjectName(QStringLiteral("ruleField"));
    m_ruleField->addItem(tr("Header"), int(core::MatchCondition::Field::Header));
    m_ruleField->addItem(tr("URI"), int(core::MatchCondition::Field::Uri));
    m_ruleField->addItem(tr("Query"), int(core::MatchCondition::Field::Query));
    m_ruleName = new QLineEdit(editor);
    m_ruleName->setObjectName(QStringLiteral("ruleName"));
    m_ruleName->setPlaceholderText(tr("x-my-header"));
    m_ruleKind = new QComboBox(editor);
    m_ruleKind->setObjectName(QStringLiteral("ruleKind"));
    m_ruleKind->addItem(tr("exact"), int(core::MatchCondition::Kind::Exact));
    m_ruleKind->addItem(tr("prefix"), int(core::MatchCondition::Kind::Prefix));
    m_ruleKind->addItem(tr("regex"), int(core::MatchCondition::Kind::Regex));
    m_ruleValue = new QLineEdit(editor);
    m_ruleValue->setObjectName(QStringLiteral("ruleValue"));
    m_ruleValue->setPlaceholderText(tr("dark"));
    m_ruleVersion = new QComboBox(editor);
    m_ruleVersion->setObjectName(QStringLiteral("ruleVersion"));
    m_andButton = new QPushButton(tr("A&nd…"), editor);
    m_andButton->setObjectName(QStringLiteral("andButton"));
    m_andButton->setToolTip(tr("Keep this condition and add another one to the same route"));
    m_addRuleButton = new QPushButton(tr("Add ro&ute"), editor);
    m_addRuleButton->setObjectName(QStringLiteral("addRuleButton"));
    auto *formLabel = new QLabel(tr("New match route:"), editor);
    form->addWidget(formLabel);
    form->addWidget(m_ruleField);
    form->addWidget(m_ruleName, 2);
    form->addWidget(m_ruleKind);
    form->addWidget(m_ruleValue, 2);
    form->addWidget(new QLabel(QStringLiteral("→"), editor));
    form->addWidget(m_ruleVersion, 1);
    form->addWidget(m_andButton);
    form->addWidget(m_addRuleButton);
    m_ruleStatus = new QLabel(editor);
    m_ruleStatus->setObjectName(QStringLiteral("ruleStatus"));
    m_ruleStatus->setWordWrap(true);
    for (QLineEdit *e : { m_ruleName, m_ruleValue })
        connect(e, &QLineEdit::textChanged, this, &MainWindow::validateRuleForm);
    for (QComboBox *c : { m_ruleField, m_ruleKind })
        connect(c, &QComboBox::currentIndexChanged, this, &MainWindow::validateRuleForm);
    ev->addLayout(form);
    ev->addWidget(m_ruleStatus);
    connect(m_ruleValue, &QLineEdit::returnPressed, this, [this] { addRule(false); });
    connect(m_andButton, &QPushButton::clicked, this, [this] { addRule(true); });
    connect(m_addRuleButton, &QPushButton::clicked, this, [this] { addRule(false); });

    auto *buttons = new QHBoxLayout;
    m_applyButton = new QPushButton(tr("&Apply"), editor);
    m_applyButton->setObjectName(QStringLiteral("applyButton"));
    m_applyButton->setDefault(true);
    m_applyButton->setToolTip(tr("Server-side dry-run, then write with the resourceVersion read (Ctrl+Return)"));
    m_cancelApplyButton = new QPushButton(tr("Cancel apply"), editor);
    m_cancelApplyButton->setObjectName(QStringLiteral("cancelApplyButton"));
    m_cancelApplyButton->setToolTip(tr("Stop the apply that is running: no further step is sent (Esc)"));
    m_cancelApplyButton->hide();
    connect(m_cancelApplyButton, &QPushButton::clicked, m_session, &core::ReleaseSession::cancelApply);
    m_resetButton = new QPushButton(tr("&Discard edits"), editor);
    m_resetButton->setObjectName(QStringLiteral("resetButton"));
    m_undoButton = new QToolButton(editor);
    m_undoButton->setObjectName(QStringLiteral("undoButton"));
    m_undoButton->setText(tr("Undo"));
    m_undoButton->setToolTip(tr("Undo the last unapplied edit (Ctrl+Z)"));
    m_redoButton = new QToolButton(editor);
    m_redoButton->setObjectName(QStringLiteral("redoButton"));
    m_redoButton->setText(tr("Redo"));
    m_redoButton->setToolTip(tr("Redo (Ctrl+Shift+Z)"));
    m_rollbackButton = new QPushButton(tr("Roll&back"), editor);
    m_rollbackButton->setObjectName(QStringLiteral("rollbackButton"));
    m_serverSideCheck = new QCheckBox(tr("Ser&ver-side apply"), editor);
    m_serverSideCheck->setObjectName(QStringLiteral("serverSideApply"));
    m_serverSideCheck->setToolTip(tr("Write by server-side apply as field manager \"canarydeck\": changing fields that another "
                                     "manager owns (kubectl, Flagger, Argo Rollouts...) is then a conflict, shown to you, and "
                                     "only taken over when you say so. The resourceVersion read still guards the write."));
    connect(m_serverSideCheck, &QCheckBox::toggled, this, [this](bool on) {
        m_session->setServerSideApply(on);
        if (hasDraft()) { // the plan's dry-run verdict depends on how the write goes
            m_dryRunText.clear();
            m_session->dryRun(m_releaseName, draftToApply());
            refresh();
        }
    });
    buttons->addWidget(m_applyButton);
    buttons->addWidget(m_cancelApplyButton);
    buttons->addWidget(m_resetButton);
    buttons->addWidget(m_undoButton);
    buttons->addWidget(m_redoButton);
    buttons->addSpacing(12);
    buttons->addWidget(m_serverSideCheck);
    buttons->addStretch(1);
    buttons->addWidget(m_rollbackButton);
    m_accessLabel = new QLabel(editor);
    m_accessLabel->setObjectName(QStringLiteral("accessLabel"));
    m_accessLabel->setWordWrap(true);
    m_accessLabel->setStyleSheet(QStringLiteral("QLabel { background: #fff4d6; color: #5c4300; border: 1px solid #e0c36a; "
                                                "border-radius: 3px; padding: 4px 6px; }"));
    m_accessLabel->hide();
    ev->addWidget(m_accessLabel);
    ev->addLayout(buttons);
    m_messageLabel = new QLabel(editor);
    m_messageLabel->setObjectName(QStringLiteral("messageLabel"));
    m_messageLabel->setWordWrap(true);
    m_messageLabel->setTextInteractionFlags(Qt::TextSelectableByMouse);
    ev->addWidget(m_messageLabel);
    connect(m_applyButton, &QPushButton::clicked, this, &MainWindow::applyDraft);
    connect(m_resetButton, &QPushButton::clicked, this, &MainWindow::discard);
    connect(m_undoButton, &QToolButton::clicked, this, &MainWindow::undo);
    connect(m_redoButton, &QToolButton::clicked, this, &MainWindow::redo);
    connect(m_rollbackButton, &QPushButton::clicked, this, &MainWindow::rollback);
    return editor;
}

QWidget *MainWindow::buildDetails(QWidget *parent)
{
    m_tabs = new QTabWidget(parent);
    m_tabs->setObjectName(QStringLiteral("detailTabs"));
    m_yaml = codeView(m_tabs, QStringLiteral("yamlPreview"));
    m_tabs->addTab(m_yaml, tr("&YAML"));

    auto *diff = new QSplitter(Qt::Horizontal, m_tabs);
    m_diffBefore = codeView(diff, QStringLiteral("diffBefore"));
    m_diffAfter = codeView(diff, QStringLiteral("diffAfter"));
    connect(m_diffBefore->verticalScrollBar(), &QScrollBar::valueChanged, m_diffAfter->verticalScrollBar(), &QScrollBar::setValue);
    connect(m_diffAfter->verticalScrollBar(), &QScrollBar::valueChanged, m_diffBefore->verticalScrollBar(), &QScrollBar::setValue);
    m_tabs->addTab(diff, tr("D&iff (live | to apply)"));

    m_plan = codeView(m_tabs, QStringLiteral("planView"));
    m_plan->setLineWrapMode(QPlainTextEdit::WidgetWidth);
    m_plan->setFont(QApplication::font());
    m_tabs->addTab(m_plan, tr("&Plan"));

    auto *historyPage = new QWidget(m_tabs);
    auto *hv = new QVBoxLayout(historyPage);
    hv->setContentsMargins(4, 4, 4, 4);
    m_history = new QTreeWidget(historyPage);
    m_history->setObjectName(QStringLiteral("historyList"));
    m_history->setHeaderLabels({ tr("When"), tr("Change"), tr("State") });
    m_history->setRootIsDecorated(false);
    hv->addWidget(m_history, 1);
    m_rollbackEntryButton = new QPushButton(tr("Roll back this change…"), historyPage);
    m_rollbackEntryButton->setObjectName(QStringLiteral("rollbackEntryButton"));
    connect(m_rollbackEntryButton, &QPushButton::clicked, this, &MainWindow::rollbackEntry);
    connect(m_history, &QTreeWidget::itemSelectionChanged, this, &MainWindow::refreshButtons);
    hv->addWidget(m_rollbackEntryButton, 0, Qt::AlignRight);
    m_tabs->addTab(historyPage, tr("&History"));
    return m_tabs;
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
    refreshButtons();
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
            item->setData(0, Qt::UserRole, QString(QStringLiteral("service:") + svc));
            item->setToolTip(0, tr("No VirtualService routes to %1").arg(svc));
            item->setForeground(0, palette().brush(QPalette::Disabled, QPalette::Text));
        }
        for (int c = 0; c < m_releaseList->columnCount(); ++c)
            m_releaseList->resizeColumnToContents(c);
    }
    if (m_releaseName.isEmpty() && !m_session->releases().isEmpty()) {
        selectRelease(m_session->releases().constFirst().name);
        return;
    }
    refresh();
}

void MainWindow::selectRelease(const QString &name)
{
    if (name != m_releaseName) {
        if (hasDraft()
            && !confirm(tr("Discard your edits?"), tr("%1 has edits that are not applied. Switching to %2 discards them.").arg(m_releaseName, name),
                        m_summaries.join(QLatin1Char('\n')))) {
            const QSignalBlocker block(m_releaseList);
            for (int i = 0; i < m_releaseList->topLevelItemCount(); ++i) {
                if (m_releaseList->topLevelItem(i)->data(0, Qt::UserRole).toString() == m_releaseName)
                    m_releaseList->setCurrentItem(m_releaseList->topLevelItem(i));
            }
            return;
        }
        m_releaseName = name;
        m_routeIndex = -1;
        m_draft = {};
        m_summaries.clear();
        m_undo.clear();
        m_redo.clear();
        m_pending.clear();
        m_rebaseOnApply = false;
        m_messageLabel->clear();
    }
    for (int i = 0; i < m_releaseList->topLevelItemCount(); ++i) {
        QTreeWidgetItem *item = m_releaseList->topLevelItem(i);
        if (item->data(0, Qt::UserRole).toString() == name && m_releaseList->currentItem() != item) {
            const QSignalBlocker block(m_releaseList);
            m_releaseList->setCurrentItem(item);
        }
    }
    refresh();
}

Result<core::Release> MainWindow::current() const
{
    const core::Release *live = m_session->release(m_releaseName);
    if (!live)
        return makeError(tr("No release selected."));
    if (m_draft.isEmpty())
        return *live;
    return core::releaseWithVirtualService(m_session->snapshot(), draftToApply());
}

QJsonObject MainWindow::draftToApply() const
{
    const core::Release *live = m_session->release(m_releaseName);
    if (!m_rebaseOnApply || !live)
        return m_draft;
    // After a conflict: our routes over their object. Every edit the window makes is to spec.http, so
    // their other changes (labels, hosts, gateways...) stand, and the resourceVersion is theirs.
    QJsonObject rebased = live->vs;
    QJsonObject spec = rebased.value(QLatin1String("spec")).toObject();
    spec.insert(QStringLiteral("http"), m_draft.value(QLatin1String("spec")).toObject().value(QLatin1String("http")));
    rebased.insert(QStringLiteral("spec"), spec);
    return rebased;
}

void MainWindow::refresh()
{
    const core::Release *live = m_session->release(m_releaseName);
    const Result<core::Release> cur = current();
    if (!live || !cur) {
        const bool unrouted = m_releaseName.startsWith(QLatin1String("service:"));
        m_releaseTitle->setText(unrouted ? m_releaseName.mid(8) : tr("No service selected"));
        m_releaseDetail->setText(unrouted ? tr("No VirtualService routes to this service, so all its pods share its traffic.")
                                          : tr("Pick a service on the left to see how its traffic is routed."));
        m_weights->setRows({}, {});
        m_routeCombo->clear();
        m_matchRoutes->clear();
        for (QPlainTextEdit *v : { m_yaml, m_diffBefore, m_diffAfter, m_plan })
            v->clear();
        m_history->clear();
        m_chart->setSeries({}, QDateTime::currentMSecsSinceEpoch());
        refreshButtons();
        return;
    }
    const core::Release &r = *cur;
    if (m_routeIndex < 0 || !r.route(m_routeIndex))
        m_routeIndex = r.defaultRoute;
    refreshRoutes(r);
    m_releaseTitle->setText(r.name + (hasDraft() ? tr("  — edited, not applied") : QString()));
    QStringList detail;
    detail.append(tr("VirtualService <b>%1</b>").arg(r.virtualService.toHtmlEscaped()));
    if (!r.destinationRule.isEmpty())
        detail.append(tr("DestinationRule <b>%1</b>").arg(r.destinationRule.toHtmlEscaped()));
    detail.append(tr("hosts %1").arg(r.hosts.join(QLatin1String(", ")).toHtmlEscaped()));
    detail.append(r.gateways.isEmpty() ? tr("mesh traffic") : tr("gateways %1").arg(r.gateways.join(QLatin1String(", ")).toHtmlEscaped()));
    for (const QString &manager : core::otherRouteManagers(live->vs))
        detail.append(QStringLiteral("<span style='color:#b7791f'>⚠ %1</span>").arg(tr("routes also managed by %1").arg(manager).toHtmlEscaped()));
    m_releaseDetail->setText(detail.join(QStringLiteral(" · ")));

    QList<WeightRow> rows;
    for (int i = 0; i < r.versions.size(); ++i) {
        const core::ReleaseVersion &v = r.versions.at(i);
        QStringList info;
        if (v.pods >= 0)
            info.append(podsText(v.pods));
        info.append(v.needsSubset ? tr("pods labelled version=%1, no subset yet").arg(v.name)
                                  : v.subset.isEmpty() ? tr("service %1").arg(v.host) : tr("subset of %1").arg(v.host));
        rows.append(WeightRow { v.name, info.join(QStringLiteral(" · ")), versionColor(v.name, v.labels, i) });
    }
    m_weights->setRows(rows, r.routeWeights(m_routeIndex));
    int sum = 0;
    for (int w : r.routeWeights(m_routeIndex))
        sum += w;
    m_sumLabel->setText(sum == 100 ? tr("Weights of route #%1 sum to 100").arg(m_routeIndex)
                                   : tr("<span style='color:#d64545'>Weights of route #%1 sum to %2; Istio reads them as "
                                        "proportions — set one slider to write a sum of 100</span>")
                                             .arg(m_routeIndex)
                                             .arg(sum));

    const QString keepVersion = m_ruleVersion->currentText();
    const QString keepMirror = m_mirrorVersion->currentText();
    {
        const QSignalBlocker b1(m_ruleVersion);
        const QSignalBlocker b2(m_mirrorVersion);
        m_ruleVersion->clear();
        m_mirrorVersion->clear();
        m_mirrorVersion->addItem(tr("(no mirror)"));
        for (const core::ReleaseVersion &v : r.versions) {
            m_ruleVersion->addItem(v.name);
            m_mirrorVersion->addItem(v.name);
        }
        const QJsonObject raw = r.vs.value(QLatin1String("spec")).toObject().value(QLatin1String("http")).toArray().at(m_routeIndex).toObject();
        if (raw.contains(QLatin1String("mirror"))) {
            m_mirrorVersion->setCurrentText(core::versionOfDestination(r, raw.value(QLatin1String("mirror")).toObject()));
            m_mirrorPercent->setValue(raw.value(QLatin1String("mirrorPercentage")).toObject().value(QLatin1String("value")).toDouble(100));
        } else if (!keepMirror.isEmpty()) {
            m_mirrorVersion->setCurrentIndex(0);
        }
        if (!keepVersion.isEmpty() && m_ruleVersion->findText(keepVersion) >= 0)
            m_ruleVersion->setCurrentText(keepVersion);
        else if (r.versions.size() > 1)
            m_ruleVersion->setCurrentIndex(int(r.versions.size()) - 1);
    }
    refreshPreview(*live, r);
    refreshHistory();
    validateRuleForm();
    onTraffic();
}

void MainWindow::refreshRoutes(const core::Release &r)
{
    const QSignalBlocker block(m_routeCombo);
    m_routeCombo->clear();
    const int selectedMatch = m_matchRoutes->currentItem() ? m_matchRoutes->currentItem()->data(0, Qt::UserRole).toInt() : -1;
    m_matchRoutes->clear();
    for (const core::ReleaseRoute &route : r.routes) {
        const QString when = route.match.isEmpty() ? tr("every other request") : core::summarizeMatch(route.match);
        const QString label = route.match.isEmpty() ? tr("#%1 default route (every other request)").arg(route.index)
                                                    : tr("#%1 when %2").arg(route.index).arg(when);
        m_routeCombo->addItem(route.name.isEmpty() ? label : label + QStringLiteral(" — ") + route.name, route.index);
        if (route.match.isEmpty())
            continue;
        QStringList to;
        for (int i = 0; i < r.versions.size(); ++i) {
            if (route.weights.value(i, -1) > 0)
                to.append(route.weights.count(-1) == r.versions.size() - 1 ? r.versions.at(i).name : QStringLiteral("%1 %2%").arg(r.versions.at(i).name).arg(route.weights.at(i)));
        }
        auto *item = new QTreeWidgetItem(m_matchRoutes, { QString::number(route.index), when, to.join(QLatin1String(", ")) });
        item->setData(0, Qt::UserRole, route.index);
        if (route.index == selectedMatch)
            m_matchRoutes->setCurrentItem(item);
    }
    m_routeCombo->setCurrentIndex(m_routeCombo->findData(m_routeIndex));
    m_matchRoutes->resizeColumnToContents(0);
    m_matchRoutes->resizeColumnToContents(1);
}

void MainWindow::refreshPreview(const core::Release &live, const core::Release &cur)
{
    const QString before = yamlOf(live.vs);
    const QString after = yamlOf(cur.vs);
    m_yaml->setPlainText(after);
    // Side by side: removed lines on the left, added on the right, aligned by blank filler lines.
    QStringList left;
    QStringList right;
    QList<QTextEdit::ExtraSelection> leftMarks;
    QList<QTextEdit::ExtraSelection> rightMarks;
    QList<QPair<int, bool>> leftKinds;
    QList<QPair<int, bool>> rightKinds;
    QList<QTextEdit::ExtraSelection> yamlMarks;
    int yamlLine = 0;
    QList<int> yamlAdded;
    for (const core::DiffLine &d : core::diffLines(before.split(QLatin1Char('\n')), after.split(QLatin1Char('\n')))) {
        if (d.kind == core::DiffLine::Kind::Same) {
            const int n = int(qMax(left.size(), right.size()));
            while (left.size() < n)
                left.append(QString());
            while (right.size() < n)
                right.append(QString());
            left.append(d.text);
            right.append(d.text);
            ++yamlLine;
        } else if (d.kind == core::DiffLine::Kind::Removed) {
            leftKinds.append({ int(left.size()), false });
            left.append(d.text);
        } else {
            rightKinds.append({ int(right.size()), true });
            right.append(d.text);
            yamlAdded.append(yamlLine++);
        }
    }
    m_diffBefore->setPlainText(left.join(QLatin1Char('\n')));
    m_diffAfter->setPlainText(right.join(QLatin1Char('\n')));
    for (const auto &k : std::as_const(leftKinds))
        leftMarks.append(lineMark(m_diffBefore, k.first, kRemoved));
    for (const auto &k : std::as_const(rightKinds))
        rightMarks.append(lineMark(m_diffAfter, k.first, kAdded));
    for (int line : std::as_const(yamlAdded))
        yamlMarks.append(lineMark(m_yaml, line, kAdded));
    m_diffBefore->setExtraSelections(leftMarks);
    m_diffAfter->setExtraSelections(rightMarks);
    m_yaml->setExtraSelections(yamlMarks);
    m_tabs->setTabText(0, hasDraft() ? tr("&YAML to apply") : tr("&YAML (live)"));

    if (!hasDraft()) {
        m_plan->setPlainText(tr("No edits: the live objects are shown. Move a slider, add a match route or set a mirror, "
                                "and the steps to apply them appear here with the API server's dry-run verdict."));
        return;
    }
    const core::ApplyPlan plan = m_session->planFor(m_releaseName, cur.vs, m_summaries.join(QLatin1String("; ")));
    QStringList text { tr("What Apply will do:") };
    text.append(plan.describe());
    if (plan.isEmpty())
        text.append(tr("(nothing: the draft says what the live objects say)"));
    const QList<core::Finding> findings = core::validateRelease(cur, cur.vs, true);
    for (const core::Finding &f : findings)
        text.append(QStringLiteral("%1 %2: %3").arg(f.severity == core::Finding::Severity::Error ? tr("Error in") : tr("Warning for"), f.field, f.message));
    text.append(QString());
    text.append(m_dryRunText.isEmpty() ? tr("Server-side dry-run: running…") : m_dryRunText);
    m_plan->setPlainText(text.join(QLatin1Char('\n')));
}

void MainWindow::refreshHistory()
{
    const QString selected = m_history->currentItem() ? m_history->currentItem()->data(0, Qt::UserRole).toString() : QString();
    m_history->clear();
    const QStringList undone = m_session->rolledBackIds(m_releaseName);
    const QList<core::JournalEntry> entries = m_session->history(m_releaseName);
    for (auto it = entries.crbegin(); it != entries.crend(); ++it) {
        const QString state = !it->rollbackOf.isEmpty() ? tr("rollback") : undone.contains(it->id) ? tr("rolled back") : tr("applied");
        auto *item = new QTreeWidgetItem(m_history, { it->time.toLocalTime().toString(QStringLiteral("yyyy-MM-dd HH:mm:ss")), it->summary, state });
        item->setData(0, Qt::UserRole, it->id);
        item->setData(2, Qt::UserRole, state == tr("applied"));
        item->setToolTip(1, it->plan.describe().join(QLatin1Char('\n')));
        if (it->id == selected)
            m_history->setCurrentItem(item);
    }
    m_history->resizeColumnToContents(0);
    m_tabs->setTabText(3, entries.isEmpty() ? tr("&History") : tr("&History (%1)").arg(entries.size()));
}

void MainWindow::refreshButtons()
{
    const core::Release *live = m_session->release(m_releaseName);
    const bool connected = m_session->connection() == core::ReleaseSession::Connection::Connected
            || m_session->connection() == core::ReleaseSession::Connection::Reconnecting;
    const bool busy = m_session->isApplying();
    const Result<core::Release> cur = current();
    bool blocking = false;
    if (cur && hasDraft()) {
        for (const core::Finding &f : core::validateRelease(*cur, cur->vs, true))
            blocking = blocking || f.severity == core::Finding::Severity::Error;
    }
    // Asked of the server (SelfSubjectAccessReview) before Apply is offered.
    const bool denied = m_session->writeAccess() == core::ReleaseSession::Access::Denied;
    m_accessLabel->setText(m_session->writeAccessDetail());
    m_accessLabel->setVisible(denied);
    m_applyButton->setEnabled(live && connected && !busy && hasDraft() && !blocking && !denied);
    m_applyButton->setText(m_rebaseOnApply ? tr("&Apply over their change") : tr("&Apply"));
    m_applyButton->setToolTip(denied ? m_session->writeAccessDetail()
                                     : tr("Server-side dry-run, then write with the resourceVersion read (Ctrl+Return)"));
    m_cancelApplyButton->setVisible(busy);
    m_resetButton->setEnabled(hasDraft() && !busy);
    m_undoButton->setEnabled(!m_undo.isEmpty());
    m_redoButton->setEnabled(!m_redo.isEmpty());
    m_rollbackButton->setEnabled(live && connected && !busy && m_session->canRollback(m_releaseName) && !denied);
    m_rollbackButton->setToolTip(denied ? m_session->writeAccessDetail()
                                 : live && m_session->canRollback(m_releaseName)
                                         ? tr("Undo the last applied change: %1").arg(m_session->rollbackSummary(m_releaseName))
                                         : tr("The journal holds no applied change of this release to roll back"));
    m_weights->setPromoteEnabled(live && connected && !busy && !denied);
    QTreeWidgetItem *route = m_matchRoutes->currentItem();
    const int routeCount = m_matchRoutes->topLevelItemCount();
    const int row = route ? m_matchRoutes->indexOfTopLevelItem(route) : -1;
    m_removeRoute->setEnabled(route);
    m_moveUp->setEnabled(route && row > 0);
    m_moveDown->setEnabled(route && row + 1 < routeCount);
    m_mirrorButton->setEnabled(live != nullptr);
    const QTreeWidgetItem *entry = m_history->currentItem();
    m_rollbackEntryButton->setEnabled(entry && entry->data(2, Qt::UserRole).toBool() && connected && !busy && !denied);
}

QList<core::MatchCondition> MainWindow::pendingConditions(bool includeForm, QString *problem) const
{
    QList<core::MatchCondition> out = m_pending;
    if (!includeForm)
        return out;
    core::MatchCondition c;
    c.field = core::MatchCondition::Field(m_ruleField->currentData().toInt());
    c.kind = core::MatchCondition::Kind(m_ruleKind->currentData().toInt());
    c.name = m_ruleName->text().trimmed();
    c.value = m_ruleValue->text();
    if (c.value.isEmpty() && c.name.isEmpty()) {
        if (out.isEmpty() && problem)
            *problem = tr("Give a condition: a header name and value, a URI, or a query parameter.");
        return out;
    }
    out.append(c);
    return out;
}

void MainWindow::validateRuleForm()
{
    const bool isUri = m_ruleField->currentData().toInt() == int(core::MatchCondition::Field::Uri);
    m_ruleName->setEnabled(!isUri);
    m_ruleName->setPlaceholderText(isUri ? QString() : m_ruleField->currentData().toInt() == int(core::MatchCondition::Field::Query) ? tr("parameter") : tr("x-my-header"));
    m_ruleValue->setPlaceholderText(isUri ? tr("/api/v2") : tr("dark"));
    QString nameProblem;
    QString valueProblem;
    const QString name = m_ruleName->text().trimmed();
    if (!isUri && !name.isEmpty() && m_ruleField->currentData().toInt() == int(core::MatchCondition::Field::Header)) {
        static const QRegularExpression token(QStringLiteral("^[!#$%&'*+.^_`|~0-9a-z-]+$"));
        if (name != name.toLower())
            nameProblem = tr("Header names are lower-case in Istio: use \"%1\".").arg(name.toLower());
        else if (!token.match(name).hasMatch())
            nameProblem = tr("\"%1\" is not a valid HTTP header name.").arg(name);
    }
    QString re2Error;
    if (m_ruleKind->currentData().toInt() == int(core::MatchCondition::Kind::Regex) && !core::isValidRe2(m_ruleValue->text(), &re2Error))
        valueProblem = tr("Invalid RE2 regular expression (the syntax Envoy uses): %1").arg(re2Error);
    else if (isUri && m_ruleKind->currentData().toInt() != int(core::MatchCondition::Kind::Regex) && !m_ruleValue->text().isEmpty()
             && !m_ruleValue->text().startsWith(QLatin1Char('/')))
        valueProblem = tr("A URI starts with \"/\".");
    m_ruleName->setProperty("invalid", !nameProblem.isEmpty());
    m_ruleValue->setProperty("invalid", !valueProblem.isEmpty());
    for (QLineEdit *e : { m_ruleName, m_ruleValue }) {
        e->style()->unpolish(e);
        e->style()->polish(e);
    }
    m_ruleName->setToolTip(nameProblem);
    m_ruleValue->setToolTip(valueProblem);
    const bool filled = !m_ruleValue->text().isEmpty() && (isUri || !name.isEmpty());
    const bool valid = nameProblem.isEmpty() && valueProblem.isEmpty();
    m_andButton->setEnabled(filled && valid);
    m_addRuleButton->setEnabled(valid && (filled || !m_pending.isEmpty()) && m_ruleVersion->count() > 0);
    QString status;
    if (!m_pending.isEmpty())
        status = tr("Route being built: %1 AND …").arg(core::summarizeMatch(QJsonArray { core::matchBlock(m_pending) }));
    if (!valid)
        status = QStringLiteral("<span style='color:#b42318'>%1</span>").arg(QString(nameProblem + QLatin1Char(' ') + valueProblem).trimmed().toHtmlEscaped());
    m_ruleStatus->setText(status);
    refreshButtons();
}

void MainWindow::edit(const Result<QJsonObject> &edited, const QString &summary, const QString &coalesceKey)
{
    if (!edited) {
        showMessage(edited.error().message, true);
        return;
    }
    if (coalesceKey.isEmpty() || coalesceKey != m_lastCoalesce) {
        m_undo.append(Snapshot { m_draft, m_summaries });
        m_summaries.append(summary);
    } else if (!m_summaries.isEmpty()) {
        m_summaries.last() = summary; // one slider drag is one edit
    }
    m_lastCoalesce = coalesceKey;
    m_redo.clear();
    const core::Release *live = m_session->release(m_releaseName);
    m_draft = live && edited->value(QLatin1String("spec")) == live->vs.value(QLatin1String("spec")) ? QJsonObject() : *edited;
    if (m_draft.isEmpty())
        m_summaries.clear();
    m_dryRunText.clear();
    m_messageLabel->clear();
    if (hasDraft())
        m_session->dryRun(m_releaseName, draftToApply());
    refresh();
}

void MainWindow::undo()
{
    step(m_undo, m_redo);
}

void MainWindow::redo()
{
    step(m_redo, m_undo);
}

void MainWindow::step(QList<Snapshot> &from, QList<Snapshot> &to)
{
    if (from.isEmpty())
        return;
    to.append(Snapshot { m_draft, m_summaries });
    const Snapshot s = from.takeLast();
    m_draft = s.draft;
    m_summaries = s.summaries;
    m_lastCoalesce.clear();
    m_dryRunText.clear();
    if (hasDraft())
        m_session->dryRun(m_releaseName, draftToApply());
    refresh();
}

void MainWindow::discard()
{
    if (!hasDraft())
        return;
    m_undo.append(Snapshot { m_draft, m_summaries });
    m_redo.clear();
    m_draft = {};
    m_summaries.clear();
    m_lastCoalesce.clear();
    m_rebaseOnApply = false;
    m_messageLabel->clear();
    refresh();
}

void MainWindow::onWeightsEdited(const QList<int> &weights)
{
    const Result<core::Release> cur = current();
    if (!cur)
        return;
    const core::ReleaseRoute *route = cur->route(m_routeIndex);
    QMap<QString, int> named;
    QStringList parts;
    for (int i = 0; i < cur->versions.size(); ++i) {
        const bool inRoute = route && route->weights.value(i, -1) >= 0;
        if (weights.value(i) > 0 || inRoute) {
            named.insert(cur->versions.at(i).name, weights.value(i));
            parts.append(QStringLiteral("%1 %2%").arg(cur->versions.at(i).name).arg(weights.value(i)));
        }
    }
    edit(core::setRouteWeights(*cur, m_routeIndex, named), tr("route #%1: %2").arg(m_routeIndex).arg(parts.join(QLatin1String(", "))),
         QStringLiteral("weights:%1").arg(m_routeIndex));
}

void MainWindow::addRule(bool andMore)
{
    QString problem;
    const QList<core::MatchCondition> conditions = pendingConditions(true, &problem);
    if (!problem.isEmpty()) {
        showMessage(problem, true);
        return;
    }
    if (andMore) {
        m_pending = conditions;
        m_ruleName->clear();
        m_ruleValue->clear();
        validateRuleForm();
        return;
    }
    const Result<core::Release> cur = current();
    if (!cur)
        return;
    const QString version = m_ruleVersion->currentText();
    const Result<QJsonObject> edited = core::addMatchRoute(*cur, version, conditions);
    if (edited) {
        m_pending.clear();
        m_ruleName->clear();
        m_ruleValue->clear();
    }
    edit(edited, tr("send %1 to %2").arg(core::summarizeMatch(QJsonArray { core::matchBlock(conditions) }), version));
}

void MainWindow::removeRoute()
{
    const QTreeWidgetItem *item = m_matchRoutes->currentItem();
    const Result<core::Release> cur = current();
    if (!item || !cur)
        return;
    const int index = item->data(0, Qt::UserRole).toInt();
    edit(core::removeRoute(*cur, index), tr("remove route #%1 (%2)").arg(index).arg(item->text(1)));
}

void MainWindow::moveRoute(int delta)
{
    const QTreeWidgetItem *item = m_matchRoutes->currentItem();
    const Result<core::Release> cur = current();
    if (!item || !cur)
        return;
    const int index = item->data(0, Qt::UserRole).toInt();
    const Result<QJsonObject> moved = core::moveRoute(*cur, index, delta);
    edit(moved, tr("move route #%1 %2").arg(index).arg(delta < 0 ? tr("up") : tr("down")));
    if (moved) {
        for (int i = 0; i < m_matchRoutes->topLevelItemCount(); ++i) {
            if (m_matchRoutes->topLevelItem(i)->data(0, Qt::UserRole).toInt() == index + delta)
                m_matchRoutes->setCurrentItem(m_matchRoutes->topLevelItem(i));
        }
    }
}

void MainWindow::setMirror()
{
    const Result<core::Release> cur = current();
    if (!cur)
        return;
    const bool none = m_mirrorVersion->currentIndex() <= 0 || m_mirrorPercent->value() == 0;
    edit(core::setMirror(*cur, m_routeIndex, m_mirrorVersion->currentText(), none ? 0 : m_mirrorPercent->value()),
         none ? tr("stop mirroring route #%1").arg(m_routeIndex)
              : tr("mirror %1% of route #%2 to %3").arg(m_mirrorPercent->value()).arg(m_routeIndex).arg(m_mirrorVersion->currentText()));
}

bool MainWindow::confirm(const QString &title, const QString &text, const QString &details)
{
    QMessageBox box(QMessageBox::Question, title, text, QMessageBox::Yes | QMessageBox::Cancel, this);
    box.setObjectName(QStringLiteral("confirmDialog"));
    box.setDefaultButton(QMessageBox::Cancel);
    if (!details.isEmpty())
        box.setInformativeText(details);
    return box.exec() == QMessageBox::Yes;
}

void MainWindow::applyDraft()
{
    if (!m_applyButton->isEnabled())
        return;
    startApply(false);
}

void MainWindow::startApply(bool forceConflicts)
{
    // The user has seen their change in the diff; ours goes on top of it, still guarded by its resourceVersion.
    showMessage(tr("Dry-run, then apply…"), false);
    m_session->apply(m_releaseName, draftToApply(), m_summaries.join(QLatin1String("; ")), forceConflicts);
    refreshButtons();
}

void MainWindow::promote(const QString &version)
{
    const core::Release *live = m_session->release(m_releaseName);
    if (!live)
        return;
    // A copy: the confirmation below runs an event loop, in which watch events may rebuild the releases.
    const core::Release release = *live;
    const core::Release *r = &release;
    const Result<QJsonObject> promoted = core::promoteVersion(*r, version);
    if (!promoted) {
        showMessage(promoted.error().message, true);
        return;
    }
    const QString diff = core::reviewDiff(tr("live"), tr("promoted"), r->vs, *promoted);
    if (!confirm(tr("Promote %1?").arg(version),
                 tr("Every route of %1 will send all its traffic to %2, and match routes that then do the same as the default "
                    "route are removed. This is applied at once%3.")
                         .arg(r->name, version, hasDraft() ? tr("; your unapplied edits are discarded") : QString()),
                 diff))
        return;
    m_draft = {};
    m_summaries.clear();
    showMessage(tr("Promoting %1 to 100%…").arg(version), false);
    m_session->apply(m_releaseName, *promoted, tr("promote %1 to 100% of %2").arg(version, r->name));
    refreshButtons();
}

void MainWindow::rollback()
{
    if (!m_session->canRollback(m_releaseName))
        return;
    if (!confirm(tr("Roll back?"), tr("Undo the last change applied to %1: \"%2\". The objects get back what they held before it.")
                                            .arg(m_releaseName, m_session->rollbackSummary(m_releaseName)),
                 QString()))
        return;
    showMessage(tr("Rolling back…"), false);
    m_session->rollback(m_releaseName);
    refreshButtons();
}

void MainWindow::rollbackEntry()
{
    const QTreeWidgetItem *item = m_history->currentItem();
    if (!item)
        return;
    if (!confirm(tr("Roll back this change?"), tr("Undo \"%1\" (applied %2). This is refused if the objects changed since.").arg(item->text(1), item->text(0)), QString()))
        return;
    showMessage(tr("Rolling back…"), false);
    m_session->rollbackEntry(m_releaseName, item->data(0, Qt::UserRole).toString());
}

void MainWindow::onApplyFinished(const QString &release, bool ok, const QString &message)
{
    if (release == m_releaseName) {
        if (ok) {
            m_draft = {};
            m_summaries.clear();
            m_undo.clear();
            m_redo.clear();
            m_rebaseOnApply = false;
        } else if (const QStringList owned = m_session->fieldConflicts(release); hasDraft() && !owned.isEmpty()) {
            // Server-side apply met fields other managers own: the user decides whether to take them.
            showMessage(message, true);
            QStringList lines;
            for (const QString &conflict : owned)
                lines.append(QStringLiteral("• ") + conflict);
            if (confirm(tr("Take over fields from other managers?"),
                        tr("This change alters fields of %1 that other managers own. Nothing was written.").arg(release),
                        lines.join(QLatin1Char('\n'))
                                + tr("\n\nTaking them over makes Canary Deck their manager. A controller that owned them (Flagger, "
                                     "Argo Rollouts) may set them back on its next reconcile."))) {
                startApply(true);
                return;
            }
        } else if (hasDraft() && message.contains(QLatin1String("changed by someone else"))) {
            // Nothing is lost: the draft stays; the diff now shows it against their change.
            m_rebaseOnApply = true;
            m_tabs->setCurrentIndex(1);
        }
        refresh();
    }
    showMessage(message + (m_rebaseOnApply && !ok ? tr(" Your edits are kept: the Diff tab shows them against the live object.") : QString()), !ok);
    refreshButtons();
}

void MainWindow::onDryRun(const QString &release, bool ok, const QString &message)
{
    if (release != m_releaseName || !hasDraft())
        return;
    m_dryRunOk = ok;
    m_dryRunText = (ok ? tr("Server-side dry-run: accepted. ") : tr("Server-side dry-run: REJECTED. ")) + message;
    const Result<core::Release> cur = current();
    const core::Release *live = m_session->release(m_releaseName);
    if (cur && live)
        refreshPreview(*live, *cur);
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
