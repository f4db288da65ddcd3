// socketio-cli: a command-line Socket.IO client, like wscat for Socket.IO. It connects to one
// namespace, sends the --emit events in order, and prints what happens as one compact JSON
// object per line on stdout, for scripts and jq:
//
//   socketio-cli --emit echo '[1, {"base64": "AAE="}]' --ack http://localhost:3000/admin
//   {"type":"connect","id":"..."}
//   {"type":"ack","event":"echo","args":[1,{"base64":"AAE="}]}
//   {"type":"disconnect","reason":"io client disconnect"}
#include <SocketIO/ClientSocket>
#include <SocketIO/Manager>

#include <QtCore/QCommandLineParser>
#include <QtCore/QCoreApplication>
#include <QtCore/QJsonArray>
#include <QtCore/QJsonDocument>
#include <QtCore/QJsonObject>
#include <QtCore/QTimer>
#include <QtCore/QUrlQuery>

#include <cstdio>
#include <optional>

#ifdef Q_OS_UNIX
#include <QtCore/QSocketNotifier>

#include <csignal>
#include <sys/socket.h>
#include <unistd.h>
#endif

using namespace SocketIO;

namespace {

enum ExitCode { ExitOk = 0, ExitNotConnected = 1, ExitUsage = 2 };

// Workarounds for a close that does not flush what is queued (see Cli::emitsDone(),
// Cli::finish() and Cli::closeAndExit()).
constexpr int SettleMs = 100;
constexpr int LingerMs = 200;
constexpr int UpgradeWaitMs = 1000;

struct Emit
{
    QString event;
    QVariantList args;
};

struct Config
{
    QUrl baseUrl; // scheme://host:port
    QString nsp;  // the URL's path
    ManagerOptions manager;
    SocketOptions socket;
    QList<Emit> emits;
    bool ack = false;
    int ackTimeout = 10'000;
    std::optional<int> wait;
};

// --- JSON <-> QVariant; binary is {"base64": "..."} at any depth ------------------------------

QJsonValue toJson(const QVariant &value)
{
    switch (value.typeId()) {
    case QMetaType::UnknownType:
    case QMetaType::Nullptr:
    case QMetaType::Void:
        return QJsonValue::Null;
    case QMetaType::Bool:
        return value.toBool();
    case QMetaType::Int:
    case QMetaType::Short:
    case QMetaType::Long:
    case QMetaType::LongLong:
    case QMetaType::SChar:
    case QMetaType::Char:
        return value.toLongLong();
    case QMetaType::UInt:
    case QMetaType::UShort:
    case QMetaType::ULong:
    case QMetaType::ULongLong:
    case QMetaType::UChar: {
        const qulonglong n = value.toULongLong();
        if (n <= qulonglong(std::numeric_limits<qint64>::max()))
            return qint64(n);
        return double(n);
    }
    case QMetaType::Double:
    case QMetaType::Float: {
        const double d = value.toDouble();
        return qIsFinite(d) ? QJsonValue(d) : QJsonValue(QJsonValue::Null);
    }
    case QMetaType::QString:
        return value.toString();
    case QMetaType::QByteArray:
        return QJsonObject{
            {QStringLiteral("base64"), QString::fromLatin1(value.toByteArray().toBase64())}};
    case QMetaType::QVariantList:
    case QMetaType::QStringList: {
        QJsonArray array;
        const QVariantList list = value.toList();
        for (const QVariant &item : list)
            array.append(toJson(item));
        return array;
    }
    case QMetaType::QVariantMap: {
        QJsonObject object;
        const QVariantMap map = value.toMap();
        for (auto it = map.cbegin(); it != map.cend(); ++it)
            object.insert(it.key(), toJson(it.value()));
        return object;
    }
    case QMetaType::QVariantHash: {
        QJsonObject object;
        const QVariantHash hash = value.toHash();
        for (auto it = hash.cbegin(); it != hash.cend(); ++it)
            object.insert(it.key(), toJson(it.value()));
        return object;
    }
    default:
        return QJsonValue::fromVariant(value);
    }
}

QJsonArray toJson(const QVariantList &list)
{
    QJsonArray array;
    for (const QVariant &item : list)
        array.append(toJson(item));
    return array;
}

// Integers stay integers; {"base64": "..."} (that key alone) becomes a QByteArray.
bool fromJson(const QJsonValue &json, QVariant *out, QString *error)
{
    switch (json.type()) {
    case QJsonValue::Null:
    case QJsonValue::Undefined:
        *out = QVariant::fromValue(nullptr);
        return true;
    case QJsonValue::Bool:
    case QJsonValue::Double:
    case QJsonValue::String:
        *out = json.toVariant();
        return true;
    case QJsonValue::Array: {
        const QJsonArray array = json.toArray();
        QVariantList list;
        list.reserve(array.size());
        for (const QJsonValue &item : array) {
            QVariant value;
            if (!fromJson(item, &value, error))
                return false;
            list.append(value);
        }
        *out = list;
        return true;
    }
    case QJsonValue::Object: {
        const QJsonObject object = json.toObject();
        const QJsonValue base64 = object.value(QStringLiteral("base64"));
        if (object.size() == 1 && base64.isString()) {
            const auto decoded = QByteArray::fromBase64Encoding(
                base64.toString().toLatin1(), QByteArray::AbortOnBase64DecodingErrors);
            if (!decoded) {
                *error = QStringLiteral("invalid base64 \"%1\"").arg(base64.toString());
                return false;
            }
            *out = *decoded;
            return true;
        }
        QVariantMap map;
        for (auto it = object.constBegin(); it != object.constEnd(); ++it) {
            QVariant value;
            if (!fromJson(it.value(), &value, error))
                return false;
            map.insert(it.key(), value);
        }
        *out = map;
        return true;
    }
    }
    return false;
}

// Parses `text` as JSON of the given kind (Array or Object) into `out`.
bool parseJson(const QString &text, QJsonValue::Type kind, const QString &what, QVariant *out,
               QString *error)
{
    QJsonParseError parseError;
    const QJsonDocument document = QJsonDocument::fromJson(text.toUtf8(), &parseError);
    if (parseError.error != QJsonParseError::NoError) {
        *error = QStringLiteral("%1: invalid JSON (%2 at offset %3): %4")
                     .arg(what, parseError.errorString())
                     .arg(parseError.offset)
                     .arg(text);
        return false;
    }
    if (kind == QJsonValue::Array && !document.isArray()) {
        *error = QStringLiteral("%1: expected a JSON array of arguments: %2").arg(what, text);
        return false;
    }
    if (kind == QJsonValue::Object && !document.isObject()) {
        *error = QStringLiteral("%1: expected a JSON object: %2").arg(what, text);
        return false;
    }
    const QJsonValue value =
        document.isArray() ? QJsonValue(document.array()) : QJsonValue(document.object());
    QString conversionError;
    if (!fromJson(value, out, &conversionError)) {
        *error = what + QStringLiteral(": ") + conversionError;
        return false;
    }
    return true;
}

QByteArray compact(const QJsonValue &value)
{
    // QJsonDocument holds only arrays and objects: write [value] and drop the brackets.
    const QByteArray array = QJsonDocument(QJsonArray{value}).toJson(QJsonDocument::Compact);
    return array.mid(1, array.size() - 2);
}

// One line {"type":TYPE,...fields}, in this order (QJsonObject would sort the keys), flushed.
void printLine(const QString &type, const QList<QPair<QString, QJsonValue>> &fields = {})
{
    QByteArray line = "{\"type\":" + compact(type);
    for (const auto &[key, value] : fields)
        line += ',' + compact(key) + ':' + compact(value);
    line += "}\n";
    std::fwrite(line.constData(), 1, size_t(line.size()), stdout);
    std::fflush(stdout);
}

// --- the session -----------------------------------------------------------------------------

// Connects, sends the emits once connected, prints every event, and quits the application
// with the exit status when done.
class Cli : public QObject
{
public:
    explicit Cli(Config config, QObject *parent = nullptr)
        : QObject(parent)
        , m_config(std::move(config))
    {
        m_waitTimer.setSingleShot(true);
        connect(&m_waitTimer, &QTimer::timeout, this, [this] { finish(ExitOk); });
    }

