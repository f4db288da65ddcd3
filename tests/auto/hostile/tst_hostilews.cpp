// Hostile and unlucky WebSocket clients against a real EngineServer, on both engines
// ("lean" and "qt"): frames cut at awkward places, pipelines, headers that never finish,
// absurd lengths, invalid close frames, floods. Each case checks what the attacker gets
// back and that the other clients keep being served.
#include <SocketIO/EngineServer>

#include "../selfsigned.h"
#include "websocket/frame_p.h"

#include <QtCore/QDir>
#include <QtCore/QElapsedTimer>
#include <QtCore/QTimer>
#include <QtCore/QtEndian>
#include <QtNetwork/QSslSocket>
#include <QtTest/QTest>

#include <arpa/inet.h>
#include <netinet/in.h>
#include <poll.h>
#include <sys/ioctl.h>
#include <sys/socket.h>
#include <time.h>
#include <unistd.h>

#include <atomic>
#include <chrono>
#include <memory>
#include <thread>

using namespace SocketIO;
using SocketIO::WebSocket::encodeMaskedFrame;
using SocketIO::WebSocket::Opcode;

namespace {

constexpr quint32 Mask = 0x5a3c96e1;
const QByteArray UpgradeRequest = "GET /engine.io/?EIO=4&transport=websocket HTTP/1.1\r\n"
                                  "Host: 127.0.0.1\r\nUpgrade: websocket\r\n"
                                  "Connection: Upgrade\r\nSec-WebSocket-Version: 13\r\n"
                                  "Sec-WebSocket-Key: dGhlIHNhbXBsZSBub25jZQ==\r\n\r\n";

// Runs the event loop until `done()` or `timeout` ms. Unlike QTRY_VERIFY it does not sleep
// between passes, so that a test may wait thousands of times.
template<typename Done> bool spinUntil(Done done, int timeout = 5000)
{
    QElapsedTimer clock;
    clock.start();
    QTimer tick; // wakes the loop when nothing else does
    tick.start(5);
    while (!done()) {
        if (clock.elapsed() > timeout)
            return false;
        QCoreApplication::processEvents(QEventLoop::WaitForMoreEvents);
    }
    return true;
}

// The header of a masked client frame, without its mask key, the length in the form its
// size asks for.
QByteArray clientHeader(quint8 b0, quint64 length)
{
    QByteArray header(1, char(b0));
    if (length < 126) {
        header += char(0x80 | length);
    } else if (length < 65536) {
        header += char(0x80 | 126);
        char be[2];
        qToBigEndian<quint16>(quint16(length), be);
        header.append(be, 2);
    } else {
        header += char(0x80 | 127);
        char be[8];
        qToBigEndian<quint64>(length, be);
        header.append(be, 8);
    }
    return header;
}

QByteArray closePayload(quint16 code, const QByteArray &reason = {})
{
    QByteArray payload(2, Qt::Uninitialized);
    qToBigEndian<quint16>(code, payload.data());
    return payload + reason;
}

struct Frame
{
    Opcode opcode;
    QByteArray payload;
    bool fin = true;
};

// Takes one server frame (unmasked) off the front of `buffer`.
bool takeServerFrame(QByteArray &buffer, Frame *frame)
{
    if (buffer.size() < 2)
        return false;
    const auto *data = reinterpret_cast<const uchar *>(buffer.constData());
    quint64 length = data[1] & 0x7f;
    qsizetype header = 2;
    if (length == 126) {
        if (buffer.size() < 4)
            return false;
        length = qFromBigEndian<quint16>(data + 2);
        header = 4;
    } else if (length == 127) {
        if (buffer.size() < 10)
            return false;
        length = qFromBigEndian<quint64>(data + 2);
        header = 10;
    }
    if (quint64(buffer.size() - header) < length)
        return false;
    frame->opcode = Opcode(data[0] & 0x0f);
    frame->fin = data[0] & 0x80;
    frame->payload = buffer.mid(header, qsizetype(length));
    buffer.remove(0, header + qsizetype(length));
    return true;
}

// The server runs in this process, so its end of a loopback connection is one of our own
// descriptors: found by its addresses, it tells how much the server has not read yet.
int serverEndOf(quint16 serverPort, quint16 clientPort)
{
    const QStringList fds = QDir(QStringLiteral("/proc/self/fd")).entryList(QDir::Files);
    for (const QString &name : fds) {
        const int fd = name.toInt();
        sockaddr_in local{};
        sockaddr_in peer{};
        socklen_t localSize = sizeof local;
        socklen_t peerSize = sizeof peer;
        if (::getsockname(fd, reinterpret_cast<sockaddr *>(&local), &localSize) != 0 ||
            ::getpeername(fd, reinterpret_cast<sockaddr *>(&peer), &peerSize) != 0 ||
            local.sin_family != AF_INET || peer.sin_family != AF_INET)
            continue;
        if (ntohs(local.sin_port) == serverPort && ntohs(peer.sin_port) == clientPort)
            return fd;
    }
    return -1;
}

// A WebSocket client written by hand, so that the test decides every byte and every cut:
// its own upgrade request, frames written as given, the server's frames parsed back, and
// the server's Engine.IO pings answered.
class RawClient : public QObject
{
    Q_OBJECT
public:
    explicit RawClient(QObject *parent = nullptr)
        : QObject(parent)
    {
        connect(&m_socket, &QSslSocket::readyRead, this, &RawClient::onReadyRead);
        connect(&m_socket, &QSslSocket::disconnected, this, [this] { m_closed = true; });
    }
    ~RawClient() override
    {
        if (m_held >= 0)
            ::close(m_held);
    }

