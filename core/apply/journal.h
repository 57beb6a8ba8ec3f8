#pragma once

#include "core/apply/applyplan.h"
#include "k8s/result.h"

#include <QDateTime>
#include <QHash>
#include <QJsonObject>
#include <QList>
#include <QString>

namespace canary::core {

// One applied change, as history shows it and rollback undoes it.
struct JournalEntry {
    QString id;
    QDateTime time;
    QString context;
    QString server;
    QString ns;
    QString release; // VirtualService name
    QString summary;
    QString rollbackOf; // id of the entry this one undid, if it is a rollback
    ApplyPlan plan; // steps with before (live) and after (what the server stored)

    QJsonObject toJson() const;
    static Result<JournalEntry> fromJson(const QJsonObject &json);
};

// Every applied change, one file each, written atomically (write to a temporary file, then rename), under
// $XDG_DATA_HOME/canarydeck/journal; shared by the window and kubectl-canary. A file that cannot be read
// (a crash can leave none half-written, but a disk can fail) is skipped, never fatal.
class Journal final {
public:
    explicit Journal(QString directory = defaultDirectory());
    static QString defaultDirectory();

    Result<JournalEntry> record(JournalEntry entry);
    QList<JournalEntry> entries(const QString &server = {}, const QString &ns = {}, const QString &release = {}) const;
    // The newest apply of the release that no rollback has undone yet.
    Result<JournalEntry> lastUndone(const QString &server, const QString &ns, const QString &release) const;
    // The same for every release of a namespace, by release name, from one read of the journal.
    QHash<QString, JournalEntry> lastUndoneByRelease(const QString &server, const QString &ns) const;
    QStringList skippedFiles() const { return m_skipped; }

private:
    QString m_directory;
    mutable QStringList m_skipped;
};

} // namespace canary::core
