// A load balancer in front of servers, for the tests that move a client from one server to
// another: each connection on its loopback port (port 0, read back) goes to the current target
// port, or is refused when there is none.
#pragma once

#include <QtCore/QObject>
#include <QtNetwork/QTcpServer>
#include <QtNetwork/QTcpSocket>

class TcpForwarder : public QObject
{
public:
    explicit TcpForwarder(quint16 target)
        : m_target(target)
    {
        m_server.listen(QHostAddress::LocalHost, 0);
        connect(&m_server, &QTcpServer::newConnection, this, [this] {
            while (QTcpSocket *in = m_server.nextPendingConnection())
                forward(in);
        });
    }
    quint16 port() const { return m_server.serverPort(); }
    void setTarget(quint16 target) { m_target = target; }

private:
    void forward(QTcpSocket *in)
    {
        in->setParent(this);
        if (!m_target) {
            in->abort();
            in->deleteLater();
            return;
        }
        auto *out = new QTcpSocket(in);
        connect(in, &QTcpSocket::readyRead, out, [in, out] {
            if (out->state() == QAbstractSocket::ConnectedState)
                out->write(in->readAll());
        });
        connect(out, &QTcpSocket::connected, in, [in, out] { out->write(in->readAll()); });
        connect(out, &QTcpSocket::readyRead, in, [in, out] { in->write(out->readAll()); });
        connect(out, &QTcpSocket::disconnected, in, [in] { in->disconnectFromHost(); });
        connect(out, &QTcpSocket::errorOccurred, in, [in] { in->abort(); });
        connect(in, &QTcpSocket::disconnected, in, [in, out] {
            out->disconnectFromHost();
            in->deleteLater();
        });
        out->connectToHost(QHostAddress::LocalHost, m_target);
    }

    QTcpServer m_server;
    quint16 m_target = 0;
};