    void start()
    {
        m_manager = std::make_unique<Manager>(m_config.baseUrl, m_config.manager);
        Manager *manager = m_manager.get();
        connect(manager, &Manager::reconnectAttempt, this, [](int attempt) {
            printLine(QStringLiteral("reconnect_attempt"), {{QStringLiteral("attempt"), attempt}});
        });
        connect(manager, &Manager::reconnected, this, [](int attempt) {
            printLine(QStringLiteral("reconnect"), {{QStringLiteral("attempt"), attempt}});
        });
        connect(manager, &Manager::reconnectFailed, this, [this] {
            printLine(QStringLiteral("reconnect_failed"));
            finish(ExitNotConnected);
        });

        // The Manager connects the socket as soon as it is created (autoConnect): connect
        // to its signals before any of them can be delivered, i.e. before returning to the
        // event loop.
        m_socket = manager->socket(m_config.nsp, m_config.socket);
        connect(m_socket, &ClientSocket::connected, this, [this] { onConnected(); });
        connect(m_socket, &ClientSocket::connectError, this,
                [this](const QString &message, const QVariant &data) {
                    printLine(QStringLiteral("connect_error"),
                              {{QStringLiteral("message"), message},
                               {QStringLiteral("data"), toJson(data)}});
                    // A refusal by the server (CONNECT_ERROR) ends the socket; a failed
                    // connection is retried only with --reconnect.
                    if (!m_config.manager.reconnection || !m_socket->isActive())
                        finish(ExitNotConnected);
                });
        connect(m_socket, &ClientSocket::disconnected, this,
                [this](const QString &reason, const QString &description) {
                    QList<QPair<QString, QJsonValue>> fields{{QStringLiteral("reason"), reason}};
                    if (!description.isEmpty())
                        fields.append({QStringLiteral("description"), description});
                    printLine(QStringLiteral("disconnect"), fields);
                    // Closed before the namespace was joined: that is a failed connection.
                    if (!m_config.manager.reconnection || !m_socket->isActive())
                        finish(m_started ? ExitOk : ExitNotConnected);
                });
        connect(m_socket, &ClientSocket::eventReceived, this,
                [](const QString &event, const QVariantList &args, const Ack &) {
                    printLine(QStringLiteral("event"), {{QStringLiteral("name"), event},
                                                        {QStringLiteral("args"), toJson(args)}});
                });
    }

