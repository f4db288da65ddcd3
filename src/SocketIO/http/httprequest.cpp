#include "httprequest.h"

#include <QtCore/QDateTime>
#include <QtCore/QLocale>

namespace SocketIO {

/*!
    \class SocketIO::HttpRequest
    \inmodule SocketIO
    \brief One HTTP/1.1 request received by the HTTP front.

    Handed to request handlers (EngineServer::setRequestHandler) and to allowRequest.
*/

QString HttpRequest::path() const
{
    return m_url.path();
}

QUrlQuery HttpRequest::query() const
{
    // Like Node's querystring, '+' in a query means a space.
    QString query = m_url.query(QUrl::FullyEncoded);
    query.replace(u'+', QStringLiteral("%20"));
    return QUrlQuery(query);
}

QString HttpRequest::queryItem(const QString &key) const
{
    return query().queryItemValue(key, QUrl::FullyDecoded);
}

QByteArray HttpRequest::header(QByteArrayView name) const
{
    for (const Header &h : m_headers) {
        if (h.first.compare(name, Qt::CaseInsensitive) == 0)
            return h.second;
    }
    return {};
}

bool HttpRequest::hasHeader(QByteArrayView name) const
{
    for (const Header &h : m_headers) {
        if (h.first.compare(name, Qt::CaseInsensitive) == 0)
            return true;
    }
    return false;
}

bool HttpRequest::keepAlive() const
{
    const QByteArray connection = header("connection").toLower();
    if (m_version == "HTTP/1.0")
        return connection.contains("keep-alive");
    return !connection.contains("close");
}

bool HttpRequest::isWebSocketUpgrade() const
{
    return m_method == "GET" && header("upgrade").toLower() == "websocket";
}

void HttpRequest::setTarget(const QByteArray &target)
{
    m_target = target;
    m_url = QUrl::fromEncoded(target, QUrl::TolerantMode);
}

void HttpRequest::addHeader(const QByteArray &lowerCaseName, const QByteArray &value)
{
    m_headers.append({lowerCaseName, value});
}

void HttpRequest::setPeer(const QHostAddress &address, quint16 port, bool secure)
{
    m_peerAddress = address;
    m_peerPort = port;
    m_secure = secure;
}

/*!
    \class SocketIO::HttpResponse
    \inmodule SocketIO
    \brief A response written by the HTTP front.
*/

QByteArray HttpResponse::header(QByteArrayView name) const
{
    for (const Header &h : m_headers) {
        if (h.first.compare(name, Qt::CaseInsensitive) == 0)
            return h.second;
    }
    return {};
}

void HttpResponse::setHeader(const QByteArray &name, const QByteArray &value)
{
    for (Header &h : m_headers) {
        if (h.first.compare(name, Qt::CaseInsensitive) == 0) {
            h.second = value;
            return;
        }
    }
    m_headers.append({name, value});
}

void HttpResponse::addHeader(const QByteArray &name, const QByteArray &value)
{
    m_headers.append({name, value});
}

void HttpResponse::removeHeader(QByteArrayView name)
{
    m_headers.removeIf(
        [name](const Header &h) { return h.first.compare(name, Qt::CaseInsensitive) == 0; });
}

QByteArray HttpResponse::reasonPhrase(int status)
{
    switch (status) {
    case 101:
        return QByteArrayLiteral("Switching Protocols");
    case 200:
        return QByteArrayLiteral("OK");
    case 204:
        return QByteArrayLiteral("No Content");
    case 304:
        return QByteArrayLiteral("Not Modified");
    case 400:
        return QByteArrayLiteral("Bad Request");
    case 403:
        return QByteArrayLiteral("Forbidden");
    case 404:
        return QByteArrayLiteral("Not Found");
    case 405:
        return QByteArrayLiteral("Method Not Allowed");
    case 408:
        return QByteArrayLiteral("Request Timeout");
    case 413:
        return QByteArrayLiteral("Payload Too Large");
    case 431:
        return QByteArrayLiteral("Request Header Fields Too Large");
    case 500:
        return QByteArrayLiteral("Internal Server Error");
    case 501:
        return QByteArrayLiteral("Not Implemented");
    case 503:
        return QByteArrayLiteral("Service Unavailable");
    case 505:
        return QByteArrayLiteral("HTTP Version Not Supported");
    default:
        return QByteArrayLiteral("Unknown");
    }
}

namespace {
// RFC 7231 IMF-fixdate, cached for the current second.
QByteArray httpDate()
{
    static thread_local qint64 cachedSecond = -1;
    static thread_local QByteArray cached;
    const QDateTime now = QDateTime::currentDateTimeUtc();
    const qint64 second = now.toSecsSinceEpoch();
    if (second != cachedSecond) {
        cachedSecond = second;
        cached = QLocale::c().toString(now, u"ddd, dd MMM yyyy hh:mm:ss 'GMT'").toLatin1();
    }
    return cached;
}
} // namespace

QByteArray HttpResponse::serialize(bool keepAlive, int keepAliveSeconds) const
{
    QByteArray out;
    out.reserve(256 + m_body.size());
    out += "HTTP/1.1 ";
    out += QByteArray::number(m_status);
    out += ' ';
    out += reasonPhrase(m_status);
    out += "\r\n";
    bool hasLength = false;
    for (const Header &h : m_headers) {
        hasLength = hasLength || h.first.compare("content-length", Qt::CaseInsensitive) == 0;
        out += h.first;
        out += ": ";
        out += h.second;
        out += "\r\n";
    }
    if (!hasLength && m_status != 204 && m_status != 304 && m_status >= 200) {
        out += "Content-Length: ";
        out += QByteArray::number(m_body.size());
        out += "\r\n";
    }
    out += "Date: ";
    out += httpDate();
    out += "\r\nConnection: ";
    if (keepAlive && keepAliveSeconds > 0) {
        out += "keep-alive\r\nKeep-Alive: timeout=";
        out += QByteArray::number(keepAliveSeconds);
        out += "\r\n\r\n";
    } else {
        out += keepAlive ? "keep-alive\r\n\r\n" : "close\r\n\r\n";
    }
    out += m_body;
    return out;
}

} // namespace SocketIO
