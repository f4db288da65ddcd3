// The WebSocket transport over a QWebSocket accepted by QWebSocketServer.
#pragma once

#include "engineio/transport_p.h"

#include <QtCore/QPointer>
#include <QtWebSockets/QWebSocket>

namespace SocketIO::EngineIO {

class WebSocketTransport : public Transport
{
    Q_OBJECT
public:
    // Takes ownership of `socket`.
    WebSocketTransport(QWebSocket *socket, int protocol, qint64 maxMessageSize, QObject *parent);
    ~WebSocketTransport() override;

    QString name() const override { return QStringLiteral("websocket"); }
    bool isWritable() const override { return m_socket && !m_closing; }
    void send(const QList<Packet> &packets) override;
    void close() override;

private:
    void onFrame(QByteArrayView frame, bool binary);

    QPointer<QWebSocket> m_socket;
    bool m_closing = false;
};

} // namespace SocketIO::EngineIO
