#pragma once

#include <QElapsedTimer>
#include <QObject>
#include <QTimer>

class QAbstractItemModel;

namespace canary::gui {

// For the start-up benchmark: the time from launch to the first populated service list, the
// resident memory then, and the longest the event loop could not run until then; printed as one
// JSON line on stdout, then the application quits.
class StartupReport final : public QObject {
    Q_OBJECT
public:
    StartupReport(const QElapsedTimer &sinceLaunch, QAbstractItemModel *releaseList, QObject *parent = nullptr);

private:
    void tick();
    void report(const QString &error = {});

    QElapsedTimer m_launch;
    QAbstractItemModel *m_list;
    QTimer m_ticks;
    QElapsedTimer m_clock;
    qint64 m_last = 0;
    double m_longestStallMs = 0;
    bool m_done = false;
};

} // namespace canary::gui
