// The Engine.IO protocol a session speaks: the one place that knows how v4, v3 and JSONP
// polling differ. Chosen once at the handshake; the session and its transports ask it instead
// of testing the version.
#pragma once

#include "engineio/packet_p.h"

QT_BEGIN_NAMESPACE
class QString;
QT_END_NAMESPACE

namespace SocketIO {
class HttpRequest;
struct EngineOptions;
} // namespace SocketIO

namespace SocketIO::EngineIO {
namespace Legacy09 {
struct Config;
} // namespace Legacy09

// A small value, copied into each transport: the questions on the hot path (one WebSocket
// frame in or out) are inline reads of a flag, no call through a pointer.
class Protocol final
{
public:
    // v4, binary payloads, no JSONP.
    Protocol() = default;

    // The protocol of a handshake request: EIO=4 is v4, anything else v3, as the reference
    // does. A v3 client asks for base64 payloads with b64; any client for JSONP with j=N.
    static Protocol fromHandshake(const HttpRequest &request);
    // The version a request names (a later request of a session must name the session's).
    static int versionOf(const HttpRequest &request);
    // Whether a server with `options` accepts the version `request` names.
    static bool isAccepted(const HttpRequest &request, const EngineOptions &options);
    // Socket.IO 0.9 (engineio/legacy09_p.h): its frames and payloads, the server's
    // heartbeats; JSONP polling names its callback per request, so it is not chosen here.
    static Protocol legacy09();

    // 4 or 3; 1 for Socket.IO 0.9, which had no separate engine.
    int version() const { return m_legacy09 ? 1 : m_v3 ? 3 : 4; }
    bool isLegacy09() const { return m_legacy09; }
    // The Socket.IO revision that comes over it: 5, or 4 (socket.io 2) over v3, 1 for 0.9.
    int socketIOProtocol() const { return m_legacy09 ? 1 : m_v3 ? 4 : 5; }

    // --- handshake and heartbeat ----------------------------------------------------------
    // The data of the handshake's open packet.
    QByteArray openPacket(const QString &sid, bool upgradeToWebSocket,
                          const EngineOptions &options) const;
    // v4: the server pings and the client answers; v3: the client pings, the server pongs.
    bool serverPings() const { return !m_v3 || m_legacy09; }
    // How long (ms) between the server's pings: pingInterval; 0.9's heartbeat interval.
    int pingInterval(const EngineOptions &options, const Legacy09::Config &legacy09) const;
    // How long (ms) the session waits for the peer's heartbeat once it is due: v4 waits
    // pingTimeout for the pong; a v3 client pings every pingInterval, within pingTimeout;
    // 0.9 waits its heartbeat timeout.
    int heartbeatTimeout(const EngineOptions &options, const Legacy09::Config &legacy09) const;

    // --- polling payloads -----------------------------------------------------------------
    // Whether a POST body may be binary (application/octet-stream): v3 only.
    bool acceptsBinaryPayloads() const { return m_v3; }
    // The packets of a POST body (JSONP: the form field); a last Error packet when invalid.
    QList<Packet> decodePayload(QByteArray body, bool binary) const;
    // The body of a GET response (JSONP: a script call) and its content type.
    QByteArray encodePayload(const QList<Packet> &packets, QByteArray *contentType) const;

    // --- WebSocket frames -----------------------------------------------------------------
    // Whether a text packet's frame is its type character then its data (v4): it can then be
    // built in place in the packet's buffer, or shared pre-built (Packet::wsFrame).
    bool framesTextInPlace() const { return !m_v3; }
    // v4 keeps the frame's buffer: a binary frame is the payload itself, a text frame loses
    // its type character in place.
    Packet decodeFrame(QByteArray &&frame, bool binary) const
    {
        if (Q_LIKELY(!m_v3)) // as the version test it replaces laid it out: v4 falls through
            return decodePacket(std::move(frame), binary);
        return decodeOldFrame(frame, binary);
    }
    QByteArray encodeFrame(const Packet &packet, bool *binaryFrame) const
    {
        if (Q_LIKELY(!m_v3))
            return encodePacket(packet, true, binaryFrame);
        return encodeOldFrame(packet, binaryFrame);
    }

private:
    // v3 and 0.9, out of line: the v4 path above stays one test of a flag.
    Packet decodeOldFrame(QByteArrayView frame, bool binary) const;
    QByteArray encodeOldFrame(const Packet &packet, bool *binaryFrame) const;

    bool m_v3 = false; // set for 0.9 too: everything v4-only stays off
    bool m_legacy09 = false;
    bool m_binaryPayloads = true; // v3 without b64: binary packets make a binary payload
    bool m_jsonp = false;
    QByteArray m_jsonpIndex; // JSONP: the digits of j=N
};

} // namespace SocketIO::EngineIO