    // Connects (over TLS with `tls`), upgrades and waits for the Engine.IO open packet.
    // `early` follows the upgrade request in the same write.
    bool open(quint16 port, const QSslConfiguration *tls = nullptr, const QByteArray &early = {})
    {
        if (tls) {
            m_socket.setSslConfiguration(*tls);
            m_socket.connectToHostEncrypted(QStringLiteral("127.0.0.1"), port);
        } else {
            m_socket.connectToHost(QHostAddress::LocalHost, port);
        }
        if (!spinUntil([&] {
                return m_socket.state() == QAbstractSocket::ConnectedState &&
                       (!tls || m_socket.isEncrypted());
            }))
            return false;
        // Each write leaves at once, in its own segment.
        m_socket.setSocketOption(QAbstractSocket::LowDelayOption, 1);
        m_socket.write(UpgradeRequest + early);
        if (!spinUntil([this] { return !messages.isEmpty() || m_closed; }))
            return false;
        m_serverEnd = serverEndOf(port, m_socket.localPort());
        return messages.value(0).startsWith("0{") && m_serverEnd >= 0;
    }

    void write(const QByteArray &bytes)
    {
        m_socket.write(bytes);
        m_socket.flush();
    }
    // Writes `bytes` and waits until the server has read them: the next write is a read of
    // its own on the server.
    bool writeSeparately(const QByteArray &bytes)
    {
        write(bytes);
        return waitUntilServerRead();
    }
    bool waitUntilServerRead(int timeout = 5000)
    {
        return spinUntil(
            [this] {
                if (m_socket.bytesToWrite() > 0) {
                    m_socket.flush();
                    return false;
                }
                int unread = 0;
                return ::ioctl(m_serverEnd, FIONREAD, &unread) == 0 && unread == 0;
            },
            timeout);
    }
    void sendText(const QByteArray &text)
    {
        write(encodeMaskedFrame(Opcode::Text, text, Mask ^ quint32(++m_sent)));
    }
    void abort() { m_socket.abort(); }
    // QTcpSocket closes when the server half-closes; a second descriptor keeps this end of
    // the connection open (no FIN to the server) until the client is deleted.
    void keepConnectionOpen() { m_held = ::dup(int(m_socket.socketDescriptor())); }

    // Sends "4" + text and waits for the echo; false when it does not come back.
    bool echo(const QByteArray &text, int timeout = 5000)
    {
        const qsizetype before = messages.size();
        sendText('4' + text);
        return spinUntil([&] { return messages.size() > before || m_closed; }, timeout) &&
               messages.size() == before + 1 && messages.last() == '4' + text;
    }
    bool waitForClose(int timeout = 5000)
    {
        return spinUntil([this] { return m_closed; }, timeout);
    }
    bool isClosed() const { return m_closed; }
    // The code of the server's close frame; -1 without one, 1005 when it had no code.
    int closeCode() const
    {
        for (const Frame &frame : frames) {
            if (frame.opcode == Opcode::Close)
                return frame.payload.size() >= 2
                           ? qFromBigEndian<quint16>(frame.payload.constData())
                           : 1005;
        }
        return -1;
    }

