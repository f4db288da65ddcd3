// The HTTP front: accepts connections from a QTcpServer or QSslServer (owned or attached)
// and runs one Http::Connection per socket.
#pragma once

#include "http/httpconnection_p.h"

#include <QtCore/QObject>
#include <QtCore/QPointer>
#include <QtNetwork/QHostAddress>
#include <QtNetwork/QSslConfiguration>
#include <QtNetwork/QTcpServer>

namespace SocketIO::Http {

class Front : public QObject
{
    Q_OBJECT
public:
    Front(Handler *handler, const HttpLimits &limits, QObject *parent);
    ~Front() override;

    bool listen(const QHostAddress &address, quint16 port, const QSslConfiguration *ssl);
    void attach(QTcpServer *server);
    void close();
    QTcpServer *server() const { return m_server; }
    QString errorString() const { return m_errorString; }

private:
    void acceptPending();

    Handler *const m_handler;
    HttpLimits m_limits;
    QPointer<QTcpServer> m_server;
    bool m_ownsServer = false;
    QString m_errorString;
};

} // namespace SocketIO::Http
