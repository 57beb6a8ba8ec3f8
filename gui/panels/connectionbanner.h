#pragma once

#include "core/session/releasesession.h"

#include <QFrame>

class QLabel;
class QPushButton;

namespace canary::gui {

// Over the editor while the cluster cannot be reached: what is wrong, that writing is off, and
// that the session keeps trying. Hidden while connected.
class ConnectionBanner final : public QFrame {
    Q_OBJECT
public:
    explicit ConnectionBanner(QWidget *parent = nullptr);
    void setState(core::ReleaseSession::Connection connection, const QString &server, const QString &detail);

Q_SIGNALS:
    void retryRequested();

private:
    QLabel *m_text;
    QPushButton *m_retry;
};

// Whether writes can be sent, and if not why, for buttons' tooltips.
bool canWrite(core::ReleaseSession::Connection connection);
QString connectionProblem(core::ReleaseSession::Connection connection);
// The status bar's line: a coloured dot, the state, the Istio version served, the detail.
QString connectionStatusText(const core::ReleaseSession &session);

} // namespace canary::gui
