#pragma once

#include <SocketIO/server.h>

#include <QtCore/QHash>
#include <QtCore/QObject>
#include <QtCore/QPointer>
#include <QtCore/QSet>
#include <QtCore/QUrl>
#include <QtQml/QJSValue>
#include <QtQml/QQmlParserStatus>
#include <QtQml/qqmlregistration.h>

#include <memory>

Q_MOC_INCLUDE("broadcast.h")
Q_MOC_INCLUDE("serversocket.h")

namespace SocketIO {

class HttpRequest;
class HttpResponse;
class QmlBroadcast;
class QmlServerSocket;

// SocketIOServer: a Socket.IO server hosted by a QML app (a kiosk, a game host, a device
// that phones connect to).
//
//     SocketIOServer {
//         port: 3000
//         namespaces: ["/", "/admin"]
//         onConnection: socket => socket.emit("welcome", socket.id)
//     }
//
// It listens once the component is complete and `active` is true; `port` and `host` are read
// then (and again after active goes false and true). Only the namespaces listed are served;
// others get the reference's "Invalid namespace". `options` takes the server's options by
// their reference names ({pingInterval: 10000, cors: {origin: "*"}, ...}).
class QmlServer : public QObject, public QQmlParserStatus
{
    Q_OBJECT
    QML_NAMED_ELEMENT(SocketIOServer)
    Q_INTERFACES(QQmlParserStatus)
    Q_PROPERTY(int port READ port WRITE setPort NOTIFY portChanged)
    Q_PROPERTY(QString host READ host WRITE setHost NOTIFY hostChanged)
    Q_PROPERTY(QVariantMap options READ options WRITE setOptions NOTIFY optionsChanged)
    Q_PROPERTY(QUrl documentRoot READ documentRoot WRITE setDocumentRoot NOTIFY documentRootChanged)
    Q_PROPERTY(QStringList namespaces READ namespaces WRITE setNamespaces NOTIFY namespacesChanged)
    Q_PROPERTY(bool active READ isActive WRITE setActive NOTIFY activeChanged)
    Q_PROPERTY(bool listening READ isListening NOTIFY listeningChanged)
    Q_PROPERTY(int serverPort READ serverPort NOTIFY listeningChanged)
    Q_PROPERTY(int clientsCount READ clientsCount NOTIFY clientsCountChanged)
    Q_PROPERTY(QString errorString READ errorString NOTIFY errorStringChanged)
public:
    explicit QmlServer(QObject *parent = nullptr);
    ~QmlServer() override;
    using QObject::event;

    int port() const;
    void setPort(int port);
    QString host() const;
    void setHost(const QString &host);
    QVariantMap options() const;
    void setOptions(const QVariantMap &options);
    // A folder (file: URL) or resource folder (qrc:) served over HTTP outside the server's
    // path, "/" being its index.html: the page that phones load.
    QUrl documentRoot() const;
    void setDocumentRoot(const QUrl &root);
    QStringList namespaces() const;
    void setNamespaces(const QStringList &namespaces);
    bool isActive() const;
    void setActive(bool active);
    bool isListening() const;
    int serverPort() const;
    int clientsCount() const;
    QString errorString() const;

    // Broadcasting (on "/" unless of() names another namespace).
    Q_INVOKABLE SocketIO::QmlBroadcast *of(const QString &nsp) const;
    Q_INVOKABLE SocketIO::QmlBroadcast *to(const QJSValue &rooms) const;
    Q_INVOKABLE SocketIO::QmlBroadcast *in(const QJSValue &rooms) const;
    Q_INVOKABLE SocketIO::QmlBroadcast *except(const QJSValue &rooms) const;
    Q_INVOKABLE SocketIO::QmlBroadcast *timeout(int milliseconds) const;
    // emit(event, ...args) and emitWithAck() to every socket of "/": the Broadcast's.
    Q_PROPERTY(QJSValue emit READ emitFunction CONSTANT)
    Q_PROPERTY(QJSValue emitWithAck READ emitWithAckFunction CONSTANT)
    QJSValue emitFunction() const;
    QJSValue emitWithAckFunction() const;
    Q_INVOKABLE bool emitList(const QString &event, const QJSValue &args) const;

    // The connected sockets of a namespace, and its rooms.
    // ServerSocket objects, by id.
    Q_INVOKABLE QList<QObject *> sockets(const QString &nsp = QStringLiteral("/")) const;
    Q_INVOKABLE SocketIO::QmlServerSocket *socket(const QString &id,
                                                  const QString &nsp = QStringLiteral("/")) const;
    Q_INVOKABLE QStringList rooms(const QString &nsp = QStringLiteral("/")) const;
    // Disconnects every socket and stops listening; active stays as it is.
    Q_INVOKABLE void close();

    // The server while listening (C++ code that wants the full API), and the QML object of
    // one of its sockets.
    Server *server() const;
    QmlServerSocket *wrapperOf(SocketIO::Socket *socket) const;

    void classBegin() override;
    void componentComplete() override;

Q_SIGNALS:
    void portChanged();
    void hostChanged();
    void optionsChanged();
    void documentRootChanged();
    void namespacesChanged();
    void activeChanged();
    void listeningChanged();
    void clientsCountChanged();
    void errorStringChanged();
    // A socket connected to one of the namespaces.
    void connection(SocketIO::QmlServerSocket *socket);
    // A socket left (socket.disconnected() carries the same).
    void disconnection(SocketIO::QmlServerSocket *socket, const QString &reason);
    // Any socket received an event (after its handlers ran).
    void event(SocketIO::QmlServerSocket *socket, const QString &name, const QVariantList &args);
    // Rooms of a namespace changed (SocketModel listens).
    void roomsChanged(const QString &nsp);

private:
    void start();
    void stop();
    BroadcastOperator selectionOf(const QString &nsp) const;
    void serve(const QString &name);
    bool serveDocument(const HttpRequest &request, HttpResponse &response) const;
    void adopt(SocketIO::Socket *socket);
    void setErrorString(const QString &error);

    int m_port = 0;
    QString m_host;
    QVariantMap m_options;
    QUrl m_documentRoot;
    QStringList m_namespaces = {QStringLiteral("/")};
    bool m_active = true;
    bool m_complete = false;
    std::unique_ptr<Server> m_server;
    QSet<QString> m_served;
    QHash<SocketIO::Socket *, QmlServerSocket *> m_wrappers;
    QString m_errorString;
    mutable QJSValue m_emit;
    mutable QJSValue m_emitWithAck;
};

} // namespace SocketIO
