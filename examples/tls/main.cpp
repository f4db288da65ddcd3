// tls-example: Socket.IO over TLS, with this library's server and client. The server serves
// https (long-polling) and wss (WebSocket) on one port, with a self-signed certificate it
// generates or with the one you give it. The client trusts exactly that certificate. It
// connects over polling, upgrades to WebSocket and sends "hello" with an acknowledgement.
//
//   tls-example server           # prints its URL and the client's command line
//   tls-example client https://127.0.0.1:PORT --ca ~/.local/share/tls-example/cert.pem
//   tls-example --self-test      # both in one process: exit status 0 when everything worked
#include <SocketIO/ClientSocket>
#include <SocketIO/Manager>
#include <SocketIO/Server>

#include <QtCore/QCommandLineParser>
#include <QtCore/QCoreApplication>
#include <QtCore/QDateTime>
#include <QtCore/QDir>
#include <QtCore/QFile>
#include <QtCore/QJsonDocument>
#include <QtCore/QJsonObject>
#include <QtCore/QPointer>
#include <QtCore/QProcess>
#include <QtCore/QStandardPaths>
#include <QtCore/QTemporaryDir>
#include <QtCore/QTimer>
#include <QtNetwork/QSslConfiguration>

#include <cstdio>
#include <functional>

using namespace SocketIO;
using namespace Qt::StringLiterals;

