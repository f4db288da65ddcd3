// A Widgets chat client: the same chat as the browser page, through SocketIO::Manager and
// ClientSocket.
#pragma once

#include <QtCore/QUrl>
#include <QtWidgets/QMainWindow>

class QComboBox;
class QLabel;
class QLineEdit;
class QListWidget;

namespace SocketIO {
class ClientSocket;
class Manager;
} // namespace SocketIO

class ChatWindow : public QMainWindow
{
    Q_OBJECT
public:
    ChatWindow(const QUrl &server, const QString &nickname, QWidget *parent = nullptr);

private:
    void login();
    void say();
    void switchRoom(const QString &room);
    void note(const QString &text);
    void showMessage(const QString &name, const QString &text);

    SocketIO::Manager *m_manager;
    SocketIO::ClientSocket *m_socket;
    QString m_nickname;
    QListWidget *m_log;
    QLineEdit *m_input;
    QComboBox *m_rooms;
    QLabel *m_status;
    QLabel *m_typing;
};
