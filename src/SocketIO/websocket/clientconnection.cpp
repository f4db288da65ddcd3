#include "websocket/clientconnection_p.h"

#include "http/httpparser_p.h"

#include <QtCore/QHash>
#include <QtCore/QRandomGenerator>
#include <QtCore/QtEndian>
#include <QtNetwork/QSslSocket>

namespace SocketIO::WebSocket {

namespace {
// The longest 101 head accepted (Node's default max header size is 16 KiB).
constexpr qsizetype MaxHeadSize = 64 * 1024;

bool hasLineBreak(QByteArrayView text)
{
    return text.contains('\r') || text.contains('\n');
}

} // namespace

bool parseResponseHead(QByteArrayView head, int *status, QHash<QByteArray, QByteArray> *headers)
{
    const QList<QByteArray> lines = head.toByteArray().split('\n');
    if (lines.isEmpty())
        return false;
    const QByteArray statusLine = lines.first().trimmed();
    // "HTTP/1.1 101 Switching Protocols"
    if (!statusLine.startsWith("HTTP/1.") || statusLine.size() < 12 || statusLine.at(8) != ' ')
        return false;
    bool ok = false;
    *status = statusLine.mid(9, 3).toInt(&ok);
    if (!ok)
        return false;
    for (qsizetype i = 1; i < lines.size(); ++i) {
        const QByteArray line = lines.at(i).trimmed();
        if (line.isEmpty())
            continue;
        const qsizetype colon = line.indexOf(':');
        if (colon <= 0 || !Http::isToken(QByteArrayView(line).first(colon)))
            return false;
        const QByteArray name = line.first(colon).toLower();
        const QByteArray value = line.sliced(colon + 1).trimmed();
        auto it = headers->find(name);
        if (it == headers->end())
            headers->insert(name, value);
        else
            *it += ", " + value;
    }
    return true;
}

ClientConnection::ClientConnection(QObject *parent)
    : QObject(parent)
{}

ClientConnection::~ClientConnection()
{
    if (m_socket) {
        m_socket->disconnect(this);
        m_socket->abort();
    }
}

void ClientConnection::open(const Options &options)
{
    if (m_state != State::Idle)
        return;
    m_options = options;
    m_state = State::Connecting;
    const bool secure = options.url.scheme() == u"wss" || options.url.scheme() == u"https";
    QSslSocket *ssl = nullptr;
    if (secure) {
        ssl = new QSslSocket(this);
        ssl->setSslConfiguration(options.ssl);
        connect(ssl, &QSslSocket::sslErrors, this, [this, ssl](const QList<QSslError> &errors) {
            if (m_options.ignoreSslErrors)
                ssl->ignoreSslErrors(errors);
        });
        connect(ssl, &QSslSocket::encrypted, this, &ClientConnection::onConnected);
        m_socket = ssl;
    } else {
        m_socket = new QTcpSocket(this);
        connect(m_socket, &QTcpSocket::connected, this, &ClientConnection::onConnected);
    }
    connect(m_socket, &QTcpSocket::readyRead, this, &ClientConnection::onReadyRead);
    connect(m_socket, &QTcpSocket::disconnected, this, &ClientConnection::onSocketGone);
    connect(m_socket, &QTcpSocket::errorOccurred, this, [this](QAbstractSocket::SocketError e) {
        // Once open, a lost connection is a close (1006), as ws reports it; before, a failure.
        if (m_state == State::Open || m_state == State::Closing ||
            e == QAbstractSocket::RemoteHostClosedError)
            onSocketGone();
        else
            fail(m_socket->errorString());
    });
    const QString host = options.url.host();
    const quint16 port = quint16(options.url.port(secure ? 443 : 80));
    if (ssl)
        ssl->connectToHostEncrypted(host, port);
    else
        m_socket->connectToHost(host, port);
}

void ClientConnection::onConnected()
{
    if (m_state != State::Connecting)
        return;
    // No Nagle, as Node's ws: a small frame must not wait for the ACK of the one before.
    m_socket->setSocketOption(QAbstractSocket::LowDelayOption, 1);
    const QUrl &url = m_options.url;
    QByteArray key(16, Qt::Uninitialized);
    QRandomGenerator::global()->fillRange(reinterpret_cast<quint32 *>(key.data()), 4);
    m_key = key.toBase64();

    QByteArray target = url.path(QUrl::FullyEncoded).toUtf8();
    if (target.isEmpty())
        target = "/";
    if (url.hasQuery())
        target += '?' + url.query(QUrl::FullyEncoded).toUtf8();
    QByteArray host = url.host(QUrl::FullyEncoded).toUtf8();
    if (host.contains(':'))
        host = '[' + host + ']';
    const bool secure = qobject_cast<QSslSocket *>(m_socket) != nullptr;
    if (url.port() != -1 && url.port() != (secure ? 443 : 80))
        host += ':' + QByteArray::number(url.port());

    // The handshake's own headers win over the extra ones, as in ws; Host may be replaced.
    QList<QPair<QByteArray, QByteArray>> own = {
        {"Upgrade", "websocket"},
        {"Connection", "Upgrade"},
        {"Sec-WebSocket-Key", m_key},
        {"Sec-WebSocket-Version", "13"},
    };
    if (!m_options.subprotocols.isEmpty())
        own.append({"Sec-WebSocket-Protocol", m_options.subprotocols.join(u", ").toUtf8()});
    if (m_options.deflate)
        own.append({"Sec-WebSocket-Extensions", deflateOffer(*m_options.deflate)});
    auto isOwn = [&own](const QByteArray &name) {
        for (const auto &header : std::as_const(own)) {
            if (header.first.compare(name, Qt::CaseInsensitive) == 0)
                return true;
        }
        return false;
    };
    bool hostGiven = false;
    QByteArray request = "GET " + target + " HTTP/1.1\r\n";
    QByteArray extra;
    for (const auto &[name, value] : std::as_const(m_options.headers)) {
        if (!Http::isToken(name) || hasLineBreak(value)) {
            fail(QStringLiteral("Invalid header: %1").arg(QString::fromUtf8(name)));
            return;
        }
        if (isOwn(name))
            continue;
        hostGiven = hostGiven || name.compare("host", Qt::CaseInsensitive) == 0;
        extra += name + ": " + value + "\r\n";
    }
    if (!hostGiven)
        request += "Host: " + host + "\r\n";
    for (const auto &[name, value] : std::as_const(own))
        request += name + ": " + value + "\r\n";
    request += extra + "\r\n";
    m_state = State::Handshake;
    m_socket->write(request);
}

void ClientConnection::onReadyRead()
{
    if (m_state != State::Handshake && m_state != State::Open && m_state != State::Closing)
        return;
    m_buffer += m_socket->readAll();
    QPointer<ClientConnection> self(this);
    if (m_state == State::Handshake && !readHandshake())
        return;
    if (self && !m_buffer.isEmpty())
        readFrames();
}

bool ClientConnection::readHandshake()
{
    const qsizetype end = Http::findHeadEnd(m_buffer);
    if (end == Http::HeadIncomplete) {
        if (m_buffer.size() > MaxHeadSize)
            fail(QStringLiteral("The server's response head is too large"));
        return false;
    }
    int status = 0;
    QHash<QByteArray, QByteArray> headers;
    if (end == Http::HeadMalformed || end > MaxHeadSize ||
        !parseResponseHead(QByteArrayView(m_buffer).first(end), &status, &headers)) {
        fail(QStringLiteral("Invalid HTTP response"));
        return false;
    }
    m_buffer.remove(0, end);
    // ws's checks and messages.
    if (status != 101) {
        fail(QStringLiteral("Unexpected server response: %1").arg(status));
        return false;
    }
    if (headers.value("upgrade").toLower() != "websocket") {
        fail(QStringLiteral("Invalid Upgrade header"));
        return false;
    }
    if (headers.value("sec-websocket-accept") != acceptKey(m_key)) {
        fail(QStringLiteral("Invalid Sec-WebSocket-Accept header"));
        return false;
    }
    const auto protocol = headers.constFind("sec-websocket-protocol");
    if (protocol != headers.cend()) {
        if (m_options.subprotocols.isEmpty()) {
            fail(QStringLiteral("Server sent a subprotocol but none was requested"));
            return false;
        }
        if (!m_options.subprotocols.contains(QString::fromUtf8(*protocol))) {
            fail(QStringLiteral("Server sent an invalid subprotocol"));
            return false;
        }
        m_subprotocol = QString::fromUtf8(*protocol);
    } else if (!m_options.subprotocols.isEmpty()) {
        fail(QStringLiteral("Server sent no subprotocol"));
        return false;
    }
    m_reader = std::make_unique<FrameReader>(m_options.maxMessageSize, FrameReader::Sender::Server);
    const auto extensions = headers.constFind("sec-websocket-extensions");
    if (extensions != headers.cend()) {
        if (!m_options.deflate) {
            fail(QStringLiteral("Server sent a Sec-WebSocket-Extensions header but no "
                                "extension was requested"));
            return false;
        }
        DeflateParams params;
        if (!acceptDeflateResponse(*extensions, *m_options.deflate, &params)) {
            fail(QStringLiteral("Invalid Sec-WebSocket-Extensions header"));
            return false;
        }
        m_extensions = *extensions;
        m_deflater = std::make_unique<Deflater>(
            params.clientMaxWindowBits, params.clientNoContextTakeover, m_options.deflate->level,
            m_options.deflate->memLevel, m_options.deflate->strategy);
        m_reader->enableInflate(params.serverNoContextTakeover);
    }
    m_state = State::Open;
    QPointer<ClientConnection> self(this);
    Q_EMIT connected();
    return self && m_state == State::Open;
}

bool ClientConnection::readFrames()
{
    QList<FrameReader::Message> messages;
    const bool ok = m_reader->read(m_buffer, &messages);
    QPointer<ClientConnection> self(this);
    for (FrameReader::Message &message : messages) {
        if (!self || m_state == State::Closed)
            return false;
        switch (message.opcode) {
        case Opcode::Text:
        case Opcode::Binary:
            if (m_state == State::Open)
                Q_EMIT messageReceived(message.payload, message.opcode == Opcode::Binary);
            break;
        case Opcode::Ping:
            if (!m_closeSent)
                write(maskedFrame(Opcode::Pong, message.payload));
            break;
        case Opcode::Pong:
            break;
        case Opcode::Close: {
            m_closeCode = message.payload.size() >= 2
                              ? qFromBigEndian<quint16>(message.payload.constData())
                              : quint16(0);
            // Answered with the same code (none when none came), as ws does.
            if (!m_closeSent) {
                QByteArray payload;
                if (m_closeCode) {
                    payload.resize(2);
                    qToBigEndian<quint16>(m_closeCode, payload.data());
                }
                write(maskedFrame(Opcode::Close, payload));
                m_closeSent = true;
            }
            finish();
            return false;
        }
        default:
            break;
        }
    }
    if (!self)
        return false;
    if (!ok) {
        m_buffer.clear();
        fail(QString::fromUtf8(m_reader->errorReason()), m_reader->closeCode());
        return false;
    }
    return true;
}

QByteArray ClientConnection::maskedFrame(Opcode opcode, QByteArrayView payload)
{
    return encodeMaskedFrame(opcode, payload, QRandomGenerator::global()->generate());
}

void ClientConnection::write(const QByteArray &frame)
{
    if (m_socket && m_socket->state() == QAbstractSocket::ConnectedState)
        m_socket->write(frame);
}

void ClientConnection::send(QByteArrayView data, bool binary, bool compress)
{
    if (m_state != State::Open)
        return;
    const Opcode opcode = binary ? Opcode::Binary : Opcode::Text;
    if (m_deflater && compress && data.size() >= m_options.deflate->threshold) {
        uchar key[4];
        qToBigEndian<quint32>(QRandomGenerator::global()->generate(), key);
        const QByteArray frame = m_deflater->compressFrame(quint8(opcode), {}, data, key);
        if (!frame.isEmpty()) {
            ++m_compressedSent;
            write(frame);
            return;
        }
    }
    write(maskedFrame(opcode, data));
}

void ClientConnection::close(quint16 code)
{
    if (m_state == State::Connecting || m_state == State::Handshake) {
        // Nothing to close politely yet.
        m_state = State::Closed;
        if (m_socket) {
            m_socket->disconnect(this);
            m_socket->abort();
        }
        return;
    }
    if (m_state != State::Open)
        return;
    m_state = State::Closing;
    QByteArray payload(2, Qt::Uninitialized);
    qToBigEndian<quint16>(code, payload.data());
    write(maskedFrame(Opcode::Close, payload));
    m_closeSent = true;
    m_closeCode = code;
    // Out now: the owner may delete this connection soon.
    m_socket->flush();
}

void ClientConnection::onSocketGone()
{
    if (m_state == State::Open || m_state == State::Closing) {
        finish();
        return;
    }
    if (m_state == State::Connecting || m_state == State::Handshake)
        fail(QStringLiteral("The connection closed before the handshake completed"));
}

void ClientConnection::finish()
{
    if (m_state == State::Closed)
        return;
    const bool announce = m_state == State::Open || m_state == State::Closing;
    m_state = State::Closed;
    if (m_socket) {
        m_socket->disconnect(this);
        // What is queued (the close frame) goes first.
        m_socket->disconnectFromHost();
    }
    if (announce)
        Q_EMIT disconnected();
}

void ClientConnection::fail(const QString &description, quint16 closeCode)
{
    if (m_state == State::Closed)
        return;
    m_state = State::Closed;
    m_error = description;
    if (m_socket) {
        m_socket->disconnect(this);
        if (closeCode && !m_closeSent) {
            QByteArray payload(2, Qt::Uninitialized);
            qToBigEndian<quint16>(closeCode, payload.data());
            m_closeCode = closeCode;
            m_closeSent = true;
            write(maskedFrame(Opcode::Close, payload));
            m_socket->disconnectFromHost();
        } else {
            m_socket->abort();
        }
    }
    Q_EMIT errorOccurred(description);
}

} // namespace SocketIO::WebSocket