    // Every frame the server sent, and the payloads of its messages without the pings.
    QList<Frame> frames;
    QList<QByteArray> messages;
    bool answerPings = true;

private:
    void onReadyRead()
    {
        m_buffer += m_socket.readAll();
        if (!m_upgraded) {
            const qsizetype end = m_buffer.indexOf("\r\n\r\n");
            if (end < 0)
                return;
            if (!m_buffer.startsWith("HTTP/1.1 101 ")) {
                m_socket.abort();
                m_closed = true;
                return;
            }
            m_buffer.remove(0, end + 4);
            m_upgraded = true;
        }
        Frame frame;
        while (takeServerFrame(m_buffer, &frame)) {
            frames.append(frame);
            if (frame.opcode == Opcode::Text || frame.opcode == Opcode::Binary)
                m_message.clear();
            else if (frame.opcode != Opcode::Continuation)
                continue;
            // QWebSocket sends large messages in fragments.
            m_message += frame.payload;
            if (!frame.fin)
                continue;
            if (m_message == "2") {
                if (answerPings)
                    sendText("3");
            } else {
                messages.append(std::exchange(m_message, {}));
            }
        }
    }

    QSslSocket m_socket;
    QByteArray m_buffer;
    QByteArray m_message; // the fragments of a message so far
    int m_serverEnd = -1;
    int m_held = -1;
    quint32 m_sent = 0;
    bool m_upgraded = false;
    bool m_closed = false;
};

// CPU time of the calling thread, in ms.
qint64 threadCpuMs()
{
    timespec now{};
    ::clock_gettime(CLOCK_THREAD_CPUTIME_ID, &now);
    return qint64(now.tv_sec) * 1000 + now.tv_nsec / 1'000'000;
}

// Floods one connection with small frames, as fast as it can, from a thread of its own for
// `duration` (plain: POSIX calls; TLS: a QSslSocket driven by its waitFor functions). It
// answers the server's pings between blocks of frames, so that its session stays up.
class Flooder
{
public:
    Flooder(quint16 port, std::chrono::milliseconds duration,
            const QSslConfiguration *tls = nullptr)
        : m_port(port)
        , m_duration(duration)
        , m_tls(tls ? *tls : QSslConfiguration())
        , m_useTls(tls)
    {}
    ~Flooder() { join(); }
    void start()
    {
        m_thread = std::thread([this] { m_useTls ? runTls() : runPlain(); });
    }
    void join()
    {
        if (m_thread.joinable())
            m_thread.join();
    }
    bool upgraded() const { return m_upgraded; }
    qint64 bytesSent() const { return m_bytesSent; }

private:
    // Noop packets: the server parses each and answers nothing. Small frames cost the
    // server the most per byte, so that it cannot keep up.
    static QByteArray floodBlock()
    {
        QByteArray block;
        for (int i = 0; i < 16384; ++i)
            block += encodeMaskedFrame(Opcode::Text, '6' + QByteArray(59, 'f'), Mask ^ quint32(i));
        return block;
    }
    static int pingsIn(QByteArray &in)
    {
        int pings = 0;
        Frame frame;
        while (takeServerFrame(in, &frame))
            pings += frame.payload == "2";
        return pings;
    }
    static constexpr int SendBuffer = 4 * 1024 * 1024;

    void runPlain()
    {
        const int fd = ::socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0);
        // A large send buffer: the kernel keeps feeding the server from it while this
        // thread waits for a core.
        ::setsockopt(fd, SOL_SOCKET, SO_SNDBUF, &SendBuffer, sizeof SendBuffer);
        sockaddr_in address{};
        address.sin_family = AF_INET;
        address.sin_port = htons(m_port);
        address.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
        if (::connect(fd, reinterpret_cast<sockaddr *>(&address), sizeof address) != 0) {
            ::close(fd);
            return;
        }
        ::send(fd, UpgradeRequest.constData(), size_t(UpgradeRequest.size()), MSG_NOSIGNAL);
        QByteArray in;
        char buffer[65536];
        while (!in.contains("\r\n\r\n")) {
            const ssize_t n = ::recv(fd, buffer, sizeof buffer, 0);
            if (n <= 0) {
                ::close(fd);
                return;
            }
            in.append(buffer, n);
        }
        m_upgraded = in.startsWith("HTTP/1.1 101 ");
        in.remove(0, in.indexOf("\r\n\r\n") + 4);
        const QByteArray flood = floodBlock();
        const QByteArray pong = encodeMaskedFrame(Opcode::Text, "3", Mask);
        int pongsOwed = 0;
        QByteArray out;
        qsizetype sent = 0;
        const auto deadline = std::chrono::steady_clock::now() + m_duration;
        while (m_upgraded && std::chrono::steady_clock::now() < deadline) {
            pollfd p{fd, short(POLLIN | POLLOUT), 0};
            if (::poll(&p, 1, 50) < 0 || (p.revents & (POLLERR | POLLHUP)))
                break;
            if (p.revents & POLLIN) {
                const ssize_t n = ::recv(fd, buffer, sizeof buffer, MSG_DONTWAIT);
                if (n == 0)
                    break;
                if (n > 0)
                    in.append(buffer, n);
                pongsOwed += pingsIn(in);
            }
            if (p.revents & POLLOUT) {
                if (sent == out.size()) {
                    // Between frames: the pongs first.
                    out.clear();
                    for (; pongsOwed > 0; --pongsOwed)
                        out += pong;
                    out += flood;
                    sent = 0;
                }
                const ssize_t n = ::send(fd, out.constData() + sent, size_t(out.size() - sent),
                                         MSG_DONTWAIT | MSG_NOSIGNAL);
                if (n < 0 && errno != EAGAIN && errno != EWOULDBLOCK && errno != EINTR)
                    break;
                if (n > 0) {
                    sent += n;
                    m_bytesSent += n;
                }
            }
        }
        ::close(fd);
    }