    // SIGINT/SIGTERM: leave cleanly; a second one quits at once.
    void interrupt()
    {
        if (m_finishing)
            QCoreApplication::exit(ExitOk);
        else
            finish(ExitOk);
    }

private:
    void onConnected()
    {
        printLine(QStringLiteral("connect"), {{QStringLiteral("id"), m_socket->id()}});
        if (m_started) // a reconnection: the emits went out once already
            return;
        m_started = true;
        for (const Emit &emit : std::as_const(m_config.emits)) {
            if (!m_config.ack) {
                m_socket->emitEvent(emit.event, emit.args);
                continue;
            }
            ++m_pendingAcks;
            const QString event = emit.event;
            m_socket->timeout(m_config.ackTimeout)
                .emitEvent(emit.event, emit.args, this,
                           [this, event](const QString &error, const QVariantList &args) {
                               if (error.isEmpty())
                                   printLine(QStringLiteral("ack"),
                                             {{QStringLiteral("event"), event},
                                              {QStringLiteral("args"), toJson(args)}});
                               else
                                   printLine(QStringLiteral("ack"),
                                             {{QStringLiteral("event"), event},
                                              {QStringLiteral("error"), error}});
                               if (--m_pendingAcks == 0)
                                   emitsDone();
                           });
        }
        if (m_pendingAcks == 0)
            emitsDone();
    }

    // All emits sent (and acknowledged with --ack): wait, then leave.
    void emitsDone()
    {
        if (m_finishing)
            return;
        // Events sent without an ack may still be on their way: the library drops what
        // its Engine.IO client has not written yet when the socket disconnects (a POST in
        // flight, an upgrade in progress), so give them a moment. Acks prove delivery.
        const int settle = !m_config.emits.isEmpty() && !m_config.ack ? SettleMs : 0;
        if (m_config.wait)
            m_waitTimer.start(qMax(*m_config.wait, settle));
        else if (!m_config.emits.isEmpty())
            m_waitTimer.start(settle);
        // else: no emits and no --wait; stay until the server disconnects or Ctrl-C.
    }

