#pragma once

#include "core/apply/releasesource.h"
#include "core/model/release.h"
#include "k8s/result.h"

#include <QObject>
#include <QPointer>

#include <functional>

namespace canary::k8s {
class KubeClient;
class KubeReply;
} // namespace canary::k8s

namespace canary::core {

// One namespace of a cluster as read once: what the releases are built from, and the releases.
struct LoadedReleases {
    QString istioVersion;
    NamespaceSnapshot snapshot;
    QList<Release> releases;
};

// Reads one namespace once (the window keeps it current with watches instead): discovers the Istio
// version, lists every release kind, builds the releases. finished() fires once, after start() returned.
class ReleaseLoader final : public QObject {
    Q_OBJECT
public:
    ReleaseLoader(k8s::KubeClient *client, QString ns, QObject *parent = nullptr);
    void start();
    void cancel();
    bool isFinished() const { return m_finished; }
    const Result<LoadedReleases> &result() const { return m_result; }

Q_SIGNALS:
    void finished();

private:
    void await(k8s::KubeReply *reply, std::function<void()> then);
    void discovered(const QString &istioVersion);
    void list(int index);
    void finish(Result<LoadedReleases> result);

    k8s::KubeClient *m_client;
    LoadedReleases m_loaded;
    QList<ReleaseKind> m_kinds;
    QPointer<QObject> m_inFlight;
    Result<LoadedReleases> m_result = LoadedReleases();
    bool m_finished = false;
};

// Blocking convenience for command-line use: runs a ReleaseLoader in a local event loop.
Result<LoadedReleases> loadReleasesBlocking(k8s::KubeClient *client, const QString &ns);

} // namespace canary::core
