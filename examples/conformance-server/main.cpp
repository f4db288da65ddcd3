// The server the official Socket.IO protocol suites (socket.io-protocol) test against: a
// Socket.IO server under /socket.io/ and a raw Engine.IO echo server under /engine.io/, on
// one port. With --admin, also instrumented for the Admin UI (namespace /admin).
#include <SocketIO/EngineServer>
#include <SocketIO/Instrumentation>
#include <SocketIO/Server>

#include <QtCore/QCommandLineParser>
#include <QtCore/QCoreApplication>
#include <QtCore/QTextStream>

using namespace SocketIO;

int main(int argc, char *argv[])
{
    QCoreApplication app(argc, argv);
    QCommandLineParser parser;
    parser.setApplicationDescription(QStringLiteral("Socket.IO protocol conformance server"));
    parser.addHelpOption();
    QCommandLineOption portOption(QStringLiteral("port"),
                                  QStringLiteral("TCP port (0 picks a free one)."),
                                  QStringLiteral("port"), QStringLiteral("3000"));
    QCommandLineOption eio3Option(QStringLiteral("eio3"),
                                  QStringLiteral("Accept Engine.IO v3 clients (allowEIO3)."));
    QCommandLineOption hostOption(QStringLiteral("host"), QStringLiteral("Address to listen on."),
                                  QStringLiteral("address"), QStringLiteral("127.0.0.1"));
    QCommandLineOption adminOption(
        QStringLiteral("admin"),
        QStringLiteral("Instrument the server for the Admin UI and the Inspector (namespace "
                       "/admin, no authentication, development mode)."));
    parser.addOptions({portOption, eio3Option, hostOption, adminOption});
    parser.process(app);

    EngineOptions engineOptions;
    engineOptions.pingInterval = 300;
    engineOptions.pingTimeout = 200;
    engineOptions.maxHttpBufferSize = 1'000'000;
    engineOptions.cors = CorsOptions();
    engineOptions.allowEIO3 = parser.isSet(eio3Option);

    ServerOptions options;
    options.engine = engineOptions;
    options.engine.path = QStringLiteral("/socket.io");
    options.connectTimeout = 1000;
    Server io(options);

    QObject::connect(&io, &Server::connection, &io, [](Socket *socket) {
        socket->emitEvent(QStringLiteral("auth"), {socket->handshake().auth()});
        socket->on(QStringLiteral("message"), socket,
                   [socket](const QVariantList &args, const Ack &) {
                       socket->emitEvent(QStringLiteral("message-back"), args);
                   });
        socket->on(QStringLiteral("message-with-ack"), socket,
                   [](const QVariantList &args, const Ack &ack) { ack(args); });
    });
    QObject::connect(io.of(QStringLiteral("/custom")), &Namespace::connection, &io,
                     [](Socket *socket) {
                         socket->emitEvent(QStringLiteral("auth"), {socket->handshake().auth()});
                     });

    if (parser.isSet(adminOption)) {
        InstrumentOptions admin;
        admin.auth = InstrumentOptions::Auth::None;
        Instrumentation::instrument(&io, admin);
    }

    if (!io.listen(QHostAddress(parser.value(hostOption)), parser.value(portOption).toUShort())) {
        QTextStream(stderr) << "cannot listen: " << io.errorString() << '\n';
        return 1;
    }

    // Raw Engine.IO echo on the same port.
    engineOptions.path = QStringLiteral("/engine.io");
    EngineServer engine(engineOptions);
    QObject::connect(&engine, &EngineServer::connection, &engine, [](EngineSocket *socket) {
        QObject::connect(socket, &EngineSocket::messageReceived, socket,
                         [socket](const QByteArray &data, bool binary) {
                             if (binary)
                                 socket->sendBinary(data);
                             else
                                 socket->sendUtf8(data);
                         });
    });
    if (!engine.attach(io.engine())) {
        QTextStream(stderr) << "cannot attach the Engine.IO server: " << engine.errorString()
                            << '\n';
        return 1;
    }
    QTextStream(stdout) << "conformance server listening on port " << io.serverPort() << Qt::endl;
    return app.exec();
}
