// The client WebSocket (permessage-deflate capable) against a scripted server on a raw
// QTcpServer: handshakes that ws's client refuses, frames a server must not send (masked,
// RSV1 without the extension, a deflate bomb, bad UTF-8, absurd lengths), and the good paths:
// compression both ways with the threshold, fragmentation with a ping in between, the close
// handshake. Each hostile case checks the error, the close code the client sent back, and
// that the client did not hold more than its message limit.
#include "websocket/clientconnection_p.h"
#include "websocket/deflate_p.h"
#include "websocket/frame_p.h"

#include <QtCore/QtEndian>
#include <QtNetwork/QTcpServer>
#include <QtNetwork/QTcpSocket>
#include <QtTest/QSignalSpy>
#include <QtTest/QTest>

#include <functional>

using namespace SocketIO::WebSocket;

namespace {

// An unmasked server frame with the given first byte (FIN, RSV bits, opcode).
QByteArray serverFrame(quint8 b0, QByteArrayView payload, bool masked = false)
{
    QByteArray frame = masked ? encodeMaskedFrame(Opcode(b0 & 0x0f), payload, 0x11223344)
                              : encodeFrame(Opcode(b0 & 0x0f), payload);
    frame[0] = char(b0);
    return frame;
}

// The close code of a client's close frame in `bytes` (0 if there is none).
quint16 clientCloseCode(QByteArray bytes)
{
    FrameReader reader(1 << 20, FrameReader::Sender::Client);
    QList<FrameReader::Message> messages;
    reader.read(bytes, &messages);
    for (const auto &message : std::as_const(messages)) {
        if (message.opcode == Opcode::Close && message.payload.size() >= 2)
            return qFromBigEndian<quint16>(message.payload.constData());
    }
    return 0;
}

// The size of the masked frame at the start of `bytes`; -1 until it is all there.
qsizetype clientFrameSize(QByteArrayView bytes)
{
    if (bytes.size() < 2)
        return -1;
    quint64 length = quint8(bytes[1]) & 0x7f;
    qsizetype header = 2;
    if (length == 126) {
        if (bytes.size() < 4)
            return -1;
        length = qFromBigEndian<quint16>(bytes.data() + 2);
        header = 4;
    } else if (length == 127) {
        if (bytes.size() < 10)
            return -1;
        length = qFromBigEndian<quint64>(bytes.data() + 2);
        header = 10;
    }
    const qsizetype size = header + 4 + qsizetype(length);
    return bytes.size() >= size ? size : -1;
}

// One connection's server side: reads the upgrade request, then hands it to the script.
struct Peer
{
    QTcpSocket *socket = nullptr;
    QByteArray request;  // the head
    QByteArray received; // what came after it
    QByteArray header(const QByteArray &name) const
    {
        for (const QByteArray &line : request.split('\n')) {
            const qsizetype colon = line.indexOf(':');
            if (colon > 0 && line.first(colon).trimmed().compare(name, Qt::CaseInsensitive) == 0)
                return line.sliced(colon + 1).trimmed();
        }
        return {};
    }
    QByteArray accept() const { return acceptKey(header("Sec-WebSocket-Key")); }
    // A 101 with the right accept key and these extra header lines.
    void upgrade(const QByteArray &extra = {})
    {
        socket->write("HTTP/1.1 101 Switching Protocols\r\nUpgrade: websocket\r\n"
                      "Connection: Upgrade\r\nSec-WebSocket-Accept: " +
                      accept() + "\r\n" + extra + "\r\n");
    }
};

class ScriptedServer : public QObject
{
public:
    // `onRequest` runs once the upgrade request is in.
    explicit ScriptedServer(std::function<void(Peer &)> onRequest)
        : m_onRequest(std::move(onRequest))
    {
        m_server.listen(QHostAddress::LocalHost, 0);
        connect(&m_server, &QTcpServer::newConnection, this, [this] {
            QTcpSocket *socket = m_server.nextPendingConnection();
            peer.socket = socket;
            connect(socket, &QTcpSocket::readyRead, this, [this, socket] {
                const QByteArray data = socket->readAll();
                if (!peer.request.contains("\r\n\r\n")) {
                    peer.request += data;
                    const qsizetype end = peer.request.indexOf("\r\n\r\n");
                    if (end < 0)
                        return;
                    peer.received = peer.request.sliced(end + 4);
                    peer.request.truncate(end + 4);
                    m_onRequest(peer);
                    return;
                }
                peer.received += data;
            });
        });
    }
    QUrl url(const char *path = "/socket.io/?EIO=4&transport=websocket") const
    {
        return QUrl(QStringLiteral("ws://127.0.0.1:%1%2")
                        .arg(m_server.serverPort())
                        .arg(QString::fromLatin1(path)));
    }

