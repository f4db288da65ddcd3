#include "roomsmodel.h"

#include "columnheader_p.h"

#include "socketsmodel.h"

namespace Inspector {

RoomsModel::RoomsModel(QObject *parent)
    : QAbstractItemModel(parent)
{}

RoomsModel::~RoomsModel() = default;

void RoomsModel::setSocketsModel(SocketsModel *sockets)
{
    if (m_sockets)
        m_sockets->disconnect(this);
    m_sockets = sockets;
    if (sockets) {
        connect(sockets, &QAbstractItemModel::modelReset, this, &RoomsModel::rebuild);
        connect(sockets, &QAbstractItemModel::rowsInserted, this,
                [this](const QModelIndex &, int first, int last) {
                    for (int row = first; row <= last; ++row) {
                        const QModelIndex i = m_sockets->index(row, 0);
                        const QString nsp = i.data(SocketsModel::NamespaceRole).toString();
                        const QString id = i.data(SocketsModel::IdRole).toString();
                        for (const QString &room : m_sockets->rooms(row))
                            addMember(nsp, room, id);
                    }
                });
        connect(sockets, &SocketsModel::roomJoined, this, &RoomsModel::addMember);
        connect(sockets, &SocketsModel::roomLeft, this, &RoomsModel::removeMember);
    }
    rebuild();
}

void RoomsModel::rebuild()
{
    beginResetModel();
    m_rooms.clear();
    endResetModel();
    if (!m_sockets)
        return;
    for (int row = 0; row < m_sockets->rowCount(); ++row) {
        const QModelIndex i = m_sockets->index(row, 0);
        const QString nsp = i.data(SocketsModel::NamespaceRole).toString();
        const QString id = i.data(SocketsModel::IdRole).toString();
        for (const QString &room : m_sockets->rooms(row))
            addMember(nsp, room, id);
    }
}

int RoomsModel::roomRow(const QString &nsp, const QString &room) const
{
    for (size_t row = 0; row < m_rooms.size(); ++row) {
        if (m_rooms[row]->nsp == nsp && m_rooms[row]->name == room)
            return int(row);
    }
    return -1;
}

int RoomsModel::rowOf(const Room *room) const
{
    for (size_t row = 0; row < m_rooms.size(); ++row) {
        if (m_rooms[row].get() == room)
            return int(row);
    }
    return -1;
}

void RoomsModel::addMember(const QString &nsp, const QString &room, const QString &id)
{
    int row = roomRow(nsp, room);
    if (row < 0) {
        row = 0;
        while (row < int(m_rooms.size()) &&
               std::tie(m_rooms[row]->nsp, m_rooms[row]->name) < std::tie(nsp, room))
            ++row;
        beginInsertRows({}, row, row);
        auto r = std::make_unique<Room>();
        r->nsp = nsp;
        r->name = room;
        m_rooms.insert(m_rooms.begin() + row, std::move(r));
        endInsertRows();
    }
    Room &r = *m_rooms[row];
    if (r.members.contains(id))
        return;
    const int at = int(r.members.size());
    beginInsertRows(index(row, 0), at, at);
    r.members.append(id);
    endInsertRows();
    Q_EMIT dataChanged(index(row, 0), index(row, ColumnCount - 1));
}

void RoomsModel::removeMember(const QString &nsp, const QString &room, const QString &id)
{
    const int row = roomRow(nsp, room);
    if (row < 0)
        return;
    Room &r = *m_rooms[row];
    const int at = int(r.members.indexOf(id));
    if (at < 0)
        return;
    if (r.members.size() == 1) {
        beginRemoveRows({}, row, row);
        m_rooms.erase(m_rooms.begin() + row);
        endRemoveRows();
        return;
    }
    beginRemoveRows(index(row, 0), at, at);
    r.members.removeAt(at);
    endRemoveRows();
    Q_EMIT dataChanged(index(row, 0), index(row, ColumnCount - 1));
}

QModelIndex RoomsModel::index(int row, int column, const QModelIndex &parent) const
{
    if (!hasIndex(row, column, parent))
        return {};
    if (!parent.isValid())
        return createIndex(row, column, nullptr);
    return createIndex(row, column, m_rooms[parent.row()].get());
}

QModelIndex RoomsModel::parent(const QModelIndex &child) const
{
    if (!child.isValid() || !child.internalPointer())
        return {};
    const int row = rowOf(static_cast<const Room *>(child.internalPointer()));
    return row < 0 ? QModelIndex() : createIndex(row, 0, nullptr);
}

int RoomsModel::rowCount(const QModelIndex &parent) const
{
    if (!parent.isValid())
        return int(m_rooms.size());
    if (parent.internalPointer() || parent.column() != 0)
        return 0;
    return int(m_rooms[parent.row()]->members.size());
}

int RoomsModel::columnCount(const QModelIndex &) const
{
    return ColumnCount;
}

QVariant RoomsModel::data(const QModelIndex &index, int role) const
{
    if (!index.isValid() || !checkIndex(index))
        return {};
    const auto *parentRoom = static_cast<const Room *>(index.internalPointer());
    const Room &room = parentRoom ? *parentRoom : *m_rooms[index.row()];
    const bool member = parentRoom != nullptr;
    switch (role) {
    case PrivateRole:
        return room.isPrivate();
    case NamespaceRole:
        return room.nsp;
    case RoomRole:
        return room.name;
    case SocketIdRole:
        return member ? QVariant(room.members.at(index.row())) : QVariant();
    case Qt::DisplayRole:
    case Qt::EditRole:
        break;
    default:
        return {};
    }
    switch (index.column()) {
    case Name:
        return member ? room.members.at(index.row()) : room.name;
    case Namespace:
        return room.nsp;
    case Members:
        return member ? QVariant() : QVariant(int(room.members.size()));
    }
    return {};
}

QVariant RoomsModel::headerData(int section, Qt::Orientation orientation, int role) const
{
    static const char *const titles[] = {
        QT_TRANSLATE_NOOP("Inspector::RoomsModel", "Room / member"),
        QT_TRANSLATE_NOOP("Inspector::RoomsModel", "Namespace"),
        QT_TRANSLATE_NOOP("Inspector::RoomsModel", "Members"),
    };
    static_assert(std::size(titles) == ColumnCount);
    return columnHeader<QAbstractItemModel>(this, section, orientation, role,
                                            "Inspector::RoomsModel", titles);
}

QModelIndex RoomsModel::roomIndex(const QString &nsp, const QString &room) const
{
    const int row = roomRow(nsp, room);
    return row < 0 ? QModelIndex() : index(row, 0);
}

QStringList RoomsModel::members(const QString &nsp, const QString &room) const
{
    const int row = roomRow(nsp, room);
    return row < 0 ? QStringList() : m_rooms[row]->members;
}

} // namespace Inspector
