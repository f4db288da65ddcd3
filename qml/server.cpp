#include "server.h"

#include "broadcast.h"
#include "serversocket.h"

#include <SocketIO/httprequest.h>

#include <QtCore/QDir>
#include <QtCore/QFile>
#include <QtCore/QFileInfo>
#include <QtCore/QMimeDatabase>
#include <QtQml/QJSEngine>
#include <QtQml/QQmlInfo>

namespace SocketIO {

namespace {

// The file a request names under the document root, or empty: nothing outside the root, and
// "/" (or a folder) is its index.html.
QString documentPath(const QUrl &root, const QString &requestPath)
{
    QString base;
    if (root.isLocalFile())
        base = root.toLocalFile();
    else if (root.scheme() == u"qrc")
        base = u':' + root.path();
    else
        return {};
    const QString relative = QDir::cleanPath(QStringLiteral("/") + requestPath);
    if (relative.contains(QStringLiteral("/../")) || relative.endsWith(QStringLiteral("/..")))
        return {};
    QString path = QDir::cleanPath(base + relative);
    if (QFileInfo(path).isDir())
        path += QStringLiteral("/index.html");
    return path;
}

} // namespace

QmlServer::QmlServer(QObject *parent)
    : QObject(parent)
{}

QmlServer::~QmlServer()
{
    // The sockets' wrappers go first and quietly: no signal reaches a half-destroyed QML object.
    if (m_server) {
        QObject::disconnect(m_server.get(), nullptr, this, nullptr);
        const QList<Namespace *> namespaces = m_server->namespaces();
        for (Namespace *nsp : namespaces)
            QObject::disconnect(nsp, nullptr, this, nullptr);
    }
    const QList<QmlServerSocket *> wrappers = m_wrappers.values();
    m_wrappers.clear();
    qDeleteAll(wrappers);
    m_server.reset();
}

int QmlServer::port() const
{
    return m_port;
}

void QmlServer::setPort(int port)
{
    if (m_port == port)
        return;
    m_port = port;
    Q_EMIT portChanged();
}

QString QmlServer::host() const
{
    return m_host;
}

void QmlServer::setHost(const QString &host)
{
    if (m_host == host)
        return;
    m_host = host;
    Q_EMIT hostChanged();
}

QVariantMap QmlServer::options() const
{
    return m_options;
}

void QmlServer::setOptions(const QVariantMap &options)
{
    if (m_options == options)
        return;
    m_options = options;
    Q_EMIT optionsChanged();
    if (m_server && m_complete) {
        QString error;
        const ServerOptions parsed = ServerOptions::fromVariantMap(m_options, &error);
        if (!error.isEmpty() || !m_server->setOptions(parsed)) {
            setErrorString(error.isEmpty() ? m_server->errorString() : error);
            qmlWarning(this) << m_errorString;
        }
    }
}

QUrl QmlServer::documentRoot() const
{
    return m_documentRoot;
}

void QmlServer::setDocumentRoot(const QUrl &root)
{
    if (m_documentRoot == root)
        return;
    m_documentRoot = root;
    Q_EMIT documentRootChanged();
}

QStringList QmlServer::namespaces() const
{
    return m_namespaces;
}

void QmlServer::setNamespaces(const QStringList &namespaces)
{
    if (m_namespaces == namespaces)
        return;
    m_namespaces = namespaces;
    Q_EMIT namespacesChanged();
    // Namespaces are only ever added: a connected client keeps its namespace.
    if (m_server) {
        for (const QString &name : namespaces)
            serve(name);
    }
}

bool QmlServer::isActive() const
{
    return m_active;
}

void QmlServer::setActive(bool active)
{
    if (m_active == active)
        return;
    m_active = active;
    Q_EMIT activeChanged();
    if (!m_complete)
        return;
    if (active)
        start();
    else
        stop();
}

bool QmlServer::isListening() const
{
    return m_server && m_server->isListening();
}

int QmlServer::serverPort() const
{
    return isListening() ? m_server->serverPort() : 0;
}

int QmlServer::clientsCount() const
{
    return m_server ? m_server->clientsCount() : 0;
}

QString QmlServer::errorString() const
{
    return m_errorString;
}

BroadcastOperator QmlServer::selectionOf(const QString &nsp) const
{
    // A namespace that is not served selects nobody: of() never creates one here.
    if (m_server && m_server->namespaceNames().contains(nsp))
        return m_server->of(nsp)->broadcastOperator();
    return {};
}

QmlBroadcast *QmlServer::of(const QString &nsp) const
{
    return new QmlBroadcast(selectionOf(nsp), const_cast<QmlServer *>(this));
}

QmlBroadcast *QmlServer::to(const QJSValue &rooms) const
{
    return new QmlBroadcast(selectionOf(QStringLiteral("/")).to(QmlBroadcast::roomList(rooms)),
                            const_cast<QmlServer *>(this));
}

QmlBroadcast *QmlServer::in(const QJSValue &rooms) const
{
    return to(rooms);
}

QmlBroadcast *QmlServer::except(const QJSValue &rooms) const
{
    return new QmlBroadcast(selectionOf(QStringLiteral("/")).except(QmlBroadcast::roomList(rooms)),
                            const_cast<QmlServer *>(this));
}

QmlBroadcast *QmlServer::timeout(int milliseconds) const
{
    return new QmlBroadcast(selectionOf(QStringLiteral("/")).timeout(milliseconds),
                            const_cast<QmlServer *>(this));
}

QJSValue QmlServer::emitFunction() const
{
    if (m_emit.isUndefined()) {
        if (QJSEngine *engine = qjsEngine(this))
            m_emit = engine->evaluate(QStringLiteral(
                "(function (event, ...args) { return this.of(\"/\").emitList(event, args) })"));
    }
    return m_emit;
}

QJSValue QmlServer::emitWithAckFunction() const
{
    if (m_emitWithAck.isUndefined()) {
        if (QJSEngine *engine = qjsEngine(this))
            m_emitWithAck = engine->evaluate(
                QStringLiteral("(function (event, ...args) { return this.of(\"/\").emitWithAck("
                               "event, ...args) })"));
    }
    return m_emitWithAck;
}

bool QmlServer::emitList(const QString &event, const QJSValue &args) const
{
    QmlBroadcast all(selectionOf(QStringLiteral("/")), const_cast<QmlServer *>(this));
    return all.emitList(event, args);
}

QList<QObject *> QmlServer::sockets(const QString &nsp) const
{
    QList<QmlServerSocket *> list;
    for (QmlServerSocket *wrapper : m_wrappers) {
        if (wrapper->nsp() == nsp)
            list.append(wrapper);
    }
    std::sort(list.begin(), list.end(),
              [](const QmlServerSocket *a, const QmlServerSocket *b) { return a->id() < b->id(); });
    return QList<QObject *>(list.cbegin(), list.cend());
}

QmlServerSocket *QmlServer::socket(const QString &id, const QString &nsp) const
{
    for (QmlServerSocket *wrapper : m_wrappers) {
        if (wrapper->id() == id && wrapper->nsp() == nsp)
            return wrapper;
    }
    return nullptr;
}

QStringList QmlServer::rooms(const QString &nsp) const
{
    if (!m_server || !m_server->namespaceNames().contains(nsp))
        return {};
    QStringList rooms = m_server->of(nsp)->roomList();
    rooms.sort();
    return rooms;
}

void QmlServer::close()
{
    stop();
}

Server *QmlServer::server() const
{
    return m_server.get();
}

QmlServerSocket *QmlServer::wrapperOf(Socket *socket) const
{
    return m_wrappers.value(socket);
}

void QmlServer::classBegin() {}

void QmlServer::componentComplete()
{
    m_complete = true;
    if (m_active)
        start();
}

void QmlServer::start()
{
    if (!m_server) {
        QString error;
        const ServerOptions options = ServerOptions::fromVariantMap(m_options, &error);
        if (!error.isEmpty()) {
            setErrorString(error);
            qmlWarning(this) << error;
            return;
        }
        // One Server for the object's life: listening again after close() keeps the
        // sessions that connection state recovery saved.
        m_server = std::make_unique<Server>(options);
        connect(m_server.get(), &Server::listeningChanged, this, &QmlServer::listeningChanged);
        connect(m_server.get(), &Server::clientsCountChanged, this,
                &QmlServer::clientsCountChanged);
        m_server->engine()->setRequestHandler(
            this, [this](const HttpRequest &request, HttpResponse &response) {
                return serveDocument(request, response);
            });
        serve(QStringLiteral("/"));
        for (const QString &name : std::as_const(m_namespaces))
            serve(name);
    }
    if (m_server->isListening())
        return;
    const QHostAddress address =
        m_host.isEmpty() ? QHostAddress(QHostAddress::Any) : QHostAddress(m_host);
    if (address.isNull()) {
        setErrorString(QStringLiteral("host \"%1\" is not an IP address").arg(m_host));
        qmlWarning(this) << m_errorString;
        return;
    }
    if (!m_server->listen(address, quint16(m_port))) {
        setErrorString(m_server->errorString());
        qmlWarning(this) << m_errorString;
        return;
    }
    setErrorString(QString());
}

void QmlServer::stop()
{
    if (m_server)
        m_server->close();
}

void QmlServer::serve(const QString &name)
{
    if (!m_server || m_served.contains(name))
        return;
    m_served.insert(name);
    Namespace *nsp = m_server->of(name);
    connect(nsp, &Namespace::connection, this, &QmlServer::adopt);
    connect(nsp, &Namespace::roomsChanged, this, [this, name] { Q_EMIT roomsChanged(name); });
}

bool QmlServer::serveDocument(const HttpRequest &request, HttpResponse &response) const
{
    if (m_documentRoot.isEmpty() || (request.method() != "GET" && request.method() != "HEAD"))
        return false;
    const QString path = documentPath(m_documentRoot, request.path());
    QFile file(path);
    if (path.isEmpty() || !file.open(QIODevice::ReadOnly))
        return false;
    static const QMimeDatabase types;
    QByteArray type = types.mimeTypeForFile(path, QMimeDatabase::MatchExtension).name().toUtf8();
    if (type.startsWith("text/") || type == "application/javascript")
        type += "; charset=utf-8";
    response.setHeader("Content-Type", type);
    response.setBody(request.method() == "HEAD" ? QByteArray() : file.readAll());
    return true;
}

void QmlServer::adopt(Socket *socket)
{
    auto *wrapper = new QmlServerSocket(socket, this);
    m_wrappers.insert(socket, wrapper);
    // The socket's own signal fires after its handlers, with the arguments already made fit
    // for JavaScript: converted once per event, not once per listener.
    connect(wrapper, qOverload<const QString &, const QVariantList &>(&QmlSocketBase::event), this,
            [this, wrapper](const QString &name, const QVariantList &args) {
                Q_EMIT event(wrapper, name, args);
            });
    connect(socket, &Socket::disconnected, wrapper,
            [this, socket, wrapper](const QString &reason, const QString &description) {
                m_wrappers.remove(socket);
                Q_EMIT wrapper->disconnected(reason, description);
                Q_EMIT disconnection(wrapper, reason);
                wrapper->deleteLater();
            });
    Q_EMIT connection(wrapper);
}

void QmlServer::setErrorString(const QString &error)
{
    if (m_errorString == error)
        return;
    m_errorString = error;
    Q_EMIT errorStringChanged();
}

} // namespace SocketIO
