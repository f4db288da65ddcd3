// The server the official Socket.IO protocol suites test against (see CONFORMANCE.md):
// a raw Engine.IO echo server under /engine.io/.
#include <SocketIO/engineserver.h>

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
    parser.addOptions({portOption, eio3Option, hostOption});
    parser.process(app);

    EngineOptions options;
    options.path = QStringLiteral("/engine.io");
    options.pingInterval = 300;
    options.pingTimeout = 200;
    options.maxHttpBufferSize = 1'000'000;
    options.cors = CorsOptions();
    options.allowEIO3 = parser.isSet(eio3Option);

    EngineServer engine(options);
    QObject::connect(&engine, &EngineServer::connection, &engine, [](EngineSocket *socket) {
        QObject::connect(socket, &EngineSocket::messageReceived, socket,
                         [socket](const QByteArray &data, bool binary) {
                             if (binary)
                                 socket->sendBinary(data);
                             else
                                 socket->sendUtf8(data);
                         });
    });
    if (!engine.listen(QHostAddress(parser.value(hostOption)),
                       parser.value(portOption).toUShort())) {
        QTextStream(stderr) << "cannot listen: " << engine.errorString() << '\n';
        return 1;
    }
    QTextStream(stdout) << "conformance server listening on port " << engine.serverPort()
                        << Qt::endl;
    return app.exec();
}
