// A server set up the way the socket.io 3.x documentation shows, in the v3 mode: the 3.1
// defaults where they differ from 4.8's (pingTimeout 5000), and the Socket.IO 2 clients
// (Engine.IO 3) of an app moving from 2 to 3 accepted, as the migration guide does.
//
//   v3-mode-example [--port N] [--form listen|attach|configure]
//
// Each --form is the Qt analog of one way the v3 documents start a server:
//   listen:    const io = require("socket.io")(3000, opts);  (or io.listen(3000))
//   attach:    const io = require("socket.io")(httpServer, opts);  (or io.attach(httpServer))
//   configure: const io = require("socket.io")(); io.path("/ws"); io.serveClient(false);
//              io.connectTimeout(10000); io.listen(3000);
// Then, in every form: io.on("connection", socket => socket.on("echo", (m, ack) => ack(m))).
#include <SocketIO/Server>
#include <SocketIO/Socket>

#include <QtCore/QCommandLineParser>
#include <QtCore/QCoreApplication>
#include <QtCore/QTextStream>
#include <QtNetwork/QTcpServer>

using namespace SocketIO;

int main(int argc, char *argv[])
{
    QCoreApplication app(argc, argv);
    QCommandLineParser parser;
    parser.setApplicationDescription(QStringLiteral("A Socket.IO server in the v3 mode"));
    parser.addHelpOption();
    const QCommandLineOption portOption(QStringLiteral("port"),
                                        QStringLiteral("TCP port (0 picks a free one)."),
                                        QStringLiteral("port"), QStringLiteral("3000"));
    const QCommandLineOption formOption(QStringLiteral("form"),
                                        QStringLiteral("listen, attach or configure."),
                                        QStringLiteral("form"), QStringLiteral("listen"));
    parser.addOptions({portOption, formOption});
    parser.process(app);
    const quint16 port = quint16(parser.value(portOption).toUInt());
    const QString form = parser.value(formOption);

    // new Server(opts) of socket.io 3.1, with its defaults.
    Server io(ServerOptions::v3());
    QTcpServer httpServer; // the "httpServer" of the attach form
    bool ok = false;
    if (form == u"listen") {
        ok = io.listen(QHostAddress::LocalHost, port);
    } else if (form == u"attach") {
        // The application owns the listening socket; the server takes over its connections.
        ok = httpServer.listen(QHostAddress::LocalHost, port) && io.attach(&httpServer);
    } else if (form == u"configure") {
        // The chainable setters of 3.x are option names here, set before listening.
        ok = io.set(QStringLiteral("path"), QStringLiteral("/ws")) &&
             io.set(QStringLiteral("serveClient"), false) &&
             io.set(QStringLiteral("connectTimeout"), 10000) &&
             io.listen(QHostAddress::LocalHost, port);
    }
    if (!ok) {
        QTextStream(stderr) << "cannot start (" << form << "): " << io.errorString() << Qt::endl;
        return 1;
    }

    QObject::connect(&io, &Server::connection, &io, [](Socket *socket) {
        socket->on(QStringLiteral("echo"), socket,
                   [](const QVariantList &args, const Ack &ack) { ack(args); });
    });
    const quint16 bound = form == u"attach" ? httpServer.serverPort() : io.serverPort();
    QTextStream(stdout) << "{\"port\":" << bound << ",\"path\":\"" << io.options().engine.path
                        << "\",\"pingTimeout\":" << io.options().engine.pingTimeout << "}"
                        << Qt::endl;
    return app.exec();
}
