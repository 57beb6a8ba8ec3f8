#include "gui/panels/previewtabs.h"

#include "core/edit/editsession.h"
#include "core/model/yamldiff.h"
#include "gui/widgets/codeview.h"

#include <QApplication>
#include <QPlainTextEdit>
#include <QScrollBar>
#include <QSplitter>

namespace canary::gui {

PreviewTabs::PreviewTabs(core::EditSession *edits, QWidget *parent)
    : QTabWidget(parent)
    , m_edits(edits)
{
    setObjectName(QStringLiteral("detailTabs"));
    m_yaml = makeCodeView(this, QStringLiteral("yamlPreview"));
    addTab(m_yaml, tr("&YAML"));
    auto *diff = new QSplitter(Qt::Horizontal, this);
    m_before = makeCodeView(diff, QStringLiteral("diffBefore"));
    m_after = makeCodeView(diff, QStringLiteral("diffAfter"));
    connect(m_before->verticalScrollBar(), &QScrollBar::valueChanged, m_after->verticalScrollBar(),
            &QScrollBar::setValue);
    connect(m_after->verticalScrollBar(), &QScrollBar::valueChanged, m_before->verticalScrollBar(),
            &QScrollBar::setValue);
    addTab(diff, tr("D&iff (live | to apply)"));
    m_plan = makeCodeView(this, QStringLiteral("planView"));
    m_plan->setLineWrapMode(QPlainTextEdit::WidgetWidth);
    m_plan->setFont(QApplication::font());
    addTab(m_plan, tr("&Plan"));
    connect(m_edits, &core::EditSession::changed, this, &PreviewTabs::refresh);
    connect(m_edits, &core::EditSession::dryRunChanged, this, &PreviewTabs::refreshPlan);
    connect(m_edits, &core::EditSession::applyFinished, this, [this] {
        if (m_edits->rebaseOnApply())
            setCurrentIndex(DiffPage); // their change against ours
    });
    refresh();
}

void PreviewTabs::refresh()
{
    const core::Release *live = m_edits->live();
    const Result<core::Release> cur = m_edits->current();
    if (!live || !cur) {
        for (QPlainTextEdit *v : { m_yaml, m_before, m_after, m_plan })
            v->clear();
        return;
    }
    const QString before = core::reviewYaml(live->vs);
    const QString after = core::reviewYaml(cur->vs);
    m_yaml->setPlainText(after);
    // Side by side: removed lines on the left, added on the right, aligned by blank filler lines.
    QStringList left;
    QStringList right;
    QList<int> removed;
    QList<int> added;
    QList<int> yamlAdded;
    int yamlLine = 0;
    for (const core::DiffLine &d : core::diffLines(before.split(QLatin1Char('\n')), after.split(QLatin1Char('\n')))) {
        if (d.kind == core::DiffLine::Kind::Same) {
            const qsizetype n = qMax(left.size(), right.size());
            while (left.size() < n)
                left.append(QString());
            while (right.size() < n)
                right.append(QString());
            left.append(d.text);
            right.append(d.text);
            ++yamlLine;
        } else if (d.kind == core::DiffLine::Kind::Removed) {
            removed.append(int(left.size()));
            left.append(d.text);
        } else {
            added.append(int(right.size()));
            right.append(d.text);
            yamlAdded.append(yamlLine++);
        }
    }
    m_before->setPlainText(left.join(QLatin1Char('\n')));
    m_after->setPlainText(right.join(QLatin1Char('\n')));
    QList<QTextEdit::ExtraSelection> marks;
    for (int line : std::as_const(removed))
        marks.append(lineMark(m_before, line, kRemovedLine));
    m_before->setExtraSelections(marks);
    marks.clear();
    for (int line : std::as_const(added))
        marks.append(lineMark(m_after, line, kAddedLine));
    m_after->setExtraSelections(marks);
    marks.clear();
    for (int line : std::as_const(yamlAdded))
        marks.append(lineMark(m_yaml, line, kAddedLine));
    m_yaml->setExtraSelections(marks);
    setTabText(YamlPage, m_edits->hasDraft() ? tr("&YAML to apply") : tr("&YAML (live)"));
    refreshPlan();
}

void PreviewTabs::refreshPlan()
{
    if (!m_edits->live()) {
        m_plan->clear();
        return;
    }
    if (!m_edits->hasDraft()) {
        m_plan->setPlainText(
                tr("No edits: the live objects are shown. Move a slider, add a match route or set a mirror, "
                   "and the steps to apply them appear here with the API server's dry-run verdict."));
        return;
    }
    const core::ApplyPlan plan = m_edits->plan();
    QStringList text { tr("What Apply will do:") };
    text.append(plan.describe());
    if (plan.isEmpty())
        text.append(tr("(nothing: the draft says what the live objects say)"));
    for (const core::Finding &f : m_edits->findings())
        text.append(QStringLiteral("%1 %2: %3")
                            .arg(f.severity == core::Finding::Severity::Error ? tr("Error in") : tr("Warning for"),
                                 f.field, f.message));
    text.append(QString());
    switch (m_edits->dryRunState()) {
    case core::EditSession::DryRun::None:
    case core::EditSession::DryRun::Waiting:
        text.append(tr("Server-side dry-run: waiting for the edit to settle…"));
        break;
    case core::EditSession::DryRun::Running: text.append(tr("Server-side dry-run: running…")); break;
    case core::EditSession::DryRun::Accepted:
        text.append(tr("Server-side dry-run: accepted — every step passes the API server's checks."));
        break;
    case core::EditSession::DryRun::Rejected:
        text.append(tr("Server-side dry-run: REJECTED. %1").arg(m_edits->dryRunMessage()));
        break;
    }
    m_plan->setPlainText(text.join(QLatin1Char('\n')));
}

} // namespace canary::gui
