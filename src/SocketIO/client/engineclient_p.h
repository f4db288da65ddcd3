// The Engine.IO v4 client: polling (QNetworkAccessManager) and WebSocket (QWebSocket)
// transports, upgrade with probe, heartbeats, close reasons like engine.io-client 6.6.
#pragma once

#include "clientoptions.h"
#include "engineio/packet_p.h"
#include "websocket/clientconnection_p.h"

#include <QtCore/QElapsedTimer>
#include <QtCore/QObject>
#include <QtCore/QPointer>
#include <QtCore/QTimer>
#include <QtCore/QUrl>
#include <QtNetwork/QNetworkRequest>
#include <QtNetwork/QSslConfiguration>

QT_BEGIN_NAMESPACE
class QNetworkAccessManager;
class QNetworkReply;
class QWebSocket;
QT_END_NAMESPACE

namespace SocketIO::EngineIO {

class EngineClient;

// The Engine.IO name of a transport, Socket.IO 0.9's names included ("xhr-polling" and
// "jsonp-polling" are "polling"); empty for the 0.9 transports that are not implemented
// ("htmlfile", "flashsocket") and for unknown names.
inline QString modernTransportName(const QString &name)
{
    if (name == u"polling" || name == u"websocket")
        return name;
    if (name == u"xhr-polling" || name == u"jsonp-polling")
        return QStringLiteral("polling");
    return {};
}

class ClientTransport : public QObject
{
    Q_OBJECT
public:
    ClientTransport(EngineClient *engine, const QString &sid);

    virtual QString name() const = 0;
    virtual void open() = 0;
    virtual void close() = 0;
    virtual void send(const QList<Packet> &packets) = 0;
    // Stops taking new work and calls `paused` once what is in flight is done (polling).
    virtual void pause(std::function<void()> paused) { paused(); }
    bool isWritable() const { return m_writable; }

Q_SIGNALS:
    void opened();
    void packetReceived(const SocketIO::EngineIO::Packet &packet);
    void drained();
    void failed(const QString &message, const QString &description);
    void closed(const QString &description);

protected:
    QUrl url(const QString &scheme, bool timestamp) const;

    EngineClient *const m_engine;
    const QString m_sid;
    bool m_writable = false;
};

class PollingClientTransport : public ClientTransport
{
    Q_OBJECT
public:
    using ClientTransport::ClientTransport;
    QString name() const override { return QStringLiteral("polling"); }
    void open() override;
    void close() override;
    void send(const QList<Packet> &packets) override;
    void pause(std::function<void()> paused) override;

Q_SIGNALS:
    void pollCompleted();

private:
    void poll();
    void onPollFinished(QNetworkReply *reply);
    QNetworkRequest request(bool forPost) const;

    bool m_polling = false;
    bool m_paused = false;
    bool m_open = false;
    QPointer<QNetworkReply> m_get;
    QPointer<QNetworkReply> m_post;
};

// What both WebSocket transports share: the handshake request and the write loop.
class WebSocketTransportBase : public ClientTransport
{
    Q_OBJECT
public:
    using ClientTransport::ClientTransport;
    QString name() const override { return QStringLiteral("websocket"); }
    void send(const QList<Packet> &packets) override;

protected:
    // The upgrade request: the URL, the extra headers and the cookies.
    QNetworkRequest handshakeRequest() const;
    virtual void writeMessage(const QByteArray &data, bool binary, bool compress) = 0;

    bool m_closing = false;
};

// On QWebSocket, when perMessageDeflate is off.
class WebSocketClientTransport : public WebSocketTransportBase
{
    Q_OBJECT
public:
    WebSocketClientTransport(EngineClient *engine, const QString &sid);
    ~WebSocketClientTransport() override;
    void open() override;
    void close() override;

private:
    void writeMessage(const QByteArray &data, bool binary, bool compress) override;

    QWebSocket *m_socket;
    bool m_everOpened = false;
};

// On the library's own WebSocket client, which offers permessage-deflate.
class LeanWebSocketClientTransport : public WebSocketTransportBase
{
    Q_OBJECT
public:
    LeanWebSocketClientTransport(EngineClient *engine, const QString &sid);
    void open() override;
    void close() override;
    WebSocket::ClientConnection *connection() const { return m_connection; }

private:
    void writeMessage(const QByteArray &data, bool binary, bool compress) override;

    WebSocket::ClientConnection *m_connection;
};

class EngineClient : public QObject
{
    Q_OBJECT
public:
    enum class State { Closed, Opening, Open, Closing };

    EngineClient(const QUrl &url, const ManagerOptions &options, QNetworkAccessManager *network,
                 QObject *parent = nullptr);
    ~EngineClient() override;

    void open();
    // Flushes, then closes with reason "forced close".
    void close();
    void sendMessage(const QByteArray &data, bool binary, bool compress = true);

    State state() const { return m_state; }
    QString id() const { return m_id; }
    QString transportName() const;
    bool isTransportWritable() const;
    // Whether the server has missed its ping deadline (checked before sending, as the
    // reference does after a suspend).
    bool hasPingExpired();

    // For transports.
    const ManagerOptions &options() const { return m_options; }
    QUrl baseUrl() const { return m_url; }
    QNetworkAccessManager *network() const { return m_network; }
    QSslConfiguration sslConfiguration() const { return m_ssl; }
    bool supportsBinary() const { return !m_options.forceBase64; }

    // Remembered across clients of the process, like the reference's priorWebsocketSuccess.
    static bool priorWebSocketSuccess;

Q_SIGNALS:
    void opened();
    void messageReceived(const QByteArray &data, bool binary);
    void pinged();
    void upgrading(const QString &transport);
    void upgraded(const QString &transport);
    void errorOccurred(const QString &message);
    void closed(const QString &reason, const QString &description);

private:
    ClientTransport *createTransport(const QString &name);
    void setTransport(ClientTransport *transport);
    void onPacket(const Packet &packet);
    void onHandshake(const QByteArray &json);
    void onError(const QString &message, const QString &description);
    void onClose(const QString &reason, const QString &description = {});
    void resetPingTimeout();
    void flush();
    void probe(const QString &name);
    void finishClose();
    void continueClose();

    const QUrl m_url;
    const ManagerOptions m_options;
    QNetworkAccessManager *const m_network;
    QSslConfiguration m_ssl;
    QString m_keyError; // why tls.key cannot be used; empty when it can
    State m_state = State::Closed;
    QString m_id;
    QStringList m_upgrades;
    int m_pingInterval = 25000;
    int m_pingTimeout = 20000;
    qint64 m_maxPayload = 0;
    QPointer<ClientTransport> m_transport;
    QPointer<ClientTransport> m_probe;
    bool m_upgrading = false;
    QList<Packet> m_writeBuffer;
    qsizetype m_inFlight = 0; // packets handed to the transport, not yet drained
    QTimer m_pingTimer;
    QElapsedTimer m_sincePing;
    QStringList m_remainingTransports; // tryAllTransports
};

} // namespace SocketIO::EngineIO
