#include "cli/canarycli.h"

#include "cli/commands.h"
#include "cli/options.h"
#include "cli/output.h"

namespace canary::cli {

namespace {

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
  status RELEASE [--window 1m] [-o wide|json]       Each version's traffic, success rate, latency and verdict
  validate -f FILE...                               Check Istio objects against Istio's schemas and rules
  version                                           Client, server and Istio API versions

 Conditions (ANDed in one match block):
  --header NAME=VALUE  --header-prefix NAME=VALUE  --header-regex NAME=RE2
  --uri-exact PATH     --uri-prefix PATH           --uri-regex RE2          --query NAME=VALUE

 RELEASE is a VirtualService name, or a host that exactly one VirtualService routes to.
 --route takes a route name or index; the default is the default route (the last route without a match).

 status reads Istio's metrics from Prometheus: --prometheus-url URL, else the kubeconfig cluster
  extension canarydeck.io/prometheus, else a Service prometheus (or prometheus-server, -operated, -k8s)
  in istio-system, monitoring, prometheus or the release's namespace, through the API server's service
  proxy. --count-client-errors counts 4xx as failures; --min-requests N (20) for a verdict.

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

bool isWriteCommand(const QString &command)
{
    return command == QLatin1String("set-weights") || command == QLatin1String("match add")
            || command == QLatin1String("match remove") || command == QLatin1String("mirror")
            || command == QLatin1String("promote");
}

} // namespace

int run(const QStringList &arguments, QTextStream &out, QTextStream &err)
{
    const Console c { out, err };
    const auto parsed = parseOptions(arguments);
    QString command = arguments.value(0).startsWith(QLatin1Char('-')) ? QString() : arguments.value(0);
    if (!parsed)
        return c.usageError(parsed.error().message, command);
    Options o = *parsed;
    if (o.positional.isEmpty() || o.isSet(QStringLiteral("help"))) {
        out << kUsage;
        return 0;
    }
    command = o.positional.takeFirst();
    if (command == QLatin1String("match")) {
        const QString sub = o.positional.value(0);
        if (sub != QLatin1String("add") && sub != QLatin1String("remove"))
            return c.usageError(QStringLiteral("\"kubectl canary match\" needs a subcommand: add or remove"), command);
        o.positional.removeFirst();
        command += QLatin1Char(' ') + sub;
    }
    if (command == QLatin1String("get"))
        return getCommand(c, o);
    if (command == QLatin1String("version"))
        return versionCommand(c, o);
    if (command == QLatin1String("status"))
        return statusCommand(c, o);
    if (command == QLatin1String("history"))
        return historyCommand(c, o);
    if (command == QLatin1String("rollback"))
        return rollbackCommand(c, o);
    if (command == QLatin1String("validate"))
        return validateCommand(c, o);
    if (isWriteCommand(command))
        return writeCommand(c, o, command);
    return c.usageError(QStringLiteral("unknown command \"%1\" for \"kubectl canary\"").arg(command), {});
}

} // namespace canary::cli
