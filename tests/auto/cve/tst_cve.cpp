// Regression tests for the attack shapes of the reference implementation's CVEs, sent to a
// real server over loopback on both WebSocket engines: the attacker's connection is closed
// with the reference's reason, the server survives, and another client is still served.
//   socket.io-parser CVE-2020-36049  memory exhaustion: a packet announcing a billion
//                                    attachments (the reference would wait for them all)
//   socket.io-parser CVE-2022-2421   placeholders with a non-numeric or out-of-range "num"
//   socket.io-parser CVE-2023-32695  an event whose name is not a string
//   engine.io CVE-2020-36048         one message far over maxHttpBufferSize
//   engine.io CVE-2022-41940         invalid upgrade requests reset by the client at once
//   ws CVE-2024-37890                an upgrade request with thousands of headers
#include <SocketIO/Server>

#include <QtNetwork/QTcpSocket>
#include <QtTest/QSignalSpy>
#include <QtTest/QTest>
#include <QtWebSockets/QWebSocket>

#include <sys/socket.h>

using namespace SocketIO;

class tst_Cve : public QObject
{
    Q_OBJECT

private Q_SLOTS:
    void initTestCase_data();
    void init();
    void cleanup();
    void maliciousPacket_data();
    void maliciousPacket();
    void oversizeMessage();
    void invalidUpgradesResetAtOnce();
    void thousandsOfHeaders();

private:
    QUrl wsUrl() const
    {
        return QUrl(QStringLiteral("ws://127.0.0.1:%1/socket.io/?EIO=4&transport=websocket")
                        .arg(m_io->serverPort()));
    }
    // Opens `ws` and joins the main namespace; `texts` spies on its text messages.
    bool joinMain(QWebSocket *ws, QSignalSpy *texts) const;
    // A client of the main namespace that is still answered.
    void verifyStillServed();

    std::unique_ptr<Server> m_io;
    QStringList m_reasons;
};

void tst_Cve::initTestCase_data()
{
    QTest::addColumn<QString>("wsEngine");
#if SOCKETIO_LEAN_ENGINE // the lean engine is not in every build
    QTest::addRow("lean") << QStringLiteral("lean");
#endif
    QTest::addRow("qt") << QStringLiteral("qt");
}

void tst_Cve::init()
{
    QFETCH_GLOBAL(QString, wsEngine);
    ServerOptions options;
    options.engine.wsEngine = wsEngine;
    m_io = std::make_unique<Server>(options);
    m_reasons.clear();
    QObject::connect(m_io.get(), &Server::connection, m_io.get(), [this](Socket *socket) {
        QObject::connect(socket, &Socket::disconnected, m_io.get(),
                         [this](const QString &reason) { m_reasons.append(reason); });
        socket->on(QStringLiteral("echo"), socket,
                   [](const QVariantList &args, const Ack &ack) { ack(args); });
    });
    QVERIFY(m_io->listen(QHostAddress::LocalHost, 0));
}

void tst_Cve::cleanup()
{
    m_io.reset();
}

bool tst_Cve::joinMain(QWebSocket *ws, QSignalSpy *texts) const
{
    ws->open(wsUrl());
    if (!QTest::qWaitFor([texts] { return texts->count() >= 1; }, 5000)) // Engine.IO open
        return false;
    ws->sendTextMessage(QStringLiteral("40"));
    return QTest::qWaitFor([texts] { return texts->count() >= 2; }, 5000) && // CONNECT ack
           texts->last().at(0).toString().startsWith(QStringLiteral("40{"));
}

void tst_Cve::verifyStillServed()
{
    QWebSocket ws;
    QSignalSpy texts(&ws, &QWebSocket::textMessageReceived);
    QVERIFY(joinMain(&ws, &texts));
    ws.sendTextMessage(QStringLiteral("421[\"echo\",\"alive\"]"));
    QTRY_VERIFY(texts.count() >= 3);
    QCOMPARE(texts.last().at(0).toString(), QStringLiteral("431[\"alive\"]"));
}

