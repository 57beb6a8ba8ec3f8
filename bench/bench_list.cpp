// Figures for listing a big cluster (issue 4): the demo cluster, as a child process, loaded with 2,000 Services,
// DestinationRules and VirtualServices; the time to the first page, the full paginated list, a Reflector's and a
// ReleaseSession's first list, next to `kubectl get vs -A` on the same server; the memory the lists hold; the longest
// event-loop stall while loading. Timings are printed, never judged by the exit code.
#include "bench/benchsupport.h"
#include "core/apply/journal.h"
#include "core/session/releasesession.h"
#include "k8s/kubeclient.h"
#include "k8s/kubeconfig.h"
#include "k8s/kubereply.h"
#include "k8s/reflector.h"

#include <QCommandLineParser>
#include <QCoreApplication>
#include <QDir>
#include <QElapsedTimer>
#include <QEventLoop>
#include <QFile>
#include <QFileInfo>
#include <QJsonArray>
#include <QJsonDocument>
#include <QProcess>
#include <QScopeGuard>
#include <QStandardPaths>
#include <QTemporaryDir>
#include <QTimer>

#include <algorithm>
#include <csignal>
#include <cstdio>
#include <functional>
#include <malloc.h>
#include <memory>
#include <sys/prctl.h>

using namespace canary;
using namespace canary::bench;

