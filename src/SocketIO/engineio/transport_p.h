// Engine.IO transports as the session sees them.
#pragma once

#include "engineio/protocol_p.h"

#include <QtCore/QObject>

namespace SocketIO::EngineIO {

class Transport;

// Gets the packets a transport reads: the session, called directly (a queued or even a
// direct signal per packet costs more than the rest of a small message's way up).
class PacketSink
{
public:
    virtual void onTransportPacket(Transport *transport, Packet &packet) = 0;

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
    // Closes gracefully (polling answers a pending GET with a close packet), then emits
    // closed().
    virtual void close() = 0;
    // The transport was replaced by an upgrade: drop it without closing the session.
    virtual void discard() { m_discarded = true; }

    const Protocol &protocol() const { return m_protocol; }
    bool isDiscarded() const { return m_discarded; }
    // Where packets go; none drops them.
    void setSink(PacketSink *sink) { m_sink = sink; }

Q_SIGNALS:
    // The transport became writable (polling: a GET arrived).
    void drained();
    void errorOccurred(const QString &description);
    // Bytes were queued for the peer other than by send() (a WebSocket pong): the session
    // checks its write limit.
    void bytesQueued();
    void closed();

protected:
    void deliver(Packet &packet)
    {
        if (m_sink)
            m_sink->onTransportPacket(this, packet);
    }

    const Protocol m_protocol;
    bool m_discarded = false;
    PacketSink *m_sink = nullptr;
};

} // namespace SocketIO::EngineIO