void tst_Cve::maliciousPacket_data()
{
    QTest::addColumn<QStringList>("texts");
    QTest::addColumn<QList<QByteArray>>("binaries");
    QTest::addRow("CVE-2020-36049: a billion attachments announced")
        << QStringList{QStringLiteral("451000000000-[\"echo\",{\"_placeholder\":true,\"num\":0}]")}
        << QList<QByteArray>{};
    QTest::addRow("CVE-2020-36049: attachment count past 64 bits")
        << QStringList{QStringLiteral("4599999999999999999999-[\"echo\"]")} << QList<QByteArray>{};
    QTest::addRow("CVE-2022-2421: placeholder num __proto__")
        << QStringList{QStringLiteral(
               "451-[\"echo\",{\"_placeholder\":true,\"num\":\"__proto__\"}]")}
        << QList<QByteArray>{QByteArray("x")};
    QTest::addRow("CVE-2022-2421: placeholder num out of range")
        << QStringList{QStringLiteral("451-[\"echo\",{\"_placeholder\":true,\"num\":7}]")}
        << QList<QByteArray>{QByteArray("x")};
    QTest::addRow("CVE-2022-2421: placeholder num negative")
        << QStringList{QStringLiteral("451-[\"echo\",{\"_placeholder\":true,\"num\":-1}]")}
        << QList<QByteArray>{QByteArray("x")};
    QTest::addRow("CVE-2022-2421: placeholder num fractional")
        << QStringList{QStringLiteral("451-[\"echo\",{\"_placeholder\":true,\"num\":0.5}]")}
        << QList<QByteArray>{QByteArray("x")};
    QTest::addRow("CVE-2023-32695: event name is an object")
        << QStringList{QStringLiteral("42[{\"toString\":\"foo\"}]")} << QList<QByteArray>{};
    QTest::addRow("CVE-2023-32695: event payload is an object")
        << QStringList{QStringLiteral("42{\"0\":\"echo\"}")} << QList<QByteArray>{};
    QTest::addRow("CVE-2023-32695: empty event array")
        << QStringList{QStringLiteral("42[]")} << QList<QByteArray>{};
    QTest::addRow("binary packet then a text packet before its attachments")
        << QStringList{QStringLiteral("451-[\"echo\",{\"_placeholder\":true,\"num\":0}]"),
                       QStringLiteral("42[\"echo\"]")}
        << QList<QByteArray>{};
    QTest::addRow("attachment without a binary packet")
        << QStringList{} << QList<QByteArray>{QByteArray("orphan")};
}

void tst_Cve::maliciousPacket()
{
    QFETCH(QStringList, texts);
    QFETCH(QList<QByteArray>, binaries);
    QWebSocket attacker;
    QSignalSpy received(&attacker, &QWebSocket::textMessageReceived);
    QSignalSpy disconnected(&attacker, &QWebSocket::disconnected);
    QVERIFY(joinMain(&attacker, &received));
    for (const QString &text : std::as_const(texts))
        attacker.sendTextMessage(text);
    for (const QByteArray &binary : std::as_const(binaries))
        attacker.sendBinaryMessage(binary);
    // The reference's decoder throws, and socket.io closes the connection ("forced close"); no
    // event reaches the app.
    QTRY_COMPARE_WITH_TIMEOUT(m_reasons, QStringList{QStringLiteral("forced close")}, 5000);
    QTRY_COMPARE(disconnected.count(), 1);
    for (const QList<QVariant> &message : std::as_const(received))
        QVERIFY2(!message.at(0).toString().startsWith(QStringLiteral("43")),
                 qPrintable(message.at(0).toString()));
    verifyStillServed();
}

void tst_Cve::oversizeMessage()
{
    // Over maxHttpBufferSize (1e6 by default): 1009 on the WebSocket, "transport error".
    QWebSocket attacker;
    QSignalSpy received(&attacker, &QWebSocket::textMessageReceived);
    QSignalSpy disconnected(&attacker, &QWebSocket::disconnected);
    QVERIFY(joinMain(&attacker, &received));
    attacker.sendTextMessage(QStringLiteral("42[\"echo\",\"") + QString(2'000'000, u'a') +
                             QStringLiteral("\"]"));
    QTRY_COMPARE_WITH_TIMEOUT(disconnected.count(), 1, 10000);
    QCOMPARE(int(attacker.closeCode()), 1009);
    // ws reports the refused frame as an error: "transport error". QWebSocket closes by itself
    // and tells nothing more than a close, so that engine reports "transport close".
    QFETCH_GLOBAL(QString, wsEngine);
    const QString reason =
        wsEngine == u"lean" ? QStringLiteral("transport error") : QStringLiteral("transport close");
    QTRY_COMPARE(m_reasons, QStringList{reason});
    verifyStillServed();
}

