// YAML import and the release model on arbitrary bytes: parse, build releases, edit, validate, render.
#include "core/edit/releaseedits.h"
#include "core/edit/weights.h"
#include "core/model/release.h"
#include "core/model/validation.h"
#include "k8s/yaml.h"

#include <cstdint>

using namespace canary;

extern "C" int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    const auto docs = k8s::parseYamlDocuments(QByteArray(reinterpret_cast<const char *>(data), qsizetype(size)));
    if (!docs)
        return 0;
    core::NamespaceSnapshot s;
    for (const QJsonObject &d : *docs)
        core::addToSnapshot(s, d);
    (void)core::validateDocuments(*docs);
    for (const core::Release &r : core::buildReleases(s)) {
        QMap<QString, int> weights;
        const QList<int> split = core::normalizeWeights(QList<double>(r.versions.size(), 1.0));
        for (int i = 0; i < r.versions.size(); ++i)
            weights.insert(r.versions.at(i).name, split.value(i));
        for (const core::ReleaseRoute &route : r.routes)
            (void)core::setRouteWeights(r, route.index, weights);
        if (!r.versions.isEmpty()) {
            const QString v = r.versions.constLast().name;
            if (const auto promoted = core::promoteVersion(r, v))
                (void)k8s::renderYaml(*promoted);
            (void)core::addMatchRoute(
                    r, v,
                    { core::MatchCondition { core::MatchCondition::Field::Header, core::MatchCondition::Kind::Regex,
                                             QStringLiteral("x-a"), QStringLiteral("b.*") } });
            (void)core::setMirror(r, r.defaultRoute, v, 12.5);
            (void)core::withSubsetsFor(r, r.vs);
        }
        (void)core::validateRelease(r, r.vs, true);
        (void)k8s::renderYaml(r.vs);
    }
    return 0;
}
