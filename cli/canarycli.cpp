#include "cli/canarycli.h"

#include "core/apply/applyplan.h"
#include "core/apply/applyrun.h"
#include "core/model/istio.h"
#include "core/apply/journal.h"
#include "core/apply/releaseloader.h"
#include "core/apply/releasesource.h"
#include "k8s/discoveryreply.h"
#include "k8s/kubeclient.h"
#include "k8s/kubeconfig.h"
#include "k8s/kubereply.h"
#include "core/edit/releaseedits.h"
#include "core/model/release.h"
#include "core/model/validation.h"
#include "k8s/yaml.h"
#include "core/model/yamldiff.h"

#include <QCoreApplication>
#include <QDateTime>
#include <QEventLoop>
#include <QFile>
#include <QJsonArray>
#include <QJsonDocument>
#include <QMultiHash>
#include <QRegularExpression>
#include <QSet>

#include <memory>

namespace canary::cli {

namespace {

using core::Release;


struct Flag {
    const char *name;
    char shortName;
    bool takesValue;
};

const Flag kFlags[] = {
    { "kubeconfig", 0, true }, { "context", 0, true }, { "cluster", 0, true }, { "user", 0, true },
    { "namespace", 'n', true }, { "request-timeout", 0, true }, { "insecure-skip-tls-verify", 0, false },
    { "filename", 'f', true }, { "output", 'o', true }, { "dry-run", 0, true }, { "diff", 0, false },
    { "route", 0, true }, { "to", 0, true }, { "percent", 0, true }, { "name", 0, true }, { "force", 0, false },
    { "header", 0, true }, { "header-prefix", 0, true }, { "header-regex", 0, true }, { "uri-exact", 0, true },
    { "uri-prefix", 0, true }, { "uri-regex", 0, true }, { "query", 0, true }, { "help", 'h', false },
    { "server-side", 0, false }, { "force-conflicts", 0, false },
};

struct Options {
    QStringList positional;
    QList<QPair<QString, QString>> values; // in command-line order
    QString value(const QString &name) const
    {
        for (auto it = values.crbegin(); it != values.crend(); ++it) {
            if (it->first == name)
                return it->second;
        }
        return {};
    }
    QStringList all(const QString &name) const
    {
        QStringList out;
        for (const auto &v : values) {
            if (v.first == name)
                out.append(v.second);
        }
        return out;
    }
    bool isSet(const QString &name) const
    {
        for (const auto &v : values) {
            if (v.first == name)
                return true;
        }
        return false;
    }
};

struct UsageError {
    QString message;
};

const Flag *findFlag(const QString &name, QChar shortName)
{
    for (const Flag &f : kFlags) {
        if ((!name.isEmpty() && name == QLatin1String(f.name)) || (!shortName.isNull() && f.shortName && shortName == QLatin1Char(f.shortName)))
            return &f;
    }
    return nullptr;
}

Result<Options> parse(const QStringList &args)
{
    Options o;
    for (int i = 0; i < args.size(); ++i) {
        const QString a = args.at(i);
        if (a == QLatin1String("--")) {
            o.positional.append(args.mid(i + 1));
            break;
        }
        if (a.startsWith(QLatin1String("--")) || (a.startsWith(QLatin1Char('-')) && a.size() > 1)) {
            const bool isLong = a.startsWith(QLatin1String("--"));
            QString name = isLong ? a.mid(2) : a.mid(1, 1);
            QString inlineValue;
            bool hasInline = false;
            if (isLong && name.contains(QLatin1Char('='))) {
                inlineValue = name.section(QLatin1Char('='), 1);
                name = name.section(QLatin1Char('='), 0, 0);
                hasInline = true;
            } else if (!isLong && a.size() > 2) {
                inlineValue = a.mid(2).startsWith(QLatin1Char('=')) ? a.mid(3) : a.mid(2);
                hasInline = true;
            }
            const Flag *flag = isLong ? findFlag(name, QChar()) : findFlag({}, name.at(0));
            if (!flag)
                return makeError(QStringLiteral("unknown %1: %2").arg(isLong ? QStringLiteral("flag") : QStringLiteral("shorthand flag"), isLong ? a.section(QLatin1Char('='), 0, 0) : QStringLiteral("'%1' in %2").arg(name, a)));
            const QString canonical = QLatin1String(flag->name);
            if (flag->takesValue) {
                if (hasInline) {
                    o.values.append({ canonical, inlineValue });
                } else if (canonical == QLatin1String("dry-run")) {
                    o.values.append({ canonical, QStringLiteral("client") });
                } else if (i + 1 < args.size()) {
                    o.values.append({ canonical, args.at(++i) });
                } else {
                    return makeError(QStringLiteral("flag needs an argument: %1").arg(a));
                }
            } else {
                if (hasInline && inlineValue != QLatin1String("true") && inlineValue != QLatin1String("false"))
                    return makeError(QStringLiteral("invalid argument \"%1\" for \"%2\" flag: expected true or false").arg(inlineValue, a.section(QLatin1Char('='), 0, 0)));
                if (!hasInline || inlineValue == QLatin1String("true"))
                    o.values.append({ canonical, QStringLiteral("true") });
            }
            continue;
        }
        o.positional.append(a);
    }
    return o;
}

const char *kUsage = R"(kubectl canary: release new versions of services on Kubernetes with Istio (Canary Deck).

