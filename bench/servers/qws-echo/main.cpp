// qws-echo: the floor of Qt's WebSocket stack. A bare QWebSocketServer that speaks just
// enough Engine.IO/Socket.IO for `socketio-loadgen --mode echo`: it sends an open packet,
// answers "40" with "40{"sid":"x"}" and turns each `42<id>[...]` into `43<id>[...]` by string
// surgery (no JSON parsing). Prints {"port":N,"dispatcher":...} once listening.

#include <QtCore/QAbstractEventDispatcher>
#include <QtCore/QCoreApplication>
#include <QtCore/QJsonDocument>
#include <QtCore/QJsonObject>
#include <QtNetwork/QHostAddress>
#include <QtWebSockets/QWebSocket>
#include <QtWebSockets/QWebSocketServer>

#include <csignal>
#include <cstdio>

int main(int argc, char *argv[])
{
    QCoreApplication app(argc, argv);
    quint16 port = 0;
    const QStringList args = app.arguments();
    const qsizetype at = args.indexOf(QStringLiteral("--port"));
    if (at >= 0 && at + 1 < args.size())
        port = quint16(args.at(at + 1).toUInt());

    QWebSocketServer server(QStringLiteral("qws-echo"), QWebSocketServer::NonSecureMode);
    QObject::connect(&server, &QWebSocketServer::newConnection, &server, [&server] {
        while (QWebSocket *ws = server.nextPendingConnection()) {
            QObject::connect(ws, &QWebSocket::disconnected, ws, &QObject::deleteLater);
            QObject::connect(ws, &QWebSocket::textMessageReceived, ws,
                             [ws](const QString &message) {
                                 if (message.startsWith(QLatin1String("42"))) {
                                     QString reply = message;
                                     reply[1] = QLatin1Char('3');
                                     ws->sendTextMessage(reply);
                                 } else if (message == QLatin1String("40")) {
                                     ws->sendTextMessage(QStringLiteral("40{\"sid\":\"x\"}"));
                                 }
                             });
            ws->sendTextMessage(QStringLiteral(
                "0{\"sid\":\"x\",\"upgrades\":[],\"pingInterval\":25000,\"pingTimeout\":20000,"
                "\"maxPayload\":1000000}"));
        }
    });
    if (!server.listen(QHostAddress::LocalHost, port)) {
        std::fprintf(stderr, "listen failed: %s\n", qPrintable(server.errorString()));
        return 1;
    }
    std::signal(SIGTERM, [](int) { QCoreApplication::quit(); });
    std::signal(SIGINT, [](int) { QCoreApplication::quit(); });

    const QJsonObject info{
        {QStringLiteral("port"), server.serverPort()},
        {QStringLiteral("server"), QStringLiteral("qws-echo")},
        {QStringLiteral("dispatcher"),
         QString::fromLatin1(QAbstractEventDispatcher::instance()->metaObject()->className())},
        {QStringLiteral("qt"), QString::fromLatin1(qVersion())},
    };
    std::printf("%s\n", QJsonDocument(info).toJson(QJsonDocument::Compact).constData());
    std::fflush(stdout);
    return app.exec();
}
