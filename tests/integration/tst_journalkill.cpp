#include "core/apply/journal.h"
#include "tests/support/testcluster.h"

#include <QDir>
#include <QProcess>
#include <QRandomGenerator>
#include <QtTest>

#include <algorithm>

#include <csignal>

using namespace canary;

// kubectl-canary killed with SIGKILL at random points of an apply, 50 times: the journal is never corrupt,
// and history and rollback still work.
class TestJournalKill : public QObject {
    Q_OBJECT
private Q_SLOTS:
    void killDuringApply();
};

namespace {

int runCanary(const QStringList &args, const QString &dataHome, QString *out = nullptr, QString *err = nullptr)
{
    QProcess p;
    QProcessEnvironment env = QProcessEnvironment::systemEnvironment();
    env.insert(QStringLiteral("XDG_DATA_HOME"), dataHome);
    p.setProcessEnvironment(env);
    p.start(QStringLiteral(CANARYDECK_CLI_BINARY), args);
    p.waitForFinished(60000);
    if (out)
        *out = QString::fromUtf8(p.readAllStandardOutput());
    if (err)
        *err = QString::fromUtf8(p.readAllStandardError());
    return p.exitStatus() == QProcess::NormalExit ? p.exitCode() : -1;
}

} // namespace

void TestJournalKill::killDuringApply()
{
    test::TestCluster cluster(0);
    QVERIFY2(cluster.ok(), qPrintable(cluster.error()));
    QTemporaryDir data;
    const QString kc = cluster.endpoints().kubeconfig;
    QRandomGenerator rng(20261124);
    // How long one apply takes here (sanitizers slow it down several times): kill points span it.
    QElapsedTimer timer;
    timer.start();
    QString out;
    QString err;
    QCOMPARE(runCanary({ QStringLiteral("set-weights"), QStringLiteral("greeting"), QStringLiteral("safe=90"),
                         QStringLiteral("risky=10"), QStringLiteral("--kubeconfig"), kc },
                       data.path(), &out, &err),
             0);
    // The first run is slow (cold connections, first reads on both sides): time warm ones, so that
    // the kill points below fall inside an apply rather than mostly after it.
    QList<qint64> times;
    for (int safe : { 80, 70, 60 }) {
        timer.restart();
        QCOMPARE(runCanary({ QStringLiteral("set-weights"), QStringLiteral("greeting"),
                             QStringLiteral("safe=%1").arg(safe), QStringLiteral("risky=%1").arg(100 - safe),
                             QStringLiteral("--kubeconfig"), kc },
                           data.path(), &out, &err),
                 0);
        times.append(timer.elapsed());
    }
    std::sort(times.begin(), times.end());
    const int applyMs = int(times.at(1));
    int killed = 0;
    int completed = 4;
    for (int run = 0; run < 50; ++run) {
        const int safe = rng.bounded(101);
        QProcess p;
        QProcessEnvironment env = QProcessEnvironment::systemEnvironment();
        env.insert(QStringLiteral("XDG_DATA_HOME"), data.path());
        p.setProcessEnvironment(env);
        p.start(QStringLiteral(CANARYDECK_CLI_BINARY),
                { QStringLiteral("set-weights"), QStringLiteral("greeting"), QStringLiteral("safe=%1").arg(safe),
                  QStringLiteral("risky=%1").arg(100 - safe), QStringLiteral("--kubeconfig"), kc });
        QVERIFY(p.waitForStarted(10000));
        // Kill anywhere in the command, or not at all.
        const int delayMs = rng.bounded(applyMs * 13 / 10 + 1);
        if (!p.waitForFinished(delayMs)) {
            ::kill(pid_t(p.processId()), SIGKILL);
            ++killed;
        } else {
            ++completed;
        }
        p.waitForFinished(10000);
        // After every run, whatever the moment of the kill: every journal file reads back.
        const core::Journal journal(data.path() + QStringLiteral("/canarydeck/journal"));
        const QList<core::JournalEntry> entries = journal.entries();
        QVERIFY2(journal.skippedFiles().isEmpty(), qPrintable(journal.skippedFiles().join(QLatin1Char(' '))));
        for (const core::JournalEntry &e : entries)
            QVERIFY(!e.plan.steps.isEmpty() && !e.plan.steps.constFirst().after.isEmpty());
    }
    qInfo("one apply takes %d ms; %d runs killed, %d completed", applyMs, killed, completed);
    QVERIFY(killed >= 5);
    QCOMPARE(runCanary({ QStringLiteral("history"), QStringLiteral("greeting"), QStringLiteral("--kubeconfig"), kc },
                       data.path(), &out, &err),
             0);
    QVERIFY2(err.isEmpty(), qPrintable(err));
    // Rollback works: at once, or, when a kill came between the write and the journal, it says the
    // live object changed since the last recorded apply, and --force restores that apply's before.
    const int rolled
            = runCanary({ QStringLiteral("rollback"), QStringLiteral("greeting"), QStringLiteral("--kubeconfig"), kc },
                        data.path(), &out, &err);
    if (rolled != 0)
        QVERIFY2(err.contains(QLatin1String("changed after")) || err.contains(QLatin1String("no applied change")),
                 qPrintable(err));
    {
        QCOMPARE(runCanary({ QStringLiteral("rollback"), QStringLiteral("greeting"), QStringLiteral("--kubeconfig"), kc,
                             QStringLiteral("--force") },
                           data.path(), &out, &err),
                 0);
        QCOMPARE(out, QStringLiteral("virtualservice.networking.istio.io/greeting rolled back\n"));
    }
}

QTEST_GUILESS_MAIN(TestJournalKill)
#include "tst_journalkill.moc"
