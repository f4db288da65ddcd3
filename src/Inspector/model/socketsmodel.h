#pragma once

#include <QtCore/QAbstractTableModel>
#include <QtCore/QDateTime>
#include <QtCore/QHash>
#include <QtCore/QVariantMap>

namespace Inspector {

// Every socket of every namespace (the admin ones too), from all_sockets and kept current by
// socket_connected / socket_updated / socket_disconnected and room_joined / room_left.
// SocketRole gives the whole SerializedSocket (handshake headers, query, auth, data).
class SocketsModel : public QAbstractTableModel
{
    Q_OBJECT
public:
    enum Column { Id, Namespace, ClientId, Transport, Address, Rooms, ConnectedSince, ColumnCount };
    Q_ENUM(Column)
    enum Role { SocketRole = Qt::UserRole + 1, IdRole, NamespaceRole, RoomsRole };

    explicit SocketsModel(QObject *parent = nullptr);

    int rowCount(const QModelIndex &parent = {}) const override;
    int columnCount(const QModelIndex &parent = {}) const override;
    QVariant data(const QModelIndex &index, int role = Qt::DisplayRole) const override;
    QVariant headerData(int section, Qt::Orientation orientation,
                        int role = Qt::DisplayRole) const override;
    QHash<int, QByteArray> roleNames() const override;

    void resetSockets(const QVariantList &sockets);
    void addSocket(const QVariantMap &socket, const QDateTime &since);
    // socket_updated: {id, nsp, data} or {id, nsp, transport}.
    void updateSocket(const QVariantMap &update);
    void removeSocket(const QString &nsp, const QString &id);
    void joinRoom(const QString &nsp, const QString &room, const QString &id);
    void leaveRoom(const QString &nsp, const QString &room, const QString &id);
    void clear();

    // The row of a socket, -1 when unknown.
    int row(const QString &nsp, const QString &id) const;
    QVariantMap socket(int row) const;
    QStringList rooms(int row) const;

Q_SIGNALS:
    // A socket's room list changed (the rooms model follows it).
    void roomJoined(const QString &nsp, const QString &room, const QString &id);
    void roomLeft(const QString &nsp, const QString &room, const QString &id);

private:
    struct Entry
    {
        QString id;
        QString nsp;
        QStringList rooms;
        QDateTime since;
        QVariantMap socket;
    };
    static QString key(const QString &nsp, const QString &id) { return nsp + u'\x1f' + id; }
    void reindex(int from);

    QList<Entry> m_entries;
    QHash<QString, int> m_rowOf;
};

} // namespace Inspector
