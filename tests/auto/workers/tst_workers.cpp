// ServerOptions::workers: connections spread over worker threads, sessions found by their
// sid on every transport, and the cluster adapter joining the workers and their front
// (broadcasts, acks, fetchSockets, rooms, serverSideEmit, disconnections). The clients are
// the library's own Qt client, on the test's thread.
#include "../selfsigned.h"
#include <SocketIO/ClientSocket>
#include <SocketIO/EngineServer>
#include <SocketIO/HttpRequest>
#include <SocketIO/Manager>
#include <SocketIO/Namespace>
#include <SocketIO/Server>
#include <SocketIO/Socket>

#include <QtCore/QMutex>
#include <QtCore/QThread>
#include <QtNetwork/QSslConfiguration>
#include <QtNetwork/QTcpSocket>
#include <QtTest/QSignalSpy>
#include <QtTest/QTest>

using namespace SocketIO;

namespace {

QString s(const char *text)
{
    return QString::fromUtf8(text);
}

// What the workers saw, written from their threads.
struct Seen
{
    QMutex mutex;
    QSet<QThread *> threads;
    int connections = 0;
};

} // namespace

class tst_Workers : public QObject
{
    Q_OBJECT

private Q_SLOTS:
    void initTestCase_data();
    void init();
    void cleanup();
    void spreadAndBroadcast_data();
    void spreadAndBroadcast();
    void frontReachesEveryWorker();
    void serverSideEmitAcrossWorkers();
    void otherPathsStayOnTheListeningThread();
    void tlsConnectionsMove();
    void refusedCombinations();

private:
    void startServer(const std::optional<QSslConfiguration> &tls = std::nullopt);
    // Starts `count` clients; the caller waits for them with allConnected().
    QList<ClientSocket *> startClients(int count, const QStringList &transports,
                                       const TlsOptions *tls = nullptr);
    static bool allConnected(const QList<ClientSocket *> &clients);

    std::unique_ptr<Server> m_io;
    std::shared_ptr<Seen> m_seen;
    std::vector<std::unique_ptr<Manager>> m_managers;
};

void tst_Workers::initTestCase_data()
{
    // Every test runs on both WebSocket engines.
    QTest::addColumn<QString>("wsEngine");
#if SOCKETIO_LEAN_ENGINE // the lean engine is not in every build
    QTest::addRow("lean") << s("lean");
#endif
    QTest::addRow("qt") << s("qt");
}

void tst_Workers::init()
{
    m_seen = std::make_shared<Seen>();
}

void tst_Workers::cleanup()
{
    m_managers.clear();
    m_io.reset();
}

void tst_Workers::startServer(const std::optional<QSslConfiguration> &tls)
{
    QFETCH_GLOBAL(QString, wsEngine);
    ServerOptions options;
    options.workers = 2;
    options.engine.wsEngine = wsEngine;
    m_io = std::make_unique<Server>(options);
    const std::shared_ptr<Seen> seen = m_seen;
    m_io->setWorkerSetup([seen](Server *worker) {
        Namespace *nsp = worker->sockets();
        QObject::connect(nsp, &Namespace::connection, worker, [seen, nsp](Socket *socket) {
            {
                QMutexLocker lock(&seen->mutex);
                seen->threads.insert(QThread::currentThread());
                ++seen->connections;
            }
            socket->join(s("room"));
            socket->on(s("shout"), socket, [nsp](const QVariantList &args, const Ack &) {
                nsp->to(s("room")).emitEvent(s("news"), args);
            });
            socket->on(s("echo"), socket,
                       [](const QVariantList &args, const Ack &ack) { ack(args); });
            socket->on(s("question"), socket, [](const QVariantList &, const Ack &) {});
            socket->on(s("relay"), socket, [nsp, socket](const QVariantList &, const Ack &ack) {
                // From this worker to the other servers (the other worker and the front).
                nsp->serverSideEmit(s("hello"), {}, socket,
                                    [ack](const QString &error, const QVariantList &responses) {
                                        ack({error, responses.size()});
                                    });
            });
        });
        nsp->onServerSideEvent(s("hello"), worker,
                               [](const QVariantList &, const Ack &ack) { ack({s("worker")}); });
    });
    if (tls)
        m_io->setSslConfiguration(*tls);
    QVERIFY2(m_io->listen(QHostAddress::LocalHost, 0), qPrintable(m_io->errorString()));
}

QList<ClientSocket *> tst_Workers::startClients(int count, const QStringList &transports,
                                                const TlsOptions *tls)
{
    QList<ClientSocket *> sockets;
    for (int i = 0; i < count; ++i) {
        ManagerOptions options;
        options.transports = transports;
        options.reconnection = false;
        if (tls)
            options.tls = *tls;
        const QString scheme = tls ? s("https") : s("http");
        m_managers.push_back(std::make_unique<Manager>(
            QUrl(QStringLiteral("%1://127.0.0.1:%2").arg(scheme).arg(m_io->serverPort())),
            options));
        sockets.append(m_managers.back()->socket());
    }
    return sockets;
}