 Commands:
  get [RELEASE] [-o wide|yaml|json]                 Show releases: versions, weights and match routes
  set-weights RELEASE VERSION=WEIGHT... [--route R] Set the weights of a route (they must sum to 100)
  match add RELEASE --to VERSION CONDITION...       Route matching requests to one version (dark release)
  match remove RELEASE (--route R | CONDITION...)   Remove a match route
  mirror RELEASE --to VERSION --percent P [--route R]  Mirror a share of a route's traffic (0 stops it)
  promote RELEASE VERSION                           Send all traffic of the release to one version
  rollback RELEASE [--force]                        Undo the last change applied to the release
  history [RELEASE]                                 Changes applied through Canary Deck
  validate -f FILE...                               Check Istio objects against Istio's schemas and rules
  version                                           Client, server and Istio API versions

 Conditions (ANDed in one match block):
  --header NAME=VALUE  --header-prefix NAME=VALUE  --header-regex NAME=RE2
  --uri-exact PATH     --uri-prefix PATH           --uri-regex RE2          --query NAME=VALUE

 RELEASE is a VirtualService name, or a host that exactly one VirtualService routes to.
 --route takes a route name or index; the default is the default route (the last route without a match).

 Writing commands take:
  --dry-run=none|client|server  --diff (print the diff, apply nothing)  -o yaml|json
  --server-side (server-side apply as field manager canarydeck; fields another manager owns are
  a conflict)  --force-conflicts (take those fields over; with --server-side only)

 Offline: -f FILE (repeatable, multi-document YAML, - for stdin) reads manifests instead of a cluster;
 the result is printed (-o yaml by default) and nothing is sent.

