#include "cli/commands.h"

#include "cli/world.h"
#include "core/apply/releasesource.h"
#include "core/model/istio.h"
#include "k8s/kubeclient.h"

namespace canary::cli {

int versionCommand(const Console &c, const Options &o)
{
    c.out << "Client Version: kubectl-canary v" << CANARYDECK_VERSION << " (Canary Deck)\n";
    if (o.isSet(QStringLiteral("filename")))
        return 0;
    const auto endpoint = k8s::loadKubeconfig(kubeconfigOptions(o));
    if (!endpoint)
        return c.fail(endpoint.error().message);
    k8s::KubeClient client(*endpoint);
    const auto version = getBlocking(&client, QStringLiteral("/version"));
    if (!version)
        return c.fail(version.error().message);
    c.out << "Server Version: " << version->value(QLatin1String("gitVersion")).toString() << '\n';
    const auto discovery = discoverBlocking(&client);
    if (!discovery)
        return c.fail(discovery.error().message);
    if (!discovery->hasGroup(core::kIstioGroup)) {
        c.out << "Istio API: not installed (the server does not serve " << core::kIstioGroup << ")\n";
        return 0;
    }
    const auto used = core::istioNetworkingVersion(*discovery, endpoint->server.toString());
    c.out << "Istio API: " << core::kIstioGroup << '/'
          << (used ? *used : discovery->preferredVersion(core::kIstioGroup))
          << " (served: " << discovery->versions(core::kIstioGroup).join(QLatin1String(", ")) << ")\n";
    return 0;
}

} // namespace canary::cli
