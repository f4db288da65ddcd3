#pragma once

#include "engineio/transport_p.h"
#include "enginesocket.h"

#include <QtCore/QBasicTimer>
#include <QtCore/QPointer>

namespace SocketIO {

class EngineServerPrivate;
class EngineMessageSink; // the Socket.IO layer, see engineio/session_p.h

class EngineSocketPrivate final : public EngineIO::PacketSink
{
    Q_DECLARE_PUBLIC(EngineSocket)
public:
    explicit EngineSocketPrivate(EngineSocket *q);
    ~EngineSocketPrivate();
    static EngineSocketPrivate *get(EngineSocket *socket) { return socket->d_func(); }

    void onTransportPacket(EngineIO::Transport *from, EngineIO::Packet &packet) override;
    void onTransportDrained(EngineIO::Transport *from) override;
    void onTransportBytesQueued(EngineIO::Transport *from) override;
    void onTransportError(EngineIO::Transport *from, const QString &description) override;
    void onTransportClosed(EngineIO::Transport *from) override;
    // Stops listening to a transport that is being replaced or closed.
    void release(EngineIO::Transport *transport);

    void open();
    void setTransport(EngineIO::Transport *transport);
    // A packet moved in can become its frame in place; a broadcast's is shared, not copied.
    void sendPacket(const EngineIO::Packet &packet);
    void sendPacket(EngineIO::Packet &&packet);
    template<typename P> void sendPacketImpl(P &&packet);
    void flush();
    void onPacket(const EngineIO::Packet &packet);
    void onClose(const QString &reason, const QString &description = {});
    // Socket.IO 0.9: `transport` (re)connected the session (engineio/legacy09server.cpp).
    void attachLegacy09(EngineIO::Transport *transport);
    void schedulePing();
    void resetPingTimeout();
    void setReadyState(EngineSocket::ReadyState state);
    void onTimer(int timerId);

    // Upgrade to `transport` (a WebSocket for this sid): probe, then switch on "upgrade".
    void maybeUpgrade(EngineIO::Transport *transport);
    void onUpgradePacket(const EngineIO::Packet &packet);
    void cancelUpgrade();

    EngineSocket *const q_ptr;
    EngineServerPrivate *server = nullptr;
    QString id;
    // Chosen at the handshake; every version question goes to it.
    EngineIO::Protocol protocol;
    HttpRequest request;
    EngineSocket::ReadyState readyState = EngineSocket::ReadyState::Opening;
    EngineIO::Transport *transport = nullptr;
    EngineIO::Transport *upgradeTransport = nullptr;
    EngineMessageSink *messageSink = nullptr;
    // In the server's clients (addSession()): removed and deleted once closed.
    bool registered = false;
    // Whether messageReceived() or drained() was ever connected: emitting them is skipped
    // until then (the check alone reads the QObject's connection data, a cache miss per
    // recipient of a broadcast).
    bool messageListened = false;
    bool drainListened = false;
    bool upgrading = false;
    bool upgraded = false;
    bool closeWhenDrained = false;
    // More than maxWriteBufferSize was unsent: the session closes in the next event loop pass.
    bool overWriteLimit = false;
    QList<EngineIO::Packet> writeBuffer;
    // What writeBuffer costs, as counted against maxWriteBufferSize.
    qint64 writeBufferBytes = 0;
    // Closes the session when it holds more unsent than maxWriteBufferSize; true then.
    bool closeIfOverWriteLimit();
    void clearWriteBuffer();
    // pingInterval, then pingTimeout once the ping is out (v3: the client's deadline).
    QBasicTimer heartbeatTimer;
    bool awaitingPong = false;
    QBasicTimer upgradeTimeoutTimer;
    QBasicTimer checkIntervalTimer;
};

} // namespace SocketIO
