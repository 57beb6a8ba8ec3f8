#include "core/apply/journal.h"

#include <QDir>
#include <QFile>
#include <QJsonArray>
#include <QJsonDocument>
#include <QRandomGenerator>
#include <QSaveFile>
#include <QStandardPaths>

#include <algorithm>

namespace canary::core {

QJsonObject JournalEntry::toJson() const
{
    QJsonArray steps;
    for (const PlanStep &s : plan.steps)
        steps.append(QJsonObject { { QStringLiteral("kind"), s.kind },
                                   { QStringLiteral("name"), s.name },
                                   { QStringLiteral("path"), s.path },
                                   { QStringLiteral("before"), s.before },
                                   { QStringLiteral("after"), s.after },
                                   { QStringLiteral("description"), s.description } });
    QJsonObject json { { QStringLiteral("apiVersion"), QStringLiteral("canarydeck.io/v1") },
                       { QStringLiteral("kind"), QStringLiteral("JournalEntry") },
                       { QStringLiteral("id"), id },
                       { QStringLiteral("time"), time.toUTC().toString(Qt::ISODateWithMs) },
                       { QStringLiteral("context"), context },
                       { QStringLiteral("server"), server },
                       { QStringLiteral("namespace"), ns },
                       { QStringLiteral("release"), release },
                       { QStringLiteral("summary"), summary },
                       { QStringLiteral("steps"), steps } };
    if (!rollbackOf.isEmpty())
        json.insert(QStringLiteral("rollbackOf"), rollbackOf);
    return json;
}

Result<JournalEntry> JournalEntry::fromJson(const QJsonObject &json)
{
    if (json.value(QLatin1String("kind")).toString() != QLatin1String("JournalEntry"))
        return makeError(QStringLiteral("not a journal entry"));
    JournalEntry e;
    e.id = json.value(QLatin1String("id")).toString();
    e.time = QDateTime::fromString(json.value(QLatin1String("time")).toString(), Qt::ISODateWithMs);
    e.context = json.value(QLatin1String("context")).toString();
    e.server = json.value(QLatin1String("server")).toString();
    e.ns = json.value(QLatin1String("namespace")).toString();
    e.release = json.value(QLatin1String("release")).toString();
    e.summary = json.value(QLatin1String("summary")).toString();
    e.rollbackOf = json.value(QLatin1String("rollbackOf")).toString();
    e.plan.release = e.release;
    e.plan.ns = e.ns;
    e.plan.summary = e.summary;
    for (const QJsonValue &v : json.value(QLatin1String("steps")).toArray()) {
        const QJsonObject s = v.toObject();
        e.plan.steps.append(PlanStep {
                s.value(QLatin1String("kind")).toString(), s.value(QLatin1String("name")).toString(),
                s.value(QLatin1String("path")).toString(), s.value(QLatin1String("before")).toObject(),
                s.value(QLatin1String("after")).toObject(), s.value(QLatin1String("description")).toString() });
    }
    if (e.id.isEmpty() || !e.time.isValid() || e.plan.steps.isEmpty())
        return makeError(QStringLiteral("journal entry without id, time or steps"));
    return e;
}

Journal::Journal(QString directory)
    : m_directory(std::move(directory))
{ }

QString Journal::defaultDirectory()
{
    // One place for the window and the plugin, whatever the executable's name.
    return QStandardPaths::writableLocation(QStandardPaths::GenericDataLocation)
            + QStringLiteral("/canarydeck/journal");
}

Result<JournalEntry> Journal::record(JournalEntry entry)
{
    if (!QDir().mkpath(m_directory))
        return makeError(QStringLiteral("cannot create the journal directory %1").arg(m_directory));
    if (!entry.time.isValid())
        entry.time = QDateTime::currentDateTimeUtc();
    if (entry.id.isEmpty())
        entry.id = entry.time.toUTC().toString(QStringLiteral("yyyyMMdd'T'HHmmsszzz"))
                + QStringLiteral("-%1").arg(QRandomGenerator::global()->generate() & 0xffffff, 6, 16, QLatin1Char('0'));
    QSaveFile file(m_directory + QLatin1Char('/') + entry.id + QStringLiteral(".json"));
    if (!file.open(QIODevice::WriteOnly))
        return makeError(QStringLiteral("cannot write the journal in %1: %2").arg(m_directory, file.errorString()));
    file.write(QJsonDocument(entry.toJson()).toJson(QJsonDocument::Indented));
    if (!file.commit())
        return makeError(QStringLiteral("cannot write the journal in %1: %2").arg(m_directory, file.errorString()));
    return entry;
}

QList<JournalEntry> Journal::entries(const QString &server, const QString &ns, const QString &release) const
{
    QList<JournalEntry> out;
    m_skipped.clear();
    const QDir dir(m_directory);
    for (const QString &name : dir.entryList({ QStringLiteral("*.json") }, QDir::Files, QDir::Name)) {
        QFile f(dir.filePath(name));
        if (!f.open(QIODevice::ReadOnly)) {
            m_skipped.append(name);
            continue;
        }
        const auto entry = JournalEntry::fromJson(QJsonDocument::fromJson(f.readAll()).object());
        if (!entry) {
            m_skipped.append(name);
            continue;
        }
        if ((!server.isEmpty() && entry->server != server) || (!ns.isEmpty() && entry->ns != ns)
            || (!release.isEmpty() && entry->release != release))
            continue;
        out.append(*entry);
    }
    std::stable_sort(out.begin(), out.end(), [](const JournalEntry &a, const JournalEntry &b) {
        return a.time != b.time ? a.time < b.time : a.id < b.id;
    });
    return out;
}

namespace {

// The newest apply among one release's entries (oldest first) that none of them rolls back.
const JournalEntry *newestUndone(const QList<JournalEntry> &entries)
{
    QStringList undone;
    for (const JournalEntry &e : entries) {
        if (!e.rollbackOf.isEmpty())
            undone.append(e.rollbackOf);
    }
    for (auto it = entries.crbegin(); it != entries.crend(); ++it) {
        if (it->rollbackOf.isEmpty() && !undone.contains(it->id))
            return &*it;
    }
    return nullptr;
}

} // namespace

Result<JournalEntry> Journal::lastUndone(const QString &server, const QString &ns, const QString &release) const
{
    const QList<JournalEntry> all = entries(server, ns, release);
    if (const JournalEntry *entry = newestUndone(all))
        return *entry;
    return makeError(QStringLiteral("no applied change of VirtualService %1 in namespace %2 is left to roll back (see "
                                    "`kubectl canary history %1`)")
                             .arg(release, ns));
}

QHash<QString, JournalEntry> Journal::lastUndoneByRelease(const QString &server, const QString &ns) const
{
    QHash<QString, QList<JournalEntry>> byRelease;
    for (const JournalEntry &e : entries(server, ns))
        byRelease[e.release].append(e);
    QHash<QString, JournalEntry> out;
    for (auto it = byRelease.cbegin(); it != byRelease.cend(); ++it) {
        if (const JournalEntry *entry = newestUndone(it.value()))
            out.insert(it.key(), *entry);
    }
    return out;
}

} // namespace canary::core
