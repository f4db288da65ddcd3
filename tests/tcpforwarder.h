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
    // Bytes forwarded so far, client to target and back (for measurements).
    qint64 bytesUp() const { return m_up; }
    qint64 bytesDown() const { return m_down; }

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
        connect(in, &QTcpSocket::readyRead, out, [this, in, out] {
            if (out->state() == QAbstractSocket::ConnectedState)
                m_up += out->write(in->readAll());
        });
        connect(out, &QTcpSocket::connected, in,
                [this, in, out] { m_up += out->write(in->readAll()); });
        connect(out, &QTcpSocket::readyRead, in,
                [this, in, out] { m_down += in->write(out->readAll()); });
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
    qint64 m_up = 0;
    qint64 m_down = 0;
};
