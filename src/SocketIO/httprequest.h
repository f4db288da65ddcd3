#pragma once

#include "socketio_export.h"

#include <QtCore/QByteArray>
#include <QtCore/QList>
#include <QtCore/QUrl>
#include <QtCore/QUrlQuery>
#include <QtNetwork/QHostAddress>
#include <QtNetwork/QSslCertificate>

namespace SocketIO {

// One parsed HTTP/1.1 request, as the HTTP front hands it to a handler.
class SOCKETIO_EXPORT HttpRequest
{
public:
    using Header = std::pair<QByteArray, QByteArray>;

    QByteArray method() const { return m_method; }
    // The request target as sent ("/socket.io/?EIO=4&transport=polling").
    QByteArray target() const { return m_target; }
    QString path() const;
    QUrlQuery query() const;
    QString queryItem(const QString &key) const;
    QByteArray httpVersion() const { return m_version; }
    // Header names are lower-cased; repeated headers keep their order.
    QList<Header> headers() const { return m_headers; }
    QByteArray header(QByteArrayView name) const;
    bool hasHeader(QByteArrayView name) const;
    QByteArray body() const { return m_body; }
    QHostAddress peerAddress() const { return m_peerAddress; }
    quint16 peerPort() const { return m_peerPort; }
    bool isSecure() const { return m_secure; }
    // The certificate the client showed over TLS (null without one, or without TLS).
    QSslCertificate peerCertificate() const { return m_peerCertificate; }
    bool keepAlive() const;
    bool isWebSocketUpgrade() const;

    void setMethod(const QByteArray &method) { m_method = method; }
    void setTarget(const QByteArray &target);
    void setHttpVersion(const QByteArray &version) { m_version = version; }
    void addHeader(const QByteArray &lowerCaseName, const QByteArray &value);
    void setBody(const QByteArray &body) { m_body = body; }
    void setPeer(const QHostAddress &address, quint16 port, bool secure);
    void setPeerCertificate(const QSslCertificate &certificate) { m_peerCertificate = certificate; }

private:
    QByteArray m_method;
    QByteArray m_target;
    QByteArray m_version = QByteArrayLiteral("HTTP/1.1");
    QList<Header> m_headers;
    QByteArray m_body;
    QHostAddress m_peerAddress;
    quint16 m_peerPort = 0;
    bool m_secure = false;
    QUrl m_url;
    QSslCertificate m_peerCertificate;
};

// A response a request handler fills in.
class SOCKETIO_EXPORT HttpResponse
{
public:
    using Header = std::pair<QByteArray, QByteArray>;

    int statusCode() const { return m_status; }
    void setStatusCode(int status) { m_status = status; }
    QList<Header> headers() const { return m_headers; }
    QByteArray header(QByteArrayView name) const;
    // Replaces a header of that name (case-insensitive) or appends it.
    void setHeader(const QByteArray &name, const QByteArray &value);
    void addHeader(const QByteArray &name, const QByteArray &value);
    void removeHeader(QByteArrayView name);
    QByteArray body() const { return m_body; }
    void setBody(const QByteArray &body) { m_body = body; }

    static QByteArray reasonPhrase(int status);
    // Status line, headers and body, with Content-Length added when missing.
    QByteArray serialize(bool keepAlive, int keepAliveSeconds = 5) const;

private:
    int m_status = 200;
    QList<Header> m_headers;
    QByteArray m_body;
};

} // namespace SocketIO
