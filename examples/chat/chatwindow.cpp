#include "chatwindow.h"

#include <SocketIO/ClientSocket>
#include <SocketIO/Manager>

#include <QtCore/QTimer>
#include <QtWidgets/QComboBox>
#include <QtWidgets/QLabel>
#include <QtWidgets/QLineEdit>
#include <QtWidgets/QListWidget>
#include <QtWidgets/QStatusBar>
#include <QtWidgets/QToolBar>
#include <QtWidgets/QVBoxLayout>

using namespace SocketIO;

ChatWindow::ChatWindow(const QUrl &server, const QString &nickname, QWidget *parent)
    : QMainWindow(parent)
    , m_manager(new Manager(server, {}, this))
    , m_socket(m_manager->socket())
    , m_nickname(nickname)
    , m_log(new QListWidget)
    , m_input(new QLineEdit)
    , m_rooms(new QComboBox)
    , m_status(new QLabel(tr("connecting…")))
    , m_typing(new QLabel)
{
    setWindowTitle(tr("Chat: %1").arg(nickname));
    QToolBar *bar = addToolBar(tr("Room"));
    bar->setMovable(false);
    bar->addWidget(new QLabel(tr("Room ")));
    bar->addWidget(m_rooms);
    statusBar()->addWidget(m_status);
    m_input->setPlaceholderText(tr("Say something"));
    auto *central = new QWidget;
    auto *layout = new QVBoxLayout(central);
    layout->addWidget(m_log);
    layout->addWidget(m_typing);
    layout->addWidget(m_input);
    setCentralWidget(central);
    resize(420, 520);

    connect(m_socket, &ClientSocket::connected, this, [this] {
        m_status->setText(tr("connected (%1)").arg(m_manager->transportName()));
        login();
    });
    connect(m_manager, &Manager::transportNameChanged, this, [this] {
        if (m_socket->isConnected())
            m_status->setText(tr("connected (%1)").arg(m_manager->transportName()));
    });
    connect(m_socket, &ClientSocket::disconnected, this, [this](const QString &reason) {
        m_status->setText(tr("disconnected: %1").arg(reason));
    });
    m_socket->on(QStringLiteral("new message"), this,
                 [this](const QVariantList &args, const Ack &) {
                     const QVariantMap m = args.value(0).toMap();
                     showMessage(m.value(QStringLiteral("username")).toString(),
                                 m.value(QStringLiteral("message")).toString());
                 });
    for (const QString &event : {QStringLiteral("user joined"), QStringLiteral("user left")}) {
        const QString verb = event == QLatin1String("user joined") ? tr("joined") : tr("left");
        m_socket->on(event, this, [this, verb](const QVariantList &args, const Ack &) {
            const QVariantMap m = args.value(0).toMap();
            note(tr("%1 %2 %3 (%4 here)")
                     .arg(m.value(QStringLiteral("username")).toString(), verb,
                          m.value(QStringLiteral("room")).toString())
                     .arg(m.value(QStringLiteral("users")).toInt()));
        });
    }
    m_socket->on(QStringLiteral("typing"), this, [this](const QVariantList &args, const Ack &) {
        m_typing->setText(
            tr("%1 is typing…")
                .arg(args.value(0).toMap().value(QStringLiteral("username")).toString()));
    });
    m_socket->on(QStringLiteral("stop typing"), this,
                 [this](const QVariantList &, const Ack &) { m_typing->clear(); });

    connect(m_input, &QLineEdit::returnPressed, this, &ChatWindow::say);
    auto *typingTimer = new QTimer(this);
    typingTimer->setSingleShot(true);
    typingTimer->setInterval(1000);
    connect(m_input, &QLineEdit::textEdited, this, [this, typingTimer] {
        if (!typingTimer->isActive())
            m_socket->emitEvent(QStringLiteral("typing"));
        typingTimer->start();
    });
    connect(typingTimer, &QTimer::timeout, this,
            [this] { m_socket->emitEvent(QStringLiteral("stop typing")); });
    connect(m_rooms, &QComboBox::textActivated, this, &ChatWindow::switchRoom);
}

void ChatWindow::login()
{
    m_socket->emitEvent(QStringLiteral("login"), {m_nickname}, this,
                        [this](const QString &error, const QVariantList &args) {
                            if (!error.isEmpty())
                                return note(tr("login failed: %1").arg(error));
                            const QVariantMap reply = args.value(0).toMap();
                            if (reply.contains(QStringLiteral("error")))
                                return note(reply.value(QStringLiteral("error")).toString());
                            const QString room = reply.value(QStringLiteral("room")).toString();
                            m_rooms->clear();
                            m_rooms->addItems(reply.value(QStringLiteral("rooms")).toStringList());
                            m_rooms->setCurrentText(room);
                            note(tr("Welcome, %1: %2 in %3")
                                     .arg(m_nickname)
                                     .arg(reply.value(QStringLiteral("users")).toInt())
                                     .arg(room));
                        });
}

void ChatWindow::say()
{
    const QString text = m_input->text().trimmed();
    if (text.isEmpty())
        return;
    m_input->clear();
    m_socket->emitEvent(QStringLiteral("stop typing"));
    m_socket->emitEvent(QStringLiteral("new message"), {text}, this,
                        [this, text](const QString &error, const QVariantList &args) {
                            if (error.isEmpty() &&
                                args.value(0).toMap().value(QStringLiteral("ok")).toBool())
                                showMessage(m_nickname, text);
                            else
                                note(tr("not sent: %1").arg(text));
                        });
}

void ChatWindow::switchRoom(const QString &room)
{
    m_socket->emitEvent(QStringLiteral("switch room"), {room}, this,
                        [this](const QString &, const QVariantList &args) {
                            const QVariantMap reply = args.value(0).toMap();
                            m_rooms->setCurrentText(reply.value(QStringLiteral("room")).toString());
                            note(tr("Now in %1 (%2 here)")
                                     .arg(reply.value(QStringLiteral("room")).toString())
                                     .arg(reply.value(QStringLiteral("users")).toInt()));
                        });
}

void ChatWindow::note(const QString &text)
{
    auto *item = new QListWidgetItem(text, m_log);
    QFont font = item->font();
    font.setItalic(true);
    item->setFont(font);
    item->setForeground(Qt::gray);
    m_log->scrollToBottom();
}

void ChatWindow::showMessage(const QString &name, const QString &text)
{
    new QListWidgetItem(QStringLiteral("%1: %2").arg(name, text), m_log);
    m_log->scrollToBottom();
}
