// The cases every Redis adapter passes between Servers of this process (tst_redis,
// tst_redis_sharded, tst_redis_streams): broadcasts with rooms and except, fetchSockets with
// rooms and data, socketsJoin/Leave, disconnectSockets, serverSideEmit with acks, broadcasts
// with client acks and their timeout; and, for the streams adapter (tst_redis_streams,
// tst_redis_cluster_adapters), a session recovered on another server. `Test` is a
// ClusterFixture (clusterfixture.h) that also provides startCluster(count) and adapterOf(node).
#pragma once

#include "../../tcpforwarder.h"
#include "../ackfuture.h"
#include "clusterfixture.h"

#include <QtCore/QElapsedTimer>

template<typename Test> struct ClusterCases
{
    using ClientSocket = SocketIO::ClientSocket;
    using RemoteSocket = SocketIO::RemoteSocket;
    using Ack = SocketIO::Ack;

    static void broadcast(Test &t)
    {
        QVERIFY(t.startCluster(2));
        ClientSocket *a = t.client(0);
        ClientSocket *b = t.client(1);
        QTRY_VERIFY(a->isConnected() && b->isConnected());
        const QVariantList args{QStringLiteral("x"), 42, 1.5, QByteArray("\x01\x02\x03", 3),
                                QVariantMap{{QStringLiteral("hello"), QStringLiteral("world")}}};
        t.m_nodes[0].server->emitEvent(QStringLiteral("news"), args);
        QTRY_COMPARE(t.m_received.value(QStringLiteral("1#news")), args);
        QCOMPARE(t.m_received.value(QStringLiteral("0#news")), args);
        // local() stays on its server.
        t.m_nodes[1].server->local().emitEvent(QStringLiteral("local"), {1});
        QTRY_COMPARE(t.m_received.value(QStringLiteral("1#local")), QVariantList{QVariant(1)});
        t.m_nodes[1].server->emitEvent(QStringLiteral("after"), {2});
        QTRY_COMPARE(t.m_received.value(QStringLiteral("0#after")), QVariantList{QVariant(2)});
        QVERIFY(!t.m_received.contains(QStringLiteral("0#local")));
    }

    static void roomsAndExcept(Test &t)
    {
        QVERIFY(t.startCluster(2));
        QList<ClientSocket *> clients{t.client(0, {QStringLiteral("r1")}),
                                      t.client(1, {QStringLiteral("r1")}),
                                      t.client(1, {QStringLiteral("r1"), QStringLiteral("r2")}),
                                      t.client(1, {QStringLiteral("r3")})};
        QTRY_VERIFY(std::all_of(clients.cbegin(), clients.cend(),
                                [](ClientSocket *c) { return c->isConnected(); }));
        // One room: the room's own channel.
        t.m_nodes[0]
            .server->to(QStringLiteral("r1"))
            .except(QStringLiteral("r2"))
            .emitEvent(QStringLiteral("one"), {1});
        // Two rooms: the namespace's channel.
        t.m_nodes[0]
            .server->to(QStringList{QStringLiteral("r2"), QStringLiteral("r3")})
            .emitEvent(QStringLiteral("two"), {2});
        // To one socket of the other server by id, as socket.to(id) does.
        t.m_nodes[0].server->to(clients[3]->id()).emitEvent(QStringLiteral("direct"), {3});
        QTRY_COMPARE(t.m_received.value(QStringLiteral("3#direct")), QVariantList{QVariant(3)});
        QTRY_COMPARE(t.m_received.value(QStringLiteral("3#two")), QVariantList{QVariant(2)});
        QTRY_COMPARE(t.m_received.value(QStringLiteral("2#two")), QVariantList{QVariant(2)});
        QTRY_COMPARE(t.m_received.value(QStringLiteral("1#one")), QVariantList{QVariant(1)});
        QCOMPARE(t.m_received.value(QStringLiteral("0#one")), QVariantList{QVariant(1)});
        // Sent after the ones above, by the same server, so it arrives after them: once every
        // client has it, nothing else is coming.
        t.m_nodes[0].server->emitEvent(QStringLiteral("end"), {});
        QTRY_VERIFY(std::all_of(clients.cbegin(), clients.cend(), [&t, &clients](ClientSocket *c) {
            return t.m_received.contains(QString::number(clients.indexOf(c)) +
                                         QStringLiteral("#end"));
        }));
        QVERIFY(!t.m_received.contains(QStringLiteral("2#one")));
        QVERIFY(!t.m_received.contains(QStringLiteral("3#one")));
        QVERIFY(!t.m_received.contains(QStringLiteral("0#two")));
        QVERIFY(!t.m_received.contains(QStringLiteral("1#two")));
        QVERIFY(!t.m_received.contains(QStringLiteral("2#direct")));
    }

    static void fetchSockets(Test &t)
    {
        QVERIFY(t.startCluster(2));
        ClientSocket *a = t.client(0, {QStringLiteral("r1")});
        ClientSocket *b = t.client(1, {QStringLiteral("r1"), QStringLiteral("r2")});
        ClientSocket *c = t.client(1);
        QTRY_VERIFY(a->isConnected() && b->isConnected() && c->isConnected());
        QFuture<QList<RemoteSocket>> all = t.m_nodes[0].server->fetchSockets();
        QTRY_VERIFY(all.isFinished());
        QCOMPARE(all.result().size(), 3);
        QFuture<QList<RemoteSocket>> inR1 = t.m_nodes[0]
                                                .server->to(QStringLiteral("r1"))
                                                .except(QStringLiteral("r2"))
                                                .fetchSockets();
        QTRY_VERIFY(inR1.isFinished());
        QCOMPARE(inR1.result().size(), 1);
        QCOMPARE(inR1.result().constFirst().id(), a->id());
        QFuture<QList<RemoteSocket>> inR2 =
            t.m_nodes[0].server->to(QStringLiteral("r2")).fetchSockets();
        QTRY_VERIFY(inR2.isFinished());
        QCOMPARE(inR2.result().size(), 1);
        const RemoteSocket remote = inR2.result().constFirst();
        QCOMPARE(remote.id(), b->id());
        QCOMPARE(remote.rooms(),
                 (QSet<QString>{b->id(), QStringLiteral("r1"), QStringLiteral("r2")}));
        QCOMPARE(remote.data().value(QStringLiteral("node")).toInt(), 1);
        QCOMPARE(remote.handshake().value(QStringLiteral("address")).toString(),
                 QStringLiteral("127.0.0.1"));
        // Operations on a socket of the other server.
        remote.emitEvent(QStringLiteral("hi"), {QStringLiteral("there")});
        QTRY_COMPARE(t.m_received.value(QStringLiteral("1#hi")),
                     QVariantList{QStringLiteral("there")});
    }

    static void socketsJoinAndLeave(Test &t)
    {
        QVERIFY(t.startCluster(2));
        ClientSocket *a = t.client(0);
        ClientSocket *b = t.client(1, {QStringLiteral("r1")});
        QTRY_VERIFY(a->isConnected() && b->isConnected());
        t.m_nodes[0].server->to(QStringLiteral("r1")).socketsJoin(QStringLiteral("joined"));
        auto *other = Test::adapterOf(t.m_nodes[1]);
        QTRY_VERIFY(other->socketRooms(b->id()).contains(QStringLiteral("joined")));
        QVERIFY(!Test::adapterOf(t.m_nodes[0])
                     ->socketRooms(a->id())
                     .contains(QStringLiteral("joined")));
        t.m_nodes[0].server->socketsJoin({QStringLiteral("everyone")});
        QTRY_VERIFY(other->socketRooms(b->id()).contains(QStringLiteral("everyone")));
        QVERIFY(Test::adapterOf(t.m_nodes[0])
                    ->socketRooms(a->id())
                    .contains(QStringLiteral("everyone")));
        t.m_nodes[0].server->to(QStringLiteral("joined")).socketsLeave(QStringLiteral("everyone"));
        QTRY_VERIFY(!other->socketRooms(b->id()).contains(QStringLiteral("everyone")));
        QVERIFY(Test::adapterOf(t.m_nodes[0])
                    ->socketRooms(a->id())
                    .contains(QStringLiteral("everyone")));
    }

    static void disconnectSockets(Test &t)
    {
        QVERIFY(t.startCluster(2));
        ClientSocket *a = t.client(0, {QStringLiteral("stay")});
        ClientSocket *b = t.client(1, {QStringLiteral("go")});
        QTRY_VERIFY(a->isConnected() && b->isConnected());
        t.m_nodes[0].server->to(QStringLiteral("go")).disconnectSockets();
        QTRY_VERIFY(!b->isConnected());
        QVERIFY(a->isConnected());
    }

    // `note`: the arguments of an emit without an ack.
    static void serverSideEmitWithAck(Test &t, const QVariantList &note = {QStringLiteral("a"), 1})
    {
        QVERIFY(t.startCluster(3));
        for (int i = 1; i < 3; ++i) {
            t.m_nodes[i].server->sockets()->onServerSideEvent(
                QStringLiteral("ping"), t.m_nodes[i].server.get(),
                [i](const QVariantList &args, const Ack &ack) {
                    ack({QVariant(args.value(0).toInt() + i)});
                });
        }
        QString error = QStringLiteral("unset");
        QVariantList responses;
        t.m_nodes[0].server->sockets()->serverSideEmit(
            QStringLiteral("ping"), {10}, t.m_nodes[0].server.get(),
            [&](const QString &e, const QVariantList &r) {
                error = e;
                responses = r;
            });
        QTRY_COMPARE(responses.size(), 2);
        QCOMPARE(error, QString());
        std::sort(responses.begin(), responses.end(),
                  [](const QVariant &x, const QVariant &y) { return x.toInt() < y.toInt(); });
        QCOMPARE(responses, (QVariantList{11, 12}));

        // Without an ack: every other server's handler runs.
        QVariantList seen;
        t.m_nodes[2].server->sockets()->onServerSideEvent(
            QStringLiteral("note"), t.m_nodes[2].server.get(),
            [&seen](const QVariantList &args, const Ack &) { seen = args; });
        t.m_nodes[0].server->serverSideEmit(QStringLiteral("note"), note);
        QTRY_COMPARE(seen, note);
    }

    static void broadcastWithClientAcks(Test &t)
    {
        QVERIFY(t.startCluster(2));
        ClientSocket *a = t.client(0);
        ClientSocket *b = t.client(1);
        ClientSocket *c = t.client(1, {QStringLiteral("silent")});
        for (ClientSocket *socket : {a, b}) {
            socket->on(QStringLiteral("question"), socket,
                       [socket](const QVariantList &, const Ack &ack) { ack({socket->id()}); });
        }
        c->on(QStringLiteral("question"), c,
              [](const QVariantList &, const Ack &) {}); // never answers
        QTRY_VERIFY(a->isConnected() && b->isConnected() && c->isConnected());

        QFuture<QVariantList> answered = t.m_nodes[0]
                                             .server->except(QStringLiteral("silent"))
                                             .timeout(3000)
                                             .emitWithAck(QStringLiteral("question"), {1});
        QTRY_VERIFY(answered.isFinished());
        QVERIFY(!failedWithTimeout(answered));
        QVariantList ids = answered.result();
        std::sort(ids.begin(), ids.end(),
                  [](const QVariant &x, const QVariant &y) { return x.toString() < y.toString(); });
        QVariantList expected{a->id(), b->id()};
        std::sort(expected.begin(), expected.end(),
                  [](const QVariant &x, const QVariant &y) { return x.toString() < y.toString(); });
        QCOMPARE(ids, expected);

        // One client of the other server does not answer: the timeout, with what arrived.
        QElapsedTimer timer;
        timer.start();
        QFuture<QVariantList> partial =
            t.m_nodes[0].server->timeout(500).emitWithAck(QStringLiteral("question"), {2});
        QTRY_VERIFY(partial.isFinished());
        QVERIFY(failedWithTimeout(partial));
        QVERIFY(timer.elapsed() >= 450);
    }

    // The client's node goes away; the client reconnects through the load balancer to the
    // other node and gets its id, rooms and data back, with every event sent meanwhile.
    // `sessionKeys` counts the sessions saved in Redis; startCluster(count, true) turns
    // recovery on.
    static void recoveryOnAnotherNode(Test &t, const std::function<int()> &sessionKeys)
    {
        QVERIFY(t.startCluster(2, true));
        TcpForwarder balancer(t.m_nodes[0].server->serverPort());
        ClientSocket *socket = t.connectClientTo(balancer.port(), {QStringLiteral("r1")}, {}, true);
        QStringList news;
        socket->on(QStringLiteral("news"), socket, [&news](const QVariantList &args, const Ack &) {
            news.append(args.value(0).toString());
        });
        QTRY_VERIFY(socket->isConnected());
        QVERIFY(!socket->isRecovered());
        const QString id = socket->id();
        // From the other node, through the stream, with its offset.
        t.m_nodes[1].server->emitEvent(QStringLiteral("news"), {QStringLiteral("one")});
        QTRY_COMPARE(news, QStringList{QStringLiteral("one")});

        // Node 0 shuts down: the session goes to Redis. Nothing can reconnect for now.
        balancer.setTarget(0);
        QSignalSpy disconnected(socket, &ClientSocket::disconnected);
        t.m_nodes[0].server->close();
        QTRY_COMPARE(disconnected.size(), 1);
        QTRY_COMPARE(sessionKeys(), 1);
        t.m_nodes[0] = {};
        QTRY_VERIFY(t.clusterFormed());

        SocketIO::Server &server = *t.m_nodes[1].server;
        server.emitEvent(QStringLiteral("news"), {QStringLiteral("two")});
        server.to(QStringLiteral("r1"))
            .emitEvent(QStringLiteral("news"), {QStringLiteral("three")});
        server.to(QStringLiteral("elsewhere"))
            .emitEvent(QStringLiteral("news"), {QStringLiteral("not-for-us")});
        server.except(QStringLiteral("r1"))
            .emitEvent(QStringLiteral("news"), {QStringLiteral("not-for-us")});
        server.emitEvent(QStringLiteral("news"), {QStringLiteral("four"), QByteArray("\x07", 1)});

        balancer.setTarget(server.serverPort());
        QTRY_VERIFY_WITH_TIMEOUT(socket->isConnected(), 10'000);
        QVERIFY(socket->isRecovered());
        QCOMPARE(socket->id(), id);
        QTRY_COMPARE(news, (QStringList{QStringLiteral("one"), QStringLiteral("two"),
                                        QStringLiteral("three"), QStringLiteral("four")}));
        // The session was taken: the key is gone.
        QCOMPARE(sessionKeys(), 0);
        // Its rooms and data came back with it.
        const QList<SocketIO::Socket *> sockets = server.sockets()->sockets();
        QCOMPARE(sockets.size(), 1);
        SocketIO::Socket *recovered = sockets.first();
        QCOMPARE(recovered->id(), id);
        QVERIFY(recovered->isRecovered());
        QCOMPARE(recovered->rooms(), (QSet<QString>{id, QStringLiteral("r1")}));
        QCOMPARE(recovered->data().value(QStringLiteral("node")).toInt(), 0);
        // Later broadcasts go on.
        server.to(QStringLiteral("r1")).emitEvent(QStringLiteral("news"), {QStringLiteral("five")});
        QTRY_COMPARE(news.size(), 5);
    }
};
