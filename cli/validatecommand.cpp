#include "cli/commands.h"

#include "cli/world.h"
#include "core/model/validation.h"

namespace canary::cli {

namespace {

// Findings go as kubectl's: errors on stdout (FILE: KIND/NAME: FIELD: message), warnings and notes on
// stderr. Returns the number of errors.
int printFindings(const Console &c, const QString &file, const QList<QJsonObject> &docs)
{
    int errors = 0;
    for (const core::Finding &f : core::validateDocuments(docs)) {
        if (f.severity == core::Finding::Severity::Note) {
            c.err << file << ": " << f.object << ": " << f.message << '\n';
            continue;
        }
        const bool isError = f.severity == core::Finding::Severity::Error;
        errors += isError ? 1 : 0;
        (isError ? c.out : c.err) << file << ": " << f.object << ": " << f.field << ": " << (isError ? "" : "warning: ")
                                  << f.message << '\n';
    }
    return errors;
}

} // namespace

int validateCommand(const Console &c, const Options &o)
{
    if (o.all(QStringLiteral("filename")).isEmpty())
        return c.usageError(QStringLiteral("validate needs -f FILE (one or more)"), QStringLiteral("validate"));
    // -f a.yaml b.yaml is what the shell makes of -f *.yaml: the arguments are files too.
    const QStringList files = o.all(QStringLiteral("filename")) + o.positional;
    QList<QByteArray> texts;
    for (const QString &file : files) {
        const auto text = readManifestFile(file);
        if (!text)
            return c.fail(text.error().message); // as kubectl apply -f: nothing is checked when a file is missing
        texts.append(*text);
    }
    int errors = 0;
    for (qsizetype i = 0; i < files.size(); ++i) {
        const auto docs = parseManifests(files.at(i), texts.at(i));
        if (!docs) {
            c.out << docs.error().message << '\n';
            ++errors;
            continue;
        }
        errors += printFindings(c, files.at(i), *docs);
    }
    return errors > 0 ? 1 : 0;
}

} // namespace canary::cli
