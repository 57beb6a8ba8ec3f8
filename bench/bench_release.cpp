// Figures for the release editor: parse, build releases and render 1,000 VirtualServices with 10 routes
// each; the time from a slider move to an updated YAML preview and diff for a 500-line object.
#include "core/edit/releaseedits.h"
#include "core/edit/weights.h"
#include "core/model/release.h"
#include "core/model/yamldiff.h"
#include "k8s/yaml.h"

#include <QCoreApplication>
#include <QElapsedTimer>
#include <QJsonArray>

#include <algorithm>
#include <cstdio>

using namespace canary;

namespace {

QByteArray virtualService(int n, int routes)
{
    QByteArray y = "apiVersion: networking.istio.io/v1\nkind: VirtualService\nmetadata:\n  name: svc-"
            + QByteArray::number(n) + "\n  namespace: shop\nspec:\n  hosts:\n  - svc-" + QByteArray::number(n)
            + "\n  http:\n";
    for (int r = 0; r < routes - 1; ++r)
        y += "  - name: r" + QByteArray::number(r)
                + "\n    match:\n    - headers:\n        x-tenant:\n          exact: t" + QByteArray::number(r)
                + "\n      uri:\n        prefix: /api/v" + QByteArray::number(r)
                + "\n    retries:\n      attempts: 3\n      perTryTimeout: 2s\n"
                  "    timeout: 10s\n    route:\n    - destination:\n        host: svc-"
                + QByteArray::number(n)
                + "\n        subset: v1\n      weight: 90\n"
                  "    - destination:\n        host: svc-"
                + QByteArray::number(n) + "\n        subset: v2\n      weight: 10\n";
    y += "  - route:\n    - destination:\n        host: svc-" + QByteArray::number(n)
            + "\n        subset: v1\n      weight: 80\n"
              "    - destination:\n        host: svc-"
            + QByteArray::number(n) + "\n        subset: v2\n      weight: 20\n";
    return y;
}

QByteArray destinationRule(int n)
{
    return "apiVersion: networking.istio.io/v1\nkind: DestinationRule\nmetadata:\n  name: svc-" + QByteArray::number(n)
            + "\n  namespace: shop\nspec:\n  host: svc-" + QByteArray::number(n)
            + "\n  subsets:\n  - name: v1\n    labels:\n      version: v1\n  - name: v2\n    labels:\n      version: "
              "v2\n";
}

double median(QList<double> v)
{
    std::sort(v.begin(), v.end());
    return v.at(v.size() / 2);
}

} // namespace

int main(int argc, char *argv[])
{
    QCoreApplication app(argc, argv);
    QByteArray stream;
    for (int i = 0; i < 1000; ++i)
        stream += virtualService(i, 10) + "---\n" + destinationRule(i) + "---\n";
    std::printf("input: 1000 VirtualServices x 10 routes + 1000 DestinationRules, %.1f MiB of YAML\n",
                stream.size() / 1048576.0);

    QElapsedTimer t;
    t.start();
    const auto docs = k8s::parseYamlDocuments(stream);
    const double parseMs = t.nsecsElapsed() / 1e6;
    if (!docs) {
        std::fprintf(stderr, "parse failed: %s\n", qPrintable(docs.error().message));
        return 1;
    }
    core::NamespaceSnapshot snapshot;
    snapshot.ns = QStringLiteral("shop");
    for (const QJsonObject &d : *docs)
        (d.value(QLatin1String("kind")).toString() == QLatin1String("VirtualService") ? snapshot.virtualServices
                                                                                      : snapshot.destinationRules)
                .append(d);
    t.restart();
    const QList<core::Release> releases = core::buildReleases(snapshot);
    const double buildMs = t.nsecsElapsed() / 1e6;
    t.restart();
    qsizetype bytes = 0;
    for (const core::Release &r : releases)
        bytes += k8s::renderYaml(r.vs).size();
    const double renderMs = t.nsecsElapsed() / 1e6;
    std::printf("parse YAML:      %8.1f ms\nbuild releases:  %8.1f ms (%lld releases)\nrender YAML:     %8.1f ms (%lld "
                "bytes)\n",
                parseMs, buildMs, qint64(releases.size()), renderMs, qint64(bytes));
    std::printf("total:           %8.1f ms for 1000 VirtualServices\n", parseMs + buildMs + renderMs);

    // One 500-line object: a slider move is weights arithmetic, the edit, YAML rendering and a line diff.
    const auto big = k8s::parseYamlDocuments(virtualService(0, 25) + "---\n" + destinationRule(0));
    core::NamespaceSnapshot one;
    one.ns = QStringLiteral("shop");
    one.virtualServices = { big->at(0) };
    one.destinationRules = { big->at(1) };
    const core::Release release = core::buildReleases(one).constFirst();
    const QString liveYaml = core::reviewYaml(release.vs);
    std::printf("\nslider move -> YAML preview + diff, object of %lld lines:\n",
                qint64(liveYaml.count(QLatin1Char('\n'))));
    QList<double> samples;
    QList<int> weights = release.routeWeights(release.defaultRoute);
    for (int i = 0; i < 400; ++i) {
        t.restart();
        weights = core::redistributeWeights(weights, 1, i % 101);
        const auto edited = core::setRouteWeights(
                release, release.defaultRoute,
                { { QStringLiteral("v1"), weights.at(0) }, { QStringLiteral("v2"), weights.at(1) } });
        const QString after = core::reviewYaml(*edited);
        const QList<core::DiffLine> diff
                = core::diffLines(liveYaml.split(QLatin1Char('\n')), after.split(QLatin1Char('\n')));
        samples.append(t.nsecsElapsed() / 1e6);
        if (diff.isEmpty())
            return 1;
    }
    std::sort(samples.begin(), samples.end());
    std::printf("median %.2f ms, p99 %.2f ms, max %.2f ms (target: under 16 ms, one frame)\n", median(samples),
                samples.at(int(samples.size() * 0.99)), samples.constLast());
    return 0;
}
