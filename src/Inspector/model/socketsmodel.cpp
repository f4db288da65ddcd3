#include "socketsmodel.h"

#include "columnheader_p.h"

namespace Inspector {

namespace {

QString str(const QVariantMap &map, const char *name)
{
    return map.value(QLatin1String(name)).toString();
}

} // namespace

SocketsModel::SocketsModel(QObject *parent)
    : QAbstractTableModel(parent)
{}

int SocketsModel::rowCount(const QModelIndex &parent) const
{
    return parent.isValid() ? 0 : int(m_entries.size());
}

int SocketsModel::columnCount(const QModelIndex &parent) const
{
    return parent.isValid() ? 0 : ColumnCount;
}

QVariant SocketsModel::data(const QModelIndex &index, int role) const
{
    if (!index.isValid() || !checkIndex(index))
        return {};
    const Entry &e = m_entries.at(index.row());
    switch (role) {
    case SocketRole:
        return e.socket;
    case IdRole:
        return e.id;
    case NamespaceRole:
        return e.nsp;
    case RoomsRole:
        return e.rooms;
    case Qt::DisplayRole:
    case Qt::EditRole:
        break;
    default:
        return {};
    }
    const QVariantMap handshake = e.socket.value(QStringLiteral("handshake")).toMap();
    switch (index.column()) {
    case Id:
        return e.id;
    case Namespace:
        return e.nsp;
    case ClientId:
        return str(e.socket, "clientId");
    case Transport:
        return str(e.socket, "transport");
    case Address:
        return str(handshake, "address");
    case Rooms: {
        // The socket's own room is implied.
        QStringList rooms = e.rooms;
        rooms.removeAll(e.id);
        return rooms.join(QStringLiteral(", "));
    }
    case ConnectedSince:
        return role == Qt::EditRole ? QVariant(e.since)
                                    : QVariant(e.since.toLocalTime().toString(
                                          QStringLiteral("yyyy-MM-dd HH:mm:ss")));
    }
    return {};
}

QVariant SocketsModel::headerData(int section, Qt::Orientation orientation, int role) const
{
    static const char *const titles[] = {
        QT_TRANSLATE_NOOP("Inspector::SocketsModel", "Socket"),
        QT_TRANSLATE_NOOP("Inspector::SocketsModel", "Namespace"),
        QT_TRANSLATE_NOOP("Inspector::SocketsModel", "Client"),
        QT_TRANSLATE_NOOP("Inspector::SocketsModel", "Transport"),
        QT_TRANSLATE_NOOP("Inspector::SocketsModel", "Address"),
        QT_TRANSLATE_NOOP("Inspector::SocketsModel", "Rooms"),
        QT_TRANSLATE_NOOP("Inspector::SocketsModel", "Connected since"),
    };
    static_assert(std::size(titles) == ColumnCount);
    return columnHeader<QAbstractTableModel>(this, section, orientation, role,
                                             "Inspector::SocketsModel", titles);
}

QHash<int, QByteArray> SocketsModel::roleNames() const
{
    QHash<int, QByteArray> names = QAbstractTableModel::roleNames();
    names.insert(SocketRole, "socket");
    names.insert(IdRole, "socketId");
    names.insert(NamespaceRole, "nsp");
    names.insert(RoomsRole, "rooms");
    return names;
}

void SocketsModel::reindex(int from)
{
    for (int row = from; row < m_entries.size(); ++row)
        m_rowOf.insert(key(m_entries.at(row).nsp, m_entries.at(row).id), row);
}

void SocketsModel::resetSockets(const QVariantList &sockets)
{
    beginResetModel();
    m_entries.clear();
    m_rowOf.clear();
    for (const QVariant &s : sockets) {
        const QVariantMap socket = s.toMap();
        Entry e;
        e.id = str(socket, "id");
        e.nsp = str(socket, "nsp");
        e.rooms = socket.value(QStringLiteral("rooms")).toStringList();
        e.since = QDateTime::fromMSecsSinceEpoch(socket.value(QStringLiteral("handshake"))
                                                     .toMap()
                                                     .value(QStringLiteral("issued"))
                                                     .toLongLong(),
                                                 Qt::UTC);
        e.socket = socket;
        const QString k = key(e.nsp, e.id);
        if (m_rowOf.contains(k))
            continue;
        m_rowOf.insert(k, int(m_entries.size()));
        m_entries.append(e);
    }
    endResetModel();
}

void SocketsModel::addSocket(const QVariantMap &socket, const QDateTime &since)
{
    Entry e;
    e.id = str(socket, "id");
    e.nsp = str(socket, "nsp");
    e.rooms = socket.value(QStringLiteral("rooms")).toStringList();
    e.since = since;
    e.socket = socket;
    const int existing = row(e.nsp, e.id);
    if (existing >= 0) {
        const QStringList before = m_entries.at(existing).rooms;
        m_entries[existing] = e;
        Q_EMIT dataChanged(index(existing, 0), index(existing, ColumnCount - 1));
        for (const QString &room : before) {
            if (!e.rooms.contains(room))
                Q_EMIT roomLeft(e.nsp, room, e.id);
        }
        for (const QString &room : e.rooms) {
            if (!before.contains(room))
                Q_EMIT roomJoined(e.nsp, room, e.id);
        }
        return;
    }
    const int at = int(m_entries.size());
    beginInsertRows({}, at, at);
    m_entries.append(e);
    m_rowOf.insert(key(e.nsp, e.id), at);
    endInsertRows();
}

void SocketsModel::updateSocket(const QVariantMap &update)
{
    const int r = row(str(update, "nsp"), str(update, "id"));
    if (r < 0)
        return;
    Entry &e = m_entries[r];
    for (const QString &field : {QStringLiteral("data"), QStringLiteral("transport")}) {
        if (update.contains(field))
            e.socket.insert(field, update.value(field));
    }
    Q_EMIT dataChanged(index(r, 0), index(r, ColumnCount - 1));
}

void SocketsModel::removeSocket(const QString &nsp, const QString &id)
{
    const int r = row(nsp, id);
    if (r < 0)
        return;
    const QStringList rooms = m_entries.at(r).rooms;
    beginRemoveRows({}, r, r);
    m_entries.removeAt(r);
    m_rowOf.remove(key(nsp, id));
    reindex(r);
    endRemoveRows();
    for (const QString &room : rooms)
        Q_EMIT roomLeft(nsp, room, id);
}

void SocketsModel::joinRoom(const QString &nsp, const QString &room, const QString &id)
{
    const int r = row(nsp, id);
    if (r < 0 || m_entries.at(r).rooms.contains(room))
        return;
    m_entries[r].rooms.append(room);
    m_entries[r].socket.insert(QStringLiteral("rooms"), m_entries.at(r).rooms);
    Q_EMIT dataChanged(index(r, Rooms), index(r, Rooms));
    Q_EMIT roomJoined(nsp, room, id);
}

void SocketsModel::leaveRoom(const QString &nsp, const QString &room, const QString &id)
{
    const int r = row(nsp, id);
    if (r < 0 || !m_entries[r].rooms.removeOne(room))
        return;
    m_entries[r].socket.insert(QStringLiteral("rooms"), m_entries.at(r).rooms);
    Q_EMIT dataChanged(index(r, Rooms), index(r, Rooms));
    Q_EMIT roomLeft(nsp, room, id);
}

void SocketsModel::clear()
{
    beginResetModel();
    m_entries.clear();
    m_rowOf.clear();
    endResetModel();
}

int SocketsModel::row(const QString &nsp, const QString &id) const
{
    return m_rowOf.value(key(nsp, id), -1);
}

QVariantMap SocketsModel::socket(int row) const
{
    return row >= 0 && row < m_entries.size() ? m_entries.at(row).socket : QVariantMap();
}

QStringList SocketsModel::rooms(int row) const
{
    return row >= 0 && row < m_entries.size() ? m_entries.at(row).rooms : QStringList();
}

} // namespace Inspector
