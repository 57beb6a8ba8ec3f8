#include "core/session/releasebuilder.h"

#include <QFutureWatcher>
#include <QPromise>
#include <QThreadPool>

#include <memory>

namespace canary::core {

void ReleaseBuilder::build(const NamespaceSnapshot &snapshot)
{
    const int generation = ++m_generation;
    auto promise = std::make_shared<QPromise<QList<Release>>>();
    auto *watcher = new QFutureWatcher<QList<Release>>(this);
    connect(watcher, &QFutureWatcherBase::finished, this, [this, watcher, generation] {
        watcher->deleteLater();
        if (generation == m_generation && watcher->future().resultCount() > 0)
            Q_EMIT built(watcher->future().takeResult());
    });
    watcher->setFuture(promise->future());
    // The snapshot is copied: the owner's may change meanwhile (Qt's implicit sharing counts atomically).
    QThreadPool::globalInstance()->start([promise, snapshot] {
        promise->start();
        promise->addResult(buildReleases(snapshot));
        promise->finish();
    });
}

} // namespace canary::core
