#include "bench/benchsupport.h"

#include "k8s/kubeclient.h"
#include "k8s/kubereply.h"
#include "k8s/kuberequest.h"

#include <QCoreApplication>
#include <QEventLoop>
#include <QFile>
#include <QFileInfo>
#include <QJsonDocument>

#include <algorithm>
#include <csignal>
#include <cstdio>
#include <malloc.h>
#include <sys/prctl.h>

namespace canary::bench {

double median(QList<double> v)
{
    std::sort(v.begin(), v.end());
    return v.isEmpty() ? 0 : v.at(v.size() / 2);
}

double minimum(const QList<double> &v)
{
    return v.isEmpty() ? 0 : *std::min_element(v.begin(), v.end());
}

double maximum(const QList<double> &v)
{
    return v.isEmpty() ? 0 : *std::max_element(v.begin(), v.end());
}

// Resident memory after handing freed heap back to the system, so that what remains is what is held.
double rssMiB()
{
    malloc_trim(0);
    QFile f(QStringLiteral("/proc/self/status"));
    if (!f.open(QIODevice::ReadOnly))
        return 0;
    for (const QByteArray &line : f.readAll().split('\n')) {
        if (line.startsWith("VmRSS:"))
            return line.mid(6).trimmed().split(' ').value(0).toDouble() / 1024.0;
    }
    return 0;
}

// Runs the event loop until `start` calls the function it is given, or the timeout; false on timeout.
bool runUntilDone(const std::function<void(std::function<void()>)> &start, int timeoutMs)
{
    QEventLoop loop;
    bool done = false;
    bool timedOut = false;
    QTimer timer;
    timer.setSingleShot(true);
    QObject::connect(&timer, &QTimer::timeout, &loop, [&] {
        timedOut = true;
        loop.quit();
    });
    timer.start(timeoutMs);
    start([&] {
        done = true;
        loop.quit();
    });
    if (!done)
        loop.exec();
    return !timedOut;
}

StallMeter::StallMeter()
{
    m_timer.setTimerType(Qt::PreciseTimer);
    m_timer.setInterval(5);
    QObject::connect(&m_timer, &QTimer::timeout, &m_timer, [this] { tick(); });
}

void StallMeter::start()
{
    m_max = 0;
    m_clock.start();
    m_last = 0;
    m_timer.start();
}

double StallMeter::stop()
{
    tick();
    m_timer.stop();
    return m_max;
}

void StallMeter::tick()
{
    const qint64 now = m_clock.nsecsElapsed();
    m_max = std::max(m_max, (now - m_last) / 1e6);
    m_last = now;
}

QStringList createAll(k8s::KubeClient *client, const QList<Create> &creates, int inFlight)
{
    QStringList failures;
    qsizetype next = 0;
    int outstanding = 0;
    std::function<void()> finished;
    std::function<void()> sendNext = [&] {
        while (outstanding < inFlight && next < creates.size()) {
            const Create &c = creates.at(next++);
            k8s::KubeReply *reply
                    = client->send(k8s::KubeRequest::create(c.path, c.body), QStringLiteral("create in ") + c.path);
            ++outstanding;
            QObject::connect(reply, &k8s::KubeReply::finished, client, [&, reply] {
                reply->deleteLater();
                --outstanding;
                if (!reply->ok())
                    failures.append(reply->error().message);
                if (outstanding == 0 && next == creates.size())
                    finished();
                else
                    sendNext();
            });
        }
    };
    const bool inTime = runUntilDone([&](const std::function<void()> &done) {
        finished = done;
        if (creates.isEmpty())
            done();
        else
            sendNext();
    });
    if (!inTime)
        failures.append(QStringLiteral("loading did not finish within %1 s").arg(kTimeoutMs / 1000));
    return failures;
}

QByteArray fill(const char *templ, const QString &name, const QString &ns)
{
    QByteArray out(templ);
    return out.replace("{{name}}", name.toUtf8()).replace("{{ns}}", ns.toUtf8());
}

extern const char kService[];
const char kService[] = R"({"apiVersion":"v1","kind":"Service","metadata":{"name":"{{name}}","namespace":"{{ns}}",
"labels":{"app":"{{name}}"}},"spec":{"selector":{"app":"{{name}}"},"ports":[{"name":"http","port":80,
"targetPort":8080,"protocol":"TCP"}],"type":"ClusterIP"}})";

