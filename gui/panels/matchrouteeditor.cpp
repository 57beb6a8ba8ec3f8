#include "gui/panels/matchrouteeditor.h"

#include "core/edit/editsession.h"
#include "core/model/istio.h"
#include "core/models/routelistmodel.h"
#include "core/routing/routing.h"
#include "gui/widgets/elidingcombobox.h"

#include <QComboBox>
#include <QGridLayout>
#include <QHeaderView>
#include <QLabel>
#include <QLineEdit>
#include <QPushButton>
#include <QRegularExpression>
#include <QStyle>
#include <QToolButton>
#include <QTreeView>
#include <QVBoxLayout>

namespace canary::gui {

using core::MatchCondition;
using core::RouteListModel;

MatchRouteEditor::MatchRouteEditor(core::EditSession *edits, QWidget *parent)
    : QWidget(parent)
    , m_edits(edits)
    , m_routes(new RouteListModel(RouteListModel::Scope::MatchRoutes, this))
    , m_view(new QTreeView(this))
{
    setObjectName(QStringLiteral("matchRouteEditor"));
    auto *layout = new QVBoxLayout(this);
    layout->setContentsMargins(0, 0, 0, 0);
    layout->setSpacing(6);
    auto *heading = new QLabel(tr("Match routes — first match wins; the conditions of a route are ANDed"), this);
    heading->setObjectName(QStringLiteral("sectionLabel"));
    heading->setWordWrap(true);
    layout->addWidget(heading);

    auto *row = new QHBoxLayout;
    m_view->setObjectName(QStringLiteral("matchRoutes"));
    m_view->setModel(m_routes);
    m_view->setColumnHidden(RouteListModel::LabelColumn, true);
    m_view->setRootIsDecorated(false);
    m_view->setMinimumHeight(72);
    m_view->setMaximumHeight(120);
    m_view->header()->setStretchLastSection(true);
    m_view->header()->setSectionResizeMode(RouteListModel::IndexColumn, QHeaderView::ResizeToContents);
    m_view->header()->setSectionResizeMode(RouteListModel::WhenColumn, QHeaderView::Stretch);
    m_view->header()->setStretchLastSection(false);
    m_view->header()->setSectionResizeMode(RouteListModel::GoesToColumn, QHeaderView::ResizeToContents);
    row->addWidget(m_view, 1);
    auto *buttons = new QVBoxLayout;
    const auto tool = [this](const QString &name, const QString &text, const QString &tip) {
        auto *b = new QToolButton(this);
        b->setObjectName(name);
        b->setText(text);
        b->setToolTip(tip);
        b->setSizePolicy(QSizePolicy::Preferred, QSizePolicy::Fixed);
        return b;
    };
    m_moveUp = tool(QStringLiteral("moveUpButton"), tr("Up"), tr("Evaluate this route earlier"));
    m_moveDown = tool(QStringLiteral("moveDownButton"), tr("Down"), tr("Evaluate this route later"));
    m_remove = tool(QStringLiteral("removeRouteButton"), tr("Remove"), tr("Remove the selected match route"));
    for (QToolButton *b : { m_moveUp, m_moveDown, m_remove })
        buttons->addWidget(b);
    buttons->addStretch(1);
    row->addLayout(buttons);
    layout->addLayout(row);
    layout->addLayout(buildForm());
    m_status = new QLabel(this);
    m_status->setObjectName(QStringLiteral("ruleStatus"));
    m_status->setWordWrap(true);
    layout->addWidget(m_status);

    connect(m_moveUp, &QToolButton::clicked, this, [this] {
        const int route = selectedRoute();
        m_edits->moveRoute(route, -1);
        selectRoute(route - 1);
    });
    connect(m_moveDown, &QToolButton::clicked, this, [this] {
        const int route = selectedRoute();
        m_edits->moveRoute(route, +1);
        selectRoute(route + 1);
    });
    connect(m_remove, &QToolButton::clicked, this, [this] { m_edits->removeRoute(selectedRoute()); });
    connect(m_view->selectionModel(), &QItemSelectionModel::selectionChanged, this, &MatchRouteEditor::refreshButtons);
    connect(m_routes, &QAbstractItemModel::modelReset, this, &MatchRouteEditor::refreshButtons);
    m_routes->setEditSession(m_edits);
    connect(m_edits, &core::EditSession::changed, this, &MatchRouteEditor::refresh);
    refresh();
}

QLayout *MatchRouteEditor::buildForm()
{
    // Two rows, so the form fits a narrow editor: the condition, then where it sends the requests.
    auto *form = new QGridLayout;
    form->setHorizontalSpacing(6);
    m_field = new QComboBox(this);
    m_field->setObjectName(QStringLiteral("ruleField"));
    m_field->addItem(tr("Header"), int(MatchCondition::Field::Header));
    m_field->addItem(tr("Path"), int(MatchCondition::Field::Uri));
    m_field->addItem(tr("Query"), int(MatchCondition::Field::Query));
    m_name = new QLineEdit(this);
    m_name->setObjectName(QStringLiteral("ruleName"));
    m_name->setPlaceholderText(tr("x-my-header"));
    m_kind = new QComboBox(this);
    m_kind->setObjectName(QStringLiteral("ruleKind"));
    m_kind->addItem(tr("exact"), int(MatchCondition::Kind::Exact));
    m_kind->addItem(tr("prefix"), int(MatchCondition::Kind::Prefix));
    m_kind->addItem(tr("regex"), int(MatchCondition::Kind::Regex));
    m_value = new QLineEdit(this);
    m_value->setObjectName(QStringLiteral("ruleValue"));
    m_value->setPlaceholderText(tr("dark"));
    m_version = new ElidingComboBox(this);
    m_version->setObjectName(QStringLiteral("ruleVersion"));
    m_version->setMinimumContentsLength(8);
    m_and = new QPushButton(tr("A&nd…"), this);
    m_and->setObjectName(QStringLiteral("andButton"));
    m_and->setToolTip(tr("Keep this condition and add another one to the same route"));
    m_add = new QPushButton(tr("Add ro&ute"), this);
    m_add->setObjectName(QStringLiteral("addRuleButton"));
    auto *when = new QLabel(tr("New route when"), this);
    auto *sendTo = new QLabel(tr("send to"), this);
    sendTo->setAlignment(Qt::AlignRight | Qt::AlignVCenter);
    form->addWidget(when, 0, 0);
    form->addWidget(m_field, 0, 1);
    form->addWidget(m_name, 0, 2);
    form->addWidget(m_kind, 0, 3);
    form->addWidget(m_value, 0, 4);
    form->addWidget(sendTo, 1, 0);
    form->addWidget(m_version, 1, 1, 1, 2);
    auto *actions = new QHBoxLayout;
    actions->addStretch(1);
    actions->addWidget(m_and);
    actions->addWidget(m_add);
    form->addLayout(actions, 1, 3, 1, 2);
    form->setColumnStretch(2, 1);
    form->setColumnStretch(4, 1);
    for (QLineEdit *e : { m_name, m_value })
        connect(e, &QLineEdit::textChanged, this, &MatchRouteEditor::validateForm);
    for (QComboBox *c : { m_field, m_kind })
        connect(c, &QComboBox::currentIndexChanged, this, &MatchRouteEditor::validateForm);
    connect(m_value, &QLineEdit::returnPressed, this, [this] { addRule(false); });
    connect(m_and, &QPushButton::clicked, this, [this] { addRule(true); });
    connect(m_add, &QPushButton::clicked, this, [this] { addRule(false); });
    return form;
}

void MatchRouteEditor::refresh()
{
    const Result<core::Release> cur = m_edits->current();
    const QString key = cur ? cur->name + QLatin1Char(':') + cur->versionNames().join(QLatin1Char(',')) : QString();
    if (key != m_versionsFor) {
        // The versions changed (another release): offer them, the newest last and preselected.
        m_versionsFor = key;
        m_pending.clear();
        const QString keep = m_version->currentText();
        const QSignalBlocker block(m_version);
        m_version->clear();
        if (cur) {
            m_version->addItems(cur->versionNames());
            if (!keep.isEmpty() && m_version->findText(keep) >= 0)
                m_version->setCurrentText(keep);
            else if (cur->versions.size() > 1)
                m_version->setCurrentIndex(int(cur->versions.size()) - 1);
        }
    }
    setEnabled(cur.ok());
    validateForm();
}

int MatchRouteEditor::selectedRoute() const
{
    const QModelIndex current = m_view->selectionModel()->currentIndex();
    return current.isValid() && m_view->selectionModel()->isSelected(current)
            ? current.data(RouteListModel::RouteIndexRole).toInt()
            : -1;
}

void MatchRouteEditor::selectRoute(int routeIndex)
{
    const int row = m_routes->rowOfRoute(routeIndex);
    if (row >= 0)
        m_view->selectionModel()->setCurrentIndex(m_routes->index(row, 0),
                                                  QItemSelectionModel::ClearAndSelect | QItemSelectionModel::Rows);
}

void MatchRouteEditor::refreshButtons()
{
    const int route = selectedRoute();
    const int row = m_routes->rowOfRoute(route);
    m_remove->setEnabled(row >= 0);
    m_moveUp->setEnabled(row > 0);
    m_moveDown->setEnabled(row >= 0 && row + 1 < m_routes->rowCount());
}

QList<MatchCondition> MatchRouteEditor::pendingConditions(bool includeForm, QString *problem) const
{
    QList<MatchCondition> out = m_pending;
    if (!includeForm)
        return out;
    MatchCondition c;
    c.field = MatchCondition::Field(m_field->currentData().toInt());
    c.kind = MatchCondition::Kind(m_kind->currentData().toInt());
    c.name = m_name->text().trimmed();
    c.value = m_value->text();
    if (c.value.isEmpty() && c.name.isEmpty()) {
        if (out.isEmpty() && problem)
            *problem = tr("Give a condition: a header name and value, a path, or a query parameter.");
        return out;
    }
    out.append(c);
    return out;
}

void MatchRouteEditor::validateForm()
{
    const int field = m_field->currentData().toInt();
    const bool isUri = field == int(MatchCondition::Field::Uri);
    m_name->setEnabled(!isUri);
    m_name->setPlaceholderText(isUri                                                ? QString()
                                       : field == int(MatchCondition::Field::Query) ? tr("parameter")
                                                                                    : tr("x-my-header"));
    m_value->setPlaceholderText(isUri ? tr("/api/v2") : tr("dark"));
    QString nameProblem;
    QString valueProblem;
    const QString name = m_name->text().trimmed();
    if (!isUri && !name.isEmpty() && field == int(MatchCondition::Field::Header)) {
        static const QRegularExpression token(QStringLiteral("^[!#$%&'*+.^_`|~0-9a-z-]+$"));
        if (name != name.toLower())
            nameProblem = tr("Header names are lower-case in Istio: use \"%1\".").arg(name.toLower());
        else if (!token.match(name).hasMatch())
            nameProblem = tr("\"%1\" is not a valid HTTP header name.").arg(name);
    }
    QString re2Error;
    const bool regex = m_kind->currentData().toInt() == int(MatchCondition::Kind::Regex);
    if (regex && !core::isValidRe2(m_value->text(), &re2Error))
        valueProblem = tr("Invalid RE2 regular expression (the syntax Envoy uses): %1").arg(re2Error);
    else if (isUri && !regex && !m_value->text().isEmpty() && !m_value->text().startsWith(QLatin1Char('/')))
        valueProblem = tr("A path starts with \"/\".");
    m_name->setProperty("invalid", !nameProblem.isEmpty());
    m_value->setProperty("invalid", !valueProblem.isEmpty());
    for (QLineEdit *e : { m_name, m_value }) {
        e->style()->unpolish(e);
        e->style()->polish(e);
    }
    m_name->setToolTip(nameProblem);
    m_value->setToolTip(valueProblem);
    const bool filled = !m_value->text().isEmpty() && (isUri || !name.isEmpty());
    const bool valid = nameProblem.isEmpty() && valueProblem.isEmpty();
    m_and->setEnabled(filled && valid);
    m_add->setEnabled(valid && (filled || !m_pending.isEmpty()) && m_version->count() > 0);
    QString status;
    if (!m_pending.isEmpty())
        status = tr("Route being built: %1 AND …")
                         .arg(core::summarizeMatch(QJsonArray { core::matchBlock(m_pending) }))
                         .toHtmlEscaped();
    if (!valid)
        status = QStringLiteral("<span style='color:#b42318'>%1</span>")
                         .arg(QString(nameProblem + QLatin1Char(' ') + valueProblem).trimmed().toHtmlEscaped());
    m_status->setText(status);
    m_status->setVisible(!status.isEmpty());
    refreshButtons();
}

void MatchRouteEditor::addRule(bool andMore)
{
    QString problem;
    const QList<MatchCondition> conditions = pendingConditions(true, &problem);
    if (!problem.isEmpty()) {
        m_status->setText(QStringLiteral("<span style='color:#b42318'>%1</span>").arg(problem.toHtmlEscaped()));
        m_status->show();
        return;
    }
    if (andMore) {
        m_pending = conditions;
        m_name->clear();
        m_value->clear();
        validateForm();
        return;
    }
    if (m_edits->addMatchRoute(m_version->currentText(), conditions)) {
        m_pending.clear();
        m_name->clear();
        m_value->clear();
        validateForm();
    }
}

} // namespace canary::gui
