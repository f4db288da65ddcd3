// One Engine.IO session seen by the Socket.IO server: decodes its packets and multiplexes
// the namespaces joined over it.
#pragma once

#include "adapter.h"
#include "engineio/session_p.h"
#include "enginesocket.h"
#include "parser.h"

#include <QtCore/QBasicTimer>
#include <QtCore/QHash>
#include <QtCore/QObject>
#include <QtCore/QPointer>

namespace SocketIO {

class ServerPrivate;
class Socket;

class Client : public QObject, private EngineMessageSink
{
    Q_OBJECT
public:
    Client(ServerPrivate *server, EngineSocket *conn);
    ~Client() override;

    EngineSocket *conn() const { return m_conn; }
    ServerPrivate *server() const { return m_server; }
    // The Socket.IO protocol revision of the peer: 5, or 4 for socket.io 2 clients.
    int socketIOProtocol() const { return m_session.socketIOProtocol(); }
    // A Socket.IO 0.9 client (socketIOProtocol() 1): its packets are 0.9 messages, one
    // encoding per recipient (see writeLegacy09()).
    bool isLegacy09() const { return m_legacy09; }
    // One 0.9 message (parser/legacy09_p.h), or nothing when empty.
    void writeLegacy09(QByteArray &&message, bool isVolatile, bool compress = true);

    void writePacket(const Packet &packet, const BroadcastFlags &flags = {});
    void writeToEngine(const QList<EngineIO::Packet> &packets, bool isVolatile);
    // Engine packets for encoded messages, shared by all the recipients of a broadcast; with
    // `frames` (EngineSession::writesPreframed()), each text packet also carries its WebSocket
    // frame, built once.
    static QList<EngineIO::Packet> toEnginePackets(const QList<EngineMessage> &messages,
                                                   const BroadcastFlags &flags, bool frames);
    void registerSocket(Socket *socket);
    void remove(Socket *socket);
    // Disconnects every namespace, then closes the connection (Socket::disconnectSocket(true)).
    void disconnectAll();
    // Closes the connection: its sockets get "forced server close".
    void close();
    void connectNamespace(const QString &name, const QVariantMap &auth);

private:
    // Whether the session is open, and for a volatile packet, writable right now.
    bool canWrite(const BroadcastFlags &flags) const;
    void onEngineMessage(const QByteArray &data, bool binary) override;
    void onLegacy09Message(const QByteArray &data);
    // Consumes `packet` (its data may be moved out).
    void onDecoded(Packet &packet);
    void onParseError(const QString &message);
    void onEngineClose(const QString &reason, const QString &description) override;
    Socket *socketFor(const QString &nsp) const;
    void timerEvent(QTimerEvent *event) override;

    ServerPrivate *const m_server;
    QPointer<EngineSocket> m_conn;
    // Everything asked of the session goes through this handle. Valid as long as this object:
    // a Client is a child of its session.
    EngineSession m_session;
    // Next to the session: read with it for every recipient of a broadcast.
    const bool m_legacy09;
    std::unique_ptr<Decoder> m_decoder;
    // The sockets of this connection, one per namespace joined (a list: usually one or two,
    // and a hash costs more than a kilobyte each).
    QList<Socket *> m_sockets;
    QBasicTimer m_connectTimeout;
    bool m_closed = false;
};

} // namespace SocketIO