extern const char kDestinationRule[];
const char kDestinationRule[] = R"({"apiVersion":"networking.istio.io/v1","kind":"DestinationRule","metadata":{
"name":"{{name}}","namespace":"{{ns}}","labels":{"app":"{{name}}"}},"spec":{"host":"{{name}}","subsets":[
{"name":"v1","labels":{"version":"v1"}},{"name":"v2","labels":{"version":"v2"}}]}})";

extern const char kVirtualService[];
const char kVirtualService[] = R"({"apiVersion":"networking.istio.io/v1","kind":"VirtualService","metadata":{
"name":"{{name}}","namespace":"{{ns}}","labels":{"app":"{{name}}"},"annotations":{"canarydeck.io/owner":"team-{{ns}}"}},
"spec":{"hosts":["{{name}}"],"http":[
{"name":"canary-testers","match":[{"headers":{"x-canary":{"exact":"always"}}}],
 "route":[{"destination":{"host":"{{name}}","subset":"v2"}}]},
{"name":"default","retries":{"attempts":3,"perTryTimeout":"2s"},"timeout":"10s",
 "route":[{"destination":{"host":"{{name}}","subset":"v1","port":{"number":80}},"weight":90},
          {"destination":{"host":"{{name}}","subset":"v2","port":{"number":80}},"weight":10}]}]}})";

void appendRelease(QList<Create> &creates, const QString &name, const QString &ns)
{
    const QString istio = QStringLiteral("networking.istio.io");
    creates.append({ k8s::collectionPath({}, QStringLiteral("v1"), ns, QStringLiteral("services")),
                     fill(kService, name, ns) });
    creates.append({ k8s::collectionPath(istio, QStringLiteral("v1"), ns, QStringLiteral("destinationrules")),
                     fill(kDestinationRule, name, ns) });
    creates.append({ k8s::collectionPath(istio, QStringLiteral("v1"), ns, QStringLiteral("virtualservices")),
                     fill(kVirtualService, name, ns) });
}

DemoProcess::DemoProcess(const QString &binary, const QStringList &arguments, const QString &directory)
    : m_kubeconfig(directory + QStringLiteral("/kubeconfig"))
    , m_log(directory + QStringLiteral("/cluster.log"))
{
    const QString demo = QFileInfo(binary).absoluteFilePath();
    if (!QFileInfo(demo).isExecutable()) {
        m_error = QStringLiteral("no demo cluster at %1: build the canarydeck-demo-cluster target, or pass --demo FILE")
                          .arg(demo);
        return;
    }
    m_process.setChildProcessModifier([] { ::prctl(PR_SET_PDEATHSIG, SIGTERM); }); // the cluster dies with us
    m_process.setStandardErrorFile(m_log);
    m_process.start(demo, arguments + QStringList { QStringLiteral("--kubeconfig-out"), m_kubeconfig });
    QByteArray ready;
    QList<QMetaObject::Connection> watching;
    runUntilDone(
            [&](const std::function<void()> &done) {
                watching.append(QObject::connect(&m_process, &QProcess::readyReadStandardOutput, &m_process, [&, done] {
                    while (m_process.canReadLine() && ready.isEmpty()) {
                        const QByteArray line = m_process.readLine().trimmed();
                        if (line.startsWith("READY "))
                            ready = line.mid(6);
                    }
                    if (!ready.isEmpty())
                        done();
                }));
                watching.append(QObject::connect(&m_process, &QProcess::finished, &m_process, [done] { done(); }));
                watching.append(QObject::connect(&m_process, &QProcess::errorOccurred, &m_process, [done] { done(); }));
            },
            60000);
    for (const QMetaObject::Connection &c : std::as_const(watching))
        QObject::disconnect(c);
    if (ready.isEmpty()) {
        QFile log(m_log);
        m_error = QStringLiteral("the demo cluster (%1) did not start: %2 %3")
                          .arg(demo, m_process.errorString(),
                               log.open(QIODevice::ReadOnly) ? QString::fromUtf8(log.readAll()).trimmed() : QString());
        return;
    }
    m_endpoints = QJsonDocument::fromJson(ready).object();
}

DemoProcess::~DemoProcess()
{
    if (m_process.state() != QProcess::NotRunning) {
        m_process.terminate();
        if (!m_process.waitForFinished(5000))
            m_process.kill();
        m_process.waitForFinished();
    }
}

k8s::ClusterEndpoint DemoProcess::endpoint() const
{
    k8s::KubeconfigOptions options;
    options.kubeconfig = m_kubeconfig;
    const auto loaded = k8s::loadKubeconfig(options);
    return loaded ? *loaded : k8s::ClusterEndpoint();
}

} // namespace canary::bench
