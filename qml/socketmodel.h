#pragma once

#include <QtCore/QAbstractListModel>
#include <QtCore/QPointer>
#include <QtCore/QSet>
#include <QtQml/QQmlParserStatus>
#include <QtQml/qqmlregistration.h>

Q_MOC_INCLUDE("server.h")
Q_MOC_INCLUDE("serversocket.h")

namespace SocketIO {

class QmlServer;
class QmlServerSocket;

// SocketModel: the sockets of a SocketIOServer's namespace, or of one room of it, live, for
// a ListView. Roles: socket (the ServerSocket), socketId, rooms, transport, address, socketData
// (its data: "data" would hide an Item's), handshake, recovered.
//     ListView { model: SocketModel { server: io; room: "players" }
//                delegate: Text { text: socketId + " " + transport } }
class QmlSocketModel : public QAbstractListModel, public QQmlParserStatus
{
    Q_OBJECT
    QML_NAMED_ELEMENT(SocketModel)
    Q_INTERFACES(QQmlParserStatus)
    Q_PROPERTY(SocketIO::QmlServer *server READ server WRITE setServer NOTIFY serverChanged)
    Q_PROPERTY(QString namespace READ nsp WRITE setNsp NOTIFY namespaceChanged)
    Q_PROPERTY(QString room READ room WRITE setRoom NOTIFY roomChanged)
    Q_PROPERTY(int count READ count NOTIFY countChanged)
public:
    enum Role {
        SocketRole = Qt::UserRole + 1,
        SocketIdRole,
        RoomsRole,
        TransportRole,
        AddressRole,
        DataRole,
        HandshakeRole,
        RecoveredRole,
    };
    Q_ENUM(Role)

    explicit QmlSocketModel(QObject *parent = nullptr);
    ~QmlSocketModel() override;

    QmlServer *server() const;
    void setServer(QmlServer *server);
    QString nsp() const;
    void setNsp(const QString &nsp);
    // Empty: every socket of the namespace.
    QString room() const;
    void setRoom(const QString &room);
    int count() const;

    Q_INVOKABLE SocketIO::QmlServerSocket *get(int row) const;

    int rowCount(const QModelIndex &parent = QModelIndex()) const override;
    QVariant data(const QModelIndex &index, int role = Qt::DisplayRole) const override;
    QHash<int, QByteArray> roleNames() const override;

    void classBegin() override;
    void componentComplete() override;

Q_SIGNALS:
    void serverChanged();
    void namespaceChanged();
    void roomChanged();
    void countChanged();

private:
    bool belongs(const QmlServerSocket *socket) const;
    void rebuild();
    void track(QmlServerSocket *socket);
    void watch(QmlServerSocket *socket);
    void refresh(QmlServerSocket *socket);
    void remove(QmlServerSocket *socket);

    QPointer<QmlServer> m_server;
    QString m_nsp = QStringLiteral("/");
    QString m_room;
    bool m_complete = false;
    QList<QmlServerSocket *> m_rows;
    QSet<QmlServerSocket *> m_watched;
    QList<QMetaObject::Connection> m_serverConnections;
};

} // namespace SocketIO