    void runTls()
    {
        QSslSocket socket;
        socket.setSslConfiguration(m_tls);
        socket.connectToHostEncrypted(QStringLiteral("127.0.0.1"), m_port);
        if (!socket.waitForEncrypted(10000))
            return;
        socket.setSocketOption(QAbstractSocket::SendBufferSizeSocketOption, SendBuffer);
        socket.write(UpgradeRequest);
        QByteArray in;
        while (!in.contains("\r\n\r\n")) {
            if (!socket.waitForReadyRead(10000))
                return;
            in += socket.readAll();
        }
        m_upgraded = in.startsWith("HTTP/1.1 101 ");
        in.remove(0, in.indexOf("\r\n\r\n") + 4);
        const QByteArray flood = floodBlock();
        const QByteArray pong = encodeMaskedFrame(Opcode::Text, "3", Mask);
        int pongsOwed = 0;
        const auto deadline = std::chrono::steady_clock::now() + m_duration;
        while (m_upgraded && std::chrono::steady_clock::now() < deadline &&
               socket.state() == QAbstractSocket::ConnectedState) {
            in += socket.readAll();
            pongsOwed += pingsIn(in);
            // One block queued here at all times (the kernel holds 4 MiB more); pongs only
            // between blocks. More queued here delays a pong past the 300 ms ping timeout on
            // a loaded machine: the server reads TLS at about 50 MB/s.
            if (socket.bytesToWrite() + socket.encryptedBytesToWrite() < flood.size()) {
                for (; pongsOwed > 0; --pongsOwed)
                    socket.write(pong);
                socket.write(flood);
                m_bytesSent += flood.size();
            }
            socket.waitForBytesWritten(50);
        }
        socket.abort();
    }

    quint16 m_port;
    std::chrono::milliseconds m_duration;
    QSslConfiguration m_tls;
    bool m_useTls;
    std::thread m_thread;
    std::atomic<bool> m_upgraded{false};
    std::atomic<qint64> m_bytesSent{0};
};

} // namespace

class tst_HostileWs : public QObject
{
    Q_OBJECT

private Q_SLOTS:
    void initTestCase_data();
    void initTestCase();
    void cleanup();

    void splitFramesArriveWhole_data();
    void splitFramesArriveWhole();
    void pipelinedSmallMessages();
    void tenByteHeaderAttack_data();
    void tenByteHeaderAttack();
    void headerWithoutKeyLeaksNothing();
    void continuationOfHugeLengthIsRefused();
    void closeCodes_data();
    void closeCodes();
    void largeMessageInSmallWrites_data();
    void largeMessageInSmallWrites();
    void floodDoesNotStarveOthers_data();
    void floodDoesNotStarveOthers();
    void nothingAnsweredAfterClose();
    void framesWithTheUpgradeRequest();

private:
    void startServer(EngineOptions options = {}, bool tls = false);
    QSslConfiguration clientTls() const;
    bool connectClient(RawClient *client);

    SelfSigned m_selfSigned;
    bool m_tls = false;
    std::unique_ptr<EngineServer> m_server;
    QStringList m_closeReasons;
};

