// Engine.IO transports as the session sees them.
#pragma once

#include "engineio/packet_p.h"

#include <QtCore/QObject>

namespace SocketIO::EngineIO {

class Transport : public QObject
{
    Q_OBJECT
public:
    Transport(int protocol, QObject *parent);

    virtual QString name() const = 0;
    virtual bool isWritable() const = 0;
    // Only called while writable.
    virtual void send(const QList<Packet> &packets) = 0;
    virtual void sendOne(const Packet &packet) { send({packet}); }
    // Whether packets queued together should go out together (a polling response).
    virtual bool batches() const { return true; }
    // Closes gracefully (polling answers a pending GET with a close packet), then emits
    // closed().
    virtual void close() = 0;
    // The transport was replaced by an upgrade: drop it without closing the session.
    virtual void discard() { m_discarded = true; }

    int protocol() const { return m_protocol; }
    bool isDiscarded() const { return m_discarded; }

Q_SIGNALS:
    void packetReceived(const SocketIO::EngineIO::Packet &packet);
    // The transport became writable (polling: a GET arrived).
    void drained();
    void errorOccurred(const QString &description);
    void closed();

protected:
    const int m_protocol;
    bool m_discarded = false;
};

} // namespace SocketIO::EngineIO
