#include "connectdialog.h"

#include <QtCore/QSettings>
#include <QtWidgets/QCheckBox>
#include <QtWidgets/QComboBox>
#include <QtWidgets/QDialogButtonBox>
#include <QtWidgets/QFormLayout>
#include <QtWidgets/QLabel>
#include <QtWidgets/QLineEdit>
#include <QtWidgets/QPushButton>
#include <QtWidgets/QVBoxLayout>

namespace Inspector {

namespace {

constexpr int maxRecent = 10;

QString groupOf(const QString &url)
{
    // QSettings keys may not hold slashes.
    return QStringLiteral("servers/") +
           QString::fromLatin1(url.toUtf8().toBase64(QByteArray::Base64UrlEncoding |
                                                     QByteArray::OmitTrailingEquals));
}

} // namespace

ConnectDialog::ConnectDialog(QWidget *parent)
    : QDialog(parent)
    , m_message(new QLabel(this))
    , m_url(new QComboBox(this))
    , m_namespace(new QLineEdit(QStringLiteral("/admin"), this))
    , m_path(new QLineEdit(QStringLiteral("/socket.io"), this))
    , m_username(new QLineEdit(this))
    , m_password(new QLineEdit(this))
    , m_websocketOnly(new QCheckBox(tr("WebSocket only"), this))
{
    setWindowTitle(tr("Connect to a Socket.IO server"));
    m_message->setObjectName(QStringLiteral("message"));
    m_message->setStyleSheet(QStringLiteral("color: #c62828"));
    m_message->hide();
    m_url->setEditable(true);
    m_url->addItems(recentServers());
    m_url->setCurrentText(m_url->count() ? m_url->itemText(0)
                                         : QStringLiteral("http://localhost:3000"));
    m_url->setMinimumContentsLength(32);
    m_password->setEchoMode(QLineEdit::Password);
    m_username->setPlaceholderText(tr("none"));

    auto *form = new QFormLayout;
    form->addRow(tr("Server URL"), m_url);
    form->addRow(tr("Admin namespace"), m_namespace);
    form->addRow(tr("Path"), m_path);
    form->addRow(tr("Username"), m_username);
    form->addRow(tr("Password"), m_password);
    form->addRow(QString(), m_websocketOnly);
    auto *buttons = new QDialogButtonBox(QDialogButtonBox::Ok | QDialogButtonBox::Cancel, this);
    buttons->button(QDialogButtonBox::Ok)->setText(tr("Connect"));
    connect(buttons, &QDialogButtonBox::accepted, this, &QDialog::accept);
    connect(buttons, &QDialogButtonBox::rejected, this, &QDialog::reject);
    auto *layout = new QVBoxLayout(this);
    layout->addWidget(m_message);
    layout->addLayout(form);
    layout->addWidget(buttons);

    connect(m_url, &QComboBox::textActivated, this, [this](const QString &url) {
        ConnectionSettings s = recentSettings(url);
        s.password = m_password->text();
        setSettings(s);
    });
    if (m_url->count())
        setSettings(recentSettings(m_url->itemText(0)));
}

void ConnectDialog::setSettings(const ConnectionSettings &settings)
{
    m_url->setCurrentText(settings.url.toString());
    m_namespace->setText(settings.adminNamespace);
    m_path->setText(settings.path);
    m_username->setText(settings.username);
    m_password->setText(settings.password);
    m_websocketOnly->setChecked(settings.websocketOnly);
}

ConnectionSettings ConnectDialog::settings() const
{
    ConnectionSettings s;
    s.url = QUrl::fromUserInput(m_url->currentText().trimmed());
    s.adminNamespace = m_namespace->text().trimmed();
    s.path = m_path->text().trimmed();
    s.username = m_username->text();
    s.password = m_password->text();
    s.websocketOnly = m_websocketOnly->isChecked();
    // Without a password, an earlier session may still be valid.
    if (s.password.isEmpty())
        s.sessionId = recentSettings(s.url.toString()).sessionId;
    return s;
}

void ConnectDialog::setMessage(const QString &message)
{
    m_message->setText(message);
    m_message->setVisible(!message.isEmpty());
}

QStringList ConnectDialog::recentServers()
{
    return QSettings().value(QStringLiteral("recentServers")).toStringList();
}

ConnectionSettings ConnectDialog::recentSettings(const QString &url)
{
    QSettings settings;
    settings.beginGroup(groupOf(url));
    ConnectionSettings s;
    s.url = QUrl(url);
    s.adminNamespace = settings.value(QStringLiteral("namespace"), s.adminNamespace).toString();
    s.path = settings.value(QStringLiteral("path"), s.path).toString();
    s.username = settings.value(QStringLiteral("username")).toString();
    s.websocketOnly = settings.value(QStringLiteral("websocketOnly"), false).toBool();
    s.sessionId = settings.value(QStringLiteral("sessionId")).toString();
    return s;
}

void ConnectDialog::remember(const ConnectionSettings &s)
{
    const QString url = s.url.toString();
    QSettings settings;
    QStringList recent = settings.value(QStringLiteral("recentServers")).toStringList();
    recent.removeAll(url);
    recent.prepend(url);
    while (recent.size() > maxRecent)
        recent.removeLast();
    settings.setValue(QStringLiteral("recentServers"), recent);
    settings.beginGroup(groupOf(url));
    settings.setValue(QStringLiteral("namespace"), s.adminNamespace);
    settings.setValue(QStringLiteral("path"), s.path);
    settings.setValue(QStringLiteral("username"), s.username);
    settings.setValue(QStringLiteral("websocketOnly"), s.websocketOnly);
}

void ConnectDialog::rememberSession(const QUrl &url, const QString &sessionId)
{
    QSettings settings;
    settings.beginGroup(groupOf(url.toString()));
    settings.setValue(QStringLiteral("sessionId"), sessionId);
}

} // namespace Inspector
