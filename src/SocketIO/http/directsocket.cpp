#include "http/directsocket_p.h"

#include "core/passend_p.h"

#include <QtCore/QThread>

#include <cerrno>
#include <utility>
#ifdef Q_OS_UNIX
#include <sys/socket.h>
#endif

namespace SocketIO::Http {

DirectTcpSocket::DirectTcpSocket(QObject *parent)
    : QTcpSocket(parent)
{}

DirectTcpSocket::~DirectTcpSocket()
{
    // Destroyed in the pass it wrote in (rare): its pass end forgets it.
    if (m_passEnd)
        m_passEnd->cancel(this);
}

void DirectTcpSocket::runAtPassEnd()
{
    m_passEnd = nullptr;
    // Moved to another thread (a worker) since it wrote: sent there.
    if (thread() != QThread::currentThread()) {
        QMetaObject::invokeMethod(this, &DirectTcpSocket::sendPending, Qt::QueuedConnection);
        return;
    }
    sendPending();
}

qint64 DirectTcpSocket::writeData(const char *data, qint64 size)
{
    // Behind what Qt buffers already (the kernel was full), or not connected: Qt's way,
    // which keeps the order and reports the errors.
    if (!m_direct || QTcpSocket::bytesToWrite() > 0 || state() != ConnectedState)
        return QTcpSocket::writeData(data, size);
    if (!m_passEnd) {
        m_passEnd = PassEnd::forCurrentThread();
        m_passEnd->schedule(this);
    }
    // Small writes wait for the end of the pass, to leave together.
    constexpr qint64 CoalesceLimit = 64 * 1024;
    if (m_pending.size() + size <= CoalesceLimit) {
        m_pending.append(data, size);
        return size;
    }
    // A large one leaves now, from the caller's memory: gathering megabytes here first
    // would copy them once more. What this pass wrote before it goes first.
    sendPending();
    if (QTcpSocket::bytesToWrite() > 0)
        return QTcpSocket::writeData(data, size);
    const qint64 sent = sendNow(data, size);
    if (sent < size)
        QTcpSocket::writeData(data + sent, size - sent);
    return size;
}

qint64 DirectTcpSocket::sendNow(const char *data, qint64 size)
{
    qint64 sent = 0;
#ifdef Q_OS_UNIX
    // Elsewhere all of it takes Qt's way: correct, only without the gain.
#ifdef MSG_NOSIGNAL
    constexpr int Flags = MSG_NOSIGNAL | MSG_DONTWAIT;
#else
    constexpr int Flags = MSG_DONTWAIT; // Qt ignores SIGPIPE where this is missing
#endif
    for (;;) {
        const ssize_t n = ::send(int(socketDescriptor()), data, size_t(size), Flags);
        if (n < 0 && errno == EINTR)
            continue;
        // An error (the peer went away) is Qt's to find and report, with the rest.
        sent = qMax<qint64>(n, 0);
        break;
    }
#else
    Q_UNUSED(data);
    Q_UNUSED(size);
#endif
    // Announced from the event loop, as Qt does, never inside the caller's write().
    m_unannounced += sent;
    return sent;
}

void DirectTcpSocket::sendPending()
{
    // abort() drops Qt's write buffer (no write channel left) before it closes: ours goes too.
    if (writeChannelCount() == 0 || !isWritable()) {
        m_pending.clear();
        m_unannounced = 0;
        return;
    }
    if (!m_pending.isEmpty()) {
        const QByteArray data = std::exchange(m_pending, {});
        const qint64 sent = state() == ConnectedState ? sendNow(data.constData(), data.size()) : 0;
        if (sent < data.size())
            QTcpSocket::writeData(data.constData() + sent, data.size() - sent);
    }
    if (m_unannounced > 0)
        Q_EMIT bytesWritten(std::exchange(m_unannounced, 0));
}

void DirectTcpSocket::close()
{
    sendPending();
    QTcpSocket::close();
}

void DirectTcpSocket::disconnectFromHost()
{
    // Qt's disconnect waits for its own buffer only: ours goes there (or out) first.
    sendPending();
    QTcpSocket::disconnectFromHost();
}

bool DirectTcpSocket::waitForBytesWritten(int msecs)
{
    sendPending();
    return QTcpSocket::waitForBytesWritten(msecs);
}

void DirectTcpServer::incomingConnection(qintptr descriptor)
{
    auto *socket = new DirectTcpSocket(this);
    if (!socket->setSocketDescriptor(descriptor)) {
        delete socket;
        return;
    }
    addPendingConnection(socket);
}

} // namespace SocketIO::Http
