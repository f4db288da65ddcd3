#include "socketmodel.h"

#include "server.h"
#include "serversocket.h"

namespace SocketIO {

QmlSocketModel::QmlSocketModel(QObject *parent)
    : QAbstractListModel(parent)
{}

QmlSocketModel::~QmlSocketModel() = default;

QmlServer *QmlSocketModel::server() const
{
    return m_server;
}

void QmlSocketModel::setServer(QmlServer *server)
{
    if (m_server == server)
        return;
    for (const QMetaObject::Connection &c : std::as_const(m_serverConnections))
        QObject::disconnect(c);
    m_serverConnections.clear();
    m_server = server;
    if (server) {
        m_serverConnections = {
            connect(server, &QmlServer::connection, this, &QmlSocketModel::track),
            connect(server, &QmlServer::disconnection, this,
                    [this](QmlServerSocket *socket) { remove(socket); }),
            connect(server, &QObject::destroyed, this,
                    [this] {
                        m_server = nullptr;
                        rebuild();
                    }),
        };
    }
    Q_EMIT serverChanged();
    rebuild();
}

QString QmlSocketModel::nsp() const
{
    return m_nsp;
}

void QmlSocketModel::setNsp(const QString &nsp)
{
    if (m_nsp == nsp)
        return;
    m_nsp = nsp;
    Q_EMIT namespaceChanged();
    rebuild();
}

QString QmlSocketModel::room() const
{
    return m_room;
}

void QmlSocketModel::setRoom(const QString &room)
{
    if (m_room == room)
        return;
    m_room = room;
    Q_EMIT roomChanged();
    rebuild();
}

int QmlSocketModel::count() const
{
    return int(m_rows.size());
}

QmlServerSocket *QmlSocketModel::get(int row) const
{
    return row >= 0 && row < m_rows.size() ? m_rows.at(row) : nullptr;
}

int QmlSocketModel::rowCount(const QModelIndex &parent) const
{
    return parent.isValid() ? 0 : int(m_rows.size());
}

QVariant QmlSocketModel::data(const QModelIndex &index, int role) const
{
    const QmlServerSocket *socket = get(index.row());
    if (!socket || index.parent().isValid())
        return {};
    switch (role) {
    case SocketRole:
        return QVariant::fromValue(const_cast<QmlServerSocket *>(socket));
    case Qt::DisplayRole:
    case SocketIdRole:
        return socket->id();
    case RoomsRole:
        return socket->rooms();
    case TransportRole:
        return socket->transport();
    case AddressRole:
        return socket->address();
    case DataRole:
        return socket->data();
    case HandshakeRole:
        return socket->handshake();
    case RecoveredRole:
        return socket->isRecovered();
    default:
        return {};
    }
}

QHash<int, QByteArray> QmlSocketModel::roleNames() const
{
    return {
        {SocketRole, "socket"},       {SocketIdRole, "socketId"},   {RoomsRole, "rooms"},
        {TransportRole, "transport"}, {AddressRole, "address"},     {DataRole, "socketData"},
        {HandshakeRole, "handshake"}, {RecoveredRole, "recovered"},
    };
}

void QmlSocketModel::classBegin() {}

void QmlSocketModel::componentComplete()
{
    m_complete = true;
    rebuild();
}

bool QmlSocketModel::belongs(const QmlServerSocket *socket) const
{
    return socket->isConnected() && socket->nsp() == m_nsp &&
           (m_room.isEmpty() || socket->rooms().contains(m_room));
}

void QmlSocketModel::rebuild()
{
    if (!m_complete)
        return;
    const int before = count();
    beginResetModel();
    for (QmlServerSocket *socket : std::as_const(m_watched))
        QObject::disconnect(socket, nullptr, this, nullptr);
    m_watched.clear();
    m_rows.clear();
    if (m_server) {
        const QList<QObject *> sockets = m_server->sockets(m_nsp);
        for (QObject *object : sockets) {
            auto *socket = static_cast<QmlServerSocket *>(object);
            watch(socket);
            if (belongs(socket))
                m_rows.append(socket);
        }
    }
    endResetModel();
    if (before != count())
        Q_EMIT countChanged();
}

void QmlSocketModel::track(QmlServerSocket *socket)
{
    if (!m_complete || socket->nsp() != m_nsp)
        return;
    watch(socket);
    refresh(socket);
}

void QmlSocketModel::watch(QmlServerSocket *socket)
{
    if (m_watched.contains(socket))
        return;
    m_watched.insert(socket);
    // A room filter makes membership change with the rooms; any row changes with these.
    const auto changed = [this, socket] { refresh(socket); };
    connect(socket, &QmlServerSocket::roomsChanged, this, changed);
    connect(socket, &QmlServerSocket::transportChanged, this, changed);
    connect(socket, &QmlServerSocket::dataChanged, this, changed);
    connect(socket, &QObject::destroyed, this, [this, socket] {
        m_watched.remove(socket);
        remove(socket);
    });
}

void QmlSocketModel::refresh(QmlServerSocket *socket)
{
    const int row = int(m_rows.indexOf(socket));
    const bool wanted = belongs(socket);
    if (row >= 0 && wanted) {
        Q_EMIT dataChanged(index(row), index(row));
    } else if (row >= 0) {
        remove(socket);
    } else if (wanted) {
        // In the server's order (by id), so that rows do not jump around.
        const auto at = std::lower_bound(
            m_rows.cbegin(), m_rows.cend(), socket,
            [](const QmlServerSocket *a, const QmlServerSocket *b) { return a->id() < b->id(); });
        const int position = int(at - m_rows.cbegin());
        beginInsertRows(QModelIndex(), position, position);
        m_rows.insert(position, socket);
        endInsertRows();
        Q_EMIT countChanged();
    }
}

void QmlSocketModel::remove(QmlServerSocket *socket)
{
    const int row = int(m_rows.indexOf(socket));
    if (row < 0)
        return;
    beginRemoveRows(QModelIndex(), row, row);
    m_rows.removeAt(row);
    endRemoveRows();
    Q_EMIT countChanged();
}

} // namespace SocketIO
