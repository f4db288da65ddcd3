// An application's own HTTP routes and Socket.IO on one port: the Qt analog of
//
//   const app = express();
//   const httpServer = createServer(app);
//   const io = new Server(httpServer);
//   app.get("/health", (req, res) => res.send("ok"));
//   app.get("/api/sockets", async (req, res) => res.json((await io.fetchSockets()).map(s =>
//   s.id))); app.post("/api/announce", express.text(), (req, res) => {
//     io.emit("announcement", req.body); res.status(202).json({ sent: req.body });
//   });
//   httpServer.listen(3000);
//
//   http-routes-example [--port N] [--client-dir DIR]
//
// The application owns the QTcpServer (the httpServer); the Socket.IO server takes over its
// connections, answers /socket.io/ and hands every other request to the application's
// handler, which may answer later (here, after fetchSockets()). io.httpServer() returns that
// QTcpServer. With --client-dir (a folder holding socket.io.js), "/" is a page that connects.
#include <SocketIO/HttpRequest>
#include <SocketIO/Server>
#include <SocketIO/Socket>

#include <QtCore/QCommandLineParser>
#include <QtCore/QCoreApplication>
#include <QtCore/QFutureWatcher>
#include <QtCore/QJsonArray>
#include <QtCore/QJsonDocument>
#include <QtCore/QJsonObject>
#include <QtCore/QTextStream>
#include <QtNetwork/QTcpServer>

using namespace SocketIO;

namespace {

const char page[] = R"(<!doctype html>
<title>http-routes</title>
<ul id="log"></ul>
<script src="/socket.io/socket.io.js"></script>
<script>
  const log = (text) => document.getElementById("log").append(
    Object.assign(document.createElement("li"), { textContent: text }));
  const socket = io();
  socket.on("connect", () => log("connected as " + socket.id));
  socket.on("announcement", (text) => log("announcement: " + text));
</script>
)";

HttpResponse answer(int status, const QByteArray &contentType, const QByteArray &body)
{
    HttpResponse response;
    response.setStatusCode(status);
    response.setHeader("Content-Type", contentType);
    response.setBody(body);
    return response;
}

HttpResponse json(int status, const QJsonValue &value)
{
    const QByteArray body = value.isArray()
                                ? QJsonDocument(value.toArray()).toJson(QJsonDocument::Compact)
                                : QJsonDocument(value.toObject()).toJson(QJsonDocument::Compact);
    return answer(status, "application/json", body);
}

} // namespace

int main(int argc, char *argv[])
{
    QCoreApplication app(argc, argv);
    QCommandLineParser parser;
    parser.setApplicationDescription(
        QStringLiteral("Application routes and Socket.IO on one port"));
    parser.addHelpOption();
    const QCommandLineOption portOption(QStringLiteral("port"),
                                        QStringLiteral("TCP port (0 picks a free one)."),
                                        QStringLiteral("port"), QStringLiteral("3000"));
    const QCommandLineOption clientOption(QStringLiteral("client-dir"),
                                          QStringLiteral("Folder holding socket.io.js."),
                                          QStringLiteral("dir"));
    parser.addOptions({portOption, clientOption});
    parser.process(app);

    ServerOptions options;
    options.clientDirectory = parser.value(clientOption);
    Server io(options);
    QTcpServer httpServer;
    if (!httpServer.listen(QHostAddress::LocalHost, quint16(parser.value(portOption).toUInt())) ||
        !io.attach(&httpServer)) {
        QTextStream(stderr) << "cannot start: " << httpServer.errorString() << io.errorString()
                            << Qt::endl;
        return 1;
    }

    // The routes. Returning false leaves the request to the default 404.
    io.engine()->setAsyncRequestHandler(&io, [&io](const HttpRequest &request,
                                                   const EngineServer::Respond &respond) {
        const QString path = request.path();
        const QByteArray method = request.method();
        if (method == "GET" && path == u"/") {
            respond(answer(200, "text/html; charset=utf-8", page));
        } else if (method == "GET" && path == u"/health") {
            respond(answer(200, "text/plain", "ok"));
        } else if (method == "GET" && path == u"/api/sockets") {
            // Answered once the adapter has the sockets (every server's, with a cluster).
            auto *watcher = new QFutureWatcher<QList<RemoteSocket>>(&io);
            QObject::connect(watcher, &QFutureWatcherBase::finished, watcher, [watcher, respond] {
                QJsonArray ids;
                for (const RemoteSocket &socket : watcher->result())
                    ids.append(socket.id());
                respond(json(200, ids));
                watcher->deleteLater();
            });
            watcher->setFuture(io.fetchSockets());
        } else if (method == "POST" && path == u"/api/announce") {
            const QString text = QString::fromUtf8(request.body());
            io.emitEvent(QStringLiteral("announcement"), {text});
            respond(json(202, QJsonObject{{QStringLiteral("sent"), text}}));
        } else {
            return false;
        }
        return true;
    });

    QObject::connect(&io, &Server::connection, &io, [](Socket *socket) {
        socket->on(QStringLiteral("echo"), socket,
                   [](const QVariantList &args, const Ack &ack) { ack(args); });
    });
    // io.httpServer is the application's QTcpServer.
    QTextStream(stdout) << "listening on http://127.0.0.1:" << io.httpServer()->serverPort()
                        << Qt::endl;
    return app.exec();
}