    Peer peer;

private:
    QTcpServer m_server;
    std::function<void(Peer &)> m_onRequest;
};

ClientConnection::Options options(const QUrl &url, bool deflate = true)
{
    ClientConnection::Options o;
    o.url = url;
    if (deflate)
        o.deflate = DeflateConfig();
    return o;
}

} // namespace

using Script = std::function<void(Peer &)>;
Q_DECLARE_METATYPE(Script)

class tst_ClientConnection : public QObject
{
    Q_OBJECT

private Q_SLOTS:
    void refusedHandshake_data();
    void refusedHandshake();
    void hostileFrames_data();
    void hostileFrames();
    void offer_data();
    void offer();
    void compressionBothWays();
    void fragmentsAndPing();
    void closeHandshake();
};

void tst_ClientConnection::refusedHandshake_data()
{
    QTest::addColumn<bool>("deflate");
    QTest::addColumn<QStringList>("subprotocols");
    QTest::addColumn<Script>("script");
    QTest::addColumn<QString>("error");
    auto head = [](const QByteArray &text) {
        return Script([text](Peer &p) { p.socket->write(text); });
    };
    QTest::addRow("not 101") << true << QStringList()
                             << head("HTTP/1.1 400 Bad Request\r\nContent-Length: 0\r\n\r\n")
                             << "Unexpected server response: 400";
    QTest::addRow("bad accept")
        << true << QStringList()
        << head("HTTP/1.1 101 Switching Protocols\r\nUpgrade: websocket\r\nConnection: "
                "Upgrade\r\nSec-WebSocket-Accept: AAAAAAAAAAAAAAAAAAAAAAAAAAA=\r\n\r\n")
        << "Invalid Sec-WebSocket-Accept header";
    QTest::addRow("no upgrade header") << true << QStringList() << Script([](Peer &p) {
        p.socket->write("HTTP/1.1 101 Switching Protocols\r\nSec-WebSocket-Accept: " + p.accept() +
                        "\r\n\r\n");
    }) << "Invalid Upgrade header";
    QTest::addRow("extension not offered") << false << QStringList() << Script([](Peer &p) {
        p.upgrade("Sec-WebSocket-Extensions: permessage-deflate\r\n");
    }) << "Server sent a Sec-WebSocket-Extensions header but no extension was requested";
    QTest::addRow("unknown extension") << true << QStringList() << Script([](Peer &p) {
        p.upgrade("Sec-WebSocket-Extensions: x-webkit-deflate\r\n");
    }) << "Invalid Sec-WebSocket-Extensions header";
    QTest::addRow("window without a value") << true << QStringList() << Script([](Peer &p) {
        p.upgrade("Sec-WebSocket-Extensions: permessage-deflate; client_max_window_bits\r\n");
    }) << "Invalid Sec-WebSocket-Extensions header";
    QTest::addRow("unknown parameter") << true << QStringList() << Script([](Peer &p) {
        p.upgrade("Sec-WebSocket-Extensions: permessage-deflate; foo=1\r\n");
    }) << "Invalid Sec-WebSocket-Extensions header";
    QTest::addRow("subprotocol not requested") << true << QStringList() << Script([](Peer &p) {
        p.upgrade("Sec-WebSocket-Protocol: chat\r\n");
    }) << "Server sent a subprotocol but none was requested";
    QTest::addRow("other subprotocol")
        << true << QStringList{QStringLiteral("chat")}
        << Script([](Peer &p) { p.upgrade("Sec-WebSocket-Protocol: mail\r\n"); })
        << "Server sent an invalid subprotocol";
    QTest::addRow("no subprotocol")
        << true << QStringList{QStringLiteral("chat")} << Script([](Peer &p) { p.upgrade(); })
        << "Server sent no subprotocol";
    QTest::addRow("closed before the 101")
        << true << QStringList() << Script([](Peer &p) { p.socket->disconnectFromHost(); })
        << "The connection closed before the handshake completed";
    QTest::addRow("endless head") << true << QStringList() << Script([](Peer &p) {
        p.socket->write("HTTP/1.1 101 Switching Protocols\r\n");
        for (int i = 0; i < 2000; ++i)
            p.socket->write("X-Filler: " + QByteArray(60, 'x') + "\r\n");
    }) << "The server's response head is too large";
}

