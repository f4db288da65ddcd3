// Engine.IO transports as the session sees them.
#pragma once

#include "engineio/protocol_p.h"

#include <QtCore/QObject>

namespace SocketIO::EngineIO {

class Transport;

// Gets the packets a transport reads and what happens to it: the session, called directly
// (a queued or even a direct signal per packet costs more than the rest of a small message's
// way up, and connections cost every session some 600 bytes it keeps while idle).
class PacketSink
{
public:
    virtual void onTransportPacket(Transport *transport, Packet &packet) = 0;
    // The transport became writable (polling: a GET arrived).
    virtual void onTransportDrained(Transport *transport) = 0;
    // Bytes were queued for the peer other than by send() (a WebSocket pong): the session
    // checks its write limit.
    virtual void onTransportBytesQueued(Transport *transport) = 0;
    virtual void onTransportError(Transport *transport, const QString &description) = 0;
    // Closed gracefully, or the peer went away.
    virtual void onTransportClosed(Transport *transport) = 0;

protected:
    ~PacketSink() = default;
};

class Transport : public QObject
{
    Q_OBJECT
public:
    Transport(const Protocol &protocol, QObject *parent);

    virtual QString name() const = 0;
    virtual bool isWritable() const = 0;
    // Only called while writable.
    virtual void send(const QList<Packet> &packets) = 0;
    virtual void sendOne(const Packet &packet) { send({packet}); }
    // A packet moved in may lend its buffer to the frame (see WebSocket::encodeTextFrame).
    virtual void sendOne(Packet &&packet) { sendOne(std::as_const(packet)); }
    // Whether packets queued together should go out together (a polling response).
    virtual bool batches() const { return true; }
    // Bytes written but not yet handed to the kernel (the session caps what a client that
    // does not read can make the server hold).
    virtual qint64 bufferedBytes() const { return 0; }
    // Closes gracefully (polling answers a pending GET with a close packet), then tells the
    // sink it closed.
    virtual void close() = 0;
    // The transport was replaced by an upgrade: drop it without closing the session.
    virtual void discard() { m_discarded = true; }

    const Protocol &protocol() const { return m_protocol; }
    bool isDiscarded() const { return m_discarded; }
    // Where packets go; none drops them.
    void setSink(PacketSink *sink) { m_sink = sink; }

protected:
    void deliver(Packet &packet)
    {
        if (m_sink)
            m_sink->onTransportPacket(this, packet);
    }
    // What the sink hears (see PacketSink); nothing once it is released.
    void notifyDrained()
    {
        if (m_sink)
            m_sink->onTransportDrained(this);
    }
    void notifyBytesQueued()
    {
        if (m_sink)
            m_sink->onTransportBytesQueued(this);
    }
    void notifyError(const QString &description)
    {
        if (m_sink)
            m_sink->onTransportError(this, description);
    }
    void notifyClosed()
    {
        if (m_sink)
            m_sink->onTransportClosed(this);
    }

    const Protocol m_protocol;
    bool m_discarded = false;
    PacketSink *m_sink = nullptr;
};

} // namespace SocketIO::EngineIO