 Cluster flags, as kubectl's: --kubeconfig, --context, --cluster, --user, -n/--namespace,
  --request-timeout, --insecure-skip-tls-verify

Usage:
  kubectl canary [command] [flags]
)";

// What the command works on: manifests from files, or one namespace of a cluster.
struct World {
    bool offline = false;
    core::NamespaceSnapshot snapshot;
    QList<Release> releases;
    QString istioVersion = QStringLiteral("v1");
    std::unique_ptr<k8s::KubeClient> client;
    QString server;
    QString context;
};

Result<QJsonObject> getBlocking(k8s::KubeClient *client, const QString &path)
{
    k8s::KubeReply *reply = client->send(k8s::KubeRequest::get(path));
    if (!reply->isFinished()) {
        QEventLoop loop;
        QObject::connect(reply, &k8s::KubeReply::finished, &loop, &QEventLoop::quit);
        loop.exec();
    }
    reply->deleteLater();
    if (!reply->ok())
        return reply->error();
    return reply->json();
}

Result<k8s::Discovery> discoverBlocking(k8s::KubeClient *client)
{
    k8s::DiscoveryReply *reply = k8s::DiscoveryReply::fetch(client);
    QEventLoop loop;
    QObject::connect(reply, &k8s::DiscoveryReply::finished, &loop, &QEventLoop::quit);
    loop.exec();
    reply->deleteLater();
    return reply->result();
}

Result<int> parseTimeout(const QString &text)
{
    if (text.isEmpty() || text == QLatin1String("0"))
        return 0;
    static const QRegularExpression re(QStringLiteral("^([0-9]+(?:\\.[0-9]+)?)(ms|s|m|h)?$"));
    const auto m = re.match(text);
    if (!m.hasMatch())
        return makeError(QStringLiteral("invalid --request-timeout \"%1\": use a duration such as 30s, 1m or 500ms").arg(text));
    const double n = m.captured(1).toDouble();
    const QString unit = m.captured(2);
    const double ms = unit == QLatin1String("ms") ? n : unit == QLatin1String("m") ? n * 60000 : unit == QLatin1String("h") ? n * 3600000 : n * 1000;
    return int(ms);
}

Result<QByteArray> readManifestFile(const QString &file)
{
    QFile f;
    const bool stdinFile = file == QLatin1String("-");
    if (stdinFile ? !f.open(stdin, QIODevice::ReadOnly) : (f.setFileName(file), !f.open(QIODevice::ReadOnly)))
        return makeError(QStringLiteral("the path \"%1\" does not exist or cannot be read").arg(file));
    return f.readAll();
}

// The objects of one file's YAML documents, the items of a List in its place.
Result<QList<QJsonObject>> parseManifests(const QString &file, const QByteArray &text)
{
    const auto parsed = k8s::parseYamlDocuments(text);
    if (!parsed)
        return makeError(QStringLiteral("%1: %2").arg(file, parsed.error().message));
    QList<QJsonObject> docs;
    for (const QJsonObject &doc : *parsed) {
        if (doc.value(QLatin1String("kind")).toString() == QLatin1String("List")) {
            for (const QJsonValue &item : doc.value(QLatin1String("items")).toArray())
                docs.append(item.toObject());
        } else {
            docs.append(doc);
        }
    }
    return docs;
}

Result<QList<QJsonObject>> readManifests(const QStringList &files)
{
    QList<QJsonObject> docs;
    for (const QString &file : files) {
        const auto text = readManifestFile(file);
        if (!text)
            return text.error();
        const auto parsed = parseManifests(file, *text);
        if (!parsed)
            return parsed.error();
        docs.append(*parsed);
    }
    return docs;
}

k8s::KubeconfigOptions kubeconfigOptions(const Options &o)
{
    k8s::KubeconfigOptions kc;
    kc.kubeconfig = o.value(QStringLiteral("kubeconfig"));
    kc.context = o.value(QStringLiteral("context"));
    kc.cluster = o.value(QStringLiteral("cluster"));
    kc.user = o.value(QStringLiteral("user"));
    kc.ns = o.value(QStringLiteral("namespace"));
    kc.insecureSkipTlsVerify = o.isSet(QStringLiteral("insecure-skip-tls-verify"));
    return kc;
}

Result<World> load(const Options &o, QTextStream *err = nullptr)
{
    World w;
    const QStringList files = o.all(QStringLiteral("filename"));
    if (!files.isEmpty()) {
        w.offline = true;
        const auto docs = readManifests(files);
        if (!docs)
            return docs.error();
        QString ns = o.value(QStringLiteral("namespace"));
        if (ns.isEmpty()) {
            for (const QJsonObject &d : *docs) {
                if (d.value(QLatin1String("kind")).toString() == QLatin1String("VirtualService")) {
                    ns = core::objectNamespace(d);
                    break;
                }
            }
        }
        w.snapshot.ns = ns.isEmpty() ? QStringLiteral("default") : ns;
        for (const QJsonObject &d : *docs) {
            if (core::objectNamespace(d, w.snapshot.ns) == w.snapshot.ns)
                core::addToSnapshot(w.snapshot, d);
        }
        w.releases = core::buildReleases(w.snapshot);
        return w;
    }
    const auto endpoint = k8s::loadKubeconfig(kubeconfigOptions(o));
    if (!endpoint)
        return endpoint.error();
    const auto timeout = parseTimeout(o.value(QStringLiteral("request-timeout")));
    if (!timeout)
        return timeout.error();
    w.client = std::make_unique<k8s::KubeClient>(*endpoint);
    if (err && w.client->execProvider()) // a credential plugin's prompts and warnings reach the user
        QObject::connect(w.client->execProvider(), &k8s::ExecCredentialProvider::pluginMessage, [err](const QString &text) {
            *err << text;
            err->flush();
        });
    if (*timeout > 0)
        w.client->setRequestTimeout(*timeout);
    w.server = endpoint->server.toString();
    w.context = endpoint->contextName;
    auto loaded = core::loadReleasesBlocking(w.client.get(), endpoint->ns);
    if (!loaded)
        return loaded.error();
    w.istioVersion = loaded->istioVersion;
    w.snapshot = loaded->snapshot;
    w.releases = loaded->releases;
    return w;
}

QString humanAge(const QJsonObject &object)
{
    const QDateTime created = QDateTime::fromString(object.value(QLatin1String("metadata")).toObject().value(QLatin1String("creationTimestamp")).toString(), Qt::ISODate);
    if (!created.isValid())
        return QStringLiteral("<unknown>");
    const qint64 s = qMax<qint64>(0, created.secsTo(QDateTime::currentDateTimeUtc()));
    // k8s.io/apimachinery duration.HumanDuration
    if (s < 120)
        return QStringLiteral("%1s").arg(s);
    const qint64 m = s / 60;
    if (m < 10)
        return s % 60 == 0 ? QStringLiteral("%1m").arg(m) : QStringLiteral("%1m%2s").arg(m).arg(s % 60);
    if (m < 180)
        return QStringLiteral("%1m").arg(m);
    const qint64 h = s / 3600;
    if (h < 8)
        return m % 60 == 0 ? QStringLiteral("%1h").arg(h) : QStringLiteral("%1h%2m").arg(h).arg(m % 60);
    if (h < 48)
        return QStringLiteral("%1h").arg(h);
    if (h < 192)
        return h % 24 == 0 ? QStringLiteral("%1d").arg(h / 24) : QStringLiteral("%1d%2h").arg(h / 24).arg(h % 24);
    if (h < 24 * 365 * 2)
        return QStringLiteral("%1d").arg(h / 24);
    if (h < 24 * 365 * 8)
        return QStringLiteral("%1y%2d").arg(h / 24 / 365).arg((h / 24) % 365);
    return QStringLiteral("%1y").arg(h / 24 / 365);
}

void printTable(QTextStream &out, const QList<QStringList> &rows)
{
    QList<int> widths;
    for (const QStringList &row : rows) {
        for (int i = 0; i < row.size(); ++i) {
            if (widths.size() <= i)
                widths.append(0);
            widths[i] = qMax(widths[i], int(row.at(i).size()));
        }
    }
    for (const QStringList &row : rows) {
        QString line;
        for (int i = 0; i < row.size(); ++i)
            line += i + 1 < row.size() ? row.at(i).leftJustified(widths.at(i) + 3) : row.at(i);
        out << line << '\n';
    }
}

QJsonObject releaseJson(const Release &r)
{
    QJsonArray versions;
    for (const core::ReleaseVersion &v : r.versions)
        versions.append(QJsonObject { { QStringLiteral("name"), v.name },
                                      { QStringLiteral("host"), v.host },
                                      { QStringLiteral("subset"), v.subset.isEmpty() ? QJsonValue(QJsonValue::Null) : QJsonValue(v.subset) },
                                      { QStringLiteral("pods"), v.pods < 0 ? QJsonValue(QJsonValue::Null) : QJsonValue(v.pods) } });
    QJsonArray routes;
    const QJsonArray http = r.vs.value(QLatin1String("spec")).toObject().value(QLatin1String("http")).toArray();
    for (const core::ReleaseRoute &route : r.routes) {
        const QJsonObject raw = http.at(route.index).toObject();
        QJsonArray dests;
        const QList<core::RouteDestination> rd = core::routeDestinations(raw);
        for (const QJsonValue &d : raw.value(QLatin1String("route")).toArray()) {
            const QJsonObject dest = d.toObject();
            dests.append(QJsonObject { { QStringLiteral("version"), core::versionOfDestination(r, dest.value(QLatin1String("destination")).toObject()) },
                                       { QStringLiteral("weight"), rd.size() == 1 && !dest.contains(QLatin1String("weight")) ? 100 : dest.value(QLatin1String("weight")).toInt() } });
        }
        QJsonValue mirror = QJsonValue::Null;
        if (raw.contains(QLatin1String("mirror")))
            mirror = QJsonObject { { QStringLiteral("version"), core::versionOfDestination(r, raw.value(QLatin1String("mirror")).toObject()) },
                                   { QStringLiteral("percent"), raw.contains(QLatin1String("mirrorPercentage"))
                                                                        ? raw.value(QLatin1String("mirrorPercentage")).toObject().value(QLatin1String("value"))
                                                                        : QJsonValue(100) } };
        routes.append(QJsonObject { { QStringLiteral("index"), route.index },
                                    { QStringLiteral("name"), route.name.isEmpty() ? QJsonValue(QJsonValue::Null) : QJsonValue(route.name) },
                                    { QStringLiteral("match"), route.match.isEmpty() ? QJsonValue(QJsonValue::Null) : QJsonValue(route.match) },
                                    { QStringLiteral("destinations"), dests },
                                    { QStringLiteral("mirror"), mirror } });
    }
    return QJsonObject { { QStringLiteral("name"), r.virtualService },
                         { QStringLiteral("namespace"), r.ns },
                         { QStringLiteral("hosts"), QJsonArray::fromStringList(r.hosts) },
                         { QStringLiteral("versions"), versions },
                         { QStringLiteral("routes"), routes } };
}

QString weightsText(const Release &r)
{
    const core::ReleaseRoute *route = r.route(r.defaultRoute);
    if (!route)
        return QStringLiteral("<none>");
    QStringList parts;
    for (int i = 0; i < r.versions.size(); ++i) {
        if (route->weights.value(i, -1) >= 0)
            parts.append(QStringLiteral("%1=%2").arg(r.versions.at(i).name).arg(route->weights.at(i)));
    }
    return parts.join(QLatin1Char(','));
}

QByteArray jsonText(const QJsonObject &o)
{
    return QJsonDocument(o).toJson(QJsonDocument::Indented);
}

QString resourceName(const QString &kind, const QString &name)
{
    return kind.toLower() + QStringLiteral(".networking.istio.io/") + name;
}

// What a writing command produced, before it is printed or applied.
struct Change {
    Release release;
    QJsonObject vs;
    QJsonObject dr; // empty when unchanged
    QString summary;
    QStringList warnings;
};

int printObjects(QTextStream &out, QTextStream &err, const QString &format, const QList<QJsonObject> &objects)
{
    if (format == QLatin1String("json")) {
        if (objects.size() == 1) {
            out << jsonText(objects.constFirst());
        } else {
            QJsonArray items;
            for (const QJsonObject &o : objects)
                items.append(o);
            out << jsonText(QJsonObject { { QStringLiteral("apiVersion"), QStringLiteral("v1") }, { QStringLiteral("kind"), QStringLiteral("List") }, { QStringLiteral("items"), items } });
        }
        return 0;
    }
    if (format == QLatin1String("yaml") || format.isEmpty()) {
        out << k8s::renderYamlStream(objects);
        return 0;
    }
    err << "error: unable to match a printer suitable for the output format \"" << format << "\", allowed formats are: json,yaml\n";
    return 1;
}

class Cli final {
public:
    Cli(QTextStream &out, QTextStream &err)
        : m_out(out)
        , m_err(err)
    {
    }