void tst_Cve::invalidUpgradesResetAtOnce()
{
    // Upgrade requests the server must refuse, each reset (RST) by the client right after it
    // was written, so that the refusal meets a dead socket.
    const QList<QByteArray> requests{
        "GET /socket.io/?EIO=4&transport=websocket HTTP/1.1\r\nHost: x\r\nUpgrade: websocket\r\n"
        "Connection: Upgrade\r\nSec-WebSocket-Version: 13\r\n\r\n", // no key
        "GET /socket.io/?EIO=4&transport=websocket HTTP/1.1\r\nHost: x\r\nUpgrade: websocket\r\n"
        "Connection: Upgrade\r\nSec-WebSocket-Key: dGhlIHNhbXBsZSBub25jZQ==\r\n"
        "Sec-WebSocket-Version: 12\r\n\r\n", // wrong version
        "GET /socket.io/?EIO=4&transport=websocket&sid=nope HTTP/1.1\r\nHost: x\r\n"
        "Upgrade: websocket\r\nConnection: Upgrade\r\nSec-WebSocket-Key: "
        "dGhlIHNhbXBsZSBub25jZQ==\r\nSec-WebSocket-Version: 13\r\n\r\n", // unknown sid
        "GET /elsewhere HTTP/1.1\r\nHost: x\r\nUpgrade: websocket\r\nConnection: Upgrade\r\n"
        "Sec-WebSocket-Key: dGhlIHNhbXBsZSBub25jZQ==\r\nSec-WebSocket-Version: 13\r\n\r\n",
    };
    for (int round = 0; round < 50; ++round) {
        for (const QByteArray &request : requests) {
            // Awaited with the event loop running: the server shares this thread.
            QTcpSocket socket;
            socket.connectToHost(QHostAddress::LocalHost, m_io->serverPort());
            QTRY_COMPARE(socket.state(), QAbstractSocket::ConnectedState);
            socket.write(request);
            QTRY_COMPARE(socket.bytesToWrite(), qint64(0));
            const linger reset{1, 0};
            ::setsockopt(int(socket.socketDescriptor()), SOL_SOCKET, SO_LINGER, &reset,
                         sizeof reset);
            socket.abort();
        }
    }
    verifyStillServed();
}

void tst_Cve::thousandsOfHeaders()
{
    QByteArray request = "GET /socket.io/?EIO=4&transport=websocket HTTP/1.1\r\nHost: x\r\n"
                         "Upgrade: websocket\r\nConnection: Upgrade\r\n"
                         "Sec-WebSocket-Key: dGhlIHNhbXBsZSBub25jZQ==\r\n"
                         "Sec-WebSocket-Version: 13\r\n";
    for (int i = 0; i < 3000; ++i)
        request += "X-" + QByteArray::number(i) + ": v\r\n";
    request += "\r\n";
    QTcpSocket socket;
    QByteArray answer;
    QObject::connect(&socket, &QTcpSocket::readyRead, &socket, [&] { answer += socket.readAll(); });
    QSignalSpy closed(&socket, &QTcpSocket::disconnected);
    socket.connectToHost(QHostAddress::LocalHost, m_io->serverPort());
    QVERIFY(socket.waitForConnected(3000));
    socket.write(request);
    // Refused with a 4xx (431: the head is over the 16 KiB limit) and closed, not a crash.
    QTRY_VERIFY_WITH_TIMEOUT(closed.count() == 1, 10000);
    QVERIFY2(answer.startsWith("HTTP/1.1 4"), answer.left(100).constData());
    verifyStillServed();
}

QTEST_GUILESS_MAIN(tst_Cve)
#include "tst_cve.moc"
