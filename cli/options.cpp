#include "cli/options.h"

#include <QRegularExpression>

namespace canary::cli {

namespace {

struct Flag {
    const char *name;
    char shortName;
    bool takesValue;
};

const Flag kFlags[] = {
    { "kubeconfig", 0, true },
    { "context", 0, true },
    { "cluster", 0, true },
    { "user", 0, true },
    { "namespace", 'n', true },
    { "request-timeout", 0, true },
    { "insecure-skip-tls-verify", 0, false },
    { "filename", 'f', true },
    { "output", 'o', true },
    { "dry-run", 0, true },
    { "diff", 0, false },
    { "route", 0, true },
    { "to", 0, true },
    { "percent", 0, true },
    { "name", 0, true },
    { "force", 0, false },
    { "header", 0, true },
    { "header-prefix", 0, true },
    { "header-regex", 0, true },
    { "uri-exact", 0, true },
    { "uri-prefix", 0, true },
    { "uri-regex", 0, true },
    { "query", 0, true },
    { "help", 'h', false },
    { "window", 0, true },
    { "prometheus-url", 0, true },
    { "metrics-url", 0, true },
    { "count-client-errors", 0, false },
    { "min-requests", 0, true },
    { "server-side", 0, false },
    { "force-conflicts", 0, false },
};

const Flag *findFlag(const QString &name, QChar shortName)
{
    for (const Flag &f : kFlags) {
        if ((!name.isEmpty() && name == QLatin1String(f.name))
            || (!shortName.isNull() && f.shortName && shortName == QLatin1Char(f.shortName)))
            return &f;
    }
    return nullptr;
}

// One flag at args[i] (which may take the next argument as its value, moving i on).
Result<bool> parseFlag(const QStringList &args, int &i, Options &o)
{
    const QString a = args.at(i);
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
        return makeError(
                QStringLiteral("unknown %1: %2")
                        .arg(isLong ? QStringLiteral("flag") : QStringLiteral("shorthand flag"),
                             isLong ? a.section(QLatin1Char('='), 0, 0) : QStringLiteral("'%1' in %2").arg(name, a)));
    const QString canonical = QLatin1String(flag->name);
    if (flag->takesValue) {
        if (hasInline)
            o.values.append({ canonical, inlineValue });
        else if (canonical == QLatin1String("dry-run"))
            o.values.append({ canonical, QStringLiteral("client") });
        else if (i + 1 < args.size())
            o.values.append({ canonical, args.at(++i) });
        else
            return makeError(QStringLiteral("flag needs an argument: %1").arg(a));
        return true;
    }
    if (hasInline && inlineValue != QLatin1String("true") && inlineValue != QLatin1String("false"))
        return makeError(QStringLiteral("invalid argument \"%1\" for \"%2\" flag: expected true or false")
                                 .arg(inlineValue, a.section(QLatin1Char('='), 0, 0)));
    if (!hasInline || inlineValue == QLatin1String("true"))
        o.values.append({ canonical, QStringLiteral("true") });
    return true;
}

} // namespace

QString Options::value(const QString &name) const
{
    for (auto it = values.crbegin(); it != values.crend(); ++it) {
        if (it->first == name)
            return it->second;
    }
    return {};
}

QStringList Options::all(const QString &name) const
{
    QStringList out;
    for (const auto &v : values) {
        if (v.first == name)
            out.append(v.second);
    }
    return out;
}

bool Options::isSet(const QString &name) const
{
    for (const auto &v : values) {
        if (v.first == name)
            return true;
    }
    return false;
}

Result<Options> parseOptions(const QStringList &args)
{
    Options o;
    for (int i = 0; i < args.size(); ++i) {
        const QString a = args.at(i);
        if (a == QLatin1String("--")) {
            o.positional.append(args.mid(i + 1));
            break;
        }
        if (a.startsWith(QLatin1String("--")) || (a.startsWith(QLatin1Char('-')) && a.size() > 1)) {
            const Result<bool> parsed = parseFlag(args, i, o);
            if (!parsed)
                return parsed.error();
            continue;
        }
        o.positional.append(a);
    }
    return o;
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

Result<QString> dryRunOption(const Options &o)
{
    const QString dryRun = o.value(QStringLiteral("dry-run"));
    if (!dryRun.isEmpty() && dryRun != QLatin1String("none") && dryRun != QLatin1String("client")
        && dryRun != QLatin1String("server"))
        return makeError(
                QStringLiteral("Invalid dry-run value (%1). Must be \"none\", \"server\", or \"client\".").arg(dryRun));
    return dryRun;
}

Result<int> parseTimeout(const QString &text)
{
    if (text.isEmpty() || text == QLatin1String("0"))
        return 0;
    static const QRegularExpression re(QStringLiteral("^([0-9]+(?:\\.[0-9]+)?)(ms|s|m|h)?$"));
    const auto m = re.match(text);
    if (!m.hasMatch())
        return makeError(
                QStringLiteral("invalid --request-timeout \"%1\": use a duration such as 30s, 1m or 500ms").arg(text));
    const double n = m.captured(1).toDouble();
    const QString unit = m.captured(2);
    const double ms = unit == QLatin1String("ms") ? n
            : unit == QLatin1String("m")          ? n * 60000
            : unit == QLatin1String("h")          ? n * 3600000
                                                  : n * 1000;
    return int(ms);
}

} // namespace canary::cli