    int run(const QStringList &args);

private:
    int fail(const QString &message)
    {
        m_err << "error: " << message << '\n';
        return 1;
    }
    int usageError(const QString &message, const QString &command)
    {
        m_err << "error: " << message << '\n'
              << "See 'kubectl canary" << (command.isEmpty() ? QString() : QLatin1Char(' ') + command) << " --help' for usage.\n";
        return 1;
    }
    int get(const Options &o);
    int write(const Options &o, const QString &command);
    int finishChange(const Options &o, World &w, const Change &change);
    int rollback(const Options &o);
    int history(const Options &o);
    int validate(const Options &o);
    int version(const Options &o);
    Result<QList<core::MatchCondition>> conditions(const Options &o) const;
    void warnAll(const QStringList &warnings)
    {
        for (const QString &w : warnings)
            m_err << "Warning: " << w << '\n';
    }

    QTextStream &m_out;
    QTextStream &m_err;
};

Result<QList<core::MatchCondition>> Cli::conditions(const Options &o) const
{
    using C = core::MatchCondition;
    QList<C> out;
    for (const auto &[flag, value] : o.values) {
        C c;
        if (flag == QLatin1String("header") || flag == QLatin1String("header-prefix") || flag == QLatin1String("header-regex")
            || flag == QLatin1String("query")) {
            if (!value.contains(QLatin1Char('=')))
                return makeError(QStringLiteral("--%1 takes NAME=VALUE, got \"%2\"").arg(flag, value));
            c.field = flag == QLatin1String("query") ? C::Field::Query : C::Field::Header;
            c.kind = flag.endsWith(QLatin1String("prefix")) ? C::Kind::Prefix : flag.endsWith(QLatin1String("regex")) ? C::Kind::Regex : C::Kind::Exact;
            c.name = value.section(QLatin1Char('='), 0, 0);
            c.value = value.section(QLatin1Char('='), 1);
        } else if (flag == QLatin1String("uri-exact") || flag == QLatin1String("uri-prefix") || flag == QLatin1String("uri-regex")) {
            c.field = C::Field::Uri;
            c.kind = flag == QLatin1String("uri-exact") ? C::Kind::Exact : flag == QLatin1String("uri-prefix") ? C::Kind::Prefix : C::Kind::Regex;
            c.value = value;
        } else {
            continue;
        }
        out.append(c);
    }
    return out;
}

int Cli::run(const QStringList &args)
{
    const auto parsed = parse(args);
    QString command = args.value(0).startsWith(QLatin1Char('-')) ? QString() : args.value(0);
    if (!parsed)
        return usageError(parsed.error().message, command);
    Options o = *parsed;
    if (o.positional.isEmpty() || o.isSet(QStringLiteral("help"))) {
        m_out << kUsage;
        return 0;
    }
    command = o.positional.takeFirst();
    if (command == QLatin1String("match")) {
        const QString sub = o.positional.value(0);
        if (sub != QLatin1String("add") && sub != QLatin1String("remove"))
            return usageError(QStringLiteral("\"kubectl canary match\" needs a subcommand: add or remove"), command);
        o.positional.removeFirst();
        command += QLatin1Char(' ') + sub;
    }
    const QString output = o.value(QStringLiteral("output"));
    if (command == QLatin1String("get"))
        return get(o);
    if (command == QLatin1String("version"))
        return version(o);
    if (command == QLatin1String("history"))
        return history(o);
    if (command == QLatin1String("rollback"))
        return rollback(o);
    if (command == QLatin1String("validate"))
        return validate(o);
    if (command == QLatin1String("set-weights") || command == QLatin1String("match add") || command == QLatin1String("match remove")
        || command == QLatin1String("mirror") || command == QLatin1String("promote")) {
        if (!output.isEmpty() && output != QLatin1String("yaml") && output != QLatin1String("json"))
            return usageError(QStringLiteral("--output must be yaml or json for %1, not \"%2\"").arg(command, output), command);
        if (o.isSet(QStringLiteral("force-conflicts")) && !o.isSet(QStringLiteral("server-side")))
            return usageError(QStringLiteral("--force-conflicts only works with --server-side"), command);
        const QString dryRun = o.value(QStringLiteral("dry-run"));
        if (!dryRun.isEmpty() && dryRun != QLatin1String("none") && dryRun != QLatin1String("client") && dryRun != QLatin1String("server"))
            return usageError(QStringLiteral("Invalid dry-run value (%1). Must be \"none\", \"server\", or \"client\".").arg(dryRun), command);
        return write(o, command);
    }
    return usageError(QStringLiteral("unknown command \"%1\" for \"kubectl canary\"").arg(command), {});
}

int Cli::get(const Options &o)
{
    const QString format = o.value(QStringLiteral("output"));
    if (!format.isEmpty() && format != QLatin1String("wide") && format != QLatin1String("yaml") && format != QLatin1String("json"))
        return usageError(QStringLiteral("unable to match a printer suitable for the output format \"%1\", allowed formats are: json,wide,yaml").arg(format), QStringLiteral("get"));
    if (o.positional.size() > 1)
        return usageError(QStringLiteral("get takes at most one RELEASE"), QStringLiteral("get"));
    auto world = load(o, &m_err);
    if (!world)
        return fail(world.error().message);
    QList<Release> releases = world->releases;
    if (!o.positional.isEmpty()) {
        const auto r = core::findRelease(releases, o.positional.constFirst());
        if (!r)
            return fail(r.error().message);
        releases = { *r };
    }
    if (format == QLatin1String("json") || format == QLatin1String("yaml")) {
        QJsonArray items;
        for (const Release &r : std::as_const(releases))
            items.append(releaseJson(r));
        const QJsonObject doc { { QStringLiteral("releases"), items } };
        if (format == QLatin1String("json"))
            m_out << jsonText(doc);
        else
            m_out << k8s::renderYaml(doc);
        return 0;
    }
    if (releases.isEmpty()) {
        m_err << "No releases found in " << world->snapshot.ns << " namespace.\n";
        return 0;
    }
    const bool wide = format == QLatin1String("wide");
    QList<QStringList> rows;
    QStringList header { QStringLiteral("NAME"), QStringLiteral("HOSTS"), QStringLiteral("VERSIONS"), QStringLiteral("WEIGHTS"), QStringLiteral("MATCH-ROUTES"), QStringLiteral("AGE") };
    if (wide)
        header << QStringLiteral("GATEWAYS") << QStringLiteral("DESTINATIONRULE") << QStringLiteral("PODS");
    rows.append(header);
    for (const Release &r : std::as_const(releases)) {
        int matchRoutes = 0;
        for (const core::ReleaseRoute &route : r.routes)
            matchRoutes += route.match.isEmpty() ? 0 : 1;
        QStringList row { r.virtualService, r.hosts.join(QLatin1Char(',')), r.versionNames().join(QLatin1Char(',')), weightsText(r), QString::number(matchRoutes), humanAge(r.vs) };
        if (wide) {
            QStringList pods;
            for (const core::ReleaseVersion &v : r.versions)
                pods.append(v.pods < 0 ? QStringLiteral("?") : QString::number(v.pods));
            row << (r.gateways.isEmpty() ? QStringLiteral("mesh") : r.gateways.join(QLatin1Char(','))) << (r.destinationRule.isEmpty() ? QStringLiteral("<none>") : r.destinationRule) << pods.join(QLatin1Char(','));
        }
        rows.append(row);
    }
    printTable(m_out, rows);
    return 0;
}

int Cli::write(const Options &o, const QString &command)
{
    if (o.positional.isEmpty())
        return usageError(QStringLiteral("%1 needs a RELEASE").arg(command), command);
    auto world = load(o, &m_err);
    if (!world)
        return fail(world.error().message);
    const auto found = core::findRelease(world->releases, o.positional.constFirst());
    if (!found)
        return fail(found.error().message);
    const Release &r = *found;
    const QStringList rest = o.positional.mid(1);
    const auto route = core::resolveRoute(r, o.value(QStringLiteral("route")));
    Change change { r, {}, {}, {}, {} };
    Result<QJsonObject> edited = makeError(QString());
    if (command == QLatin1String("set-weights")) {
        if (rest.isEmpty())
            return usageError(QStringLiteral("set-weights needs VERSION=WEIGHT pairs, e.g. %1=90").arg(r.versionNames().value(0, QStringLiteral("v1"))), command);
        if (!route)
            return fail(route.error().message);
        QMap<QString, int> weights;
        for (const QString &pair : rest) {
            bool ok = false;
            const int weight = pair.section(QLatin1Char('='), 1).toInt(&ok);
            if (!pair.contains(QLatin1Char('=')) || !ok)
                return usageError(QStringLiteral("\"%1\" is not VERSION=WEIGHT (an integer percentage)").arg(pair), command);
            weights.insert(pair.section(QLatin1Char('='), 0, 0), weight);
        }
        edited = core::setRouteWeights(r, *route, weights);
        QStringList parts;
        for (auto it = weights.begin(); it != weights.end(); ++it)
            parts.append(QStringLiteral("%1=%2").arg(it.key()).arg(it.value()));
        change.summary = QStringLiteral("set weights of route #%1: %2").arg(*route).arg(parts.join(QLatin1Char(' ')));
    } else if (command == QLatin1String("promote")) {
        if (rest.size() != 1)
            return usageError(QStringLiteral("promote takes RELEASE VERSION"), command);
        edited = core::promoteVersion(r, rest.constFirst());
        change.summary = QStringLiteral("promote %1 to 100%").arg(rest.constFirst());
    } else if (command == QLatin1String("match add")) {
        const auto conds = conditions(o);
        if (!conds)
            return usageError(conds.error().message, command);
        if (!o.isSet(QStringLiteral("to")))
            return usageError(QStringLiteral("match add needs --to VERSION"), command);
        edited = core::addMatchRoute(r, o.value(QStringLiteral("to")), *conds, o.value(QStringLiteral("name")));
        change.summary = QStringLiteral("route %1 to %2").arg(core::summarizeMatch(QJsonArray { core::matchBlock(*conds) }), o.value(QStringLiteral("to")));
    } else if (command == QLatin1String("match remove")) {
        const auto conds = conditions(o);
        if (!conds)
            return usageError(conds.error().message, command);
        Result<int> index = makeError(QString());
        if (o.isSet(QStringLiteral("route")) == !conds->isEmpty())
            return usageError(QStringLiteral("match remove takes either --route NAME|INDEX or the conditions of the route"), command);
        index = o.isSet(QStringLiteral("route")) ? route : core::findMatchRoute(r, *conds);
        if (!index)
            return fail(index.error().message);
        edited = core::removeRoute(r, *index);
        change.summary = QStringLiteral("remove route #%1 (%2)").arg(*index).arg(core::summarizeMatch(r.route(*index) ? r.route(*index)->match : QJsonArray()));
    } else if (command == QLatin1String("mirror")) {
        if (!route)
            return fail(route.error().message);
        bool ok = false;
        const double percent = o.value(QStringLiteral("percent")).toDouble(&ok);
        if (!o.isSet(QStringLiteral("percent")) || !ok)
            return usageError(QStringLiteral("mirror needs --percent P (0 to 100; 0 stops mirroring)"), command);
        if (percent > 0 && !o.isSet(QStringLiteral("to")))
            return usageError(QStringLiteral("mirror needs --to VERSION"), command);
        edited = core::setMirror(r, *route, o.value(QStringLiteral("to")), percent);
        change.summary = percent > 0 ? QStringLiteral("mirror %1% of route #%2 to %3").arg(percent).arg(*route).arg(o.value(QStringLiteral("to")))
                                     : QStringLiteral("stop mirroring route #%1").arg(*route);
    }
    if (!edited)
        return fail(edited.error().message);
    change.vs = *edited;
    const QJsonObject dr = core::withSubsetsFor(r, change.vs);
    if (!dr.isEmpty() && dr.value(QLatin1String("spec")) != r.dr.value(QLatin1String("spec")))
        change.dr = dr;
    for (const core::Finding &f : core::validateRelease(r, change.vs, !world->offline)) {
        if (f.severity == core::Finding::Severity::Error)
            return fail(QStringLiteral("VirtualService/%1: %2: %3").arg(r.virtualService, f.field, f.message));
        change.warnings.append(QStringLiteral("VirtualService/%1: %2: %3").arg(r.virtualService, f.field, f.message));
    }
    return finishChange(o, world.value(), change);
}

int Cli::finishChange(const Options &o, World &w, const Change &change)
{
    const QString format = o.value(QStringLiteral("output"));
    const QString dryRun = o.value(QStringLiteral("dry-run"));
    QList<QJsonObject> objects;
    if (!change.dr.isEmpty())
        objects.append(change.dr); // first: applying the stream in order is make-before-break
    objects.append(change.vs);
    if (o.isSet(QStringLiteral("diff"))) {
        warnAll(change.warnings);
        if (!change.dr.isEmpty())
            m_out << core::reviewDiff(QStringLiteral("a/DestinationRule/") + change.release.destinationRule, QStringLiteral("b/DestinationRule/") + change.release.destinationRule, change.release.dr, change.dr);
        m_out << core::reviewDiff(QStringLiteral("a/VirtualService/") + change.release.virtualService, QStringLiteral("b/VirtualService/") + change.release.virtualService, change.release.vs, change.vs);
        return 0;
    }
    if (w.offline || dryRun == QLatin1String("client")) {
        warnAll(change.warnings);
        if (w.offline || !format.isEmpty())
            return printObjects(m_out, m_err, format, objects);
        for (const QJsonObject &obj : std::as_const(objects))
            m_out << resourceName(obj.value(QLatin1String("kind")).toString(), core::objectName(obj)) << " configured (dry run)\n";
        return 0;
    }
    const core::ApplyPlan plan = core::makePlan(change.release, change.vs, change.dr, w.istioVersion, change.summary);
    if (plan.isEmpty()) {
        warnAll(change.warnings);
        m_out << resourceName(QStringLiteral("VirtualService"), change.release.virtualService) << " unchanged\n";
        return 0;
    }
    const bool serverDryRun = dryRun == QLatin1String("server");
    core::ApplyOptions options;
    options.serverSideApply = o.isSet(QStringLiteral("server-side"));
    options.write.force = o.isSet(QStringLiteral("force-conflicts"));
    options.write.dryRun = serverDryRun;
    const core::ApplyOutcome outcome = core::applyBlocking(w.client.get(), plan, options);
    if (!outcome.ok) {
        fail(outcome.message);
        if (outcome.failedStatus == 409 && options.serverSideApply && !options.write.force && outcome.message.contains(QLatin1String("conflict with")))
            m_err << "Re-run with --force-conflicts to take these fields over, or leave them to their manager.\n";
        if (outcome.failedStatus == 409) {
            // Show what changed underneath: the object as read against the object as it is now.
            for (const core::PlanStep &step : plan.steps) {
                const auto now = getBlocking(w.client.get(), step.path);
                if (now && now->value(QLatin1String("spec")) != step.before.value(QLatin1String("spec")))
                    m_err << core::reviewDiff(QStringLiteral("a/%1/%2 (as read)").arg(step.kind, step.name), QStringLiteral("b/%1/%2 (live)").arg(step.kind, step.name), step.before, *now);
            }
        }
        return 1;
    }
    warnAll(change.warnings);
    warnAll(outcome.warnings);
    if (!outcome.journalError.isEmpty())
        m_err << "Warning: applied, but not recorded in the journal: " << outcome.journalError << '\n';
    if (!format.isEmpty())
        return printObjects(m_out, m_err, format, outcome.results);
    for (const core::PlanStep &s : plan.steps)
        m_out << resourceName(s.kind, s.name) << (options.serverSideApply ? " serverside-applied" : " configured")
              << (serverDryRun ? " (server dry run)" : "") << '\n';
    return 0;
}

int Cli::rollback(const Options &o)
{
    if (o.positional.size() != 1)
        return usageError(QStringLiteral("rollback takes RELEASE"), QStringLiteral("rollback"));
    if (o.isSet(QStringLiteral("filename")))
        return usageError(QStringLiteral("rollback needs a cluster: it restores what the journal recorded there"), QStringLiteral("rollback"));
    auto w = load(o, &m_err);
    if (!w)
        return fail(w.error().message);
    const auto found = core::findRelease(w->releases, o.positional.constFirst());
    if (!found)
        return fail(found.error().message);
    const Release &r = *found;
    const auto entry = core::Journal().lastUndone(w->server, r.ns, r.virtualService);
    if (!entry)
        return fail(entry.error().message);
    QList<QJsonObject> live;
    QString diff;
    for (const core::PlanStep &s : entry->plan.steps) {
        const QJsonObject current = s.kind == QLatin1String("VirtualService") ? r.vs : r.dr;
        live.append(current);
        if (current.value(QLatin1String("spec")) != s.after.value(QLatin1String("spec")))
            diff += core::reviewDiff(QStringLiteral("a/%1/%2 (as applied %3)").arg(s.kind, s.name, entry->time.toString(Qt::ISODate)),
                                      QStringLiteral("b/%1/%2 (live)").arg(s.kind, s.name), s.after, current);
    }
    if (!diff.isEmpty() && !o.isSet(QStringLiteral("force"))) {
        m_err << "error: VirtualService/" << r.virtualService << " changed after \"" << entry->summary
              << "\" was applied; rolling back would overwrite that change (use --force to roll back anyway)\n"
              << diff;
        return 1;
    }
    const core::ApplyPlan plan = core::makeRestorePlan(entry->plan, live, w->istioVersion, QStringLiteral("roll back: ") + entry->summary);
    const QString dryRun = o.value(QStringLiteral("dry-run"));
    core::ApplyOptions options;
    options.write.dryRun = dryRun == QLatin1String("server") || dryRun == QLatin1String("client");
    options.rollbackOf = entry->id;
    const core::ApplyOutcome outcome = core::applyBlocking(w->client.get(), plan, options);
    if (!outcome.ok)
        return fail(outcome.message);
    if (!outcome.journalError.isEmpty())
        m_err << "Warning: rolled back, but not recorded in the journal: " << outcome.journalError << '\n';
    for (const core::PlanStep &s : plan.steps)
        m_out << resourceName(s.kind, s.name) << " rolled back" << (dryRun == QLatin1String("server") ? " (server dry run)" : dryRun == QLatin1String("client") ? " (dry run)" : "") << '\n';
    return 0;
}

int Cli::history(const Options &o)
{
    QString server;
    QString ns;
    if (!o.isSet(QStringLiteral("filename"))) {
        const auto endpoint = k8s::loadKubeconfig(kubeconfigOptions(o));
        if (!endpoint)
            return fail(endpoint.error().message);
        server = endpoint->server.toString();
        ns = endpoint->ns;
    }
    const core::Journal journal;
    const QList<core::JournalEntry> entries = journal.entries(server, ns, o.positional.value(0));
    for (const QString &skipped : journal.skippedFiles())
        m_err << "Warning: journal file " << skipped << " cannot be read and is skipped\n";
    QStringList undone;
    for (const core::JournalEntry &e : entries) {
        if (!e.rollbackOf.isEmpty())
            undone.append(e.rollbackOf);
    }
    const QString format = o.value(QStringLiteral("output"));
    if (format == QLatin1String("json")) {
        QJsonArray items;
        for (const core::JournalEntry &e : entries) {
            QJsonObject j = e.toJson();
            j.insert(QStringLiteral("rolledBack"), undone.contains(e.id));
            items.append(j);
        }
        m_out << jsonText(QJsonObject { { QStringLiteral("entries"), items } });
        return 0;
    }
    if (!format.isEmpty())
        return usageError(QStringLiteral("history prints a table or -o json"), QStringLiteral("history"));
    if (entries.isEmpty()) {
        m_err << "No changes recorded" << (ns.isEmpty() ? QString() : QStringLiteral(" in %1 namespace").arg(ns)) << ".\n";
        return 0;
    }
    QList<QStringList> rows { { QStringLiteral("ID"), QStringLiteral("TIME"), QStringLiteral("RELEASE"), QStringLiteral("CONTEXT"), QStringLiteral("STATE"), QStringLiteral("CHANGE") } };
    for (const core::JournalEntry &e : entries)
        rows.append({ e.id, e.time.toUTC().toString(Qt::ISODate), e.release, e.context,
                      !e.rollbackOf.isEmpty() ? QStringLiteral("rollback") : undone.contains(e.id) ? QStringLiteral("rolled-back") : QStringLiteral("applied"),
                      e.summary });
    printTable(m_out, rows);
    return 0;
}

int Cli::validate(const Options &o)
{
    // -f a.yaml b.yaml is what the shell makes of -f *.yaml: the arguments are files too.
    const QStringList files = o.all(QStringLiteral("filename")) + o.positional;
    if (o.all(QStringLiteral("filename")).isEmpty())
        return usageError(QStringLiteral("validate needs -f FILE (one or more)"), QStringLiteral("validate"));
    QList<QByteArray> texts;
    for (const QString &file : files) {
        const auto text = readManifestFile(file);
        if (!text)
            return fail(text.error().message); // as kubectl apply: nothing is checked when a file is missing
        texts.append(*text);
    }
    int errors = 0;
    for (qsizetype i = 0; i < files.size(); ++i) {
        const QString &file = files.at(i);
        const auto docs = parseManifests(file, texts.at(i));
        if (!docs) {
            m_out << docs.error().message << '\n';
            ++errors;
            continue;
        }
        for (const core::Finding &f : core::validateDocuments(*docs)) {
            if (f.severity == core::Finding::Severity::Note) {
                m_err << file << ": " << f.object << ": " << f.message << '\n';
                continue;
            }
            const bool isError = f.severity == core::Finding::Severity::Error;
            errors += isError ? 1 : 0;
            (isError ? m_out : m_err) << file << ": " << f.object << ": " << f.field << ": " << (isError ? "" : "warning: ") << f.message << '\n';
        }
    }
    return errors > 0 ? 1 : 0;
}

int Cli::version(const Options &o)
{
    m_out << "Client Version: kubectl-canary v" << CANARYDECK_VERSION << " (Canary Deck)\n";
    if (o.isSet(QStringLiteral("filename")))
        return 0;
    const auto endpoint = k8s::loadKubeconfig(kubeconfigOptions(o));
    if (!endpoint)
        return fail(endpoint.error().message);
    k8s::KubeClient client(*endpoint);
    const auto version = getBlocking(&client, QStringLiteral("/version"));
    if (!version)
        return fail(version.error().message);
    m_out << "Server Version: " << version->value(QLatin1String("gitVersion")).toString() << '\n';
    const auto discovery = discoverBlocking(&client);
    if (!discovery)
        return fail(discovery.error().message);
    if (!discovery->hasGroup(core::kIstioGroup)) {
        m_out << "Istio API: not installed (the server does not serve " << core::kIstioGroup << ")\n";
        return 0;
    }
    const auto used = core::istioNetworkingVersion(*discovery, client.endpoint().server.toString());
    m_out << "Istio API: " << core::kIstioGroup << '/' << (used ? *used : discovery->preferredVersion(core::kIstioGroup))
          << " (served: " << discovery->versions(core::kIstioGroup).join(QLatin1String(", ")) << ")\n";
    return 0;
}

} // namespace

int run(const QStringList &arguments, QTextStream &out, QTextStream &err)
{
    return Cli(out, err).run(arguments);
}

} // namespace canary::cli
