// The Socket.IO 0.9 protocol at the engine level (the 0.9 "transport" layer): the handshake
// answer, the frames of the heartbeat, noop and disconnect, the \ufffd-framed payloads of the
// polling transports and the JSONP wrapping. What the frames carry ("type:id:endpoint:data")
// goes up as message packets; the server layer maps them onto Socket.IO packets.
#pragma once

#include "engineio/packet_p.h"

#include <QtCore/QStringList>

#include <functional>

namespace SocketIO::EngineIO::Legacy09 {

// What the engine needs of ServerOptions::protocol09(), in milliseconds.
struct Config
{
    bool enabled = false;
    int heartbeatInterval = 25'000;
    int heartbeatTimeout = 60'000;
    int closeTimeout = 60'000;
    int pollingDuration = 20'000;
    bool heartbeats = true;
    QStringList transports;
    // 0.9's websocket transport checks the Origin header (not the Referer) against its
    // 'origins' and ends a refused upgrade without an answer. Null: every origin.
    std::function<bool(const QByteArray &origin)> allowsWebSocketOrigin;
};

// The parts of a 0.9 request target after the engine path: "1/", "1/<transport>/<sid>".
struct Target
{
    bool isLegacy = false; // the path names protocol 1
    QString transport;     // empty for the handshake
    QString sid;
};
// `rest` is the target after the engine path, query included.
SOCKETIO_TESTABLE Target parseTarget(QByteArrayView rest);

// One frame in: heartbeat "2::" is a Pong, noop "8::" a Noop, every other valid frame a text
// Message holding the frame itself; an Error packet when the frame is not "<0-8>:...:...".
SOCKETIO_TESTABLE Packet decodeFrame(QByteArrayView frame);
// One frame out: Ping "2::", Noop "8::", Close "0::", a Message as its data.
SOCKETIO_TESTABLE QByteArray encodeFrame(const Packet &packet);
// A payload: one frame as it is, several as "\ufffd<length>\ufffd<frame>" each, the length
// counted in UTF-16 code units as JavaScript does.
SOCKETIO_TESTABLE QByteArray encodePayload(const QList<Packet> &packets);
// The frames of a payload; an Error packet last when the framing is broken.
SOCKETIO_TESTABLE QList<Packet> decodePayload(QByteArrayView payload);
// The body of a JSONP POST: the form field d, a JSON string; null when invalid.
SOCKETIO_TESTABLE QByteArray decodeJsonpForm(QByteArrayView body);
// "io.j[<index>](<text as a JSON string>);"
SOCKETIO_TESTABLE QByteArray jsonpCall(QByteArrayView index, const QByteArray &text);

} // namespace SocketIO::EngineIO::Legacy09
