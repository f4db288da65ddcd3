// A third-party adapter, written against the installed headers alone: it decides who gets a
// broadcast and hands the delivery to the namespace through SocketEmitter. The program
// exits 0 when broadcasts went through it, a room broadcast reached exactly the room, and a
// question to the room came back with the room's answers.
#include <SocketIO/clientsocket.h>
#include <SocketIO/manager.h>
#include <SocketIO/server.h>
#include <SocketIO/socket.h>

#include <QtCore/QCoreApplication>
#include <QtCore/QTimer>

#include <cstdio>

namespace {

class CountingAdapter : public SocketIO::Adapter
{
public:
    using Adapter::Adapter;

    void broadcast(const SocketIO::Packet &packet,
                   const SocketIO::BroadcastOptions &options) override
    {
        ++broadcasts;
        lastRecipients = localSocketIds(options);
        SocketIO::SocketEmitter *sockets = emitter();
        reached += sockets->send(sockets->encode(packet, options.flags()), lastRecipients, {});
    }

    void broadcastWithAck(const SocketIO::Packet &source, const SocketIO::BroadcastOptions &options,
                          const std::function<void(int clientCount)> &clientCountCallback,
                          const std::function<void(const QVariantList &response)> &ack) override
    {
        ++broadcastsWithAck;
        SocketIO::SocketEmitter *sockets = emitter();
        SocketIO::Packet packet = source;
        packet.id = sockets->nextAckId();
        clientCountCallback(
            sockets->send(sockets->encode(packet, options.flags()), localSocketIds(options), ack));
    }

    int broadcasts = 0;
    int broadcastsWithAck = 0;
    int reached = 0;
    QStringList lastRecipients;
};

bool check(bool ok, const char *what)
{
    if (!ok)
        std::fprintf(stderr, "consumer_adapter: %s\n", what);
    return ok;
}

} // namespace

int main(int argc, char *argv[])
{
    QCoreApplication app(argc, argv);
    SocketIO::ServerOptions options;
    options.adapter = [](SocketIO::Namespace *nsp) -> SocketIO::Adapter * {
        return new CountingAdapter(nsp);
    };
    SocketIO::Server server(options);
    QObject::connect(&server, &SocketIO::Server::connection, &app, [](SocketIO::Socket *socket) {
        const QString room = socket->handshake().auth().value(QStringLiteral("room")).toString();
        if (!room.isEmpty())
            socket->join(room);
    });
    if (!server.listen(QHostAddress::LocalHost, 0))
        return 1;
    auto *adapter = dynamic_cast<CountingAdapter *>(server.sockets()->adapter());
    if (!check(adapter, "the factory's adapter is not installed on \"/\""))
        return 1;

    const QUrl url(QStringLiteral("http://127.0.0.1:%1").arg(server.serverPort()));
    const QStringList rooms{QStringLiteral("r"), QStringLiteral("r"), QString()};
    QList<QStringList> received(rooms.size());
    int connected = 0;
    QVariantList answers;
    for (qsizetype i = 0; i < rooms.size(); ++i) {
        auto *manager = new SocketIO::Manager(url, {}, &app);
        SocketIO::SocketOptions socketOptions;
        if (!rooms.at(i).isEmpty())
            socketOptions.auth.insert(QStringLiteral("room"), rooms.at(i));
        SocketIO::ClientSocket *client = manager->socket(QStringLiteral("/"), socketOptions);
        client->on(QStringLiteral("ask"), &app,
                   [i](const QVariantList &, const SocketIO::Ack &ack) { ack({int(i)}); });
        client->on(QStringLiteral("news"), &app,
                   [&, i](const QVariantList &args, const SocketIO::Ack &) {
                       received[i].append(args.value(0).toString());
                       // "all" goes last: once everyone has it, every event has arrived.
                       int done = 0;
                       for (const QStringList &events : std::as_const(received))
                           done += events.contains(QStringLiteral("all"));
                       if (done != received.size())
                           return;
                       // Then one question to the room, answered through the same adapter.
                       server.to(QStringLiteral("r"))
                           .timeout(5000)
                           .emitEvent(QStringLiteral("ask"), {}, &app,
                                      [&](const QString &error, const QVariantList &responses) {
                                          answers = responses;
                                          app.exit(error.isEmpty() ? 0 : 5);
                                      });
                   });
        QObject::connect(client, &SocketIO::ClientSocket::connected, &app, [&] {
            if (++connected != rooms.size())
                return;
            server.to(QStringLiteral("r")).emitEvent(QStringLiteral("news"), {QStringLiteral("r")});
            if (!check(adapter->lastRecipients.size() == 2, "the room selects two sockets"))
                app.exit(3);
            server.emitEvent(QStringLiteral("news"), {QStringLiteral("all")});
        });
        client->connectToServer();
    }
    QTimer::singleShot(10000, &app, [&] { app.exit(2); });
    if (const int code = app.exec()) {
        std::fprintf(stderr, "consumer_adapter: failed (%d)\n", code);
        return code;
    }
    const QStringList inRoom{QStringLiteral("r"), QStringLiteral("all")};
    const bool ok =
        check(adapter->broadcasts == 2, "two broadcasts went through the adapter") &&
        check(adapter->reached == 5, "they reached 2 + 3 sockets") &&
        check(received.at(0) == inRoom && received.at(1) == inRoom,
              "the room's sockets got both events") &&
        check(received.at(2) == QStringList{QStringLiteral("all")},
              "the other socket got only the broadcast to all") &&
        check(adapter->broadcastsWithAck == 1, "the question went through the adapter") &&
        check(answers.size() == 2 && answers.contains(0) && answers.contains(1),
              "the room's two sockets answered");
    return ok ? 0 : 4;
}