namespace {

constexpr int kPageSize = 500;
constexpr int kHistory = 50;

struct ListResult {
    QList<QJsonObject> items;
    int pages = 0;
    qint64 bytes = 0;
    QString error;
};

// As the app lists (Reflector): limit=500 and continue, each page decoded into objects as it arrives.
void fetchPages(k8s::KubeClient *client, const QString &path, const QString &continueToken, bool onePage,
                ListResult *out, const std::function<void()> &done)
{
    k8s::KubeRequest request = k8s::KubeRequest::get(path);
    request.query.addQueryItem(QStringLiteral("limit"), QString::number(kPageSize));
    if (!continueToken.isEmpty())
        request.query.addQueryItem(QStringLiteral("continue"), continueToken);
    k8s::KubeReply *reply = client->send(request, QStringLiteral("list ") + path);
    QObject::connect(reply, &k8s::KubeReply::finished, client, [=] {
        reply->deleteLater();
        if (!reply->ok()) {
            out->error = reply->error().message;
            done();
            return;
        }
        out->bytes += reply->body().size();
        const QJsonObject page = reply->json();
        for (const QJsonValue &item : page.value(QLatin1String("items")).toArray())
            out->items.append(item.toObject());
        ++out->pages;
        const QString next
                = page.value(QLatin1String("metadata")).toObject().value(QLatin1String("continue")).toString();
        if (next.isEmpty() || onePage)
            done();
        else
            fetchPages(client, path, next, onePage, out, done);
    });
}

ListResult listAll(k8s::KubeClient *client, const QString &path, bool onePage = false)
{
    ListResult result;
    if (!runUntilDone([&](const std::function<void()> &done) { fetchPages(client, path, {}, onePage, &result, done); }))
        result.error = QStringLiteral("list %1 did not finish within %2 s").arg(path).arg(kTimeoutMs / 1000);
    return result;
}

struct Figure {
    QString label;
    QList<double> ms;
    QList<double> stalls; // empty: not measured (another process)
};

void printFigure(const Figure &f)
{
    std::printf("  %-44s %9.1f ms %9.1f ms", qPrintable(f.label), median(f.ms), minimum(f.ms));
    if (f.stalls.isEmpty())
        std::printf("      (n/a)");
    else
        std::printf(" %9.1f ms", maximum(f.stalls));
    std::printf("   %lld\n", qint64(f.ms.size()));
}

// ReleaseSession::start() until the releases are published, as a window opening on the namespace.
QString measureSession(const k8s::ClusterEndpoint &endpoint, const QString &journalDir, int expected, int history,
                       Figure *figure, StallMeter &stall)
{
    core::ReleaseSession rs(endpoint, nullptr, journalDir);
    QString failure;
    QElapsedTimer t;
    stall.start();
    t.start();
    const bool finished = runUntilDone([&](const std::function<void()> &done) {
        QObject::connect(&rs, &core::ReleaseSession::releasesChanged, &rs, [done] { done(); });
        QObject::connect(&rs, &core::ReleaseSession::connectionChanged, &rs,
                         [&, done](core::ReleaseSession::Connection c, const QString &detail) {
                             if (c == core::ReleaseSession::Connection::Failed
                                 || c == core::ReleaseSession::Connection::NoIstio) {
                                 failure = detail;
                                 done();
                             }
                         });
        rs.start();
    });
    figure->ms.append(t.nsecsElapsed() / 1e6);
    figure->stalls.append(stall.stop());
    if (!finished || !failure.isEmpty())
        return QStringLiteral("the ReleaseSession did not publish releases: %1")
                .arg(failure.isEmpty() ? QStringLiteral("timed out") : failure);
    if (rs.releases().size() != expected)
        return QStringLiteral("the ReleaseSession published %1 releases, not %2")
                .arg(rs.releases().size())
                .arg(expected);
    const core::Release &r = rs.releases().constFirst();
    if (r.versions.size() != 2 || r.routeWeights(r.defaultRoute) != QList<int> { 90, 10 })
        return QStringLiteral("release %1 has %2 versions, not v1=90 and v2=10").arg(r.name).arg(r.versions.size());
    int rollbackable = 0;
    for (const core::Release &release : rs.releases())
        rollbackable += rs.canRollback(release.name) ? 1 : 0;
    if (rollbackable != qMin(history, expected))
        return QStringLiteral("the ReleaseSession offers %1 rollbacks, the journal holds %2")
                .arg(rollbackable)
                .arg(qMin(history, expected));
    return {};
}

struct KubectlRun {
    double ms = 0;
    int exitCode = -1;
    QByteArray out;
    QByteArray err;
};

KubectlRun runKubectl(const QString &kubectl, const QStringList &args, const QProcessEnvironment &env, bool capture)
{
    QProcess p;
    p.setProcessEnvironment(env);
    if (!capture)
        p.setStandardOutputFile(QProcess::nullDevice());
    KubectlRun run;
    QElapsedTimer t;
    t.start();
    p.start(kubectl, args);
    if (!p.waitForFinished(kTimeoutMs)) {
        p.kill();
        p.waitForFinished();
        run.err = "did not finish: " + p.errorString().toUtf8();
        return run;
    }
    run.ms = t.nsecsElapsed() / 1e6;
    run.exitCode = p.exitStatus() == QProcess::NormalExit ? p.exitCode() : -1;
    run.out = capture ? p.readAllStandardOutput() : QByteArray();
    run.err = p.readAllStandardError();
    return run;
}

int fail(const QString &message)
{
    std::fprintf(stderr, "bench_list: %s\n", qPrintable(message));
    return 1;
}

} // namespace

