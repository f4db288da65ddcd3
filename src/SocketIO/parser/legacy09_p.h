// Socket.IO 0.9 messages ("type:id:endpoint:data") to Socket.IO packets and back, for the
// server's 0.9 sessions. The engine (engineio/legacy09_p.h) has already taken out heartbeats,
// noops and the payload framing.
#pragma once

#include "core/testable_p.h"
#include "parser.h"

namespace SocketIO::Legacy09 {

// What a 0.9 message asks beyond its packet.
struct Extra
{
    // Not for the namespaces: a heartbeat or noop with an id, or the client's error packet.
    bool ignore = false;
    // "0::": the client leaves every namespace and the connection.
    bool disconnectAll = false;
    // An id without "+": the sender wants an empty ack at once, which the server sends
    // itself (as 0.9 did); the packet then has no id.
    qint64 autoAckId = -1;
};

// Decodes one message: disconnect (0), connect (1, its query as the auth map), message (3)
// and JSON message (4) as a "message" event, event (5), ack (6); false with `error` when the
// message is malformed.
SOCKETIO_TESTABLE bool decode(QByteArrayView message, Packet *packet, Extra *extra, QString *error);
// The 0.9 message of a packet: connect "1::<ep>", disconnect "0::<ep>", an event (a
// "message" event with one argument as a message 3 or 4), an ack "6::<ep>:<id>+[...]", a
// connect error as "unauthorized" (7). 0.9 has no binary: binary values are sent as null.
SOCKETIO_TESTABLE QByteArray encode(const Packet &packet);
// The empty ack 0.9 sends for an id without "+".
SOCKETIO_TESTABLE QByteArray encodeAutoAck(const QString &nsp, qint64 id);

} // namespace SocketIO::Legacy09
