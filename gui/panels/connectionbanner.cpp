#include "gui/panels/connectionbanner.h"

#include <QCoreApplication>
#include <QHBoxLayout>
#include <QLabel>
#include <QPushButton>

namespace canary::gui {

using Connection = core::ReleaseSession::Connection;

bool canWrite(Connection connection)
{
    return connection == Connection::Connected;
}

QString connectionProblem(Connection connection)
{
    switch (connection) {
    case Connection::Connected: return {};
    case Connection::Connecting:
        return QObject::tr("Not connected yet: writing waits until the cluster has been read.");
    case Connection::Reconnecting:
    case Connection::Failed: return QObject::tr("The cluster cannot be reached: writing is off until it is back.");
    case Connection::NoIstio: return QObject::tr("Istio is not installed on this cluster: there is nothing to write.");
    }
    return {};
}

ConnectionBanner::ConnectionBanner(QWidget *parent)
    : QFrame(parent)
    , m_text(new QLabel(this))
    , m_retry(new QPushButton(tr("Retry now"), this))
{
    setObjectName(QStringLiteral("connectionBanner"));
    setStyleSheet(
            QStringLiteral("QFrame#connectionBanner{background:#fdecea;border:1px solid #d64545;border-radius:6px;}"
                           "QFrame#connectionBanner QLabel{color:#7a1c1c;}"));
    auto *layout = new QHBoxLayout(this);
    layout->setContentsMargins(10, 6, 10, 6);
    m_text->setObjectName(QStringLiteral("connectionBannerText"));
    m_text->setWordWrap(true);
    m_text->setTextInteractionFlags(Qt::TextSelectableByMouse);
    m_retry->setObjectName(QStringLiteral("retryButton"));
    layout->addWidget(m_text, 1);
    layout->addWidget(m_retry, 0, Qt::AlignTop);
    connect(m_retry, &QPushButton::clicked, this, &ConnectionBanner::retryRequested);
    hide();
}

void ConnectionBanner::setState(Connection connection, const QString &server, const QString &detail)
{
    QString text;
    switch (connection) {
    case Connection::Connected:
    case Connection::Connecting: hide(); return;
    case Connection::Reconnecting:
    case Connection::Failed:
        text = tr("<b>Lost the connection to %1.</b> Your edits are kept, but Apply, Promote and Rollback are off "
                  "until "
                  "it is back. Reconnecting, reading the kubeconfig again at each try.")
                       .arg(server.toHtmlEscaped());
        break;
    case Connection::NoIstio:
        text = tr("<b>Istio is not installed on %1.</b> Install Istio, or pick another context.")
                       .arg(server.toHtmlEscaped());
        break;
    }
    if (!detail.isEmpty())
        text += QStringLiteral("<br>") + detail.toHtmlEscaped();
    m_text->setText(text);
    show();
}

QString connectionStatusText(const core::ReleaseSession &session)
{
    using Connection = core::ReleaseSession::Connection;
    const Connection c = session.connection();
    const QString dot = c == Connection::Connected                ? QStringLiteral("#1f9d55")
            : c == Connection::Failed || c == Connection::NoIstio ? QStringLiteral("#d64545")
                                                                  : QStringLiteral("#d4a418");
    QString text = QStringLiteral("<span style='color:%1'>●</span> ").arg(dot);
    switch (c) {
    case Connection::Connecting: text += QCoreApplication::translate("ConnectionBanner", "Connecting…"); break;
    case Connection::Connected: text += QCoreApplication::translate("ConnectionBanner", "Connected"); break;
    case Connection::Reconnecting: text += QCoreApplication::translate("ConnectionBanner", "Reconnecting"); break;
    case Connection::NoIstio: text += QCoreApplication::translate("ConnectionBanner", "Istio not installed"); break;
    case Connection::Failed: text += QCoreApplication::translate("ConnectionBanner", "Disconnected"); break;
    }
    if (!session.istioVersion().isEmpty())
        text += QCoreApplication::translate("ConnectionBanner", " · Istio networking.istio.io/%1")
                        .arg(session.istioVersion());
    if (!session.connectionDetail().isEmpty())
        text += QStringLiteral(" · ") + session.connectionDetail().toHtmlEscaped();
    return text;
}

} // namespace canary::gui
