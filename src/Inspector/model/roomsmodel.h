#pragma once

#include <QtCore/QAbstractItemModel>
#include <QtCore/QPointer>

#include <memory>
#include <vector>

namespace Inspector {

class SocketsModel;

// The rooms of every namespace with their member sockets as children, following a
// SocketsModel. A room named after its only member's id is that socket's private room
// (PrivateRole), which views usually hide.
class RoomsModel : public QAbstractItemModel
{
    Q_OBJECT
public:
    enum Column { Name, Namespace, Members, ColumnCount };
    Q_ENUM(Column)
    enum Role { PrivateRole = Qt::UserRole + 1, NamespaceRole, RoomRole, SocketIdRole };

    explicit RoomsModel(QObject *parent = nullptr);
    ~RoomsModel() override;

    void setSocketsModel(SocketsModel *sockets);
    SocketsModel *socketsModel() const { return m_sockets; }

    QModelIndex index(int row, int column, const QModelIndex &parent = {}) const override;
    QModelIndex parent(const QModelIndex &child) const override;
    int rowCount(const QModelIndex &parent = {}) const override;
    int columnCount(const QModelIndex &parent = {}) const override;
    QVariant data(const QModelIndex &index, int role = Qt::DisplayRole) const override;
    QVariant headerData(int section, Qt::Orientation orientation,
                        int role = Qt::DisplayRole) const override;

    // The index of a room, invalid when it has no members.
    QModelIndex roomIndex(const QString &nsp, const QString &room) const;
    QStringList members(const QString &nsp, const QString &room) const;

private:
    struct Room
    {
        QString nsp;
        QString name;
        QStringList members;
        bool isPrivate() const { return members.size() == 1 && members.first() == name; }
    };
    void rebuild();
    void addMember(const QString &nsp, const QString &room, const QString &id);
    void removeMember(const QString &nsp, const QString &room, const QString &id);
    int roomRow(const QString &nsp, const QString &room) const;
    int rowOf(const Room *room) const;

    QPointer<SocketsModel> m_sockets;
    std::vector<std::unique_ptr<Room>> m_rooms; // sorted by namespace, then name
};

} // namespace Inspector