void tst_ClientConnection::refusedHandshake()
{
    QFETCH(bool, deflate);
    QFETCH(QStringList, subprotocols);
    QFETCH(Script, script);
    QFETCH(QString, error);
    ScriptedServer server(script);
    ClientConnection client;
    QSignalSpy connected(&client, &ClientConnection::connected);
    QSignalSpy errors(&client, &ClientConnection::errorOccurred);
    auto o = options(server.url(), deflate);
    o.subprotocols = subprotocols;
    client.open(o);
    QTRY_COMPARE(errors.count(), 1);
    QCOMPARE(errors.first().first().toString(), error);
    QCOMPARE(connected.count(), 0);
    QVERIFY(!client.isOpen());
    // The offer went out only when asked for.
    QCOMPARE(server.peer.header("Sec-WebSocket-Extensions").isEmpty(), !deflate);
}

void tst_ClientConnection::hostileFrames_data()
{
    QTest::addColumn<QByteArray>("extensions"); // the 101's Sec-WebSocket-Extensions
    QTest::addColumn<QByteArray>("frames");
    QTest::addColumn<quint16>("closeCode");
    QTest::addColumn<QString>("error");
    const QByteArray deflate = "permessage-deflate";
    QTest::addRow("masked frame") << QByteArray() << serverFrame(0x81, "hello", true)
                                  << quint16(ProtocolError) << "server frames must not be masked";
    QTest::addRow("RSV1 without the extension")
        << QByteArray() << serverFrame(0xc1, "hello") << quint16(ProtocolError)
        << "RSV bits set without an extension";
    QTest::addRow("RSV2") << deflate << serverFrame(0xa1, "hello") << quint16(ProtocolError)
                          << "RSV bits set without an extension";
    QTest::addRow("RSV1 on a ping") << deflate << serverFrame(0xc9, "") << quint16(ProtocolError)
                                    << "RSV bits set without an extension";
    QTest::addRow("bad UTF-8") << QByteArray() << serverFrame(0x81, "\xc3\x28")
                               << quint16(InvalidPayload) << "invalid UTF-8 sequence";
    QTest::addRow("not DEFLATE") << deflate << serverFrame(0xc1, "\xff\xff\xff\xff")
                                 << quint16(InvalidPayload) << "invalid block type";
    // 2^40 bytes announced: refused from the header, before any of it arrives.
    QByteArray huge(10, Qt::Uninitialized);
    huge[0] = char(0x82);
    huge[1] = char(127);
    qToBigEndian<quint64>(quint64(1) << 40, huge.data() + 2);
    QTest::addRow("absurd length")
        << QByteArray() << huge << quint16(MessageTooBig) << "Max payload size exceeded";
    // 16 MiB of zeros in about 16 KiB: inflated no further than the 1 MiB limit.
    Deflater bomb(15, false, 9, 9);
    const QByteArray bombFrame =
        bomb.compressFrame(quint8(Opcode::Binary), {}, QByteArray(16 << 20, '\0'));
    QVERIFY(bombFrame.size() < 64 * 1024);
    QTest::addRow("deflate bomb") << deflate << bombFrame << quint16(MessageTooBig)
                                  << "Max payload size exceeded";
    QTest::addRow("continuation first")
        << QByteArray() << serverFrame(0x80, "x") << quint16(ProtocolError)
        << "continuation without a message";
}

void tst_ClientConnection::hostileFrames()
{
    QFETCH(QByteArray, extensions);
    QFETCH(QByteArray, frames);
    QFETCH(quint16, closeCode);
    QFETCH(QString, error);
    ScriptedServer server([&](Peer &p) {
        p.upgrade(extensions.isEmpty() ? QByteArray()
                                       : "Sec-WebSocket-Extensions: " + extensions + "\r\n");
        p.socket->write(frames);
    });
    ClientConnection client;
    QSignalSpy connected(&client, &ClientConnection::connected);
    QSignalSpy messages(&client, &ClientConnection::messageReceived);
    QSignalSpy errors(&client, &ClientConnection::errorOccurred);
    QSignalSpy disconnected(&client, &ClientConnection::disconnected);
    auto o = options(server.url());
    o.maxMessageSize = 1 << 20;
    client.open(o);
    QTRY_COMPARE(errors.count(), 1);
    QCOMPARE(errors.first().first().toString(), error);
    QCOMPARE(connected.count(), 1);
    QCOMPARE(messages.count(), 0);
    QCOMPARE(disconnected.count(), 0); // an error, not a close
    QCOMPARE(client.closeCode(), closeCode);
    // The close frame with that code reached the server, and then the connection ended.
    QTRY_COMPARE(clientCloseCode(server.peer.received), closeCode);
    QTRY_COMPARE(server.peer.socket->state(), QAbstractSocket::UnconnectedState);
}

