#include "core/apply/releasesource.h"

#include "core/model/istio.h"
#include "k8s/discovery.h"

#include <QCoreApplication>

namespace canary::core {

QStringList knownIstioVersions()
{
    return { QStringLiteral("v1"), QStringLiteral("v1beta1"), QStringLiteral("v1alpha3") };
}

Result<QString> istioNetworkingVersion(const k8s::Discovery &discovery, const QString &server)
{
    if (!discovery.hasGroup(kIstioGroup))
        return makeError(QCoreApplication::translate("ReleaseSource",
                                                     "the server at %1 does not serve %2: Istio is "
                                                     "not installed in this cluster (or its CRDs "
                                                     "are missing)")
                                 .arg(server, kIstioGroup));
    const QStringList known = knownIstioVersions();
    const QString preferred = discovery.preferredVersion(kIstioGroup);
    if (known.contains(preferred))
        return preferred;
    for (const QString &version : known) {
        if (discovery.serves(kIstioGroup, version))
            return version;
    }
    return makeError(QCoreApplication::translate("ReleaseSource",
                                                 "the server at %1 serves %2 only as %3; Canary "
                                                 "Deck reads and writes %4")
                             .arg(server, kIstioGroup, discovery.versions(kIstioGroup).join(QLatin1String(", ")),
                                  known.join(QLatin1String(", "))));
}

QList<ReleaseKind> releaseKinds(const QString &istioVersion)
{
    QList<ReleaseKind> kinds;
    if (!istioVersion.isEmpty()) {
        const auto istio = [&istioVersion](const QString &plural, const QString &kind, bool optional) {
            return ReleaseKind { kIstioGroup, istioVersion, plural, kind, optional };
        };
        kinds = { istio(QStringLiteral("virtualservices"), QStringLiteral("VirtualService"), false),
                  istio(QStringLiteral("destinationrules"), QStringLiteral("DestinationRule"), false),
                  istio(QStringLiteral("gateways"), QStringLiteral("Gateway"), true) };
    }
    const QString v1 = QStringLiteral("v1");
    kinds += { { {}, v1, QStringLiteral("services"), QStringLiteral("Service"), true },
               { {}, v1, QStringLiteral("pods"), QStringLiteral("Pod"), true },
               { QStringLiteral("apps"), v1, QStringLiteral("deployments"), QStringLiteral("Deployment"), true } };
    return kinds;
}

} // namespace canary::core