void tst_HostileWs::initTestCase_data()
{
    // Every attack runs on both WebSocket engines.
    QTest::addColumn<QString>("wsEngine");
#if SOCKETIO_LEAN_ENGINE // the lean engine is not in every build
    QTest::addRow("lean") << QStringLiteral("lean");
#endif
    QTest::addRow("qt") << QStringLiteral("qt");
}

void tst_HostileWs::initTestCase()
{
    m_selfSigned = SelfSigned::make();
    QVERIFY2(m_selfSigned.error.isEmpty(), qPrintable(m_selfSigned.error));
}

void tst_HostileWs::cleanup()
{
    m_server.reset();
    m_closeReasons.clear();
}

void tst_HostileWs::startServer(EngineOptions options, bool tls)
{
    QFETCH_GLOBAL(QString, wsEngine);
    options.wsEngine = wsEngine;
    m_server = std::make_unique<EngineServer>(options);
    m_tls = tls;
    if (tls)
        m_server->setSslConfiguration(m_selfSigned.serverConfiguration());
    // Every message comes back as it came.
    connect(m_server.get(), &EngineServer::connection, this, [this](EngineSocket *socket) {
        connect(socket, &EngineSocket::messageReceived, socket,
                [socket](const QByteArray &data, bool binary) {
                    if (binary)
                        socket->sendBinary(data);
                    else
                        socket->sendUtf8(data);
                });
        connect(socket, &EngineSocket::closed, this,
                [this](const QString &reason) { m_closeReasons.append(reason); });
    });
    if (!m_server->listen(QHostAddress::LocalHost, 0))
        qWarning() << "listen failed:" << m_server->errorString();
}

QSslConfiguration tst_HostileWs::clientTls() const
{
    QSslConfiguration configuration = QSslConfiguration::defaultConfiguration();
    configuration.setCaCertificates({m_selfSigned.certificate});
    return configuration;
}

bool tst_HostileWs::connectClient(RawClient *client)
{
    if (!m_tls)
        return client->open(m_server->serverPort());
    const QSslConfiguration configuration = clientTls();
    return client->open(m_server->serverPort(), &configuration);
}

void tst_HostileWs::splitFramesArriveWhole_data()
{
    QTest::addColumn<qsizetype>("size");
    QTest::addColumn<QList<qsizetype>>("cuts");
    // A frame's header is 2, 4 or 10 bytes, then 4 of mask key.
    QTest::addRow("7-bit length, after byte 2") << qsizetype(20) << QList<qsizetype>{2};
    QTest::addRow("7-bit length, inside the key") << qsizetype(20) << QList<qsizetype>{4};
    QTest::addRow("7-bit length, every byte of header and key")
        << qsizetype(20) << QList<qsizetype>{1, 2, 3, 4, 5, 6, 7};
    QTest::addRow("16-bit length, after byte 2") << qsizetype(300) << QList<qsizetype>{2};
    QTest::addRow("16-bit length, after byte 4") << qsizetype(300) << QList<qsizetype>{4};
    QTest::addRow("16-bit length, inside the key") << qsizetype(300) << QList<qsizetype>{6};
    QTest::addRow("64-bit length, after byte 2") << qsizetype(70000) << QList<qsizetype>{2};
    QTest::addRow("64-bit length, after byte 4") << qsizetype(70000) << QList<qsizetype>{4};
    QTest::addRow("64-bit length, inside the key") << qsizetype(70000) << QList<qsizetype>{11, 13};
    QTest::addRow("64-bit length, header, key and payload apart")
        << qsizetype(70000) << QList<qsizetype>{10, 14, 40000};
}

void tst_HostileWs::splitFramesArriveWhole()
{
    QFETCH(qsizetype, size);
    QFETCH(QList<qsizetype>, cuts);
    startServer();
    RawClient client;
    QVERIFY(connectClient(&client));
    QByteArray text(size - 1, Qt::Uninitialized);
    for (qsizetype i = 0; i < text.size(); ++i)
        text[i] = char('a' + i % 26);
    // The frame, then a second one right behind it: each piece is a read of its own.
    const QByteArray stream = encodeMaskedFrame(Opcode::Text, '4' + text, Mask) +
                              encodeMaskedFrame(Opcode::Text, "4next", Mask + 1);
    qsizetype from = 0;
    for (qsizetype cut : std::as_const(cuts)) {
        QVERIFY(client.writeSeparately(stream.mid(from, cut - from)));
        from = cut;
    }
    client.write(stream.mid(from));
    QVERIFY(spinUntil([&] { return client.messages.size() == 3 || client.isClosed(); }));
    QCOMPARE(client.messages.size(), 3);
    QVERIFY(client.messages.at(1) == '4' + text);
    QCOMPARE(client.messages.at(2), QByteArray("4next"));
    QVERIFY(!client.isClosed());
}

