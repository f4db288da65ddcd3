#include "server/legacy09_p.h"

#include "core/optionreader_p.h"
#include "httprequest.h"
#include "socketio_config.h"

#if SOCKETIO_REDIS
#include "redisadapter.h"
#endif

#include <QtCore/QDateTime>
#include <QtCore/QLoggingCategory>
#include <QtCore/QRegularExpression>
#include <QtCore/QUrl>
#include <QtCore/QUrlQuery>

#include <algorithm>

Q_DECLARE_LOGGING_CATEGORY(lcServer)

namespace SocketIO {

namespace {

// The Socket.IO server's own names; the engine's come from EngineOptions::toVariantMap().
const QStringList &serverNames()
{
    static const QStringList names = {QStringLiteral("serveClient"),
                                      QStringLiteral("clientDirectory"),
                                      QStringLiteral("parser"),
                                      QStringLiteral("connectTimeout"),
                                      QStringLiteral("workers"),
                                      QStringLiteral("cleanupEmptyChildNamespaces"),
                                      QStringLiteral("connectionStateRecovery"),
                                      QStringLiteral("adapter")};
    return names;
}

const QStringList &engineNames()
{
    static const QStringList names = [] {
        QStringList keys = EngineOptions().toVariantMap().keys();
        keys.append(QStringLiteral("allowRequest"));
        // Listed only when set.
        if (!keys.contains(QStringLiteral("initialPacket")))
            keys.append(QStringLiteral("initialPacket"));
        return keys;
    }();
    return names;
}

// 0.9 names with no modern meaning, and why; the replacement is named in each.
const QHash<QString, QString> &refusals()
{
    static const QHash<QString, QString> reasons = {
        {QStringLiteral("static"),
         QStringLiteral("the client files are served from ServerOptions::clientDirectory "
                        "(\"clientDirectory\") when ServerOptions::serveClient is true")},
        {QStringLiteral("logger"),
         QStringLiteral("logging goes through QLoggingCategory (socketio.*): install a Qt "
                        "message handler (qInstallMessageHandler) to receive it")},
        {QStringLiteral("flash policy port"),
         QStringLiteral("the \"flashsocket\" transport is not implemented, so there is no "
                        "Flash policy server")},
        {QStringLiteral("client store expiration"),
         QStringLiteral("stores were replaced by adapters; to resume a session after a "
                        "disconnection use connectionStateRecovery.maxDisconnectionDuration")},
        {QStringLiteral("adapter"),
         QStringLiteral("the adapter is a factory function: set ServerOptions::adapter in "
                        "code, or \"store\" to a RedisCluster")},
    };
    return reasons;
}

// 0.9 names accepted only with the value that means "nothing to do", and why.
struct NoOp
{
    QVariant value;
    const char *reason;
};
const QHash<QString, NoOp> &noOps()
{
    static const QHash<QString, NoOp> noOps = {
        {QStringLiteral("log colors"),
         {false, "Qt's message handler does not color; set QT_MESSAGE_PATTERN instead"}},
        {QStringLiteral("match origin protocol"),
         {false, "the served client builds its own URLs from the page's"}},
        {QStringLiteral("flash policy server"),
         {false, "the \"flashsocket\" transport is not implemented"}},
    };
    return noOps;
}

// The 0.9 names that are one plain field, read and written through the same table.
const QHash<QString, bool Legacy09Options::*> &legacyFlags()
{
    static const QHash<QString, bool Legacy09Options::*> flags = {
        {QStringLiteral("browser client minification"), &Legacy09Options::clientMinification},
        {QStringLiteral("browser client etag"), &Legacy09Options::clientEtag},
        {QStringLiteral("browser client gzip"), &Legacy09Options::clientGzip},
        {QStringLiteral("browser client cache"), &Legacy09Options::clientCache},
        {QStringLiteral("log"), &Legacy09Options::log},
    };
    return flags;
}

const QHash<QString, int Protocol09Options::*> &protocol09Seconds()
{
    static const QHash<QString, int Protocol09Options::*> seconds = {
        {QStringLiteral("close timeout"), &Protocol09Options::closeTimeout},
        {QStringLiteral("polling duration"), &Protocol09Options::pollingDuration},
    };
    return seconds;
}

// A function option: false clears it; a QVariant holding the function sets it.
template<typename Function>
void readFunction(OptionReader &r, const QString &key, const QVariant &value, Function *out,
                  const char *what)
{
    if (value.typeId() == QMetaType::Bool && !value.toBool())
        *out = nullptr;
    else if (value.canConvert<Function>())
        *out = value.value<Function>();
    else
        r.fail(key, what);
}

int editDistance(const QString &a, const QString &b)
{
    QList<int> row(b.size() + 1);
    for (int j = 0; j <= b.size(); ++j)
        row[j] = j;
    for (int i = 1; i <= a.size(); ++i) {
        int diagonal = row[0];
        row[0] = i;
        for (int j = 1; j <= b.size(); ++j) {
            const int above = row[j];
            const int cost = a.at(i - 1).toLower() == b.at(j - 1).toLower() ? 0 : 1;
            row[j] = std::min({row[j] + 1, row[j - 1] + 1, diagonal + cost});
            diagonal = above;
        }
    }
    return row[b.size()];
}

QString unknownName(const QString &name)
{
    // Spaces and dashes are how 0.9 spelled what is camelCase now.
    QString squashed = name;
    squashed.remove(u' ').remove(u'-');
    QString best;
    int bestDistance = std::numeric_limits<int>::max();
    for (const QStringList *names : {&serverNames(), &engineNames()}) {
        for (const QString &candidate : *names) {
            const int distance =
                std::min(editDistance(name, candidate), editDistance(squashed, candidate));
            if (distance < bestDistance) {
                bestDistance = distance;
                best = candidate;
            }
        }
    }
    return QStringLiteral("unknown option \"%1\" (the closest option is \"%2\")").arg(name, best);
}

// "host:port", "host:*", "*:port" or "*:*".
bool isOriginEntry(const QString &entry)
{
    static const QRegularExpression pattern(QStringLiteral("^([^:/\\s]+|\\*):(\\d{1,5}|\\*)$"));
    return pattern.match(entry).hasMatch();
}

} // namespace

OptionMapper::OptionMapper(const ServerOptions &base)
    : m_options(base)
    , m_protocol09(base.protocol09())
    , m_legacy09(base.legacy09())
{}

bool OptionMapper::isKnown(const QString &name)
{
    // The 0.9 names beyond the tables (legacyFlags(), protocol09Seconds(), ...).
    static const QStringList legacy = {
        QStringLiteral("origins"),
        QStringLiteral("authorization"),
        QStringLiteral("store"),
        QStringLiteral("resource"),
        QStringLiteral("transports"),
        QStringLiteral("heartbeats"),
        QStringLiteral("heartbeat interval"),
        QStringLiteral("heartbeat timeout"),
        QStringLiteral("destroy upgrade"),
        QStringLiteral("destroy buffer size"),
        QStringLiteral("browser client"),
        QStringLiteral("browser client expires"),
        QStringLiteral("browser client handler"),
        QStringLiteral("log level"),
        QStringLiteral("blacklist"),
    };
    return legacy.contains(name) || legacyFlags().contains(name) ||
           protocol09Seconds().contains(name) || serverNames().contains(name) ||
           engineNames().contains(name) || refusals().contains(name) || noOps().contains(name);
}

bool OptionMapper::changesAtRunTime(const QString &name)
{
    // Read per request (the client files, the gate's authorization) or applied at once (the
    // logging rules); everything else is copied into the engine when the server listens.
    // The plain flags (legacyFlags()) are all of the first kind.
    static const QStringList names = {
        QStringLiteral("browser client"),
        QStringLiteral("serveClient"),
        QStringLiteral("browser client expires"),
        QStringLiteral("browser client handler"),
        QStringLiteral("authorization"),
        QStringLiteral("log level"),
        QStringLiteral("log colors"),
    };
    return names.contains(name) || legacyFlags().contains(name);
}

bool OptionMapper::apply(const QString &name, const QVariant &value)
{
    QString problem;
    const QVariantMap one{{name, value}};
    OptionReader r(one, &problem);
    applyOne(r, name, value);
    if (problem.isEmpty())
        return true;
    m_problems.append(problem);
    return false;
}

void OptionMapper::applyOne(OptionReader &r, const QString &key, const QVariant &value)
{
    const auto legacy = [this]() -> Legacy09Options & {
        m_touchedLegacy = true;
        return m_legacy09;
    };
    const auto protocol09 = [this]() -> Protocol09Options & {
        m_touched09 = true;
        return m_protocol09;
    };
    if (const auto refused = refusals().constFind(key); refused != refusals().cend()) {
        r.failWith(QStringLiteral("option \"%1\" is not supported: %2").arg(key, *refused));
    } else if (const auto noOp = noOps().constFind(key); noOp != noOps().cend()) {
        bool flag = false;
        if (r.boolean(key, &flag) && flag != noOp->value.toBool())
            r.failWith(QStringLiteral("option \"%1\" can only be %2: %3")
                           .arg(key, noOp->value.toBool() ? u"true" : u"false",
                                QString::fromLatin1(noOp->reason)));
    } else if (key == u"serveClient" || key == u"browser client") {
        r.boolean(key, &m_options.serveClient);
    } else if (const auto flag = legacyFlags().constFind(key); flag != legacyFlags().cend()) {
        r.boolean(key, &(legacy().**flag));
    } else if (const auto field = protocol09Seconds().constFind(key);
               field != protocol09Seconds().cend()) {
        r.integer(key, &(protocol09().**field), 0);
    } else if (key == u"browser client expires") {
        r.integer(key, &legacy().clientExpires, 0);
    } else if (key == u"browser client handler") {
        readFunction(r, key, value, &legacy().clientHandler,
                     "false or a Legacy09Options::ClientHandler");
    } else if (key == u"authorization") {
        readFunction(r, key, value, &legacy().authorization,
                     "false or a Legacy09Options::Authorization");
    } else if (key == u"log level") {
        int level = 3;
        if (r.integer(key, &level, 0, 3))
            legacy().logLevel = level;
    } else if (key == u"clientDirectory") {
        r.string(key, &m_options.clientDirectory);
    } else if (key == u"resource") {
        QString path;
        if (r.string(key, &path))
            m_engine.insert(QStringLiteral("path"), path);
    } else if (key == u"parser") {
        QString name;
        if (r.oneOf(key, &name, {QStringLiteral("default"), QStringLiteral("msgpack")}))
            m_options.parser = Parser::byName(name);
    } else if (key == u"connectTimeout") {
        r.integer(key, &m_options.connectTimeout, 1);
    } else if (key == u"workers") {
        r.integer(key, &m_options.workers, 0, 26);
    } else if (key == u"cleanupEmptyChildNamespaces") {
        r.boolean(key, &m_options.cleanupEmptyChildNamespaces);
    } else if (key == u"connectionStateRecovery") {
        if (value.typeId() == QMetaType::Bool) {
            m_options.connectionStateRecovery.reset();
            if (value.toBool())
                m_options.connectionStateRecovery = ConnectionStateRecoveryOptions();
            return;
        }
        QVariantMap sub;
        if (value.typeId() != QMetaType::QVariantMap || !r.object(key, &sub)) {
            r.fail(key, "true, false or an object");
            return;
        }
        ConnectionStateRecoveryOptions recovery;
        QString problem;
        OptionReader sr(sub, &problem, QStringLiteral("connectionStateRecovery."));
        if (sr.known(
                {QStringLiteral("maxDisconnectionDuration"), QStringLiteral("skipMiddlewares")}) &&
            sr.integer(QStringLiteral("maxDisconnectionDuration"),
                       &recovery.maxDisconnectionDuration, 1) &&
            sr.boolean(QStringLiteral("skipMiddlewares"), &recovery.skipMiddlewares)) {
            m_options.connectionStateRecovery = recovery;
        } else {
            r.failWith(problem);
        }
    } else if (key == u"heartbeat interval" || key == u"heartbeat timeout") {
        // 0.9 counted seconds; both the modern engine and the 0.9 protocol take it.
        double seconds = 0;
        if (r.real(key, &seconds, 0.001, std::numeric_limits<int>::max() / 1000)) {
            const bool interval = key == u"heartbeat interval";
            m_engine.insert(interval ? QStringLiteral("pingInterval")
                                     : QStringLiteral("pingTimeout"),
                            qRound(seconds * 1000));
            // The 0.9 handshake counts whole seconds.
            (interval ? protocol09().heartbeatInterval : protocol09().heartbeatTimeout) =
                qMax(1, qRound(seconds));
        }
    } else if (key == u"heartbeats") {
        r.boolean(key, &protocol09().heartbeats);
    } else if (key == u"destroy upgrade") {
        bool destroy = true;
        if (r.boolean(key, &destroy))
            m_engine.insert(QStringLiteral("destroyUpgrade"), destroy);
    } else if (key == u"destroy buffer size") {
        qint64 bytes = 0;
        if (r.number(key, &bytes, 1))
            m_engine.insert(QStringLiteral("maxHttpBufferSize"), bytes);
    } else if (key == u"origins") {
        setOrigins(r, key, value);
    } else if (key == u"transports") {
        setTransports(r, key);
    } else if (key == u"store") {
        setStore(r, key, value);
    } else if (key == u"blacklist") {
        // 0.9's default, ["disconnect"], is what the modern server always refuses.
        QStringList events;
        if (r.strings(key, &events) &&
            !std::all_of(events.cbegin(), events.cend(), [](const QString &event) {
                return event == u"disconnect" || event == u"connect" || event == u"disconnecting" ||
                       event == u"newListener" || event == u"removeListener" ||
                       event == u"connect_error";
            })) {
            r.failWith(QStringLiteral(
                "option \"blacklist\" only takes reserved event names (\"disconnect\", ...), "
                "which are always refused: filter other events in a Socket::use middleware"));
        }
    } else if (engineNames().contains(key)) {
        // Checked alone now, so that every problem is reported; read together in result().
        QString problem;
        EngineOptions::fromVariantMap({{key, value}}, &problem);
        if (problem.isEmpty())
            m_engine.insert(key, value);
        else
            r.failWith(problem);
    } else {
        r.failWith(unknownName(key));
    }
}

void OptionMapper::setOrigins(OptionReader &r, const QString &key, const QVariant &value)
{
    QStringList origins;
    if (value.typeId() == QMetaType::QString)
        origins = value.toString().split(u' ', Qt::SkipEmptyParts);
    else if (!r.strings(key, &origins))
        return;
    for (QString &origin : origins) {
        if (!isOriginEntry(origin)) {
            r.failWith(QStringLiteral("option \"origins\": \"%1\" is not \"host:port\" (with * "
                                      "for any host or port); origin URLs go in \"cors\"")
                           .arg(origin));
            return;
        }
        origin = origin.toLower();
    }
    if (origins.isEmpty()) {
        r.fail(key, "\"host:port\" entries");
        return;
    }
    m_touchedLegacy = true;
    m_legacy09.origins = origins;
    // 0.9 echoed the Origin of every request it allowed, with credentials.
    CorsOptions cors;
    cors.credentials = true;
    if (origins.contains(QStringLiteral("*:*"))) {
        cors.origin = CorsOptions::Origin::Reflect;
    } else {
        cors.origin = CorsOptions::Origin::Callback;
        cors.originCallback = [origins](const QString &origin,
                                        const CorsOptions::OriginDecision &decide) {
            decide({}, Legacy09::originAllowed(origins, origin.toUtf8(), false));
        };
    }
    m_options.engine.cors = cors;
}

void OptionMapper::setTransports(OptionReader &r, const QString &key)
{
    QStringList names;
    if (!r.strings(key, &names))
        return;
    QStringList engine;
    QStringList protocol09;
    const auto add = [](QStringList &list, const QString &name) {
        if (!list.contains(name))
            list.append(name);
    };
    for (const QString &name : std::as_const(names)) {
        if (name == u"websocket") {
            add(engine, name);
            add(protocol09, name);
        } else if (name == u"xhr-polling" || name == u"jsonp-polling") {
            add(engine, QStringLiteral("polling"));
            add(protocol09, name);
        } else if (name == u"polling") {
            add(engine, name);
            add(protocol09, QStringLiteral("xhr-polling"));
            add(protocol09, QStringLiteral("jsonp-polling"));
        } else if (name == u"htmlfile" || name == u"flashsocket") {
            qCWarning(lcServer, "transport \"%s\" is not implemented: dropped from \"transports\"",
                      qUtf8Printable(name));
        } else {
            // Modern names ("webtransport", typos) get EngineOptions's own reason.
            add(engine, name);
        }
    }
    if (engine.isEmpty()) {
        r.failWith(QStringLiteral("option \"transports\": no usable transport left (htmlfile "
                                  "and flashsocket are not implemented)"));
        return;
    }
    m_engine.insert(QStringLiteral("transports"), engine);
    m_touched09 = true;
    m_protocol09.transports = protocol09;
}

void OptionMapper::setStore(OptionReader &r, const QString &key, const QVariant &value)
{
    if (value.typeId() == QMetaType::QString && value.toString() == u"MemoryStore") {
        m_options.adapter = nullptr;
        return;
    }
#if SOCKETIO_REDIS
    if (auto *cluster = qobject_cast<RedisCluster *>(value.value<QObject *>())) {
        m_options.adapter = cluster->adapterFactory();
        return;
    }
    r.failWith(QStringLiteral("option \"store\": expected \"MemoryStore\" or a RedisCluster "
                              "(QVariant::fromValue(cluster)), whose adapter replaces 0.9's "
                              "RedisStore"));
#else
    Q_UNUSED(value);
    r.failWith(QStringLiteral("option \"store\": expected \"MemoryStore\"; 0.9's RedisStore is "
                              "replaced by the Redis adapter (RedisCluster), which this build "
                              "lacks: configure with -DSOCKETIO_REDIS=ON"));
#endif
    Q_UNUSED(key);
}

ServerOptions OptionMapper::result()
{
    if (!m_engine.isEmpty()) {
        QVariantMap merged = m_options.engine.toVariantMap();
        for (auto it = m_engine.cbegin(); it != m_engine.cend(); ++it)
            merged.insert(it.key(), it.value());
        QString problem;
        EngineOptions engine = EngineOptions::fromVariantMap(merged, &problem);
        if (problem.isEmpty()) {
            // toVariantMap() gives cors and cookie as booleans: keep the objects.
            if (!m_engine.contains(QStringLiteral("cors")))
                engine.cors = m_options.engine.cors;
            if (!m_engine.contains(QStringLiteral("cookie")))
                engine.cookie = m_options.engine.cookie;
            m_options.engine = engine;
        } else {
            m_problems.append(problem);
        }
        m_engine.clear();
    }
    if (m_touched09)
        m_options.setProtocol09(m_protocol09);
    if (m_touchedLegacy)
        m_options.setLegacy09(m_legacy09);
    return m_options;
}

QVariant OptionMapper::value(const ServerOptions &options, const QString &name)
{
    const Protocol09Options p09 = options.protocol09();
    const Legacy09Options l09 = options.legacy09();
    if (engineNames().contains(name))
        return options.engine.toVariantMap().value(name);
    if (name == u"serveClient" || name == u"browser client")
        return options.serveClient;
    if (name == u"clientDirectory")
        return options.clientDirectory;
    if (name == u"parser")
        return options.parser ? options.parser->name() : QString();
    if (name == u"connectTimeout")
        return options.connectTimeout;
    if (name == u"workers")
        return options.workers;
    if (name == u"cleanupEmptyChildNamespaces")
        return options.cleanupEmptyChildNamespaces;
    if (name == u"connectionStateRecovery")
        return options.connectionStateRecovery.has_value();
    if (name == u"resource")
        return options.engine.path;
    if (name == u"heartbeat interval")
        return p09.heartbeatInterval;
    if (name == u"heartbeat timeout")
        return p09.heartbeatTimeout;
    if (const auto field = protocol09Seconds().constFind(name); field != protocol09Seconds().cend())
        return p09.**field;
    if (const auto flag = legacyFlags().constFind(name); flag != legacyFlags().cend())
        return l09.**flag;
    if (name == u"heartbeats")
        return p09.heartbeats;
    if (name == u"destroy upgrade")
        return options.engine.destroyUpgrade;
    if (name == u"destroy buffer size")
        return options.engine.maxHttpBufferSize;
    if (name == u"origins")
        return l09.origins;
    if (name == u"authorization")
        return l09.authorization ? QVariant::fromValue(l09.authorization) : QVariant(false);
    if (name == u"browser client expires")
        return l09.clientExpires;
    if (name == u"browser client handler")
        return l09.clientHandler ? QVariant::fromValue(l09.clientHandler) : QVariant(false);
    if (name == u"log level")
        return l09.logLevel ? QVariant(*l09.logLevel) : QVariant();
    if (name == u"store")
        return options.adapter ? QVariant() : QVariant(QStringLiteral("MemoryStore"));
    if (name == u"blacklist")
        return QStringList{QStringLiteral("disconnect")};
    if (const auto noOp = noOps().constFind(name); noOp != noOps().cend())
        return noOp->value;
    return {};
}

namespace Legacy09 {

bool originAllowed(const QStringList &origins, const QByteArray &origin, bool log)
{
    if (origins.contains(QStringLiteral("*:*")))
        return true;
    if (origin.isEmpty() || origin == "null") {
        if (log)
            qCWarning(lcServer, "origin missing from the request, yet required by \"origins\"");
        return false;
    }
    const QUrl url(QString::fromUtf8(origin));
    if (!url.isValid() || url.host().isEmpty()) {
        if (log)
            qCWarning(lcServer, "illegal origin: %s", origin.constData());
        return false;
    }
    const QString scheme = url.scheme();
    const int port = url.port(scheme == u"https" || scheme == u"wss" ? 443 : 80);
    const QString host = url.host();
    const QString portText = QString::number(port);
    const bool ok = origins.contains(host + u':' + portText) ||
                    origins.contains(host + QStringLiteral(":*")) ||
                    origins.contains(QStringLiteral("*:") + portText);
    if (!ok && log)
        qCWarning(lcServer, "illegal origin: %s", origin.constData());
    return ok;
}

QVariantMap handshakeData(const HttpRequest &request)
{
    QVariantMap headers;
    for (const auto &[name, value] : request.headers())
        headers.insert(QString::fromLatin1(name), QString::fromUtf8(value));
    QVariantMap query;
    const auto items = request.query().queryItems(QUrl::FullyDecoded);
    for (const auto &[name, value] : items)
        query.insert(name, value);
    const QDateTime now = QDateTime::currentDateTime();
    return {
        {QStringLiteral("headers"), headers},
        {QStringLiteral("time"), now.toString(Qt::TextDate)},
        {QStringLiteral("address"),
         QVariantMap{{QStringLiteral("address"), request.peerAddress().toString()},
                     {QStringLiteral("port"), request.peerPort()}}},
        {QStringLiteral("xdomain"), request.hasHeader("origin")},
        {QStringLiteral("secure"), request.isSecure()},
        {QStringLiteral("issued"), now.toMSecsSinceEpoch()},
        {QStringLiteral("url"), QString::fromUtf8(request.target())},
        {QStringLiteral("query"), query},
    };
}

void applyLogging(const Legacy09Options &options)
{
    if (!options.log) {
        QLoggingCategory::setFilterRules(QStringLiteral("socketio.*=false"));
        return;
    }
    if (!options.logLevel)
        return;
    const int level = *options.logLevel;
    const auto on = [level](int from) { return level >= from ? u"true" : u"false"; };
    // Qt has no error level apart from warning (the library's errors are warnings): 0
    // ("error") and 1 ("warn") both keep warnings.
    QLoggingCategory::setFilterRules(QStringLiteral("socketio.*.critical=true\n"
                                                    "socketio.*.warning=true\n"
                                                    "socketio.*.info=%1\n"
                                                    "socketio.*.debug=%2")
                                         .arg(on(2), on(3)));
}

} // namespace Legacy09

} // namespace SocketIO
