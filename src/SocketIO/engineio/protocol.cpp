#include "engineio/protocol_p.h"

#include "engineio/legacy09_p.h"

#include "engineoptions.h"
#include "httprequest.h"

#include <QtCore/QJsonArray>
#include <QtCore/QJsonDocument>
#include <QtCore/QUrlQuery>

namespace SocketIO::EngineIO {

Protocol Protocol::fromHandshake(const HttpRequest &request)
{
    Protocol protocol;
    protocol.m_v3 = versionOf(request) == 3;
    const QUrlQuery query = request.query();
    if (protocol.m_v3)
        protocol.m_binaryPayloads = !query.hasQueryItem(QStringLiteral("b64"));
    // JSONP polling (j=N) is chosen by the client, whatever the version.
    if (query.hasQueryItem(QStringLiteral("j"))) {
        protocol.m_jsonp = true;
        protocol.m_binaryPayloads = false;
        protocol.m_jsonpIndex = jsonpIndex(query.queryItemValue(QStringLiteral("j")));
    }
    return protocol;
}

int Protocol::versionOf(const HttpRequest &request)
{
    return request.queryItem(QStringLiteral("EIO")) == u"4" ? 4 : 3;
}

bool Protocol::isAccepted(const HttpRequest &request, const EngineOptions &options)
{
    return versionOf(request) == 4 || options.allowEIO3;
}

Protocol Protocol::legacy09()
{
    Protocol protocol;
    protocol.m_v3 = true;
    protocol.m_legacy09 = true;
    protocol.m_binaryPayloads = false;
    return protocol;
}

int Protocol::pingInterval(const EngineOptions &options, const Legacy09::Config &legacy09) const
{
    return m_legacy09 ? legacy09.heartbeatInterval : options.pingInterval;
}

int Protocol::heartbeatTimeout(const EngineOptions &options, const Legacy09::Config &legacy09) const
{
    if (m_legacy09)
        return legacy09.heartbeatTimeout;
    return m_v3 ? options.pingInterval + options.pingTimeout : options.pingTimeout;
}

Packet Protocol::decodeOldFrame(QByteArrayView frame, bool binary) const
{
    if (m_legacy09)
        return binary ? Packet{PacketType::Error, QByteArrayLiteral("binary 0.9 frame"), false}
                      : Legacy09::decodeFrame(frame);
    return V3::decodePacket(frame, binary);
}

QByteArray Protocol::encodeOldFrame(const Packet &packet, bool *binaryFrame) const
{
    if (m_legacy09) {
        *binaryFrame = false;
        return Legacy09::encodeFrame(packet);
    }
    return V3::encodePacket(packet, true, binaryFrame);
}

QByteArray Protocol::openPacket(const QString &sid, bool upgradeToWebSocket,
                                const EngineOptions &options) const
{
    // The same in v3 and v4 (the reference sends maxPayload to both). Key order matters to
    // byte-exact peers: sid, upgrades, pingInterval, pingTimeout, maxPayload. QJsonObject
    // sorts keys, so the object is written by hand.
    QJsonArray upgrades;
    if (upgradeToWebSocket)
        upgrades.append(QStringLiteral("websocket"));
    return "{\"sid\":\"" + sid.toLatin1() +
           "\",\"upgrades\":" + QJsonDocument(upgrades).toJson(QJsonDocument::Compact) +
           ",\"pingInterval\":" + QByteArray::number(options.pingInterval) +
           ",\"pingTimeout\":" + QByteArray::number(options.pingTimeout) +
           ",\"maxPayload\":" + QByteArray::number(options.maxHttpBufferSize) + '}';
}

QList<Packet> Protocol::decodePayload(QByteArray body, bool binary) const
{
    // The reference reads a text body as UTF-8, which turns invalid bytes into U+FFFD: the
    // session never sees (nor echoes) text that is not UTF-8.
    if (!binary)
        body = toWellFormedUtf8(std::move(body));
    if (m_legacy09)
        return Legacy09::decodePayload(body);
    if (m_jsonp)
        body = V3::decodeJsonpForm(body);
    if (m_v3)
        return V3::decodePayload(body, binary);
    return EngineIO::decodePayload(body);
}

QByteArray Protocol::encodePayload(const QList<Packet> &packets, QByteArray *contentType) const
{
    QByteArray body;
    bool binary = false;
    if (m_legacy09)
        body = Legacy09::encodePayload(packets);
    else if (m_v3)
        body = V3::encodePayload(packets, m_binaryPayloads, &binary);
    else
        body = EngineIO::encodePayload(packets);
    *contentType = binary ? QByteArrayLiteral("application/octet-stream")
                          : QByteArrayLiteral("text/plain; charset=UTF-8");
    if (m_jsonp)
        body = jsonpCall(QByteArray("___eio[" + m_jsonpIndex + ']'), body);
    return body;
}

} // namespace SocketIO::EngineIO