int main(int argc, char *argv[])
{
    QCoreApplication app(argc, argv);
    QCommandLineParser parser;
    parser.setApplicationDescription(
            QStringLiteral("Listing 2,000 VirtualServices next to kubectl on the demo cluster."));
    parser.addHelpOption();
    const QCommandLineOption demoOption(
            QStringLiteral("demo"), QStringLiteral("The canarydeck-demo-cluster binary."), QStringLiteral("FILE"),
            QCoreApplication::applicationDirPath() + QStringLiteral("/../demo/canarydeck-demo-cluster"));
    const QCommandLineOption kubectlOption(QStringLiteral("kubectl"), QStringLiteral("The kubectl binary."),
                                           QStringLiteral("FILE"), QStringLiteral("kubectl"));
    const QCommandLineOption runsOption(QStringLiteral("runs"), QStringLiteral("Timed runs of each figure."),
                                        QStringLiteral("N"), QStringLiteral("5"));
    const QCommandLineOption namespacesOption(QStringLiteral("namespaces"),
                                              QStringLiteral("Namespaces to spread the objects over."),
                                              QStringLiteral("N"), QStringLiteral("4"));
    const QCommandLineOption perNamespaceOption(QStringLiteral("per-namespace"),
                                                QStringLiteral("Services (and VirtualServices) per namespace."),
                                                QStringLiteral("N"), QStringLiteral("500"));
    parser.addOptions({ demoOption, kubectlOption, runsOption, namespacesOption, perNamespaceOption });
    parser.process(app);
    const int runs = qMax(1, parser.value(runsOption).toInt());
    const int namespaceCount = qMax(1, parser.value(namespacesOption).toInt());
    const int perNamespace = qMax(1, parser.value(perNamespaceOption).toInt());
    const int total = namespaceCount * perNamespace;

    QTemporaryDir tmp;
    if (!tmp.isValid())
        return fail(QStringLiteral("cannot create a temporary directory: %1").arg(tmp.errorString()));
    // History and rollback read a journal under the XDG data directory: keep the benchmark's apart.
    qputenv("XDG_DATA_HOME", tmp.filePath(QStringLiteral("data")).toUtf8());

    // The cluster in a process of its own: its CPU time and memory are not counted as ours.
    DemoProcess demo(parser.value(demoOption),
                     { QStringLiteral("--empty"), QStringLiteral("--users"), QStringLiteral("0") }, tmp.path());
    if (!demo.ok())
        return fail(demo.error());
    const QJsonObject endpoints = demo.endpoints();
    const QString kubeconfig = demo.kubeconfig();
    const k8s::ClusterEndpoint endpoint = demo.endpoint();

    std::printf("Listing benchmark: %d Services, %d DestinationRules and %d VirtualServices in %d namespaces\n", total,
                total, total, namespaceCount);
    std::printf("demo cluster: %s, pid %lld (a child process: its CPU and memory are not ours)\n",
                qPrintable(endpoints.value(QLatin1String("api")).toString()), qint64(demo.pid()));

    // Load: namespaces first, then everything else with 16 requests in flight.
    QStringList namespaces;
    for (int n = 0; n < namespaceCount; ++n)
        namespaces.append(QStringLiteral("bench-%1").arg(n));
    const int inFlight = 16;
    QElapsedTimer loadClock;
    loadClock.start();
    {
        k8s::KubeClient client(endpoint);
        QList<Create> creates;
        for (const QString &ns : std::as_const(namespaces))
            creates.append({ QStringLiteral("/api/v1/namespaces"),
                             QJsonDocument(QJsonObject { { QStringLiteral("apiVersion"), QStringLiteral("v1") },
                                                         { QStringLiteral("kind"), QStringLiteral("Namespace") },
                                                         { QStringLiteral("metadata"),
                                                           QJsonObject { { QStringLiteral("name"), ns } } } })
                                     .toJson(QJsonDocument::Compact) });
        QStringList failures = createAll(&client, creates, inFlight);
        creates.clear();
        for (int i = 0; i < perNamespace; ++i) {
            for (const QString &ns : std::as_const(namespaces)) {
                const QString name = QStringLiteral("svc-%1").arg(i, 4, 10, QLatin1Char('0'));
                appendRelease(creates, name, ns);
            }
        }
        failures += createAll(&client, creates, inFlight);
        if (!failures.isEmpty())
            return fail(QStringLiteral("%1 of %2 creates failed, the first: %3")
                                .arg(failures.size())
                                .arg(creates.size() + namespaceCount)
                                .arg(failures.constFirst()));
        const double loadS = loadClock.nsecsElapsed() / 1e9;
        std::printf("load: %lld objects created in %.2f s (%.0f per second, %d requests in flight)\n\n",
                    qint64(creates.size() + namespaceCount), loadS, (creates.size() + namespaceCount) / loadS,
                    inFlight);
    }

    const QString allVirtualServices = k8s::collectionPath(QStringLiteral("networking.istio.io"), QStringLiteral("v1"),
                                                           {}, QStringLiteral("virtualservices"));
    qint64 listBytes = 0;
    {
        // Untimed: checks what is there and warms up what a running app has warmed up (TLS backend, CA store).
        k8s::KubeClient client(endpoint);
        const ListResult all = listAll(&client, allVirtualServices);
        if (!all.error.isEmpty())
            return fail(all.error);
        if (all.items.size() != total)
            return fail(QStringLiteral("the list holds %1 VirtualServices, not %2").arg(all.items.size()).arg(total));
        const ListResult services
                = listAll(&client, k8s::collectionPath({}, QStringLiteral("v1"), {}, QStringLiteral("services")));
        if (services.items.size() < total)
            return fail(QStringLiteral("the list holds %1 Services, not %2").arg(services.items.size()).arg(total));
        listBytes = all.bytes;
        std::printf(
                "list of all VirtualServices: %lld items in %d pages of up to %d, %.2f MiB of JSON (%.0f KiB a page; "
                "gzip on the wire, as kube-apiserver sends it)\n\n",
                qint64(all.items.size()), all.pages, kPageSize, all.bytes / 1048576.0, all.bytes / 1024.0 / all.pages);
    }

    StallMeter stall;
    Figure firstPage { QStringLiteral("(a) first page, limit=500, all namespaces"), {}, {} };
    Figure fullList { QStringLiteral("(b) full list, limit=500 + continue, decoded"), {}, {} };
    Figure watchList { QStringLiteral("(c) Reflector start -> first resynced()"), {}, {} };
    Figure session { QStringLiteral("(d) ReleaseSession start -> %1 releases").arg(perNamespace), {}, {} };
    Figure sessionWithHistory { QStringLiteral("(d') the same, journal of %1 applied changes").arg(kHistory), {}, {} };
    Figure kubectlTable { QStringLiteral("(e) kubectl get vs -A"), {}, {} };
    Figure kubectlJson { QStringLiteral("(f) kubectl get vs -A -o json"), {}, {} };

    k8s::ClusterEndpoint sessionEndpoint = endpoint;
    sessionEndpoint.ns = namespaces.constFirst();
    // A user who has applied changes before: the window reads the journal to offer rollbacks.
    const QString historyDir = tmp.filePath(QStringLiteral("history"));
    {
        core::Journal journal(historyDir);
        for (int i = 0; i < kHistory; ++i) {
            const QString name = QStringLiteral("svc-%1").arg(i % perNamespace, 4, 10, QLatin1Char('0'));
            core::JournalEntry entry;
            entry.context = endpoint.contextName;
            entry.server = endpoint.server.toString();
            entry.ns = sessionEndpoint.ns;
            entry.release = name;
            entry.summary = QStringLiteral("v1=80 v2=20");
            const QJsonObject vs = QJsonDocument::fromJson(fill(kVirtualService, name, sessionEndpoint.ns)).object();
            entry.plan.steps.append(
                    core::PlanStep { QStringLiteral("VirtualService"), name,
                                     k8s::objectPath(QStringLiteral("networking.istio.io"), QStringLiteral("v1"),
                                                     sessionEndpoint.ns, QStringLiteral("virtualservices"), name),
                                     vs, vs, QStringLiteral("set weights") });
            if (const auto recorded = journal.record(entry); !recorded)
                return fail(recorded.error().message);
        }
    }

    // Each run uses a new client, as a new window does: a new connection and TLS handshake, like each kubectl run.
    for (int run = 0; run < runs; ++run) {
        {
            k8s::KubeClient client(endpoint);
            QElapsedTimer t;
            stall.start();
            t.start();
            const ListResult page = listAll(&client, allVirtualServices, true);
            firstPage.ms.append(t.nsecsElapsed() / 1e6);
            firstPage.stalls.append(stall.stop());
            if (!page.error.isEmpty() || page.items.size() != qMin(total, kPageSize))
                return fail(QStringLiteral("first page: %1 items (%2)").arg(page.items.size()).arg(page.error));
        }
        {
            k8s::KubeClient client(endpoint);
            QElapsedTimer t;
            stall.start();
            t.start();
            const ListResult all = listAll(&client, allVirtualServices);
            fullList.ms.append(t.nsecsElapsed() / 1e6);
            fullList.stalls.append(stall.stop());
            if (!all.error.isEmpty() || all.items.size() != total)
                return fail(QStringLiteral("full list: %1 items (%2)").arg(all.items.size()).arg(all.error));
        }
        {
            k8s::KubeClient client(endpoint);
            auto watch = std::make_unique<k8s::Reflector>(&client, allVirtualServices);
            qsizetype listed = -1;
            QElapsedTimer t;
            stall.start();
            t.start();
            const bool finished = runUntilDone([&](const std::function<void()> &done) {
                QObject::connect(watch.get(), &k8s::Reflector::resynced, watch.get(), [&, done] {
                    listed = watch->size();
                    done();
                });
                watch->start();
            });
            watchList.ms.append(t.nsecsElapsed() / 1e6);
            watchList.stalls.append(stall.stop());
            if (!finished || listed != total)
                return fail(QStringLiteral("Reflector listed %1 VirtualServices, not %2").arg(listed).arg(total));
        }
        if (const QString error = measureSession(sessionEndpoint, tmp.filePath(QStringLiteral("journal")), perNamespace,
                                                 0, &session, stall);
            !error.isEmpty())
            return fail(error);
        if (const QString error
            = measureSession(sessionEndpoint, historyDir, perNamespace, kHistory, &sessionWithHistory, stall);
            !error.isEmpty())
            return fail(error);
    }

    const QString kubectl = QStandardPaths::findExecutable(parser.value(kubectlOption)).isEmpty()
            ? parser.value(kubectlOption)
            : QStandardPaths::findExecutable(parser.value(kubectlOption));
    const bool haveKubectl = QFileInfo(kubectl).isExecutable();
    if (haveKubectl) {
        QProcessEnvironment env = QProcessEnvironment::systemEnvironment();
        env.insert(QStringLiteral("KUBECONFIG"), kubeconfig);
        env.insert(QStringLiteral("KUBECACHEDIR"),
                   tmp.filePath(QStringLiteral("kube-cache"))); // not the user's ~/.kube/cache
        const QStringList table { QStringLiteral("get"), QStringLiteral("vs"), QStringLiteral("-A") };
        const QStringList json = table + QStringList { QStringLiteral("-o"), QStringLiteral("json") };
        // Untimed: checks the output and fills kubectl's discovery cache, as any kubectl user's is.
        const KubectlRun checkTable = runKubectl(kubectl, table, env, true);
        if (checkTable.exitCode != 0)
            return fail(QStringLiteral("kubectl get vs -A exited with %1: %2")
                                .arg(checkTable.exitCode)
                                .arg(QString::fromUtf8(checkTable.err)));
        if (checkTable.out.count('\n') != total + 1)
            return fail(QStringLiteral("kubectl get vs -A printed %1 lines, not %2")
                                .arg(checkTable.out.count('\n'))
                                .arg(total + 1));
        const KubectlRun checkJson = runKubectl(kubectl, json, env, true);
        const qsizetype jsonItems
                = QJsonDocument::fromJson(checkJson.out).object().value(QLatin1String("items")).toArray().size();
        if (checkJson.exitCode != 0 || jsonItems != total)
            return fail(QStringLiteral("kubectl get vs -A -o json exited with %1 and listed %2 items: %3")
                                .arg(checkJson.exitCode)
                                .arg(jsonItems)
                                .arg(QString::fromUtf8(checkJson.err)));
        for (int run = 0; run < runs; ++run) {
            for (auto [figure, args] : { std::pair { &kubectlTable, table }, std::pair { &kubectlJson, json } }) {
                const KubectlRun r = runKubectl(kubectl, args, env, false);
                if (r.exitCode != 0)
                    return fail(QStringLiteral("kubectl %1 exited with %2: %3")
                                        .arg(args.join(QLatin1Char(' ')))
                                        .arg(r.exitCode)
                                        .arg(QString::fromUtf8(r.err)));
                figure->ms.append(r.ms);
            }
        }
    }

    // Memory held: the full list decoded, then what a window's session holds for one namespace.
    double listHeldMiB = 0;
    double sessionHeldMiB = 0;
    double rssStart = 0;
    double rssList = 0;
    double rssSession = 0;
    {
        k8s::KubeClient client(endpoint);
        listAll(&client, allVirtualServices, true); // the connection and its buffers are not the list's
        rssStart = rssMiB();
        const ListResult held = listAll(&client, allVirtualServices);
        rssList = rssMiB();
        listHeldMiB = rssList - rssStart;
        if (held.items.size() != total)
            return fail(QStringLiteral("memory: the list holds %1 items").arg(held.items.size()));
    }
    {
        const double before = rssMiB();
        core::ReleaseSession rs(sessionEndpoint, nullptr, tmp.filePath(QStringLiteral("journal")));
        runUntilDone([&](const std::function<void()> &done) {
            QObject::connect(&rs, &core::ReleaseSession::releasesChanged, &rs, [done] { done(); });
            rs.start();
        });
        rssSession = rssMiB();
        sessionHeldMiB = rssSession - before;
        if (rs.releases().size() != perNamespace)
            return fail(QStringLiteral("memory: the session holds %1 releases").arg(rs.releases().size()));
    }

    std::printf("%-46s %12s %12s %12s %5s\n", "", "median", "min", "max stall", "runs");
    for (const Figure *f : { &firstPage, &fullList, &watchList, &session, &sessionWithHistory })
        printFigure(*f);
    if (haveKubectl) {
        printFigure(kubectlTable);
        printFigure(kubectlJson);
    } else {
        std::printf("  (e), (f): kubectl not found (%s): skipped\n", qPrintable(kubectl));
    }
    std::printf(
            "  (a)-(d): a new client each run (new connection and TLS handshake), as a new window;\n"
            "  (d) also discovers the API, lists Services, pods, Deployments, DestinationRules and Gateways of %s\n"
            "      and waits for the session's 30 ms rebuild debounce;\n"
            "  (e), (f): a new kubectl process each run (start-up included), discovery cached by one untimed run.\n\n",
            qPrintable(namespaces.constFirst()));

    if (haveKubectl) {
        std::printf("ours vs kubectl (median / median; target: at most 1.00)\n");
        const auto ratio = [](const char *what, const Figure &ours, const Figure &theirs) {
            const double r = median(ours.ms) / median(theirs.ms);
            std::printf("  %-58s %5.2f  %s\n", what, r, r <= 1.0 ? "met" : "NOT MET");
        };
        ratio("(b) full list            / (e) kubectl get vs -A", fullList, kubectlTable);
        ratio("(c) Reflector first list / (e) kubectl get vs -A", watchList, kubectlTable);
        ratio("(b) full list            / (f) kubectl get vs -A -o json", fullList, kubectlJson);
        ratio("(a) first page           / (e) kubectl get vs -A", firstPage, kubectlTable);
        std::printf("\n");
    }

    std::printf("memory held (VmRSS after malloc_trim)\n");
    std::printf(
            "  %d VirtualServices decoded (b):   %+7.1f MiB (%.1f -> %.1f MiB; %.1f KiB per object, %.1fx its JSON)\n",
            total, listHeldMiB, rssStart, rssList, listHeldMiB * 1024 / total,
            listHeldMiB * 1048576.0 / qMax<qint64>(1, listBytes));
    std::printf("  ReleaseSession with %d releases: %+7.1f MiB (-> %.1f MiB; client, watches, snapshot, releases)\n\n",
                perNamespace, sessionHeldMiB, rssSession);

    std::printf("event loop while loading (5 ms timer, longest gap between ticks; target: under 50 ms)\n");
    for (const Figure *f : { &firstPage, &fullList, &watchList, &session, &sessionWithHistory }) {
        const double worst = maximum(f->stalls);
        std::printf("  %-44s %7.1f ms  %s\n", qPrintable(f->label), worst, worst < 50 ? "under 50 ms" : "OVER 50 ms");
    }
    return 0;
}
