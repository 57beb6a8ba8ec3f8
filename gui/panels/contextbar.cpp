#include "gui/panels/contextbar.h"

#include <QComboBox>
#include <QHBoxLayout>
#include <QLabel>
#include <QToolButton>

namespace canary::gui {

ContextBar::ContextBar(QWidget *parent)
    : QFrame(parent)
    , m_context(new QComboBox(this))
    , m_namespace(new QComboBox(this))
    , m_identity(new QLabel(this))
    , m_refresh(new QToolButton(this))
{
    setObjectName(QStringLiteral("banner"));
    auto *layout = new QHBoxLayout(this);
    layout->setContentsMargins(12, 6, 12, 6);
    auto *contextLabel = new QLabel(tr("&Context"), this);
    contextLabel->setBuddy(m_context);
    m_context->setObjectName(QStringLiteral("contextCombo"));
    m_context->setSizeAdjustPolicy(QComboBox::AdjustToContents);
    m_context->setToolTip(
            tr("The kubeconfig context to work in. Switching here does not change kubectl's current-context."));
    m_namespace->setObjectName(QStringLiteral("namespaceCombo"));
    m_namespace->setSizeAdjustPolicy(QComboBox::AdjustToContents);
    m_namespace->setMinimumContentsLength(10);
    auto *nsLabel = new QLabel(tr("&Namespace"), this);
    nsLabel->setBuddy(m_namespace);
    m_identity->setObjectName(QStringLiteral("contextLabel"));
    m_identity->setTextInteractionFlags(Qt::TextSelectableByMouse);
    m_identity->setMinimumWidth(0);
    m_identity->setSizePolicy(QSizePolicy::Ignored, QSizePolicy::Preferred);
    m_refresh->setObjectName(QStringLiteral("refreshButton"));
    m_refresh->setText(tr("Refresh"));
    m_refresh->setToolTip(tr("Discover the cluster's APIs again, check permissions again and reload everything (F5)"));
    layout->addWidget(contextLabel);
    layout->addWidget(m_context);
    layout->addSpacing(8);
    layout->addWidget(nsLabel);
    layout->addWidget(m_namespace);
    layout->addSpacing(8);
    layout->addWidget(m_identity, 1);
    layout->addWidget(m_refresh);
    connect(m_context, &QComboBox::activated, this, [this](int i) { Q_EMIT contextRequested(m_context->itemText(i)); });
    connect(m_namespace, &QComboBox::activated, this,
            [this](int i) { Q_EMIT namespaceRequested(m_namespace->itemText(i)); });
    connect(m_refresh, &QToolButton::clicked, this, &ContextBar::refreshRequested);
}

void ContextBar::setContexts(const QStringList &contexts, const QString &current)
{
    const QSignalBlocker block(m_context);
    m_context->clear();
    QStringList ordered = contexts;
    if (ordered.removeAll(current) > 0 || !current.isEmpty())
        ordered.prepend(current);
    m_context->addItems(ordered);
    m_context->setCurrentText(current);
    m_context->setEnabled(ordered.size() > 1);
}

void ContextBar::setCurrentContext(const QString &context)
{
    const QSignalBlocker block(m_context);
    m_context->setCurrentText(context);
}

void ContextBar::setNamespaces(const QStringList &namespaces, const QString &current)
{
    const QSignalBlocker block(m_namespace);
    m_namespace->clear();
    m_namespace->addItems(namespaces);
    if (m_namespace->findText(current) < 0)
        m_namespace->addItem(current);
    m_namespace->setCurrentText(current);
}

void ContextBar::setIdentity(const QString &server, const QString &user)
{
    const QString text = user.isEmpty() ? server : tr("%1 · user %2").arg(server, user);
    m_identity->setText(text);
    m_identity->setToolTip(text);
}

} // namespace canary::gui