void tst_HostileWs::pipelinedSmallMessages()
{
    // 20,000 small frames in one write: the server's reads end anywhere inside a frame.
    startServer();
    RawClient client;
    QVERIFY(connectClient(&client));
    constexpr int Count = 20000;
    QByteArray stream;
    for (int i = 0; i < Count; ++i)
        stream += encodeMaskedFrame(Opcode::Text, "4m" + QByteArray::number(i), Mask ^ quint32(i));
    client.write(stream);
    QVERIFY(spinUntil([&] { return client.messages.size() > Count || client.isClosed(); }, 30000));
    QCOMPARE(client.messages.size(), Count + 1);
    for (int i = 0; i < Count; ++i)
        QVERIFY2(client.messages.at(i + 1) == "4m" + QByteArray::number(i),
                 qPrintable(QString::number(i)));
}

void tst_HostileWs::tenByteHeaderAttack_data()
{
    QTest::addColumn<bool>("serverCloses");
    QTest::addRow("attacker disconnects") << false;
    QTest::addRow("server closes the attacker") << true;
}

void tst_HostileWs::tenByteHeaderAttack()
{
    QFETCH(bool, serverCloses);
    EngineOptions options;
    options.pingInterval = 300;
    options.pingTimeout = 200;
    startServer(options);
    RawClient bystander;
    QVERIFY(connectClient(&bystander));
    QVERIFY(bystander.echo("before"));
    // A 64-bit length of 900000 and no mask key: what crashed the server.
    RawClient attacker;
    attacker.answerPings = false; // it is inside a frame
    QVERIFY(connectClient(&attacker));
    QVERIFY(attacker.writeSeparately(clientHeader(0x81, 900000)));
    QVERIFY(bystander.echo("during"));
    if (serverCloses) {
        // It never answers a ping.
        QTRY_COMPARE(m_closeReasons, QStringList{QStringLiteral("ping timeout")});
        QVERIFY(attacker.waitForClose());
    } else {
        attacker.abort();
        QTRY_COMPARE(m_closeReasons, QStringList{QStringLiteral("transport close")});
    }
    QVERIFY(bystander.echo("after"));
}

void tst_HostileWs::headerWithoutKeyLeaksNothing()
{
    startServer();
    // A victim's message, read through the same buffers just before.
    RawClient victim;
    QVERIFY(connectClient(&victim));
    const QByteArray secret = "4" + QByteArray(99, 's');
    QVERIFY(victim.echo(secret.sliced(1)));
    // The attacker's frame header declares 100 bytes, and its key and payload stay away.
    RawClient attacker;
    attacker.answerPings = false;
    QVERIFY(connectClient(&attacker));
    const QByteArray own = "4" + QByteArray(99, 'o');
    const QByteArray frame = encodeMaskedFrame(Opcode::Text, own, Mask);
    QVERIFY(attacker.writeSeparately(frame.first(2)));
    QVERIFY(victim.echo("again"));
    // Then the rest: the first message the attacker gets back is its own.
    attacker.write(frame.sliced(2));
    QVERIFY(spinUntil([&] { return attacker.messages.size() >= 2 || attacker.isClosed(); }));
    QCOMPARE(attacker.messages.size(), 2);
    QCOMPARE(attacker.messages.at(1), own);
    for (const Frame &f : std::as_const(attacker.frames))
        QVERIFY(!f.payload.contains("sss"));
}

void tst_HostileWs::continuationOfHugeLengthIsRefused()
{
    startServer();
    RawClient bystander;
    QVERIFY(connectClient(&bystander));
    RawClient attacker;
    QVERIFY(connectClient(&attacker));
    // A fragment, then a continuation declaring 2^63 - 1 bytes, and data behind it.
    attacker.write(encodeMaskedFrame(Opcode::Text, "4abc", Mask, false));
    attacker.write(clientHeader(0x80, (quint64(1) << 63) - 1) + "abcd" + QByteArray(1 << 20, 'x'));
    QVERIFY(attacker.waitForClose());
    QCOMPARE(attacker.closeCode(), 1009);
    QTRY_COMPARE(m_closeReasons.size(), 1);
    QFETCH_GLOBAL(QString, wsEngine);
    if (wsEngine == u"qt")
        QEXPECT_FAIL("", "QWebSocket reports no error for a frame it refuses", Continue);
    QCOMPARE(m_closeReasons, QStringList{QStringLiteral("transport error")});
    QVERIFY(bystander.echo("unharmed"));
}