namespace {

void say(const QString &line)
{
    std::fprintf(stdout, "%s\n", qPrintable(line));
    std::fflush(stdout);
}

int fail(const QString &message)
{
    std::fprintf(stderr, "tls-example: %s\n", qPrintable(message));
    return 1;
}

// --- The certificate --------------------------------------------------------------------------

// Writes a throwaway self-signed certificate for localhost and 127.0.0.1 (cert.pem, key.pem)
// into `dir` with the openssl command line. There is no CA: clients trust this certificate
// itself. In production, use a certificate from your CA instead (--cert and --key).
bool generateCertificate(const QString &dir, QString *error)
{
    QProcess openssl;
    openssl.setProcessChannelMode(QProcess::MergedChannels);
    openssl.start(u"openssl"_s,
                  {u"req"_s, u"-x509"_s, u"-newkey"_s, u"ec"_s, u"-pkeyopt"_s,
                   u"ec_paramgen_curve:prime256v1"_s, u"-nodes"_s, u"-days"_s, u"30"_s, u"-subj"_s,
                   u"/CN=localhost"_s, u"-addext"_s, u"subjectAltName=DNS:localhost,IP:127.0.0.1"_s,
                   u"-keyout"_s, dir + u"/key.pem"_s, u"-out"_s, dir + u"/cert.pem"_s});
    // This runs before the event loop starts, so it may block.
    if (!openssl.waitForFinished(60'000) || openssl.exitStatus() != QProcess::NormalExit ||
        openssl.exitCode() != 0) {
        *error = u"openssl failed (%1) %2"_s.arg(openssl.errorString(),
                                                 QString::fromLocal8Bit(openssl.readAll()));
        return false;
    }
    return true;
}

// Makes sure `dir` has a certificate that is valid for at least another day. It keeps the
// existing one, so clients that trust it (NODE_EXTRA_CA_CERTS, --ca) still work after a
// restart.
bool ensureCertificate(const QString &dir, QString *error)
{
    const QList<QSslCertificate> existing = QSslCertificate::fromPath(dir + u"/cert.pem"_s);
    if (!existing.isEmpty() && QFile::exists(dir + u"/key.pem"_s) &&
        existing.first().expiryDate() > QDateTime::currentDateTime().addDays(1))
        return true;
    if (!QDir().mkpath(dir)) {
        *error = u"cannot create %1"_s.arg(dir);
        return false;
    }
    return generateCertificate(dir, error);
}

// --- The server -------------------------------------------------------------------------------

// The server's side of TLS: its certificate chain (leaf first) and private key.
bool serverTls(const QString &certPath, const QString &keyPath, QSslConfiguration *tls,
               QString *error)
{
    const QList<QSslCertificate> chain = QSslCertificate::fromPath(certPath);
    QFile keyFile(keyPath);
    if (chain.isEmpty() || !keyFile.open(QIODevice::ReadOnly)) {
        *error = u"cannot read the certificate %1 or the key %2"_s.arg(certPath, keyPath);
        return false;
    }
    const QByteArray pem = keyFile.readAll();
    QSslKey key(pem, QSsl::Ec);
    if (key.isNull())
        key = QSslKey(pem, QSsl::Rsa);
    if (key.isNull()) {
        *error = u"%1 holds no unencrypted EC or RSA key in PEM"_s.arg(keyPath);
        return false;
    }
    *tls = QSslConfiguration::defaultConfiguration();
    tls->setLocalCertificateChain(chain);
    tls->setPrivateKey(key);
    return true;
}

// Answers "hello" with an acknowledgement that says what the server saw (TLS, transport), and
// tells every client about it with a "news" broadcast.
void serveHello(Server *io)
{
    QObject::connect(io, &Server::connection, io, [io](Socket *socket) {
        // handshake().isSecure() is true when the handshake request came over TLS.
        say(u"server: %1 connected over %2, secure: %3"_s.arg(
            socket->id(), socket->transportName(),
            socket->handshake().isSecure() ? u"true"_s : u"false"_s));
        QObject::connect(socket, &Socket::transportNameChanged, socket, [socket] {
            say(u"server: %1 upgraded to %2"_s.arg(socket->id(), socket->transportName()));
        });
        QObject::connect(socket, &Socket::disconnected, io,
                         [id = socket->id()](const QString &reason) {
                             say(u"server: %1 disconnected (%2)"_s.arg(id, reason));
                         });
        socket->on(u"hello"_s, socket, [io, socket](const QVariantList &args, const Ack &ack) {
            const QString name = args.value(0).toString();
            ack({QVariantMap{{u"greeting"_s, u"hello, %1"_s.arg(name)},
                             {u"transport"_s, socket->transportName()},
                             {u"secure"_s, socket->handshake().isSecure()}}});
            io->emitEvent(u"news"_s, {u"%1 said hello"_s.arg(name)});
        });
    });
}

// --- The client -------------------------------------------------------------------------------

// Joins "/" over https, long-polling first as socket.io-client does. Once the connection has
// been upgraded to WebSocket (wss), it sends "hello" with an acknowledgement and waits for the
// server's "news". `done` gets an empty string on success, or what went wrong.
class HelloClient : public QObject
{
public:
    HelloClient(const QUrl &url, const ManagerOptions &options,
                std::function<void(const QString &error)> done, QObject *parent = nullptr)
        : QObject(parent)
        , m_manager(new Manager(url, options, this))
        , m_done(std::move(done))
    {
        ClientSocket *socket = m_manager->socket(); // connects at once (autoConnect)
        connect(socket, &ClientSocket::connected, this, [this] {
            say(u"client: connected over %1"_s.arg(m_manager->transportName()));
            sendHello();
        });
        // The upgrade may end before or after the namespace is joined.
        connect(m_manager, &Manager::upgraded, this, [this](const QString &transport) {
            say(u"client: upgraded to %1"_s.arg(transport));
            sendHello();
        });
        connect(socket, &ClientSocket::connectError, this,
                [this](const QString &message) { finish(u"cannot connect: "_s + message); });
        socket->on(u"news"_s, this, [this](const QVariantList &args, const Ack &) {
            say(u"client: news: %1"_s.arg(args.value(0).toString()));
            if (!m_reply.isEmpty())
                finish({});
        });
    }

    Manager *manager() const { return m_manager; }
    QVariantMap reply() const { return m_reply; }

private:
    void sendHello()
    {
        ClientSocket *socket = m_manager->socket();
        if (m_sent || !socket->isConnected() || m_manager->transportName() != u"websocket")
            return;
        m_sent = true;
        socket->timeout(5000).emitEvent(
            u"hello"_s, {u"Qt"_s}, this, [this](const QString &error, const QVariantList &args) {
                if (!error.isEmpty())
                    return finish(u"no acknowledgement: "_s + error);
                m_reply = args.value(0).toMap();
                say(u"client: acknowledged: "_s +
                    QString::fromUtf8(QJsonDocument(QJsonObject::fromVariantMap(m_reply))
                                          .toJson(QJsonDocument::Compact)));
            });
    }

    void finish(const QString &error)
    {
        if (m_done)
            std::exchange(m_done, nullptr)(error);
    }

    Manager *m_manager;
    std::function<void(const QString &error)> m_done;
    bool m_sent = false;
    QVariantMap m_reply;
};

// The client's side of TLS.
bool clientTls(const QString &caPath, bool insecure, ManagerOptions *options, QString *error)
{
    // Trust exactly the certificates in `caPath` (a self-signed certificate, or your private
    // CA) instead of the system's CAs. Without it, the system's CAs decide: that is right for
    // a server with a certificate from a public CA.
    if (!caPath.isEmpty() && !options->tls.loadCa(caPath, error))
        return false;
    // No verification at all: the traffic is encrypted, but anyone in between can pretend to
    // be the server. Only for a quick look at a server whose certificate you cannot get.
    if (insecure)
        options->tls.rejectUnauthorized = false;
    return true;
}

// --- The modes --------------------------------------------------------------------------------

int runServer(const QString &certPath, const QString &keyPath, quint16 port, bool generated)
{
    QSslConfiguration tls;
    QString error;
    if (!serverTls(certPath, keyPath, &tls, &error))
        return fail(error);
    Server io;
    io.setSslConfiguration(tls); // before listen(): every connection on the port is then TLS
    serveHello(&io);
    if (!io.listen(QHostAddress::LocalHost, port))
        return fail(u"cannot listen: "_s + io.errorString());
    const QString url = u"https://127.0.0.1:%1"_s.arg(io.serverPort());
    say(u"server: listening on %1 (and wss://127.0.0.1:%2)"_s.arg(url).arg(io.serverPort()));
    say(u"server: certificate %1"_s.arg(certPath));
    say(u"try: tls-example client %1%2"_s.arg(url, generated ? u" --ca "_s + certPath : QString()));
    return QCoreApplication::exec();
}

int runClient(const QUrl &url, const QString &caPath, bool insecure)
{
    ManagerOptions options;
    options.reconnection = false; // one attempt: a failure ends the program
    QString error;
    if (!clientTls(caPath, insecure, &options, &error))
        return fail(error);
    HelloClient client(url, options, [&client](const QString &error) {
        if (!error.isEmpty())
            fail(error);
        // Leaves "/" (the last socket: that closes the connection). The DISCONNECT packet is
        // written on the next turn of the event loop, so quit after it.
        client.manager()->socket()->disconnectFromServer();
        QTimer::singleShot(0, [error] { QCoreApplication::exit(error.isEmpty() ? 0 : 1); });
    });
    return QCoreApplication::exec();
}

// Server and client in one process, on a free port, with a certificate made for the run.
int runSelfTest()
{
    QTemporaryDir dir;
    QString error;
    QSslConfiguration tls;
    const QString certPath = dir.filePath(u"cert.pem"_s);
    if (!dir.isValid())
        return fail(u"cannot create a temporary directory"_s);
    if (!generateCertificate(dir.path(), &error) ||
        !serverTls(certPath, dir.filePath(u"key.pem"_s), &tls, &error))
        return fail(error);

    Server io;
    io.setSslConfiguration(tls);
    serveHello(&io);
    QPointer<Socket> serverSocket;
    QObject::connect(&io, &Server::connection, &io, [&](Socket *socket) { serverSocket = socket; });
    if (!io.listen(QHostAddress::LocalHost, 0))
        return fail(u"cannot listen: "_s + io.errorString());
    const QUrl url(u"https://127.0.0.1:%1"_s.arg(io.serverPort()));

    QObject context; // the clients; deleted before the server
    auto failed = [](const QString &message) { QCoreApplication::exit(fail(message)); };
    QTimer::singleShot(30'000, &context, [failed] { failed(u"timed out"_s); });

    // Second, a client that trusts the certificate: polling, upgrade, hello, ack, news.
    ManagerOptions trusting;
    trusting.reconnection = false;
    if (!clientTls(certPath, false, &trusting, &error))
        return fail(error);
    HelloClient *client = nullptr;
    auto connectTrusted = [&] {
        client = new HelloClient(
            url, trusting,
            [&](const QString &problem) {
                if (!problem.isEmpty())
                    return failed(problem);
                if (client->manager()->transportName() != u"websocket")
                    return failed(u"the client was not upgraded to WebSocket"_s);
                if (!serverSocket || !serverSocket->handshake().isSecure() ||
                    serverSocket->transportName() != u"websocket")
                    return failed(u"the server's socket is not secure on WebSocket"_s);
                if (client->reply().value(u"secure"_s) != true ||
                    client->reply().value(u"transport"_s) != u"websocket"_s)
                    return failed(u"unexpected acknowledgement"_s);
                say(u"self-test: passed"_s);
                QCoreApplication::exit(0);
            },
            &context);
    };

    // First, a client that trusts only the system's CAs is refused: the certificate is checked.
    ManagerOptions untrusting;
    untrusting.reconnection = false;
    auto *refused = new Manager(url, untrusting, &context);
    QObject::connect(refused->socket(), &ClientSocket::connected, &context, [failed] {
        failed(u"a client that does not trust the certificate connected"_s);
    });
    QObject::connect(refused->socket(), &ClientSocket::connectError, &context,
                     [&](const QString &message) {
                         say(u"self-test: refused without the certificate (%1)"_s.arg(message));
                         connectTrusted();
                     });
    return QCoreApplication::exec();
}

} // namespace

int main(int argc, char *argv[])
{
    QCoreApplication app(argc, argv);
    QCoreApplication::setApplicationName(u"tls-example"_s);

    QCommandLineParser parser;
    parser.setApplicationDescription(u"Socket.IO over TLS (https and wss): server and client."_s);
    parser.addHelpOption();
    parser.addPositionalArgument(u"mode"_s, u"server, or client URL"_s, u"server|client URL"_s);
    const QCommandLineOption selfTestOption(
        u"self-test"_s, u"Run server and client in one process; exit status 0 on success."_s);
    const QCommandLineOption portOption(u"port"_s, u"server: TCP port (default 0: a free one)."_s,
                                        u"port"_s, u"0"_s);
    const QCommandLineOption certDirOption(
        u"cert-dir"_s,
        u"server: where the self-signed certificate is made and kept (default %1)."_s.arg(
            QStandardPaths::writableLocation(QStandardPaths::AppLocalDataLocation)),
        u"dir"_s);
    const QCommandLineOption certOption(u"cert"_s, u"server: a PEM certificate chain, instead."_s,
                                        u"file"_s);
    const QCommandLineOption keyOption(u"key"_s, u"server: the PEM private key of --cert."_s,
                                       u"file"_s);
    const QCommandLineOption caOption(
        u"ca"_s, u"client: trust the PEM certificates of this file, not the system's."_s,
        u"file"_s);
    const QCommandLineOption insecureOption(u"insecure"_s,
                                            u"client: do not verify the server's certificate."_s);
    parser.addOptions({selfTestOption, portOption, certDirOption, certOption, keyOption, caOption,
                       insecureOption});
    parser.process(app);

    const QStringList args = parser.positionalArguments();
    if (parser.isSet(selfTestOption))
        return runSelfTest();
    if (args == QStringList{u"server"_s}) {
        if (parser.isSet(certOption) != parser.isSet(keyOption))
            return fail(u"--cert and --key go together"_s);
        if (parser.isSet(certOption))
            return runServer(parser.value(certOption), parser.value(keyOption),
                             parser.value(portOption).toUShort(), false);
        const QString dir =
            parser.isSet(certDirOption)
                ? parser.value(certDirOption)
                : QStandardPaths::writableLocation(QStandardPaths::AppLocalDataLocation);
        QString error;
        if (!ensureCertificate(dir, &error))
            return fail(error);
        return runServer(dir + u"/cert.pem"_s, dir + u"/key.pem"_s,
                         parser.value(portOption).toUShort(), true);
    }
    if (args.size() == 2 && args.first() == u"client")
        return runClient(QUrl(args.at(1)), parser.value(caOption), parser.isSet(insecureOption));
    parser.showHelp(2);
}
