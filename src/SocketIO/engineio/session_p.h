// The seam between the Socket.IO layer and an Engine.IO session: everything the Socket.IO
// server asks of a session goes through EngineSession, so that the engine's packets, transports
// and protocol versions stay inside the engine layer.
#pragma once

#include "engineio/packet_p.h"

#include <QtCore/QList>

namespace SocketIO {

class EngineSocket;
class EngineSocketPrivate;
struct EngineOptions;

// The Socket.IO layer's view of a session's messages and its end: called before
// messageReceived() and closed() are emitted, without a signal (on the hot path, and a
// connection per session costs each idle one some 200 bytes).
class EngineMessageSink
{
public:
    virtual void onEngineMessage(const QByteArray &data, bool binary) = 0;
    // The session closed (it is told once, before closed() is emitted, and forgets the sink).
    virtual void onEngineClose(const QString &reason, const QString &description) = 0;

protected:
    ~EngineMessageSink() = default;
};

// A handle on one session, for the Socket.IO layer. It does not own the session and is valid
// while the session lives (the Socket.IO client is the session's child). Calls are direct:
// no virtual call, no allocation beyond what the engine's queue needs.
class EngineSession
{
public:
    explicit EngineSession(EngineSocket *socket);

    EngineSocket *socket() const;
    // The Socket.IO protocol revision the peer speaks: 5, or 4 for socket.io 2 clients, which
    // come over Engine.IO v3. The engine's own version stays in the engine layer.
    int socketIOProtocol() const;
    // Receives the session's messages; nullptr stops that.
    void setMessageSink(EngineMessageSink *sink);

    // Whether a message would go out: the session is open, and for a volatile message (one
    // that may be lost), its transport takes it at once.
    bool canSend(bool isVolatile) const;
    // One encoded message, moved in: a text message becomes its frame in its own buffer.
    void send(QByteArray &&data, bool binary, bool compress);
    // Messages built by shared() once for many sessions: every session sends the same bytes.
    // Checks canSend(isVolatile) first, in the same call (one call per recipient).
    void sendShared(const QList<EngineIO::Packet> &messages, bool isVolatile);
    // Flushes what is queued, then closes the session ("forced close").
    void close();

    // A message for many sessions of one server, encoded once: a text message also carries its
    // WebSocket frame when `preframed` (see writesPreframed()), so each recipient's WebSocket
    // writes the shared bytes as they are.
    static EngineIO::Packet shared(const QByteArray &data, bool binary, bool compress,
                                   bool preframed);
    // Whether the WebSocket engine of a server with `options` writes pre-built frames.
    static bool writesPreframed(const EngineOptions &options);

private:
    EngineSocketPrivate *m_d;
};

} // namespace SocketIO
