// A third-party adapter, written against the installed headers alone: it decides who gets a
// broadcast and hands the delivery to the namespace through SocketEmitter. The program
// exits 0 when broadcasts went through it and a room broadcast reached exactly the room.
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
        reached += sockets->send(sockets->encode(packet, options.flags), lastRecipients, {});
    }

    int broadcasts = 0;
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
    QList<CountingAdapter *> adapters;
    SocketIO::ServerOptions options;
    options.adapter = [&adapters](SocketIO::Namespace *nsp) -> SocketIO::Adapter * {
        auto *adapter = new CountingAdapter(nsp);
        adapters.append(adapter);
        return adapter;
    };
    SocketIO::Server server(options);
    QObject::connect(&server, &SocketIO::Server::connection, &app, [](SocketIO::Socket *socket) {
        const QString room = socket->handshake().auth.value(QStringLiteral("room")).toString();
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
    for (qsizetype i = 0; i < rooms.size(); ++i) {
        auto *manager = new SocketIO::Manager(url, {}, &app);
        SocketIO::SocketOptions socketOptions;
        if (!rooms.at(i).isEmpty())
            socketOptions.auth.insert(QStringLiteral("room"), rooms.at(i));
        SocketIO::ClientSocket *client = manager->socket(QStringLiteral("/"), socketOptions);
        client->on(QStringLiteral("news"), &app,
                   [&, i](const QVariantList &args, const SocketIO::Ack &) {
                       received[i].append(args.value(0).toString());
                       // "all" goes last: once everyone has it, every event has arrived.
                       int done = 0;
                       for (const QStringList &events : std::as_const(received))
                           done += events.contains(QStringLiteral("all"));
                       if (done == received.size())
                           app.exit(0);
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
    if (app.exec() != 0) {
        std::fprintf(stderr, "consumer_adapter: no answer in time\n");
        return 2;
    }
    const QStringList inRoom{QStringLiteral("r"), QStringLiteral("all")};
    const bool ok = check(adapter->broadcasts == 2, "two broadcasts went through the adapter") &&
                    check(adapter->reached == 5, "they reached 2 + 3 sockets") &&
                    check(received.at(0) == inRoom && received.at(1) == inRoom,
                          "the room's sockets got both events") &&
                    check(received.at(2) == QStringList{QStringLiteral("all")},
                          "the other socket got only the broadcast to all");
    return ok ? 0 : 4;
}
