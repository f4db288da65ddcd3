#include "serversocket.h"

#include "broadcast.h"
#include "emitter.h"
#include "server.h"

namespace SocketIO {

QmlServerSocket::QmlServerSocket(Socket *socket, QmlServer *server)
    : QmlSocketBase(server)
    , m_socket(socket)
    , m_id(socket->id())
    , m_nsp(socket->namespaceName())
{
    connect(socket, &Socket::connectedChanged, this, &QmlServerSocket::connectedChanged);
    connect(socket, &Socket::roomsChanged, this, &QmlServerSocket::roomsChanged);
    connect(socket, &Socket::transportNameChanged, this, &QmlServerSocket::transportChanged);
    connect(socket, &Socket::dataChanged, this, &QmlServerSocket::dataChanged);
    connect(socket, &Socket::eventReceived, this,
            [this](const QString &name, const QVariantList &args, const Ack &ack) {
                deliver(name, args, ack);
            });
}

QmlServerSocket::~QmlServerSocket() = default;

QString QmlServerSocket::id() const
{
    return m_id;
}

QString QmlServerSocket::nsp() const
{
    return m_nsp;
}

bool QmlServerSocket::isConnected() const
{
    return m_socket && m_socket->isConnected();
}

bool QmlServerSocket::isRecovered() const
{
    return m_socket && m_socket->isRecovered();
}

QStringList QmlServerSocket::rooms() const
{
    return m_socket ? m_socket->roomList() : QStringList();
}

QString QmlServerSocket::transport() const
{
    return m_socket ? m_socket->transportName() : QString();
}

QString QmlServerSocket::address() const
{
    return m_socket ? m_socket->address() : QString();
}

QVariantMap QmlServerSocket::handshake() const
{
    return m_socket ? m_socket->handshake().toVariantMap() : QVariantMap();
}

QVariantMap QmlServerSocket::auth() const
{
    return m_socket ? m_socket->handshake().auth() : QVariantMap();
}

QVariantMap QmlServerSocket::data() const
{
    return m_socket ? m_socket->data() : QVariantMap();
}

void QmlServerSocket::setData(const QVariantMap &data)
{
    if (m_socket)
        m_socket->setData(data);
}

QmlBroadcast *QmlServerSocket::broadcast() const
{
    // The same selection for the socket's life: one object, owned here (a property's value is
    // never owned by JavaScript).
    if (!m_broadcast) {
        auto *self = const_cast<QmlServerSocket *>(this);
        m_broadcast =
            new QmlBroadcast(m_socket ? m_socket->broadcast() : BroadcastOperator(), self);
        m_broadcast->setParent(self);
    }
    return m_broadcast;
}

void QmlServerSocket::join(const QJSValue &rooms)
{
    if (m_socket)
        m_socket->join(QmlBroadcast::roomList(rooms));
}

void QmlServerSocket::leave(const QString &room)
{
    if (m_socket)
        m_socket->leave(room);
}

QmlBroadcast *QmlServerSocket::to(const QJSValue &rooms) const
{
    return new QmlBroadcast(m_socket ? m_socket->to(QmlBroadcast::roomList(rooms))
                                     : BroadcastOperator(),
                            const_cast<QmlServerSocket *>(this));
}

QmlBroadcast *QmlServerSocket::in(const QJSValue &rooms) const
{
    return to(rooms);
}

QmlBroadcast *QmlServerSocket::except(const QJSValue &rooms) const
{
    return new QmlBroadcast(m_socket ? m_socket->broadcast().except(QmlBroadcast::roomList(rooms))
                                     : BroadcastOperator(),
                            const_cast<QmlServerSocket *>(this));
}

QmlEmitter *QmlServerSocket::timeout(int milliseconds) const
{
    return new QmlEmitter(Emitter(m_socket.data()).timeout(milliseconds), true,
                          const_cast<QmlServerSocket *>(this));
}

void QmlServerSocket::disconnect(bool close)
{
    if (m_socket)
        m_socket->disconnectSocket(close);
}

Socket *QmlServerSocket::socket() const
{
    return m_socket;
}

QmlSender::AckStyle QmlServerSocket::ackStyle() const
{
    return AckStyle::Plain;
}

bool QmlServerSocket::send(const QString &event, const QVariantList &args, QObject *context,
                           AckCallback callback)
{
    if (!m_socket)
        return true; // gone: like the reference, an emit to a closed socket is dropped
    return callback ? m_socket->emitEvent(event, args, context, std::move(callback))
                    : m_socket->emitEvent(event, args);
}

} // namespace SocketIO