    void finish(int code)
    {
        if (m_finishing)
            return;
        m_finishing = true;
        m_waitTimer.stop();
        // Closing during the upgrade to WebSocket drops what is queued (the DISCONNECT
        // included): let the upgrade end first, within a second.
        const ManagerOptions &options = m_config.manager;
        if (m_socket->isConnected() && options.upgrade &&
            m_manager->transportName() == u"polling" &&
            options.transports.contains(QStringLiteral("websocket"))) {
            auto close = [this, code] { closeAndExit(code); };
            connect(m_manager.get(), &Manager::upgraded, this,
                    [close] { QTimer::singleShot(SettleMs, close); });
            QTimer::singleShot(UpgradeWaitMs, this, close);
            return;
        }
        closeAndExit(code);
    }

    void closeAndExit(int code)
    {
        if (m_closed)
            return;
        m_closed = true;
        const Manager::State state = m_manager->state();
        const bool open = state == Manager::State::Opening || state == Manager::State::Open;
        if (m_socket->isConnected())
            m_socket->disconnectFromServer(); // prints the "io client disconnect" line
        m_manager->close();
        // Manager::closed() comes before the last packets (the DISCONNECT) are written, and
        // nothing tells when they are: keep the event loop running a little so they leave.
        QTimer::singleShot(open ? LingerMs : 0, qApp, [code] { QCoreApplication::exit(code); });
    }