void tst_HostileWs::closeCodes_data()
{
    QTest::addColumn<QByteArray>("payload");
    QTest::addColumn<int>("answer");
    // A valid code is echoed; an invalid one gets 1002, a reason not in UTF-8 1007.
    QTest::addRow("1000") << closePayload(1000) << 1000;
    QTest::addRow("4000 with a reason") << closePayload(4000, "caf\xc3\xa9") << 4000;
    QTest::addRow("999") << closePayload(999) << 1002;
    QTest::addRow("1005") << closePayload(1005) << 1002;
    QTest::addRow("1015") << closePayload(1015) << 1002;
    QTest::addRow("2999") << closePayload(2999) << 1002;
    QTest::addRow("5000") << closePayload(5000) << 1002;
    QTest::addRow("reason not UTF-8") << closePayload(1000, "\xc3\x28") << 1007;
}

void tst_HostileWs::closeCodes()
{
    QFETCH(QByteArray, payload);
    QFETCH(int, answer);
    startServer();
    RawClient client;
    QVERIFY(connectClient(&client));
    client.write(encodeMaskedFrame(Opcode::Close, payload, Mask));
    QVERIFY(client.waitForClose());
    QCOMPARE(client.closeCode(), answer);
}

void tst_HostileWs::largeMessageInSmallWrites_data()
{
    QTest::addColumn<bool>("tls");
    QTest::addRow("plain") << false;
    QTest::addRow("tls") << true;
}

void tst_HostileWs::largeMessageInSmallWrites()
{
    QFETCH(bool, tls);
    // A message of the largest size allowed, in 8 KiB writes the server reads one by one:
    // the start of the frame it keeps must grow, not be copied again on each read (about
    // 1.3 s of CPU for these 16 MiB when it was).
    EngineOptions options;
    options.maxHttpBufferSize = 16 * 1024 * 1024;
    options.maxWriteBufferSize = 64 * 1024 * 1024; // the echo alone is 16 MiB
    startServer(options, tls);
    RawClient client;
    QVERIFY(connectClient(&client));
    QByteArray message(options.maxHttpBufferSize, Qt::Uninitialized);
    for (qsizetype i = 0; i < message.size(); ++i)
        message[i] = char(i * 31 + (i >> 12));
    const QByteArray frame = encodeMaskedFrame(Opcode::Binary, message, Mask);
    constexpr qsizetype Piece = 8 * 1024;
    // The server and the client share this thread: its CPU time covers both.
    const qint64 cpuBefore = threadCpuMs();
    for (qsizetype at = 0; at < frame.size(); at += Piece)
        QVERIFY(client.writeSeparately(frame.mid(at, Piece)));
    const qint64 cpu = threadCpuMs() - cpuBefore;
    QVERIFY(spinUntil([&] { return client.messages.size() == 2 || client.isClosed(); }, 20000));
    QCOMPARE(client.messages.size(), 2);
    QVERIFY(client.messages.at(1) == message);
#ifndef SOCKETIO_SANITIZED
    // TLS adds the encryption of 16 MiB on both sides, on this thread: 400-600 ms on a loaded
    // two-core machine. The copying this guards against would add 1.3 s either way.
    const qint64 budget = tls ? 1000 : 400;
    QVERIFY2(cpu < budget, qPrintable(QStringLiteral("%1 ms of CPU").arg(cpu)));
#else
    Q_UNUSED(cpu);
#endif
}

void tst_HostileWs::floodDoesNotStarveOthers_data()
{
    QTest::addColumn<bool>("tls");
    QTest::addRow("plain") << false;
    QTest::addRow("tls") << true;
}

