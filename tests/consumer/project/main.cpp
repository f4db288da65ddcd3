// An outside project: includes the installed headers, links SocketIO::SocketIO, and
// answers one Engine.IO handshake over loopback.
#include <SocketIO/ClientSocket>
#include <SocketIO/EngineServer>
#include <SocketIO/Manager>
#include <SocketIO/Server>
#include <SocketIO/Socket>
#include <SocketIO/socketio_config.h>
#if SOCKETIO_REDIS
// Installed only when the library was built with hiredis; the consumer needs no hiredis.
#include <SocketIO/RedisAdapter>
static_assert(std::is_base_of_v<SocketIO::Adapter, SocketIO::RedisAdapter>);
#include <SocketIO/RedisEmitter>
static_assert(std::is_base_of_v<QObject, SocketIO::RedisEmitter>);
#endif

// The headers are reached through SocketIO/ only: their directory is not on the include
// path, where <socket.h> or <parser.h> would shadow the application's own headers.
#if __has_include(<engineserver.h>) || __has_include(<parser.h>)
#error "the SocketIO headers' own directory is on the consumer's include path"
#endif

#include <QtCore/QCoreApplication>
#include <QtCore/QTimer>
#include <QtNetwork/QTcpSocket>

int main(int argc, char *argv[])
{
    QCoreApplication app(argc, argv);
    SocketIO::EngineServer server;
    if (!server.listen(QHostAddress::LocalHost, 0))
        return 1;
    QTcpSocket client;
    QByteArray received;
    QObject::connect(&client, &QTcpSocket::connected, &client, [&] {
        client.write("GET /engine.io/?EIO=4&transport=polling HTTP/1.1\r\nHost: x\r\n\r\n");
    });
    QObject::connect(&client, &QTcpSocket::readyRead, &client, [&] {
        received += client.readAll();
        if (received.contains("0{\"sid\""))
            app.exit(0);
    });
    QTimer::singleShot(10000, &app, [&] { app.exit(2); });
    client.connectToHost(QHostAddress::LocalHost, server.serverPort());
    return app.exec();
}