bool tst_Workers::allConnected(const QList<ClientSocket *> &clients)
{
    return std::all_of(clients.cbegin(), clients.cend(),
                       [](ClientSocket *client) { return client->isConnected(); });
}

void tst_Workers::spreadAndBroadcast_data()
{
    QTest::addColumn<QStringList>("transports");
    QTest::addRow("websocket") << QStringList{s("websocket")};
    QTest::addRow("polling") << QStringList{s("polling")};
    QTest::addRow("polling then upgrade") << QStringList{s("polling"), s("websocket")};
}

void tst_Workers::spreadAndBroadcast()
{
    QFETCH(QStringList, transports);
    startServer();
    const QList<ClientSocket *> clients = startClients(6, transports);
    QTRY_VERIFY_WITH_TIMEOUT(allConnected(clients), 10'000);
    {
        QMutexLocker lock(&m_seen->mutex);
        QCOMPARE(m_seen->connections, 6);
        // Both workers took connections, and neither is the listening thread.
        QCOMPARE(m_seen->threads.size(), 2);
        QVERIFY(!m_seen->threads.contains(QThread::currentThread()));
    }
    // Each session's requests reach its worker: an ack round trip on every client.
    int acked = 0;
    for (ClientSocket *client : clients) {
        client->emitEvent(s("echo"), {client->id()}, client,
                          [&acked, client](const QString &error, const QVariantList &args) {
                              if (error.isEmpty() && args == QVariantList{client->id()})
                                  ++acked;
                          });
    }
    QTRY_COMPARE_WITH_TIMEOUT(acked, 6, 10'000);
    // A broadcast from one worker reaches the sockets of both.
    int news = 0;
    for (ClientSocket *client : clients) {
        client->on(s("news"), client, [&news](const QVariantList &args, const Ack &) {
            if (args == QVariantList{42})
                ++news;
        });
    }
    clients.first()->emitEvent(s("shout"), {42});
    QTRY_COMPARE_WITH_TIMEOUT(news, 6, 10'000);
}

void tst_Workers::frontReachesEveryWorker()
{
    startServer();
    const QList<ClientSocket *> clients = startClients(4, {s("websocket")});
    QTRY_VERIFY_WITH_TIMEOUT(allConnected(clients), 10'000);
    QStringList ids;
    for (ClientSocket *client : clients)
        ids.append(client->id());
    ids.sort();

    // fetchSockets from the front gathers every worker's sockets.
    QFuture<QList<RemoteSocket>> fetched = m_io->fetchSockets();
    QTRY_VERIFY_WITH_TIMEOUT(fetched.isFinished(), 5'000);
    QStringList found;
    for (const RemoteSocket &socket : fetched.result())
        found.append(socket.id());
    found.sort();
    QCOMPARE(found, ids);

    // Rooms joined from the front, then a broadcast to them.
    m_io->socketsJoin(QStringList{s("extra")});
    int extra = 0;
    for (ClientSocket *client : clients)
        client->on(s("to-extra"), client, [&extra](const QVariantList &, const Ack &) { ++extra; });
    // Wait until both workers have applied the join (fetchSockets is queued after it).
    QFuture<QList<RemoteSocket>> inExtra = m_io->to(s("extra")).fetchSockets();
    QTRY_VERIFY_WITH_TIMEOUT(inExtra.isFinished(), 5'000);
    QCOMPARE(inExtra.result().size(), 4);
    m_io->to(s("extra")).emitEvent(s("to-extra"));
    QTRY_COMPARE_WITH_TIMEOUT(extra, 4, 10'000);

    // A broadcast with acks counts every worker's sockets; those that do not answer make it
    // time out with the answers that did arrive.
    for (int i = 0; i < 2; ++i) {
        clients.at(i)->on(s("ask"), clients.at(i),
                          [](const QVariantList &, const Ack &ack) { ack({s("yes")}); });
    }
    QString askError;
    QVariantList answers;
    bool asked = false;
    m_io->sockets()->timeout(1000).emitEvent(
        s("ask"), {}, m_io.get(), [&](const QString &error, const QVariantList &responses) {
            asked = true;
            askError = error;
            answers = responses;
        });
    QTRY_VERIFY_WITH_TIMEOUT(asked, 5'000);
    QCOMPARE(askError, s("operation has timed out"));
    QCOMPARE(answers, (QVariantList{s("yes"), s("yes")}));

    // Disconnections from the front.
    QList<std::shared_ptr<QSignalSpy>> spies;
    for (ClientSocket *client : clients)
        spies.append(std::make_shared<QSignalSpy>(client, &ClientSocket::disconnected));
    m_io->disconnectSockets();
    for (const auto &spy : spies) {
        QTRY_COMPARE_WITH_TIMEOUT(spy->count(), 1, 5'000);
        QCOMPARE(spy->first().first().toString(), s("io server disconnect"));
    }
}

void tst_Workers::serverSideEmitAcrossWorkers()
{
    startServer();
    m_io->sockets()->onServerSideEvent(
        s("hello"), m_io.get(), [](const QVariantList &, const Ack &ack) { ack({s("front")}); });
    // From the front: both workers answer.
    QString error = s("unset");
    QVariantList responses;
    m_io->sockets()->serverSideEmit(s("hello"), {}, m_io.get(),
                                    [&](const QString &e, const QVariantList &r) {
                                        error = e;
                                        responses = r;
                                    });
    QTRY_COMPARE_WITH_TIMEOUT(responses.size(), 2, 5'000);
    QCOMPARE(error, QString());
    QCOMPARE(responses, (QVariantList{s("worker"), s("worker")}));

    // From a worker: the other worker and the front answer.
    const QList<ClientSocket *> clients = startClients(1, {s("websocket")});
    QTRY_VERIFY_WITH_TIMEOUT(allConnected(clients), 10'000);
    QVariantList relayed;
    clients.first()->emitEvent(
        s("relay"), {}, clients.first(),
        [&relayed](const QString &, const QVariantList &args) { relayed = args; });
    QTRY_COMPARE_WITH_TIMEOUT(relayed, (QVariantList{QString(), 2}), 5'000);
}

void tst_Workers::otherPathsStayOnTheListeningThread()
{
    startServer();
    bool handled = false;
    QThread *handlerThread = nullptr;
    m_io->engine()->setRequestHandler(m_io.get(),
                                      [&](const HttpRequest &request, HttpResponse &response) {
                                          handled = request.path() == u"/hello";
                                          handlerThread = QThread::currentThread();
                                          response.setStatusCode(200);
                                          response.setBody("hi");
                                          return true;
                                      });
    QTcpSocket client;
    client.connectToHost(QHostAddress::LocalHost, m_io->serverPort());
    QVERIFY(client.waitForConnected(5000));
    client.write("GET /hello HTTP/1.1\r\nHost: x\r\n\r\n");
    QByteArray answer;
    QTRY_VERIFY_WITH_TIMEOUT((answer += client.readAll()).endsWith("hi"), 5'000);
    QVERIFY2(answer.startsWith("HTTP/1.1 200"), answer.constData());
    QVERIFY(handled);
    QCOMPARE(handlerThread, QThread::currentThread());
    {
        QMutexLocker lock(&m_seen->mutex);
        QCOMPARE(m_seen->connections, 0);
    }
}

void tst_Workers::tlsConnectionsMove()
{
    // The TLS handshake happens on the listening thread; the QSslSocket then moves.
    const SelfSigned selfSigned = SelfSigned::make();
    QVERIFY2(selfSigned.error.isEmpty(), qPrintable(selfSigned.error));
    startServer(selfSigned.serverConfiguration());

    TlsOptions tls;
    tls.ca = {selfSigned.certificate};
    const QList<ClientSocket *> clients = startClients(4, {s("polling"), s("websocket")}, &tls);
    QTRY_VERIFY_WITH_TIMEOUT(allConnected(clients), 15'000);
    {
        QMutexLocker lock(&m_seen->mutex);
        QCOMPARE(m_seen->threads.size(), 2);
    }
    int news = 0;
    for (ClientSocket *client : clients)
        client->on(s("news"), client, [&news](const QVariantList &, const Ack &) { ++news; });
    clients.first()->emitEvent(s("shout"), {1});
    QTRY_COMPARE_WITH_TIMEOUT(news, 4, 10'000);
}

void tst_Workers::refusedCombinations()
{
    ServerOptions options;
    options.workers = 2;
    options.connectionStateRecovery = ConnectionStateRecoveryOptions{};
    Server recovering(options);
    QVERIFY(!recovering.listen(QHostAddress::LocalHost, 0));
    QCOMPARE(recovering.error(), Server::Error::InvalidOptions);
    QVERIFY2(recovering.errorString().contains(s("not supported with workers")),
             qPrintable(recovering.errorString()));

    ServerOptions legacy;
    legacy.workers = 2;
    Protocol09Options protocol09;
    protocol09.enabled = true;
    legacy.setProtocol09(protocol09);
    Server legacyServer(legacy);
    QVERIFY(!legacyServer.listen(QHostAddress::LocalHost, 0));
    QVERIFY2(legacyServer.errorString().contains(s("0.9 protocol is not supported with workers")),
             qPrintable(legacyServer.errorString()));

    ServerOptions tooMany;
    tooMany.workers = 27;
    Server many(tooMany);
    QVERIFY(!many.listen(QHostAddress::LocalHost, 0));
    QVERIFY2(many.errorString().contains(s("workers")), qPrintable(many.errorString()));
}

QTEST_GUILESS_MAIN(tst_Workers)
#include "tst_workers.moc"