void tst_HostileWs::floodDoesNotStarveOthers()
{
#ifdef SOCKETIO_SANITIZED
    QSKIP("a latency bound: it means nothing under the sanitizers' slowdown (the plain build "
          "runs it)");
#endif
    QFETCH(bool, tls);
    QFETCH_GLOBAL(QString, wsEngine);
    if (wsEngine == u"qt") {
        // A bystander had round trips of 0.4 to 1.3 s and was dropped for ping timeout:
        // QWebSocket handles everything its QTcpSocket read at once, and a read buffer
        // limit on that socket stalls QWebSocket on frames larger than the limit.
        QSKIP("the QWebSocket engine does not bound what it handles per wake-up");
    }
    // One client sends as fast as it can for 3 s; another's echo round trips must stay
    // short meanwhile, and short heartbeats must not drop it. (The lean engine used to go
    // on reading while each read filled its buffer: the first round trip waited for the
    // whole flood.)
    EngineOptions options;
    options.pingInterval = 300;
    options.pingTimeout = 300;
    startServer(options, tls);
    RawClient bystander;
    QVERIFY(connectClient(&bystander));
    QVERIFY(bystander.echo("warm-up"));
    const QSslConfiguration client = clientTls();
    Flooder flooder(m_server->serverPort(), std::chrono::seconds(3), tls ? &client : nullptr);
    flooder.start();
    QVERIFY(spinUntil([&] { return flooder.upgraded(); }, 10000));
    QElapsedTimer flood;
    flood.start();
    qint64 worst = 0;
    int trips = 0;
    while (flood.elapsed() < 2500) {
        QElapsedTimer trip;
        trip.start();
        QVERIFY(bystander.echo("trip " + QByteArray::number(trips), 10000));
        worst = qMax(worst, trip.elapsed());
        ++trips;
    }
    const qint64 floodBytes = flooder.bytesSent();
    flooder.join();
    qDebug() << trips << "round trips, the worst in" << worst << "ms, during" << floodBytes / 1e6
             << "MB of flood";
    QVERIFY2(floodBytes > 20'000'000, "the flood did not happen");
    QVERIFY2(worst < 1000, qPrintable(QStringLiteral("a round trip took %1 ms").arg(worst)));
    QVERIFY(!bystander.isClosed());
    QVERIFY(!m_closeReasons.contains(QStringLiteral("ping timeout")));
}

void tst_HostileWs::nothingAnsweredAfterClose()
{
    startServer();
    RawClient client;
    QVERIFY(connectClient(&client));
    // A close frame, then a ping, a message and the header of a large frame in the same
    // write, and the client never closes its side.
    client.keepConnectionOpen();
    client.write(encodeMaskedFrame(Opcode::Close, closePayload(1000), Mask) +
                 encodeMaskedFrame(Opcode::Ping, "p", Mask + 1) +
                 encodeMaskedFrame(Opcode::Text, "4after", Mask + 2) + clientHeader(0x82, 900000));
    QElapsedTimer clock;
    clock.start();
    QVERIFY(client.waitForClose());
    QTRY_COMPARE(m_closeReasons, QStringList{QStringLiteral("transport close")});
    // The handshake is complete once the server has answered: it closes the connection at
    // once (RFC 6455 7.1.1), not after waiting a second for the client.
    const qint64 elapsed = clock.elapsed();
    QCOMPARE(client.closeCode(), 1000);
    QCOMPARE(client.frames.size(), 2); // the open packet, the close frame
    QCOMPARE(client.messages.size(), 1);
    QVERIFY2(elapsed < 500, qPrintable(QStringLiteral("closed after %1 ms").arg(elapsed)));
}

void tst_HostileWs::framesWithTheUpgradeRequest()
{
    // Frames written together with the upgrade request are read with it, before the
    // WebSocket takes the connection over; the last is cut inside its mask key.
    QFETCH_GLOBAL(QString, wsEngine);
    if (wsEngine == u"qt") {
        // The first two are lost there (the third, completed later, arrives).
        QSKIP("a client must wait for the 101 before it sends frames (RFC 6455 4.1); ws and "
              "the lean engine take them anyway, QWebSocketServer drops them");
    }
    startServer();
    const QByteArray last = encodeMaskedFrame(Opcode::Text, "4third", Mask + 2);
    const QByteArray early = encodeMaskedFrame(Opcode::Text, "4first", Mask) +
                             encodeMaskedFrame(Opcode::Text, "4second", Mask + 1) + last.first(4);
    RawClient client;
    QVERIFY(client.open(m_server->serverPort(), nullptr, early));
    QVERIFY(client.waitUntilServerRead());
    client.write(last.sliced(4));
    QVERIFY(spinUntil([&] { return client.messages.size() == 4 || client.isClosed(); }));
    QCOMPARE(client.messages.mid(1), (QList<QByteArray>{"4first", "4second", "4third"}));
}

QTEST_GUILESS_MAIN(tst_HostileWs)
#include "tst_hostilews.moc"