void tst_ClientConnection::offer_data()
{
    QTest::addColumn<int>("serverMaxWindowBits");
    QTest::addColumn<int>("clientMaxWindowBits");
    QTest::addColumn<bool>("noContextTakeover");
    QTest::addColumn<QByteArray>("offer");
    QTest::addRow("default") << 0 << 0 << false
                             << QByteArray("permessage-deflate; client_max_window_bits");
    QTest::addRow("everything")
        << 10 << 12 << true
        << QByteArray("permessage-deflate; server_no_context_takeover; client_no_context_takeover; "
                      "server_max_window_bits=10; client_max_window_bits=12");
}

// The offer is ws's, and an answer is read as ws reads it.
void tst_ClientConnection::offer()
{
    QFETCH(int, serverMaxWindowBits);
    QFETCH(int, clientMaxWindowBits);
    QFETCH(bool, noContextTakeover);
    QFETCH(QByteArray, offer);
    DeflateConfig config;
    config.serverMaxWindowBits = serverMaxWindowBits;
    config.clientMaxWindowBits = clientMaxWindowBits;
    config.serverNoContextTakeover = config.clientNoContextTakeover = noContextTakeover;
    QCOMPARE(deflateOffer(config), offer);

    DeflateParams params;
    QVERIFY(acceptDeflateResponse("permessage-deflate", config, &params));
    QCOMPARE(params.clientMaxWindowBits, clientMaxWindowBits ? clientMaxWindowBits : 15);
    QVERIFY(acceptDeflateResponse("permessage-deflate; client_no_context_takeover; "
                                  "server_no_context_takeover; client_max_window_bits=9",
                                  config, &params));
    QVERIFY(params.clientNoContextTakeover && params.serverNoContextTakeover);
    QCOMPARE(params.clientMaxWindowBits, 9);
    // A window larger than the one offered, twice the same parameter, two extensions.
    QCOMPARE(
        acceptDeflateResponse("permessage-deflate; client_max_window_bits=15", config, &params),
        clientMaxWindowBits == 0);
    QVERIFY(!acceptDeflateResponse(
        "permessage-deflate; server_max_window_bits=9; server_max_window_bits=10", config,
        &params));
    QVERIFY(!acceptDeflateResponse("permessage-deflate, x-other", config, &params));
    QVERIFY(!acceptDeflateResponse("permessage-deflate; server_no_context_takeover=1", config,
                                   &params));
}

// Both directions compressed above the threshold, not below it, and with compress off.
void tst_ClientConnection::compressionBothWays()
{
    const QByteArray big = QByteArray("{\"name\":\"value\",\"list\":[1,2,3]},").repeated(200);
    Deflater serverDeflater(15, false, -1, 8);
    ScriptedServer server([&](Peer &p) {
        p.upgrade("Sec-WebSocket-Extensions: permessage-deflate; client_max_window_bits=11\r\n");
        // Compressed twice on one context, then plain: the client's inflater keeps up.
        p.socket->write(serverDeflater.compressFrame(quint8(Opcode::Text), {}, big));
        p.socket->write(serverDeflater.compressFrame(quint8(Opcode::Text), "4", big));
        p.socket->write(serverFrame(0x82, "\x01\x02"));
    });
    ClientConnection client;
    QSignalSpy connected(&client, &ClientConnection::connected);
    QSignalSpy messages(&client, &ClientConnection::messageReceived);
    client.open(options(server.url()));
    QTRY_COMPARE(messages.count(), 3);
    QCOMPARE(client.extensions(), QByteArray("permessage-deflate; client_max_window_bits=11"));
    QCOMPARE(messages.at(0).at(0).toByteArray(), big);
    QCOMPARE(messages.at(0).at(1).toBool(), false);
    QCOMPARE(messages.at(1).at(0).toByteArray(), '4' + big);
    QCOMPARE(messages.at(2).at(0).toByteArray(), QByteArray("\x01\x02"));
    QCOMPARE(messages.at(2).at(1).toBool(), true);

    // Client to server: each frame's RSV1, and what the server inflates.
    const QList<std::pair<QByteArray, bool>> sent = {
        {big, true}, {QByteArray("small"), true}, {big, false}, {big, true}};
    for (const auto &[data, compress] : sent)
        client.send(data, false, compress);
    QCOMPARE(client.compressedMessagesSent(), 2);
    QByteArray wire;
    QList<bool> rsv1;
    QList<FrameReader::Message> read;
    FrameReader reader(1 << 20, FrameReader::Sender::Client);
    reader.enableInflate(false);
    QTRY_VERIFY([&] {
        wire += std::exchange(server.peer.received, {});
        qsizetype size;
        while ((size = clientFrameSize(wire)) > 0) {
            QByteArray frame = wire.first(size);
            wire.remove(0, size);
            rsv1.append(frame.at(0) & 0x40);
            if (!reader.read(frame, &read))
                return true; // fails below
        }
        return read.size() == sent.size();
    }());
    QCOMPARE(reader.closeCode(), quint16(0));
    QCOMPARE(rsv1, (QList<bool>{true, false, false, true}));
    for (qsizetype i = 0; i < sent.size(); ++i)
        QCOMPARE(read.at(i).payload, sent.at(i).first);
}