    Config m_config;
    std::unique_ptr<Manager> m_manager;
    ClientSocket *m_socket = nullptr; // owned by m_manager
    QTimer m_waitTimer;
    int m_pendingAcks = 0;
    bool m_started = false;
    bool m_finishing = false;
    bool m_closed = false;
};

// --- the command line ------------------------------------------------------------------------

struct Usage
{
    QString error; // empty: go on
    bool help = false;
};

// QCommandLineParser options take one value; "--emit EVENT JSON_ARRAY" takes two. They are
// taken out of the arguments first, skipping the values of the other options.
QStringList extractEmits(const QStringList &arguments, const QStringList &valueOptions,
                         QList<QPair<QString, QString>> *emits, QString *error)
{
    QStringList rest;
    for (qsizetype i = 0; i < arguments.size(); ++i) {
        const QString &arg = arguments.at(i);
        if (i == 0 || arg == u"--") {
            rest += i == 0 ? QStringList{arg} : arguments.mid(i);
            if (i != 0)
                break;
            continue;
        }
        if (arg == u"--emit" || arg == u"-e") {
            if (i + 2 >= arguments.size()) {
                *error = QStringLiteral("--emit needs two values: EVENT JSON_ARRAY");
                return {};
            }
            emits->append({arguments.at(i + 1), arguments.at(i + 2)});
            i += 2;
            continue;
        }
        if (arg.startsWith(u"--emit=")) {
            if (i + 1 >= arguments.size()) {
                *error = QStringLiteral("--emit needs two values: EVENT JSON_ARRAY");
                return {};
            }
            emits->append({arg.mid(7), arguments.at(i + 1)});
            i += 1;
            continue;
        }
        rest.append(arg);
        if (arg.startsWith(u"--") && valueOptions.contains(arg.mid(2)) && i + 1 < arguments.size())
            rest.append(arguments.at(++i));
    }
    return rest;
}

Usage parseArguments(const QStringList &arguments, Config *config, QString *helpText)
{
    QCommandLineParser parser;
    parser.setApplicationDescription(QStringLiteral(
        "A command-line Socket.IO client. Connects to the namespace given by the URL's path\n"
        "(scheme http, https, ws or wss; \"/\" by default), sends the --emit events in order\n"
        "once connected, and prints one JSON object per line on stdout:\n"
        "  {\"type\":\"connect\",\"id\":ID}\n"
        "  {\"type\":\"event\",\"name\":NAME,\"args\":[...]}\n"
        "  {\"type\":\"ack\",\"event\":NAME,\"args\":[...]}   or   ...\"error\":MESSAGE}\n"
        "  {\"type\":\"connect_error\",\"message\":MESSAGE,\"data\":DATA}\n"
        "  {\"type\":\"disconnect\",\"reason\":REASON}\n"
        "  {\"type\":\"reconnect_attempt\",\"attempt\":N}, {\"type\":\"reconnect\",...},\n"
        "  {\"type\":\"reconnect_failed\"}\n"
        "Binary values print as {\"base64\":\"...\"} at any depth; in --emit and --auth, an\n"
        "object {\"base64\":\"...\"} (that key alone) is sent as binary (binary in --auth needs\n"
        "--parser msgpack: the default parser carries binary in events and acks only).\n"
        "\n"
        "When to leave: with --wait MS, MS milliseconds after the last emit was sent (with\n"
        "--ack: after the last ack or ack error), or after connecting when there are no\n"
        "emits. Without --wait: right after the last emit (or ack) when there are emits\n"
        "(emits without --ack get 100 ms to leave); when there are none, stay until the\n"
        "server disconnects or SIGINT/SIGTERM (Ctrl-C), which disconnect cleanly. Events\n"
        "the server sends with an ack request are printed but not acknowledged.\n"
        "\n"
        "Exit status: 0 after a normal run, 1 when it could not connect (connect_error\n"
        "without --reconnect, or reconnect_failed), 2 on bad usage."));
    const QCommandLineOption helpOption({QStringLiteral("h"), QStringLiteral("help")},
                                        QStringLiteral("Show this help."));
    const QCommandLineOption pathOption(QStringLiteral("path"),
                                        QStringLiteral("Server path (default /socket.io)."),
                                        QStringLiteral("PATH"));
    const QCommandLineOption transportsOption(
        QStringLiteral("transports"),
        QStringLiteral("Transports to try, comma-separated (default polling,websocket)."),
        QStringLiteral("LIST"));
    const QCommandLineOption authOption(
        QStringLiteral("auth"), QStringLiteral("Auth payload sent with the CONNECT packet."),
        QStringLiteral("JSON_OBJECT"));
    const QCommandLineOption queryOption(
        QStringLiteral("query"),
        QStringLiteral("Add a query parameter to the handshake (repeatable)."),
        QStringLiteral("KEY=VALUE"));
    const QCommandLineOption headerOption(
        QStringLiteral("header"), QStringLiteral("Add an HTTP request header (repeatable)."),
        QStringLiteral("NAME: VALUE"));
    const QCommandLineOption parserOption(QStringLiteral("parser"),
                                          QStringLiteral("Packet format: default or msgpack."),
                                          QStringLiteral("NAME"), QStringLiteral("default"));
    // Never seen by the parser (see extractEmits); here for the help text.
    const QCommandLineOption emitOption(
        {QStringLiteral("e"), QStringLiteral("emit")},
        QStringLiteral("Emit EVENT with the arguments of JSON_ARRAY once connected "
                       "(repeatable; sent in order)."),
        QStringLiteral("EVENT> <JSON_ARRAY"));
    const QCommandLineOption ackOption(
        QStringLiteral("ack"), QStringLiteral("Ask for an acknowledgement of each --emit."));
    const QCommandLineOption ackTimeoutOption(
        QStringLiteral("ack-timeout"),
        QStringLiteral("With --ack, give up on an ack after MS ms (default 10000; -1: never)."),
        QStringLiteral("MS"), QStringLiteral("10000"));
    const QCommandLineOption waitOption(
        QStringLiteral("wait"),
        QStringLiteral("Stay connected MS ms after the last emit, or after connecting when "
                       "there are no emits, then disconnect and exit."),
        QStringLiteral("MS"));
    const QCommandLineOption caOption(QStringLiteral("ca"),
                                      QStringLiteral("Trust the PEM certificates of FILE (TLS)."),
                                      QStringLiteral("FILE"));
    const QCommandLineOption insecureOption(
        QStringLiteral("insecure"), QStringLiteral("Do not verify the server's certificate."));
    const QCommandLineOption reconnectOption(
        QStringLiteral("reconnect"),
        QStringLiteral("Reconnect after a lost or failed connection (off by default, so that "
                       "a failed connection exits with status 1)."));
    const QCommandLineOption attemptsOption(
        QStringLiteral("reconnect-attempts"),
        QStringLiteral("With --reconnect, give up after N attempts (reconnect_failed, exit "
                       "status 1); unlimited by default."),
        QStringLiteral("N"));
    const QList<QCommandLineOption> options = {
        helpOption,   pathOption,   transportsOption, authOption,      queryOption,
        headerOption, parserOption, emitOption,       ackOption,       ackTimeoutOption,
        waitOption,   caOption,     insecureOption,   reconnectOption, attemptsOption};
    parser.addOptions(options);
    parser.addPositionalArgument(QStringLiteral("URL"),
                                 QStringLiteral("http[s]://host[:port][/namespace] or "
                                                "ws[s]://host[:port][/namespace]"));
    *helpText = parser.helpText();

    QStringList valueOptions;
    for (const QCommandLineOption &option : options) {
        if (!option.valueName().isEmpty())
            valueOptions += option.names();
    }
    QList<QPair<QString, QString>> emits;
    QString error;
    const QStringList rest = extractEmits(arguments, valueOptions, &emits, &error);
    if (!error.isEmpty())
        return {error};
    if (!parser.parse(rest))
        return {parser.errorText()};
    if (parser.isSet(helpOption))
        return {{}, true};

    const QStringList positional = parser.positionalArguments();
    if (positional.size() != 1)
        return {positional.isEmpty()
                    ? QStringLiteral("missing URL")
                    : QStringLiteral("expected one URL, got %1").arg(positional.join(u' '))};
    const QUrl url(positional.first(), QUrl::StrictMode);
    const QString scheme = url.scheme().toLower();
    if (!url.isValid() || url.host().isEmpty() ||
        !QStringList{QStringLiteral("http"), QStringLiteral("https"), QStringLiteral("ws"),
                     QStringLiteral("wss")}
             .contains(scheme))
        return {QStringLiteral("invalid URL \"%1\": expected http[s]:// or ws[s]://host[:port]"
                               "[/namespace]")
                    .arg(positional.first())};
    config->baseUrl.setScheme(scheme);
    config->baseUrl.setHost(url.host());
    config->baseUrl.setPort(url.port());
    config->nsp = url.path().isEmpty() ? QStringLiteral("/") : url.path();
    ManagerOptions &managerOptions = config->manager;
    // The URL's query goes to the handshake, as io(url) does.
    const auto urlQuery = QUrlQuery(url).queryItems(QUrl::FullyDecoded);
    for (const auto &item : urlQuery)
        managerOptions.query.insert(item.first, item.second);

    if (parser.isSet(pathOption))
        managerOptions.path = parser.value(pathOption);
    if (parser.isSet(transportsOption)) {
        managerOptions.transports.clear();
        const QStringList names = parser.value(transportsOption).split(u',', Qt::SkipEmptyParts);
        for (const QString &name : names)
            managerOptions.transports.append(name.trimmed());
        if (managerOptions.transports.isEmpty())
            return {QStringLiteral("--transports: no transport given")};
    }
    if (parser.isSet(authOption)) {
        QVariant auth;
        if (!parseJson(parser.value(authOption), QJsonValue::Object, QStringLiteral("--auth"),
                       &auth, &error))
            return {error};
        config->socket.auth = auth.toMap();
    }
    const QStringList queries = parser.values(queryOption);
    for (const QString &item : queries) {
        const qsizetype eq = item.indexOf(u'=');
        if (eq <= 0)
            return {QStringLiteral("--query: expected KEY=VALUE, got \"%1\"").arg(item)};
        managerOptions.query.insert(item.left(eq), item.mid(eq + 1));
    }
    const QStringList headers = parser.values(headerOption);
    for (const QString &item : headers) {
        const qsizetype colon = item.indexOf(u':');
        const QString name = item.left(colon).trimmed();
        if (colon <= 0 || name.isEmpty() || name.contains(u' '))
            return {QStringLiteral("--header: expected \"NAME: VALUE\", got \"%1\"").arg(item)};
        managerOptions.extraHeaders.insert(name.toLatin1(), item.mid(colon + 1).trimmed().toUtf8());
    }
    managerOptions.parser = Parser::byName(parser.value(parserOption));
    if (!managerOptions.parser)
        return {QStringLiteral("--parser: expected default or msgpack, got \"%1\"")
                    .arg(parser.value(parserOption))};
    for (const auto &[event, json] : std::as_const(emits)) {
        QVariant args;
        if (!parseJson(json, QJsonValue::Array, QStringLiteral("--emit %1").arg(event), &args,
                       &error))
            return {error};
        config->emits.append({event, args.toList()});
    }
    config->ack = parser.isSet(ackOption);
    bool ok = false;
    config->ackTimeout = parser.value(ackTimeoutOption).toInt(&ok);
    if (!ok || config->ackTimeout < -1)
        return {QStringLiteral("--ack-timeout: expected milliseconds or -1, got \"%1\"")
                    .arg(parser.value(ackTimeoutOption))};
    if (parser.isSet(waitOption)) {
        const int wait = parser.value(waitOption).toInt(&ok);
        if (!ok || wait < 0)
            return {QStringLiteral("--wait: expected milliseconds, got \"%1\"")
                        .arg(parser.value(waitOption))};
        config->wait = wait;
    }
    if (parser.isSet(caOption) && !managerOptions.tls.loadCa(parser.value(caOption), &error))
        return {QStringLiteral("--ca: ") + error};
    if (parser.isSet(insecureOption))
        managerOptions.tls.rejectUnauthorized = false;
    managerOptions.reconnection = parser.isSet(reconnectOption);
    if (parser.isSet(attemptsOption)) {
        managerOptions.reconnectionAttempts = parser.value(attemptsOption).toInt(&ok);
        if (!ok || managerOptions.reconnectionAttempts < 0)
            return {QStringLiteral("--reconnect-attempts: expected a count, got \"%1\"")
                        .arg(parser.value(attemptsOption))};
    }

    const QString problem = managerOptions.validate();
    if (!problem.isEmpty())
        return {problem};
    return {};
}

#ifdef Q_OS_UNIX
int signalPipe[2] = {-1, -1};

void onSignal(int)
{
    const char c = 1;
    [[maybe_unused]] const auto written = ::write(signalPipe[1], &c, 1);
}

// SIGINT and SIGTERM call `handler` on the event loop.
void handleSignals(QObject *context, std::function<void()> handler)
{
    if (::socketpair(AF_UNIX, SOCK_STREAM, 0, signalPipe) != 0)
        return;
    auto *notifier = new QSocketNotifier(signalPipe[0], QSocketNotifier::Read, context);
    QObject::connect(notifier, &QSocketNotifier::activated, context, [handler] {
        char c;
        [[maybe_unused]] const auto read = ::read(signalPipe[0], &c, 1);
        handler();
    });
    struct sigaction action = {};
    action.sa_handler = onSignal;
    sigemptyset(&action.sa_mask);
    action.sa_flags = SA_RESTART;
    ::sigaction(SIGINT, &action, nullptr);
    ::sigaction(SIGTERM, &action, nullptr);
}
#endif

} // namespace

int main(int argc, char *argv[])
{
    QCoreApplication app(argc, argv);
    QCoreApplication::setApplicationName(QStringLiteral("socketio-cli"));

    Config config;
    QString helpText;
    const Usage usage = parseArguments(QCoreApplication::arguments(), &config, &helpText);
    if (usage.help) {
        std::fputs(qPrintable(helpText), stdout);
        return ExitOk;
    }
    if (!usage.error.isEmpty()) {
        std::fprintf(stderr, "socketio-cli: %s\nTry 'socketio-cli --help'.\n",
                     qPrintable(usage.error));
        return ExitUsage;
    }

    Cli cli(std::move(config));
#ifdef Q_OS_UNIX
    handleSignals(&cli, [&cli] { cli.interrupt(); });
#endif
    cli.start();
    return app.exec();
}
