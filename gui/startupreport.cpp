#include "gui/startupreport.h"

#include <QAbstractItemModel>
#include <QCoreApplication>
#include <QFile>
#include <QJsonDocument>
#include <QJsonObject>

#include <cstdio>

namespace canary::gui {

namespace {

double residentMiB()
{
    QFile f(QStringLiteral("/proc/self/status"));
    if (!f.open(QIODevice::ReadOnly))
        return 0;
    for (const QByteArray &line : f.readAll().split('\n')) {
        if (line.startsWith("VmRSS:"))
            return line.mid(6).trimmed().split(' ').value(0).toDouble() / 1024.0;
    }
    return 0;
}

} // namespace

StartupReport::StartupReport(const QElapsedTimer &sinceLaunch, QAbstractItemModel *releaseList, QObject *parent)
    : QObject(parent)
    , m_launch(sinceLaunch)
    , m_list(releaseList)
{
    m_ticks.setTimerType(Qt::PreciseTimer);
    m_ticks.setInterval(5);
    connect(&m_ticks, &QTimer::timeout, this, &StartupReport::tick);
    m_clock.start();
    m_ticks.start();
    const auto check = [this] {
        if (m_list->rowCount() > 0)
            QTimer::singleShot(0, this, [this] { report(); }); // once the rows are painted
    };
    connect(m_list, &QAbstractItemModel::rowsInserted, this, check);
    connect(m_list, &QAbstractItemModel::modelReset, this, check);
    QTimer::singleShot(300000, this, [this] { report(QStringLiteral("no service listed within 300 s")); });
}

void StartupReport::tick()
{
    const qint64 now = m_clock.nsecsElapsed();
    m_longestStallMs = qMax(m_longestStallMs, (now - m_last) / 1e6);
    m_last = now;
}

void StartupReport::report(const QString &error)
{
    if (m_done)
        return;
    m_done = true;
    tick();
    QJsonObject out { { QStringLiteral("firstListMs"), double(m_launch.elapsed()) },
                      { QStringLiteral("residentMiB"), residentMiB() },
                      { QStringLiteral("longestStallMs"), m_longestStallMs },
                      { QStringLiteral("rows"), m_list->rowCount() } };
    if (!error.isEmpty())
        out.insert(QStringLiteral("error"), error);
    std::printf("%s\n", QJsonDocument(out).toJson(QJsonDocument::Compact).constData());
    std::fflush(stdout);
    QCoreApplication::exit(error.isEmpty() ? 0 : 1);
}

} // namespace canary::gui
