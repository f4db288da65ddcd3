// The chat's server: a Socket.IO server that also serves the browser page, with rooms
// ("general", "qt", "random"), nicknames, typing notices and acknowledged messages.
#pragma once

#include <SocketIO/Server>

#include <QtCore/QObject>

class ChatServer : public QObject
{
    Q_OBJECT
public:
    static const QStringList Rooms;

    // clientDirectory: socket.io-client's dist/ folder, served at /socket.io/socket.io.js.
    explicit ChatServer(const QString &clientDirectory, QObject *parent = nullptr);

    bool listen(quint16 port);
    quint16 port() const { return m_io.serverPort(); }
    QString errorString() const { return m_io.errorString(); }
    SocketIO::Server *server() { return &m_io; }

private:
    void accept(SocketIO::Socket *socket);
    int usersIn(const QString &room) const;
    void moveTo(SocketIO::Socket *socket, const QString &room);

    SocketIO::Server m_io;
};
