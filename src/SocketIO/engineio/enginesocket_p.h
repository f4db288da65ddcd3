#pragma once

#include "engineio/transport_p.h"
#include "enginesocket.h"

#include <QtCore/QBasicTimer>
#include <QtCore/QPointer>

namespace SocketIO {

class EngineServerPrivate;

class EngineSocketPrivate
{
    Q_DECLARE_PUBLIC(EngineSocket)
public:
    explicit EngineSocketPrivate(EngineSocket *q);
    static EngineSocketPrivate *get(EngineSocket *socket) { return socket->d_func(); }

    void open();
    void setTransport(EngineIO::Transport *transport);
    void sendPacket(const EngineIO::Packet &packet);
    void flush();
    void onPacket(const EngineIO::Packet &packet);
    void onClose(const QString &reason, const QString &description = {});
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
    int protocol = 4;
    HttpRequest request;
    EngineSocket::ReadyState readyState = EngineSocket::ReadyState::Opening;
    EngineIO::Transport *transport = nullptr;
    EngineIO::Transport *upgradeTransport = nullptr;
    bool upgrading = false;
    bool upgraded = false;
    bool closeWhenDrained = false;
    QList<EngineIO::Packet> writeBuffer;
    // pingInterval, then pingTimeout once the ping is out (v3: the client's deadline).
    QBasicTimer heartbeatTimer;
    bool awaitingPong = false;
    QBasicTimer upgradeTimeoutTimer;
    QBasicTimer checkIntervalTimer;
};

} // namespace SocketIO
