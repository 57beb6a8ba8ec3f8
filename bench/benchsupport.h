#pragma once

// What the benchmarks share: the demo cluster as a child process, loading it with objects, the
// process's resident memory, and the longest event-loop stall.
#include "k8s/kubeconfig.h"

#include <QByteArray>
#include <QElapsedTimer>
#include <QJsonObject>
#include <QList>
#include <QProcess>
#include <QString>
#include <QStringList>
#include <QTemporaryDir>
#include <QTimer>

#include <functional>

namespace canary::k8s {
class KubeClient;
}

namespace canary::bench {

constexpr int kTimeoutMs = 120000;

double median(QList<double> v);
double minimum(const QList<double> &v);
double maximum(const QList<double> &v);
// Resident memory after handing freed heap back to the system, so that what remains is what is held.
double rssMiB();

// The longest gap between ticks of a 5 ms timer: how long the event loop (the window, in the app) could not run.
class StallMeter final {
public:
    StallMeter();
    void start();
    double stop();

private:
    void tick();
    QTimer m_timer;
    QElapsedTimer m_clock;
    qint64 m_last = 0;
    double m_max = 0;
};

// Runs the event loop until `start` calls the function it is given, or the timeout; false on timeout.
bool runUntilDone(const std::function<void(std::function<void()>)> &start, int timeoutMs = kTimeoutMs);

struct Create {
    QString path;
    QByteArray body;
};
// Sends the creates with `inFlight` requests outstanding; returns the failures.
QStringList createAll(k8s::KubeClient *client, const QList<Create> &creates, int inFlight);
QByteArray fill(const char *templ, const QString &name, const QString &ns);
// The Service, DestinationRule and VirtualService of one release named `name`.
void appendRelease(QList<Create> &creates, const QString &name, const QString &ns);

extern const char kService[];
extern const char kDestinationRule[];
extern const char kVirtualService[];

// The demo cluster in a process of its own (its CPU time and memory are not the benchmark's), dying with it.
class DemoProcess final {
public:
    DemoProcess(const QString &binary, const QStringList &arguments, const QString &directory);
    ~DemoProcess();
    bool ok() const { return !m_endpoints.isEmpty(); }
    QString error() const { return m_error; }
    QJsonObject endpoints() const { return m_endpoints; }
    QString kubeconfig() const { return m_kubeconfig; }
    k8s::ClusterEndpoint endpoint() const;
    qint64 pid() const { return m_process.processId(); }

private:
    QProcess m_process;
    QString m_kubeconfig;
    QString m_log;
    QJsonObject m_endpoints;
    QString m_error;
};

} // namespace canary::bench
