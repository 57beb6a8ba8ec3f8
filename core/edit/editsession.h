#pragma once

#include "core/apply/applyplan.h"
#include "core/edit/releaseedits.h"
#include "core/model/release.h"
#include "core/model/validation.h"

#include <QElapsedTimer>
#include <QJsonArray>
#include <QJsonObject>
#include <QObject>
#include <QPointer>
#include <QStringList>

class QTimer;

namespace canary::core {

class ReleaseSession;

// The unapplied edits of one release: a draft VirtualService built by the pure edit functions, with
// undo/redo, the route the user is working on, the server's verdict on the draft and the apply of it.
// Views read from here and call the setters; nothing here knows a widget.
class EditSession final : public QObject {
    Q_OBJECT
public:
    enum class DryRun { None, Waiting, Running, Accepted, Rejected };
    Q_ENUM(DryRun)

    // How long the draft must stay still before the server is asked about it: a slider drag sends
    // one dry-run, not one per step.
    static constexpr int kDryRunDelayMs = 250;

    explicit EditSession(ReleaseSession *session, QObject *parent = nullptr);
    ~EditSession() override;

    // Another context or cluster: the draft goes (ask the user first when hasDraft()).
    void setSession(ReleaseSession *session);
    ReleaseSession *session() const;

    QString releaseName() const { return m_releaseName; }
    // Selects a release; the draft of the previous one is dropped (ask the user first when hasDraft()).
    void setRelease(const QString &name);
    const Release *live() const;
    // The release as the draft would make it (the live one without a draft).
    Result<Release> current() const;
    bool hasDraft() const { return !m_draft.isEmpty(); }
    // The VirtualService to write: the draft, or after a conflict our routes over their object.
    QJsonObject draftToApply() const;
    QStringList summaries() const { return m_summaries; }
    QString summary() const;
    // After a conflict the next apply writes our routes over their object.
    bool rebaseOnApply() const { return m_rebaseOnApply; }

    // The route being edited; it follows the route (by its conditions) when routes move or are inserted.
    int routeIndex() const { return m_routeIndex; }
    void selectRoute(int index);

    // Linked sliders: the other versions of the route take the rest, in proportion.
    void setWeight(int versionIndex, int value);
    void setWeights(const QList<int> &weights);
    // A slider is held: every edit until endGesture() is one undo step.
    void beginGesture();
    void endGesture();
    bool addMatchRoute(const QString &version, const QList<MatchCondition> &conditions);
    void removeRoute(int routeIndex);
    void moveRoute(int routeIndex, int delta);
    void setMirror(const QString &version, double percent);

    bool canUndo() const { return !m_undo.isEmpty(); }
    bool canRedo() const { return !m_redo.isEmpty(); }
    void undo();
    void redo();
    void discard();

    ApplyPlan plan() const;
    QList<Finding> findings() const;
    bool hasBlockingFindings() const;
    DryRun dryRunState() const { return m_dryRun; }
    QString dryRunMessage() const { return m_dryRunText; }
    // Dry-runs asked of the server since this session began (for tests and benchmarks).
    int dryRunsStarted() const { return m_dryRunsStarted; }
    // Asks again (the way writes go changed, say).
    void refreshDryRun();

    void apply(bool forceConflicts = false);
    // What promoting the version writes, for the confirmation; the live routes, not the draft.
    Result<QJsonObject> promotion(const QString &version) const;
    void promote(const QString &version);
    void rollback();
    void rollbackEntry(const QString &entryId);

    // The last thing said about the release (an apply's result, an edit refused); empty when it no
    // longer describes what is live.
    QString message() const { return m_message; }
    bool messageIsError() const { return m_messageIsError; }

Q_SIGNALS:
    // The draft, the selected release or route, or the live release changed: views refresh.
    void changed();
    void dryRunChanged();
    void messageChanged();
    // An apply, promote or rollback of this release ended; the message is the session's.
    void applyFinished(bool ok, const QString &message);

private:
    struct Snapshot {
        QJsonObject draft;
        QStringList summaries;
    };

    bool commit(const Result<QJsonObject> &edited, const QString &summary, const QString &coalesceKey = {});
    void step(QList<Snapshot> &from, QList<Snapshot> &to);
    void resetDraft();
    void scheduleDryRun();
    void startDryRun();
    void onReleasesChanged();
    void onDryRunFinished(const QString &release, bool ok, const QString &message);
    void onApplyFinished(const QString &release, bool ok, const QString &message);
    void setMessage(const QString &text, bool error);
    void followRoute(const Release &release);
    void connectSession();

    QPointer<ReleaseSession> m_session;
    QString m_releaseName;
    QJsonObject m_draft; // empty: no unapplied edits
    QStringList m_summaries; // what the draft does, for the journal
    QList<Snapshot> m_undo;
    QList<Snapshot> m_redo;
    QString m_lastCoalesce;
    QElapsedTimer m_lastEdit;
    bool m_gesture = false;
    bool m_rebaseOnApply = false;

    int m_routeIndex = -1;
    QJsonArray m_routeMatch; // identity of the selected route
    QString m_routeName;
    bool m_routeIsDefault = true;

    QTimer *m_dryRunDelay;
    DryRun m_dryRun = DryRun::None;
    QString m_dryRunText;
    bool m_dryRunInFlight = false;
    bool m_dryRunStale = false; // the answer in flight is for an older draft
    int m_dryRunsStarted = 0;

    QString m_message;
    bool m_messageIsError = false;
    QString m_messageVersion; // resourceVersion the message describes
    bool m_applying = false;
};

} // namespace canary::core