// A fragmented compressed message with a ping between its fragments.
void tst_ClientConnection::fragmentsAndPing()
{
    const QByteArray text = QByteArray("fragmented and compressed ").repeated(100);
    ScriptedServer server([&](Peer &p) {
        p.upgrade("Sec-WebSocket-Extensions: permessage-deflate\r\n");
        Deflater deflater(15, false, -1, 8);
        const QByteArray frame = deflater.compressFrame(quint8(Opcode::Text), {}, text);
        // Take the compressed payload out of the frame and send it in three fragments.
        const qsizetype header = (quint8(frame.at(1)) & 0x7f) == 126 ? 4 : 2;
        const QByteArray payload = frame.sliced(header);
        const qsizetype third = payload.size() / 3;
        p.socket->write(serverFrame(0x41, payload.first(third))); // RSV1, text, not FIN
        p.socket->write(serverFrame(0x00, payload.sliced(third, third)));
        p.socket->write(serverFrame(0x89, "are you there"));
        p.socket->write(serverFrame(0x80, payload.sliced(2 * third)));
    });
    ClientConnection client;
    QSignalSpy messages(&client, &ClientConnection::messageReceived);
    client.open(options(server.url()));
    QTRY_COMPARE(messages.count(), 1);
    QCOMPARE(messages.first().first().toByteArray(), text);
    // The pong, masked, with the ping's payload.
    QTRY_VERIFY(server.peer.received.size() >= 6 + 13);
    FrameReader reader(1 << 20, FrameReader::Sender::Client);
    QList<FrameReader::Message> read;
    QVERIFY(reader.read(server.peer.received, &read));
    QCOMPARE(read.size(), 1);
    QCOMPARE(read.first().opcode, Opcode::Pong);
    QCOMPARE(read.first().payload, QByteArray("are you there"));
}

// The server closes: the client answers with the same code and reports a close.
void tst_ClientConnection::closeHandshake()
{
    ScriptedServer server([](Peer &p) {
        p.upgrade();
        QByteArray payload(2, Qt::Uninitialized);
        qToBigEndian<quint16>(4001, payload.data());
        p.socket->write(serverFrame(0x88, payload + "bye"));
    });
    ClientConnection client;
    QSignalSpy errors(&client, &ClientConnection::errorOccurred);
    QSignalSpy disconnected(&client, &ClientConnection::disconnected);
    client.open(options(server.url()));
    QTRY_COMPARE(disconnected.count(), 1);
    QCOMPARE(errors.count(), 0);
    QCOMPARE(client.closeCode(), quint16(4001));
    QTRY_COMPARE(clientCloseCode(server.peer.received), quint16(4001));
    QVERIFY(client.extensions().isEmpty()); // offered, not agreed

    // The client closes: its close frame, then the server's answer ends it.
    ScriptedServer second([](Peer &p) { p.upgrade(); });
    ClientConnection other;
    QSignalSpy otherConnected(&other, &ClientConnection::connected);
    QSignalSpy otherDisconnected(&other, &ClientConnection::disconnected);
    other.open(options(second.url()));
    QTRY_COMPARE(otherConnected.count(), 1);
    other.close(1000);
    QTRY_COMPARE(clientCloseCode(second.peer.received), quint16(1000));
    QByteArray answer(2, Qt::Uninitialized);
    qToBigEndian<quint16>(1000, answer.data());
    second.peer.socket->write(serverFrame(0x88, answer));
    QTRY_COMPARE(otherDisconnected.count(), 1);
}

QTEST_GUILESS_MAIN(tst_ClientConnection)
#include "tst_clientconnection.moc"
