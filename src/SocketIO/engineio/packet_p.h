// Engine.IO packet and payload codecs (protocol v4 and v3). Pure functions over bytes.
#pragma once

#include "core/headroom_p.h"
#include "core/testable_p.h"

#include <QtCore/QByteArray>
#include <QtCore/QByteArrayView>
#include <QtCore/QList>

namespace SocketIO::EngineIO {

enum class PacketType : quint8 { Open, Close, Ping, Pong, Message, Upgrade, Noop, Error };

// One Engine.IO packet. `data` holds UTF-8 text, or raw bytes when `binary` is set (only
// message packets are binary).
struct Packet
{
    PacketType type = PacketType::Noop;
    QByteArray data;
    bool binary = false;
    bool compress = true; // polling responses holding only uncompressible packets stay plain
    // The complete WebSocket frame of this (v4) packet when it was encoded ahead, once for
    // every recipient of a broadcast; empty otherwise.
    QByteArray wsFrame;

    static Packet text(PacketType type, QByteArray data = {})
    {
        return {type, std::move(data), false};
    }
    static Packet bytes(QByteArray data) { return {PacketType::Message, std::move(data), true}; }
    bool isError() const { return type == PacketType::Error; }
    friend bool operator==(const Packet &a, const Packet &b)
    {
        return a.type == b.type && a.binary == b.binary && a.data == b.data;
    }
};

SOCKETIO_TESTABLE char typeChar(PacketType type);

// Text as Node reads a request body with setEncoding("utf8"): each invalid sequence (a
// maximal subpart, as the WHATWG decoder has it) becomes U+FFFD; valid text is returned as
// it is, without a copy.
SOCKETIO_TESTABLE QByteArray toWellFormedUtf8(QByteArray text);

// --- protocol v4 -------------------------------------------------------------------------
// A text frame: "<type><data>"; a binary packet becomes raw bytes (isBinaryFrame set) when
// the transport carries binary frames, else "b<base64>".
SOCKETIO_TESTABLE QByteArray encodePacket(const Packet &packet, bool supportsBinary,
                                          bool *isBinaryFrame = nullptr);
// Decodes one frame; returns a packet of type Error when the frame is not a valid packet.
SOCKETIO_TESTABLE Packet decodePacket(QByteArrayView frame, bool isBinaryFrame);
// The same, reusing the frame's buffer for the packet's data (no copy).
SOCKETIO_TESTABLE Packet decodePacket(QByteArray &&frame, bool isBinaryFrame);
// Polling payload: packets joined by the record separator 0x1e, binary as "b<base64>".
SOCKETIO_TESTABLE QByteArray encodePayload(const QList<Packet> &packets);
// Stops at the first invalid packet, which is appended as an Error packet.
SOCKETIO_TESTABLE QList<Packet> decodePayload(QByteArrayView payload);

// --- protocol v3 (allowEIO3) --------------------------------------------------------------
namespace V3 {
// WebSocket frames: text "<type><data>", binary as one byte type (4) then the data.
SOCKETIO_TESTABLE QByteArray encodePacket(const Packet &packet, bool supportsBinary,
                                          bool *isBinaryFrame = nullptr);
SOCKETIO_TESTABLE Packet decodePacket(QByteArrayView frame, bool isBinaryFrame);
// Polling payloads. The text form is "<length>:<packet>" per packet, the length counted in
// UTF-16 code units as JavaScript does, binary packets as "b4<base64>". The binary form (used
// when the client supports binary and a binary packet is queued) is, per packet, one byte
// 0 (text) or 1 (binary), the length as one byte per decimal digit, 0xff, then the packet.
SOCKETIO_TESTABLE QByteArray encodePayload(const QList<Packet> &packets, bool supportsBinary,
                                           bool *isBinary);
SOCKETIO_TESTABLE QList<Packet> decodePayload(QByteArrayView payload, bool isBinary);
// The payload of a JSONP POST: the form "d=<payload>", with newlines escaped as "\n".
SOCKETIO_TESTABLE QByteArray decodeJsonpForm(QByteArrayView body);
} // namespace V3

// JSONP (Engine.IO's j=N and 0.9's jsonp-polling).
// The ASCII digits of a callback index; anything else is dropped (engine.io: /\D/g), so that
// the call written back cannot carry script.
SOCKETIO_TESTABLE QByteArray jsonpIndex(QStringView value);
// `function(text)`, the text as a JavaScript string literal: U+2028/9 escaped because JSON
// allows them in strings and JavaScript did not.
SOCKETIO_TESTABLE QByteArray jsonpCall(QByteArrayView function, const QByteArray &text);

} // namespace SocketIO::EngineIO
