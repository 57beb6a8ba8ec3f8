#pragma once

#include "k8s/result.h"

#include <QList>
#include <QString>
#include <QStringList>

namespace canary::k8s {
class Discovery;
}

namespace canary::core {

// The versions of networking.istio.io that Canary Deck reads and writes, newest first.
QStringList knownIstioVersions();

// The networking.istio.io version to read and write: the server's preferred one when it is known, else
// the newest known one it serves (v1, else v1beta1, else v1alpha3). When the group is not served, an
// error that says Istio is not installed on the server (named by its URL).
Result<QString> istioNetworkingVersion(const k8s::Discovery &discovery, const QString &server);

// One kind of object a release is built from, as it is listed or watched in a namespace.
struct ReleaseKind {
    QString group; // empty: the core group
    QString version;
    QString plural;
    QString kind;
    bool optional = false; // a 403 on it is no failure: pods and Deployments add pod counts, the routes are the release
};

// VirtualServices, DestinationRules and Gateways of that Istio version (none when it is empty, as when
// Istio is not installed), then Services, Pods and Deployments.
QList<ReleaseKind> releaseKinds(const QString &istioVersion);

} // namespace canary::core
