#include "core/edit/editsession.h"

#include "core/edit/weights.h"
#include "core/model/istio.h"
#include "core/session/releasesession.h"

#include <QTimer>

namespace canary::core {

namespace {

// Keystrokes in a spin box ("3" then "5") are one edit when they come this close together.
constexpr qint64 kCoalesceMs = 1000;

QJsonArray httpOf(const QJsonObject &virtualService)
{
    return virtualService.value(QLatin1String("spec")).toObject().value(QLatin1String("http")).toArray();
}

} // namespace

EditSession::EditSession(ReleaseSession *session, QObject *parent)
    : QObject(parent)
    , m_dryRunDelay(new QTimer(this))
{
    m_dryRunDelay->setSingleShot(true);
    m_dryRunDelay->setInterval(kDryRunDelayMs);
    connect(m_dryRunDelay, &QTimer::timeout, this, &EditSession::startDryRun);
    setSession(session);
}

EditSession::~EditSession() = default;

ReleaseSession *EditSession::session() const
{
    return m_session;
}

void EditSession::setSession(ReleaseSession *session)
{
    if (m_session)
        disconnect(m_session, nullptr, this, nullptr);
    m_session = session;
    m_releaseName.clear();
    m_applying = false;
    m_dryRunInFlight = false;
    resetDraft();
    connectSession();
    Q_EMIT changed();
}

void EditSession::connectSession()
{
    if (!m_session)
        return;
    connect(m_session, &ReleaseSession::releasesChanged, this, &EditSession::onReleasesChanged);
    connect(m_session, &ReleaseSession::dryRunFinished, this, &EditSession::onDryRunFinished);
    connect(m_session, &ReleaseSession::applyFinished, this, &EditSession::onApplyFinished);
}

void EditSession::resetDraft()
{
    m_draft = {};
    m_summaries.clear();
    m_undo.clear();
    m_redo.clear();
    m_lastCoalesce.clear();
    m_rebaseOnApply = false;
    m_routeIndex = -1;
    m_routeMatch = {};
    m_routeName.clear();
    m_routeIsDefault = true;
    m_dryRunDelay->stop();
    m_dryRun = DryRun::None;
    m_dryRunText.clear();
    m_message.clear();
    m_messageIsError = false;
}

void EditSession::setRelease(const QString &name)
{
    if (name == m_releaseName)
        return;
    m_releaseName = name;
    resetDraft();
    if (const Release *r = live())
        followRoute(*r);
    Q_EMIT dryRunChanged();
    Q_EMIT messageChanged();
    Q_EMIT changed();
}

const Release *EditSession::live() const
{
    return m_session && !m_releaseName.isEmpty() ? m_session->release(m_releaseName) : nullptr;
}

Result<Release> EditSession::current() const
{
    const Release *r = live();
    if (!r)
        return makeError(tr("No release selected."));
    if (m_draft.isEmpty())
        return *r;
    return releaseWithVirtualService(m_session->snapshot(), draftToApply());
}

QJsonObject EditSession::draftToApply() const
{
    const Release *r = live();
    if (!m_rebaseOnApply || !r)
        return m_draft;
    // Every edit here is to spec.http, so their other changes (labels, hosts, gateways...) stand, and
    // the resourceVersion is theirs.
    QJsonObject rebased = r->vs;
    QJsonObject spec = rebased.value(QLatin1String("spec")).toObject();
    spec.insert(QStringLiteral("http"), httpOf(m_draft));
    rebased.insert(QStringLiteral("spec"), spec);
    return rebased;
}

QString EditSession::summary() const
{
    return m_summaries.join(QLatin1String("; "));
}

void EditSession::selectRoute(int index)
{
    const Result<Release> r = current();
    if (!r || !r->route(index) || index == m_routeIndex)
        return;
    m_routeIndex = index;
    const ReleaseRoute *route = r->route(index);
    m_routeMatch = route->match;
    m_routeName = route->name;
    m_routeIsDefault = index == r->defaultRoute;
    Q_EMIT changed();
}

void EditSession::followRoute(const Release &release)
{
    // The same route is the one with the same conditions and name, wherever it now is.
    int found = -1;
    if (m_routeIsDefault) {
        found = release.defaultRoute;
    } else {
        for (const ReleaseRoute &route : release.routes) {
            if (route.match == m_routeMatch && route.name == m_routeName) {
                found = route.index;
                break;
            }
        }
    }
    if (found < 0 || !release.route(found))
        found = release.defaultRoute;
    m_routeIndex = found;
    if (const ReleaseRoute *route = release.route(found)) {
        m_routeMatch = route->match;
        m_routeName = route->name;
        m_routeIsDefault = found == release.defaultRoute;
    }
}

bool EditSession::commit(const Result<QJsonObject> &edited, const QString &summary, const QString &coalesceKey)
{
    if (!edited) {
        setMessage(edited.error().message, true);
        return false;
    }
    const bool coalesce = !coalesceKey.isEmpty() && coalesceKey == m_lastCoalesce
            && (m_gesture || (m_lastEdit.isValid() && m_lastEdit.elapsed() < kCoalesceMs));
    if (!coalesce)
        m_undo.append(Snapshot { m_draft, m_summaries });
    if (coalesce && !m_summaries.isEmpty())
        m_summaries.last() = summary; // one slider drag is one edit
    else
        m_summaries.append(summary);
    m_lastCoalesce = coalesceKey;
    m_lastEdit.start();
    m_redo.clear();
    const Release *r = live();
    m_draft = r && edited->value(QLatin1String("spec")) == r->vs.value(QLatin1String("spec")) ? QJsonObject() : *edited;
    if (m_draft.isEmpty()) {
        m_summaries.clear();
        m_rebaseOnApply = false;
    }
    setMessage({}, false);
    if (const Result<Release> cur = current())
        followRoute(*cur);
    scheduleDryRun();
    Q_EMIT changed();
    return true;
}

void EditSession::setWeight(int versionIndex, int value)
{
    const Result<Release> cur = current();
    if (!cur)
        return;
    setWeights(redistributeWeights(cur->routeWeights(m_routeIndex), versionIndex, value));
}

void EditSession::setWeights(const QList<int> &weights)
{
    const Result<Release> cur = current();
    if (!cur || weights == cur->routeWeights(m_routeIndex))
        return;
    const ReleaseRoute *route = cur->route(m_routeIndex);
    QMap<QString, int> named;
    QStringList parts;
    for (int i = 0; i < cur->versions.size(); ++i) {
        const bool inRoute = route && route->weights.value(i, -1) >= 0;
        if (weights.value(i) > 0 || inRoute) {
            named.insert(cur->versions.at(i).name, weights.value(i));
            parts.append(QStringLiteral("%1 %2%").arg(cur->versions.at(i).name).arg(weights.value(i)));
        }
    }
    commit(setRouteWeights(*cur, m_routeIndex, named),
           tr("route #%1: %2").arg(m_routeIndex).arg(parts.join(QLatin1String(", "))),
           QStringLiteral("weights:%1").arg(m_routeIndex));
}

void EditSession::beginGesture()
{
    m_gesture = true;
}

void EditSession::endGesture()
{
    m_gesture = false;
    m_lastCoalesce.clear(); // the next drag is another step
}

bool EditSession::addMatchRoute(const QString &version, const QList<MatchCondition> &conditions)
{
    const Result<Release> cur = current();
    if (!cur)
        return false;
    return commit(core::addMatchRoute(*cur, version, conditions),
                  tr("send %1 to %2").arg(summarizeMatch(QJsonArray { matchBlock(conditions) }), version));
}

void EditSession::removeRoute(int routeIndex)
{
    const Result<Release> cur = current();
    if (!cur || !cur->route(routeIndex))
        return;
    const QString when = summarizeMatch(cur->route(routeIndex)->match);
    commit(core::removeRoute(*cur, routeIndex), tr("remove route #%1 (%2)").arg(routeIndex).arg(when));
}

void EditSession::moveRoute(int routeIndex, int delta)
{
    const Result<Release> cur = current();
    if (!cur)
        return;
    commit(core::moveRoute(*cur, routeIndex, delta),
           tr("move route #%1 %2").arg(routeIndex).arg(delta < 0 ? tr("up") : tr("down")));
}

void EditSession::setMirror(const QString &version, double percent)
{
    const Result<Release> cur = current();
    if (!cur)
        return;
    const bool none = version.isEmpty() || percent == 0;
    commit(core::setMirror(*cur, m_routeIndex, version, none ? 0 : percent),
           none ? tr("stop mirroring route #%1").arg(m_routeIndex)
                : tr("mirror %1% of route #%2 to %3").arg(percent).arg(m_routeIndex).arg(version));
}

void EditSession::undo()
{
    step(m_undo, m_redo);
}

void EditSession::redo()
{
    step(m_redo, m_undo);
}

void EditSession::step(QList<Snapshot> &from, QList<Snapshot> &to)
{
    if (from.isEmpty())
        return;
    to.append(Snapshot { m_draft, m_summaries });
    const Snapshot s = from.takeLast();
    m_draft = s.draft;
    m_summaries = s.summaries;
    m_lastCoalesce.clear();
    if (const Result<Release> cur = current())
        followRoute(*cur);
    scheduleDryRun();
    Q_EMIT changed();
}

void EditSession::discard()
{
    if (!hasDraft())
        return;
    m_undo.append(Snapshot { m_draft, m_summaries });
    m_redo.clear();
    m_draft = {};
    m_summaries.clear();
    m_lastCoalesce.clear();
    m_rebaseOnApply = false;
    setMessage({}, false);
    if (const Release *r = live())
        followRoute(*r);
    scheduleDryRun();
    Q_EMIT changed();
}

ApplyPlan EditSession::plan() const
{
    if (!m_session || !hasDraft())
        return {};
    return m_session->planFor(m_releaseName, draftToApply(), summary());
}

QList<Finding> EditSession::findings() const
{
    const Result<Release> cur = current();
    if (!cur || !hasDraft())
        return {};
    return validateRelease(*cur, cur->vs, true);
}

bool EditSession::hasBlockingFindings() const
{
    for (const Finding &f : findings()) {
        if (f.severity == Finding::Severity::Error)
            return true;
    }
    return false;
}

void EditSession::refreshDryRun()
{
    scheduleDryRun();
}

void EditSession::scheduleDryRun()
{
    m_dryRunText.clear();
    if (!hasDraft()) {
        m_dryRunDelay->stop();
        m_dryRun = DryRun::None;
        m_dryRunStale = m_dryRunInFlight;
        Q_EMIT dryRunChanged();
        return;
    }
    m_dryRun = DryRun::Waiting;
    m_dryRunStale = m_dryRunInFlight;
    m_dryRunDelay->start(); // restarted by every edit of a drag
    Q_EMIT dryRunChanged();
}

void EditSession::startDryRun()
{
    if (!m_session || !hasDraft())
        return;
    if (m_dryRunInFlight) {
        m_dryRunStale = true; // asked again when the answer for the older draft comes
        return;
    }
    m_dryRunInFlight = true;
    m_dryRunStale = false;
    m_dryRun = DryRun::Running;
    ++m_dryRunsStarted;
    Q_EMIT dryRunChanged();
    m_session->dryRun(m_releaseName, draftToApply());
}

void EditSession::onDryRunFinished(const QString &release, bool ok, const QString &message)
{
    if (release != m_releaseName || !m_dryRunInFlight)
        return;
    m_dryRunInFlight = false;
    if (m_dryRunStale) {
        m_dryRunStale = false;
        if (hasDraft() && !m_dryRunDelay->isActive())
            startDryRun();
        return;
    }
    if (!hasDraft())
        return;
    m_dryRun = ok ? DryRun::Accepted : DryRun::Rejected;
    m_dryRunText = message;
    Q_EMIT dryRunChanged();
}

void EditSession::apply(bool forceConflicts)
{
    if (!m_session || !hasDraft() || !live())
        return;
    setMessage(tr("Dry-run, then apply…"), false);
    m_applying = true;
    m_session->apply(m_releaseName, draftToApply(), summary(), forceConflicts);
}

Result<QJsonObject> EditSession::promotion(const QString &version) const
{
    const Release *r = live();
    if (!r)
        return makeError(tr("No release selected."));
    return promoteVersion(*r, version);
}

void EditSession::promote(const QString &version)
{
    const Release *r = live();
    const Result<QJsonObject> promoted = promotion(version);
    if (!r || !promoted) {
        setMessage(promoted ? tr("No release selected.") : promoted.error().message, true);
        return;
    }
    const QString name = r->name;
    m_draft = {};
    m_summaries.clear();
    m_rebaseOnApply = false;
    scheduleDryRun();
    setMessage(tr("Promoting %1 to 100%…").arg(version), false);
    m_applying = true;
    Q_EMIT changed();
    m_session->apply(m_releaseName, *promoted, tr("promote %1 to 100% of %2").arg(version, name));
}

void EditSession::rollback()
{
    if (!m_session)
        return;
    setMessage(tr("Rolling back…"), false);
    m_applying = true;
    m_session->rollback(m_releaseName);
}

void EditSession::rollbackEntry(const QString &entryId)
{
    if (!m_session)
        return;
    setMessage(tr("Rolling back…"), false);
    m_applying = true;
    m_session->rollbackEntry(m_releaseName, entryId);
}

void EditSession::onApplyFinished(const QString &release, bool ok, const QString &message)
{
    if (release != m_releaseName)
        return;
    m_applying = false;
    QString text = message;
    if (ok) {
        m_draft = {};
        m_summaries.clear();
        m_undo.clear();
        m_redo.clear();
        m_rebaseOnApply = false;
        scheduleDryRun();
    } else if (hasDraft() && m_session && m_session->fieldConflicts(release).isEmpty()
               && message.contains(QLatin1String("changed by someone else"))) {
        // Nothing is lost: the draft stays, and the diff now shows it against their change.
        m_rebaseOnApply = true;
        scheduleDryRun();
    }
    if (!ok && m_rebaseOnApply)
        text += tr(" Your edits are kept: the Diff tab shows them against the live object.");
    setMessage(text, !ok);
    // What was applied stops being news once someone else changes the object; a failure stays until
    // the user acts, as it explains what they still have to do.
    const Release *r = live();
    m_messageVersion = ok && r ? resourceVersion(r->vs) : QString();
    if (const Result<Release> cur = current())
        followRoute(*cur);
    Q_EMIT changed();
    Q_EMIT applyFinished(ok, text);
}

void EditSession::onReleasesChanged()
{
    const Release *r = live();
    if (r) {
        // Someone wrote exactly our draft: nothing is left to apply.
        if (hasDraft() && !m_applying && !m_rebaseOnApply
            && m_draft.value(QLatin1String("spec")) == r->vs.value(QLatin1String("spec"))) {
            m_draft = {};
            m_summaries.clear();
            m_undo.clear();
            m_redo.clear();
            scheduleDryRun();
        }
        // A message about an apply no longer describes the live object once someone else changed it.
        if (!m_message.isEmpty() && !m_applying && !m_messageVersion.isEmpty()
            && m_messageVersion != resourceVersion(r->vs))
            setMessage({}, false);
        if (const Result<Release> cur = current())
            followRoute(*cur);
    }
    Q_EMIT changed();
}

void EditSession::setMessage(const QString &text, bool error)
{
    if (text == m_message && error == m_messageIsError)
        return;
    m_message = text;
    m_messageIsError = error;
    m_messageVersion.clear();
    Q_EMIT messageChanged();
}

} // namespace canary::core
