// The QTcpSocket of the connections our own listener accepts. Once it carries a QWebSocket
// (setDirect()), what is written in one pass of the event loop leaves with one send(2) at the
// end of the pass, straight from here; only what the kernel does not take goes to
// QAbstractSocket's write buffer. HTTP answers keep Qt's way: a polling response and a
// WebSocket frame of the same session must leave in the order the engine wrote them.
//
// Why: QAbstractSocket buffers every write and sends it when the write notifier fires, so each
// write enables the notifier and each send disables it. The glib dispatcher (Debian's Qt)
// keeps notifiers in lists it walks on each change: a broadcast to 10,000 QWebSocket clients
// costs 10,000 x 2 such walks. And each socket keeps a 16 KiB write buffer chunk after its
// first write. Here a send that the kernel takes touches neither.
#pragma once

#include "core/passend_p.h"

#include <QtCore/QList>
#include <QtNetwork/QTcpServer>
#include <QtNetwork/QTcpSocket>

namespace SocketIO::Http {

class DirectTcpSocket : public QTcpSocket, private PassEnd::Task
{
    Q_OBJECT
public:
    explicit DirectTcpSocket(QObject *parent = nullptr);
    ~DirectTcpSocket() override;

    // From now on, writes go out as described above.
    void setDirect() { m_direct = true; }
    // Sends what this pass wrote now (the rest, if any, goes to Qt's buffer).
    void sendPending();

    qint64 bytesToWrite() const override { return QTcpSocket::bytesToWrite() + m_pending.size(); }
    void close() override;
    void disconnectFromHost() override;
    bool waitForBytesWritten(int msecs = 30000) override;

protected:
    qint64 writeData(const char *data, qint64 size) override;

private:
    // What the kernel took of `data` at once (0 when it took nothing or failed).
    qint64 sendNow(const char *data, qint64 size);
    void runAtPassEnd() override; // sends what this pass wrote

    QByteArray m_pending;     // written in this pass, to leave at its end
    qint64 m_unannounced = 0; // sent, not yet announced with bytesWritten()
    bool m_direct = false;
    PassEnd *m_passEnd = nullptr; // the thread's pass end this socket is scheduled on
};

// A listener whose connections are DirectTcpSockets.
class DirectTcpServer : public QTcpServer
{
    Q_OBJECT
public:
    using QTcpServer::QTcpServer;

protected:
    void incomingConnection(qintptr descriptor) override;
};

} // namespace SocketIO::Http
