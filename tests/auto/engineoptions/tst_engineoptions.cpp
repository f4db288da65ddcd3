// EngineOptions: the defaults of Node's engine.io 6.6, validation, the variant-map (JSON)
// form, and how EngineServer refuses options it cannot honour.
#include <SocketIO/EngineOptions>
#include <SocketIO/EngineServer>

#include <QtTest/QSignalSpy>
#include <QtTest/QTest>

using namespace SocketIO;

Q_DECLARE_METATYPE(SocketIO::EngineOptions)

namespace {
QVariantMap map(std::initializer_list<std::pair<QString, QVariant>> items)
{
    QVariantMap out;
    for (const auto &item : items)
        out.insert(item.first, item.second);
    return out;
}

// What a check of parsed options answers: the field as a variant, for QCOMPARE.
using Getter = std::function<QVariant(const EngineOptions &)>;
} // namespace

Q_DECLARE_METATYPE(Getter)

class tst_EngineOptions : public QObject
{
    Q_OBJECT

private Q_SLOTS:
    void defaults();
    void routePath_data();
    void routePath();
    void validate_data();
    void validate();

    void fromVariantMap_data();
    void fromVariantMap();
    void fromVariantMapEmpty();
    void fromVariantMapCors();
    void fromVariantMapCookie();
    void fromVariantMapRejects_data();
    void fromVariantMapRejects();
    void perMessageDeflateDocumentedExample();
    void fromVariantMapAllowRequest();
    void toVariantMapRoundTrip_data();
    void toVariantMapRoundTrip();

    void serverSetOptionsRefuses_data();
    void serverSetOptionsRefuses();
    void serverListenRefuses();
    void serverSetOptionsAfterListen();
};

void tst_EngineOptions::defaults()
{
    const EngineOptions o;
    QCOMPARE(o.pingInterval, 25000);
    QCOMPARE(o.pingTimeout, 20000);
    QCOMPARE(o.upgradeTimeout, 10000);
    QCOMPARE(o.maxHttpBufferSize, qint64(1000000));
    QCOMPARE(o.maxWriteBufferSize, qint64(16 * 1024 * 1024));
    QCOMPARE(o.transports, (QStringList{QStringLiteral("polling"), QStringLiteral("websocket")}));
    QCOMPARE(o.allowUpgrades, true);
    QCOMPARE(o.perMessageDeflate, false);
    QVERIFY(o.httpCompression.has_value());
    QCOMPARE(o.httpCompression->threshold, qint64(1024));
    QVERIFY(!o.cookie.has_value());
    QVERIFY(!o.cors.has_value());
    QCOMPARE(o.allowEIO3, false);
    QCOMPARE(o.path, QStringLiteral("/engine.io"));
    QCOMPARE(o.addTrailingSlash, true);
    QCOMPARE(o.destroyUpgrade, true);
    QCOMPARE(o.destroyUpgradeTimeout, 1000);
    QVERIFY(o.initialPacket.isEmpty());
#if SOCKETIO_LEAN_ENGINE
    QCOMPARE(o.wsEngine, QStringLiteral("lean"));
#else
    QCOMPARE(o.wsEngine, QStringLiteral("qt")); // the one engine of this build
#endif
    // Node's http.Server limits.
    QCOMPARE(o.http.maxHeaderSize, 16 * 1024);
    QCOMPARE(o.http.keepAliveTimeout, 5000);
    // HTTP/2 is opt-in; once chosen, HTTP/1.1 clients are refused unless allowed (Node's
    // allowHTTP1 default); 100 streams per connection.
    QVERIFY(!o.http.http2());
    QVERIFY(!o.http.allowHTTP1());
    QCOMPARE(o.http.maxConcurrentStreams(), 100);
    QCOMPARE(o.validate(), QString());
    QCOMPARE(o.routePath(), QStringLiteral("/engine.io/"));
}

void tst_EngineOptions::routePath_data()
{
    QTest::addColumn<QString>("path");
    QTest::addColumn<bool>("addTrailingSlash");
    QTest::addColumn<QString>("expected");
    QTest::addRow("default") << "/engine.io" << true << "/engine.io/";
    QTest::addRow("no trailing slash") << "/engine.io" << false << "/engine.io";
    QTest::addRow("slash given, added") << "/socket.io/" << true << "/socket.io/";
    QTest::addRow("slash given, not added") << "/socket.io/" << false << "/socket.io";
    QTest::addRow("nested") << "/api/v1/rt" << true << "/api/v1/rt/";
    QTest::addRow("root") << "/" << true << "/";
}

void tst_EngineOptions::routePath()
{
    QFETCH(QString, path);
    QFETCH(bool, addTrailingSlash);
    QFETCH(QString, expected);
    EngineOptions o;
    o.path = path;
    o.addTrailingSlash = addTrailingSlash;
    QCOMPARE(o.routePath(), expected);
}

void tst_EngineOptions::validate_data()
{
    QTest::addColumn<EngineOptions>("options");
    QTest::addColumn<QStringList>("mentions"); // empty: the options are valid
    EngineOptions o;
    QTest::addRow("defaults") << o << QStringList();
    {
        EngineOptions v;
        v.transports = {QStringLiteral("websocket")};
        v.cors = CorsOptions();
        v.cors->origin = CorsOptions::Origin::Reflect;
        v.cors->credentials = true;
        v.cookie = CookieOptions();
        v.allowEIO3 = true;
        QTest::addRow("valid non-defaults") << v << QStringList();
    }
    {
        EngineOptions v;
        v.transports = {QStringLiteral("polling"), QStringLiteral("webtransport")};
        QTest::addRow("webtransport") << v << QStringList{"webtransport", "HTTP/3"};
        v.transports = {QStringLiteral("polling"), QStringLiteral("flashsocket")};
        QTest::addRow("unknown transport") << v << QStringList{"flashsocket", "transport"};
        v.transports.clear();
        QTest::addRow("no transport") << v << QStringList{"transports"};
    }
    {
        EngineOptions v;
        v.perMessageDeflate = true;
        v.wsEngine = QStringLiteral("qt");
        QTest::addRow("perMessageDeflate on qt") << v << QStringList{"perMessageDeflate", "qt"};
#if SOCKETIO_LEAN_ENGINE
        v.wsEngine = QStringLiteral("lean");
        QTest::addRow("perMessageDeflate on lean") << v << QStringList();
        PerMessageDeflateOptions deflate;
        deflate.serverMaxWindowBits = 16;
        v.setPerMessageDeflateOptions(deflate);
        QTest::addRow("perMessageDeflate window 16") << v << QStringList{"window bits"};
        deflate = PerMessageDeflateOptions();
        deflate.level = 10;
        v.setPerMessageDeflateOptions(deflate);
        QTest::addRow("perMessageDeflate level 10") << v << QStringList{"level"};
        deflate = PerMessageDeflateOptions();
        deflate.threshold = -1;
        v.setPerMessageDeflateOptions(deflate);
        QTest::addRow("perMessageDeflate threshold -1") << v << QStringList{"threshold"};
#endif
    }
    {
        EngineOptions v;
        v.wsEngine = QStringLiteral("qt");
        QTest::addRow("wsEngine qt") << v << QStringList();
        v.wsEngine = QStringLiteral("lean");
#if SOCKETIO_LEAN_ENGINE
        QTest::addRow("wsEngine lean") << v << QStringList();
#else
        // Refused, with the reason: the build left it out.
        QTest::addRow("wsEngine lean, not built")
            << v << QStringList{"lean", "SOCKETIO_LEAN_ENGINE=OFF", "qt"};
#endif
    }
    for (const char *engine : {"ws", "eiows", "uws", "uWebSockets.js"}) {
        EngineOptions v;
        v.wsEngine = QString::fromLatin1(engine);
        QTest::addRow("wsEngine %s", engine)
            << v << QStringList{"wsEngine", QString::fromLatin1(engine)};
    }
    {
        EngineOptions v;
        v.cors = CorsOptions();
        v.cors->credentials = true;
        QTest::addRow("cors origin any + credentials") << v << QStringList{"credentials", "cors"};
        v.cors->origin = CorsOptions::Origin::Callback;
        QTest::addRow("cors callback missing") << v << QStringList{"callback"};
    }
    for (int value : {0, -1}) {
        EngineOptions v;
        v.pingInterval = value;
        QTest::addRow("pingInterval %d", value) << v << QStringList{"pingInterval"};
    }
    {
        EngineOptions v;
        v.pingTimeout = 0;
        QTest::addRow("pingTimeout 0") << v << QStringList{"pingTimeout"};
    }
    {
        EngineOptions v;
        v.maxHttpBufferSize = 0;
        QTest::addRow("maxHttpBufferSize 0") << v << QStringList{"maxHttpBufferSize"};
    }
    {
        EngineOptions v;
        v.maxWriteBufferSize = -1;
        QTest::addRow("maxWriteBufferSize -1") << v << QStringList{"maxWriteBufferSize"};
    }
    for (const char *path : {"engine.io", "", "http://x/engine.io"}) {
        EngineOptions v;
        v.path = QString::fromLatin1(path);
        QTest::addRow("path \"%s\"", path) << v << QStringList{"path", "/"};
    }
    {
        EngineOptions v;
        HttpCompressionOptions compression;
        compression.threshold = -1;
        v.httpCompression = compression;
        QTest::addRow("negative compression threshold") << v << QStringList{"threshold"};
    }
    const auto zlibRow = [](const char *name, const std::function<void(ZlibOptions &)> &set,
                            const QStringList &words) {
        EngineOptions v;
        ZlibOptions zlib;
        set(zlib);
        v.httpCompression->setZlib(zlib);
        QTest::addRow("zlib %s", name) << v << words;
    };
    zlibRow("level 10", [](ZlibOptions &z) { z.level = 10; }, {"httpCompression.level", "9"});
    zlibRow("windowBits 7", [](ZlibOptions &z) { z.windowBits = 7; },
            {"httpCompression.windowBits", "8"});
    zlibRow("memLevel 0", [](ZlibOptions &z) { z.memLevel = 0; }, {"httpCompression.memLevel"});
    zlibRow("strategy 5", [](ZlibOptions &z) { z.strategy = 5; }, {"httpCompression.strategy"});
    zlibRow("chunkSize 63", [](ZlibOptions &z) { z.chunkSize = 63; },
            {"httpCompression.chunkSize", "64"});
}

void tst_EngineOptions::validate()
{
    QFETCH(EngineOptions, options);
    QFETCH(QStringList, mentions);
    const QString problem = options.validate();
    if (mentions.isEmpty()) {
        QCOMPARE(problem, QString());
        return;
    }
    QVERIFY(!problem.isEmpty());
    QVERIFY2(problem.size() > 20, qPrintable(problem)); // a sentence, not a code
    for (const QString &word : std::as_const(mentions))
        QVERIFY2(problem.contains(word), qPrintable(problem + QStringLiteral(" lacks ") + word));
}

void tst_EngineOptions::fromVariantMap_data()
{
    QTest::addColumn<QString>("key");
    QTest::addColumn<QVariant>("value");
    QTest::addColumn<Getter>("get");
    QTest::addColumn<QVariant>("expected");

    // JSON numbers arrive as doubles; C++ callers pass ints.
    QTest::addRow("pingInterval") << "pingInterval" << QVariant(1000.0)
                                  << Getter([](auto &o) { return QVariant(o.pingInterval); })
                                  << QVariant(1000);
    QTest::addRow("pingTimeout") << "pingTimeout" << QVariant(500)
                                 << Getter([](auto &o) { return QVariant(o.pingTimeout); })
                                 << QVariant(500);
    QTest::addRow("upgradeTimeout")
        << "upgradeTimeout" << QVariant(0)
        << Getter([](auto &o) { return QVariant(o.upgradeTimeout); }) << QVariant(0);
    QTest::addRow("maxHttpBufferSize")
        << "maxHttpBufferSize" << QVariant(1e8)
        << Getter([](auto &o) { return QVariant(o.maxHttpBufferSize); })
        << QVariant(qint64(100000000));
    QTest::addRow("maxWriteBufferSize")
        << "maxWriteBufferSize" << QVariant(65536)
        << Getter([](auto &o) { return QVariant(o.maxWriteBufferSize); })
        << QVariant(qint64(65536));
    QTest::addRow("maxWriteBufferSize 0 (no limit)")
        << "maxWriteBufferSize" << QVariant(0)
        << Getter([](auto &o) { return QVariant(o.maxWriteBufferSize); }) << QVariant(qint64(0));
    QTest::addRow("transports list")
        << "transports" << QVariant(QVariantList{QStringLiteral("websocket")})
        << Getter([](auto &o) { return QVariant(o.transports); })
        << QVariant(QStringList{QStringLiteral("websocket")});
    QTest::addRow("transports string list")
        << "transports"
        << QVariant(QStringList{QStringLiteral("websocket"), QStringLiteral("polling")})
        << Getter([](auto &o) { return QVariant(o.transports); })
        << QVariant(QStringList{QStringLiteral("websocket"), QStringLiteral("polling")});
    QTest::addRow("allowUpgrades")
        << "allowUpgrades" << QVariant(false)
        << Getter([](auto &o) { return QVariant(o.allowUpgrades); }) << QVariant(false);
    QTest::addRow("perMessageDeflate false")
        << "perMessageDeflate" << QVariant(false)
        << Getter([](auto &o) { return QVariant(o.perMessageDeflate); }) << QVariant(false);
    QTest::addRow("httpCompression false")
        << "httpCompression" << QVariant(false)
        << Getter([](auto &o) { return QVariant(o.httpCompression.has_value()); })
        << QVariant(false);
    QTest::addRow("httpCompression true")
        << "httpCompression" << QVariant(true)
        << Getter([](auto &o) { return QVariant(o.httpCompression->threshold); })
        << QVariant(qint64(1024));
    QTest::addRow("httpCompression object")
        << "httpCompression" << QVariant(map({{"threshold", 2048.0}}))
        << Getter([](auto &o) { return QVariant(o.httpCompression->threshold); })
        << QVariant(qint64(2048));
    // The example of engine.io's documentation: threshold and zlib options together.
    QTest::addRow("httpCompression zlib options")
        << "httpCompression"
        << QVariant(map({{"threshold", 2048.0},
                         {"level", 9.0},
                         {"windowBits", 14.0},
                         {"memLevel", 7.0},
                         {"strategy", 1.0},
                         {"chunkSize", 8192.0}}))
        << Getter([](auto &o) {
               const ZlibOptions z = o.httpCompression->zlib();
               return QVariant(QVariantList{o.httpCompression->threshold, z.level, z.windowBits,
                                            z.memLevel, z.strategy, z.chunkSize});
           })
        << QVariant(QVariantList{qint64(2048), 9, 14, 7, 1, 8192});
    QTest::addRow("wsEngine") << "wsEngine" << QVariant(QStringLiteral("qt"))
                              << Getter([](auto &o) { return QVariant(o.wsEngine); })
                              << QVariant(QStringLiteral("qt"));
    QTest::addRow("initialPacket") << "initialPacket" << QVariant(QStringLiteral("h\u00e9"))
                                   << Getter([](auto &o) { return QVariant(o.initialPacket); })
                                   << QVariant(QStringLiteral("h\u00e9").toUtf8());
    QTest::addRow("cookie true") << "cookie" << QVariant(true)
                                 << Getter([](auto &o) { return QVariant(o.cookie->name); })
                                 << QVariant(QStringLiteral("io"));
    QTest::addRow("cookie false") << "cookie" << QVariant(false)
                                  << Getter([](auto &o) { return QVariant(o.cookie.has_value()); })
                                  << QVariant(false);
    QTest::addRow("cookie object") << "cookie" << QVariant(map({{"name", QStringLiteral("sid")}}))
                                   << Getter([](auto &o) { return QVariant(o.cookie->name); })
                                   << QVariant(QStringLiteral("sid"));
    QTest::addRow("cors object") << "cors" << QVariant(map({{"origin", true}}))
                                 << Getter([](auto &o) { return QVariant(int(o.cors->origin)); })
                                 << QVariant(int(CorsOptions::Origin::Reflect));
    QTest::addRow("allowEIO3") << "allowEIO3" << QVariant(true)
                               << Getter([](auto &o) { return QVariant(o.allowEIO3); })
                               << QVariant(true);
    QTest::addRow("path") << "path" << QVariant(QStringLiteral("/socket.io"))
                          << Getter([](auto &o) { return QVariant(o.path); })
                          << QVariant(QStringLiteral("/socket.io"));
    QTest::addRow("addTrailingSlash")
        << "addTrailingSlash" << QVariant(false)
        << Getter([](auto &o) { return QVariant(o.addTrailingSlash); }) << QVariant(false);
    QTest::addRow("destroyUpgrade")
        << "destroyUpgrade" << QVariant(false)
        << Getter([](auto &o) { return QVariant(o.destroyUpgrade); }) << QVariant(false);
    QTest::addRow("destroyUpgradeTimeout")
        << "destroyUpgradeTimeout" << QVariant(250.0)
        << Getter([](auto &o) { return QVariant(o.destroyUpgradeTimeout); }) << QVariant(250);
}

void tst_EngineOptions::fromVariantMap()
{
    QFETCH(QString, key);
    QFETCH(QVariant, value);
    QFETCH(Getter, get);
    QFETCH(QVariant, expected);
    QString error = QStringLiteral("stale");
    const EngineOptions options = EngineOptions::fromVariantMap({{key, value}}, &error);
    QCOMPARE(error, QString());
    QCOMPARE(get(options), expected);
}

void tst_EngineOptions::fromVariantMapEmpty()
{
    QString error = QStringLiteral("stale");
    const EngineOptions options = EngineOptions::fromVariantMap({}, &error);
    QCOMPARE(error, QString());
    QCOMPARE(options.toVariantMap(), EngineOptions().toVariantMap());
    // The error pointer is optional.
    QCOMPARE(EngineOptions::fromVariantMap(map({{"pingInterval", 7}}), nullptr).pingInterval, 7);
}

void tst_EngineOptions::fromVariantMapCors()
{
    struct Row
    {
        QVariant origin;
        CorsOptions::Origin expected;
        QStringList origins;
    };
    const QList<Row> rows{
        {true, CorsOptions::Origin::Reflect, {}},
        {false, CorsOptions::Origin::Disabled, {}},
        {QStringLiteral("*"), CorsOptions::Origin::Any, {}},
        {QStringLiteral("https://a.example"),
         CorsOptions::Origin::List,
         {QStringLiteral("https://a.example")}},
        {QVariantList{QStringLiteral("https://a.example"), QStringLiteral("https://b.example")},
         CorsOptions::Origin::List,
         {QStringLiteral("https://a.example"), QStringLiteral("https://b.example")}},
    };
    for (const Row &row : rows) {
        QString error;
        const EngineOptions o =
            EngineOptions::fromVariantMap(map({{"cors", map({{"origin", row.origin}})}}), &error);
        QCOMPARE(error, QString());
        QVERIFY(o.cors);
        QCOMPARE(o.cors->origin, row.expected);
        QCOMPARE(o.cors->origins, row.origins);
    }

    QString error;
    const EngineOptions o = EngineOptions::fromVariantMap(
        map({{"cors", map({{"origin", QStringLiteral("https://a.example")},
                           {"methods", QStringLiteral("GET,POST")},
                           {"allowedHeaders", QVariantList{QStringLiteral("X-Token")}},
                           {"exposedHeaders", QStringList{QStringLiteral("X-Id")}},
                           {"credentials", true},
                           {"maxAge", 600.0},
                           {"preflightContinue", true},
                           {"optionsSuccessStatus", 200.0}})}}),
        &error);
    QCOMPARE(error, QString());
    QVERIFY(o.cors);
    QCOMPARE(o.cors->methods, (QStringList{QStringLiteral("GET"), QStringLiteral("POST")}));
    QVERIFY(o.cors->allowedHeaders);
    QCOMPARE(*o.cors->allowedHeaders, QStringList{QStringLiteral("X-Token")});
    QCOMPARE(o.cors->exposedHeaders, QStringList{QStringLiteral("X-Id")});
    QCOMPARE(o.cors->credentials, true);
    QCOMPARE(o.cors->maxAge, std::optional<int>(600));
    QCOMPARE(o.cors->preflightContinue, true);
    QCOMPARE(o.cors->optionsSuccessStatus, 200);

    // Unset allowedHeaders stays unset (reflect the request's), an empty list does not.
    const EngineOptions unset =
        EngineOptions::fromVariantMap(map({{"cors", QVariantMap()}}), &error);
    QCOMPARE(error, QString());
    QVERIFY(unset.cors);
    QVERIFY(!unset.cors->allowedHeaders);
    QCOMPARE(unset.cors->origin, CorsOptions::Origin::Any);
    const EngineOptions empty = EngineOptions::fromVariantMap(
        map({{"cors", map({{"allowedHeaders", QVariantList()}})}}), &error);
    QVERIFY(empty.cors->allowedHeaders);
}

void tst_EngineOptions::fromVariantMapCookie()
{
    QString error;
    const EngineOptions o = EngineOptions::fromVariantMap(
        map({{"cookie", map({{"name", QStringLiteral("sticky")},
                             {"path", QStringLiteral("/app")},
                             {"domain", QStringLiteral("example.com")},
                             {"httpOnly", false},
                             {"sameSite", QStringLiteral("Strict")},
                             {"secure", true},
                             {"maxAge", 3600.0},
                             {"expires", QStringLiteral("2030-01-02T03:04:05Z")},
                             {"partitioned", true},
                             {"priority", QStringLiteral("High")}})}}),
        &error);
    QCOMPARE(error, QString());
    QVERIFY(o.cookie);
    QCOMPARE(o.cookie->name, QStringLiteral("sticky"));
    QCOMPARE(o.cookie->path, QStringLiteral("/app"));
    QCOMPARE(o.cookie->domain, QStringLiteral("example.com"));
    QCOMPARE(o.cookie->httpOnly, false);
    QCOMPARE(o.cookie->sameSite, QStringLiteral("Strict"));
    QCOMPARE(o.cookie->secure, true);
    QCOMPARE(o.cookie->maxAge, std::optional<qint64>(3600));
    QVERIFY(o.cookie->expires);
    QCOMPARE(o.cookie->expires->toUTC(), QDateTime(QDate(2030, 1, 2), QTime(3, 4, 5), Qt::UTC));
    QVERIFY(o.cookie->isPartitioned());
    QCOMPARE(o.cookie->priority(), QStringLiteral("High"));

    // engine.io: `path: false` drops Path and turns httpOnly off; sameSite true is Strict.
    const EngineOptions noPath = EngineOptions::fromVariantMap(
        map({{"cookie", map({{"path", false}, {"sameSite", true}})}}), &error);
    QCOMPARE(error, QString());
    QVERIFY(noPath.cookie);
    QVERIFY(noPath.cookie->path.isEmpty());
    QCOMPARE(noPath.cookie->httpOnly, false);
    QCOMPARE(noPath.cookie->sameSite, QStringLiteral("Strict"));
}

void tst_EngineOptions::fromVariantMapRejects_data()
{
    QTest::addColumn<QVariantMap>("input");
    QTest::addColumn<QString>("mentions");
    // Wrong types name the option.
    QTest::addRow("pingInterval string")
        << map({{"pingInterval", QStringLiteral("25000")}}) << "\"pingInterval\"";
    QTest::addRow("pingTimeout bool") << map({{"pingTimeout", true}}) << "\"pingTimeout\"";
    QTest::addRow("maxHttpBufferSize string")
        << map({{"maxHttpBufferSize", QStringLiteral("1e6")}}) << "\"maxHttpBufferSize\"";
    QTest::addRow("allowUpgrades number") << map({{"allowUpgrades", 1}}) << "\"allowUpgrades\"";
    QTest::addRow("transports number") << map({{"transports", 5}}) << "\"transports\"";
    QTest::addRow("transports of numbers")
        << map({{"transports", QVariantList{1, 2}}}) << "\"transports\"";
    QTest::addRow("path number") << map({{"path", 5}}) << "\"path\"";
    QTest::addRow("wsEngine number") << map({{"wsEngine", 1}}) << "\"wsEngine\"";
    QTest::addRow("allowEIO3 string")
        << map({{"allowEIO3", QStringLiteral("true")}}) << "\"allowEIO3\"";
    QTest::addRow("destroyUpgradeTimeout string")
        << map({{"destroyUpgradeTimeout", QStringLiteral("1s")}}) << "\"destroyUpgradeTimeout\"";
    QTest::addRow("httpCompression string")
        << map({{"httpCompression", QStringLiteral("gzip")}}) << "\"httpCompression\"";
    QTest::addRow("httpCompression.threshold string")
        << map({{"httpCompression", map({{"threshold", QStringLiteral("1k")}})}})
        << "\"httpCompression.threshold\"";
    QTest::addRow("cookie number") << map({{"cookie", 5}}) << "\"cookie\"";
    QTest::addRow("cookie.secure string")
        << map({{"cookie", map({{"secure", QStringLiteral("yes")}})}}) << "\"cookie.secure\"";
    QTest::addRow("cookie.maxAge string")
        << map({{"cookie", map({{"maxAge", QStringLiteral("1h")}})}}) << "\"cookie.maxAge\"";
    QTest::addRow("cookie.encode")
        << map({{"cookie", map({{"encode", QStringLiteral("encodeURIComponent")}})}})
        << "CookieOptions::setEncode";
    QTest::addRow("cookie.priority unknown")
        << map({{"cookie", map({{"priority", QStringLiteral("urgent")}})}}) << "cookie.priority";
    QTest::addRow("cookie.name not a token")
        << map({{"cookie", map({{"name", QStringLiteral("a b")}})}}) << "cookie.name";
    QTest::addRow("cookie.expires not a date")
        << map({{"cookie", map({{"expires", QStringLiteral("tomorrow")}})}})
        << "\"cookie.expires\"";
    QTest::addRow("cors string") << map({{"cors", QStringLiteral("yes")}}) << "\"cors\"";
    QTest::addRow("cors.origin number")
        << map({{"cors", map({{"origin", 5}})}}) << "\"cors.origin\"";
    QTest::addRow("cors.credentials string")
        << map({{"cors", map({{"credentials", QStringLiteral("true")}})}})
        << "\"cors.credentials\"";
    QTest::addRow("cors.maxAge string")
        << map({{"cors", map({{"maxAge", QStringLiteral("1")}})}}) << "\"cors.maxAge\"";
    // Unknown names.
    QTest::addRow("unknown top-level") << map({{"pingIntervall", 1}}) << "\"pingIntervall\"";
    QTest::addRow("unknown cors key")
        << map({{"cors", map({{"origins", true}})}}) << "\"cors.origins\"";
    QTest::addRow("unknown cookie key")
        << map({{"cookie", map({{"samesite", true}})}}) << "\"cookie.samesite\"";
    QTest::addRow("unknown httpCompression key")
        << map({{"httpCompression", map({{"treshold", 1}})}}) << "\"httpCompression.treshold\"";
    QTest::addRow("httpCompression.windowBits out of range")
        << map({{"httpCompression", map({{"windowBits", 16}})}})
        << "\"httpCompression.windowBits\"";
    QTest::addRow("httpCompression.chunkSize too small")
        << map({{"httpCompression", map({{"chunkSize", 10}})}}) << "\"httpCompression.chunkSize\"";
    // Valid types, refused values: the validate() text comes through.
    QTest::addRow("webtransport") << map({{"transports", QStringList{"webtransport"}}})
                                  << "webtransport";
    QTest::addRow("perMessageDeflate on qt")
        << map({{"perMessageDeflate", true}, {"wsEngine", QStringLiteral("qt")}})
        << "perMessageDeflate";
    QTest::addRow("unknown perMessageDeflate key")
        << map({{"perMessageDeflate", map({{"treshold", 1024}})}})
        << "\"perMessageDeflate.treshold\"";
    QTest::addRow("perMessageDeflate.zlibDeflateOptions.level string")
        << map({{"perMessageDeflate",
                 map({{"zlibDeflateOptions", map({{"level", QStringLiteral("9")}})}})}})
        << "\"perMessageDeflate.zlibDeflateOptions.level\"";
    QTest::addRow("perMessageDeflate.zlibInflateOptions.windowBits 16")
        << map({{"perMessageDeflate", map({{"zlibInflateOptions", map({{"windowBits", 16}})}})}})
        << "\"perMessageDeflate.zlibInflateOptions.windowBits\"";
    QTest::addRow("perMessageDeflate.zlibInflateOptions.memLevel 0")
        << map({{"perMessageDeflate", map({{"zlibInflateOptions", map({{"memLevel", 0}})}})}})
        << "perMessageDeflate.zlibInflateOptions.memLevel";
#if SOCKETIO_LEAN_ENGINE
    // Range-checked with the other deflate options; without the lean engine the refusal of
    // perMessageDeflate itself comes first.
    QTest::addRow("perMessageDeflate.zlibDeflateOptions.strategy 5")
        << map({{"perMessageDeflate", map({{"zlibDeflateOptions", map({{"strategy", 5}})}})}})
        << "perMessageDeflate.zlibDeflateOptions.strategy";
#endif
    QTest::addRow("perMessageDeflate.zlibDeflateOptions.chunkSize 10")
        << map({{"perMessageDeflate", map({{"zlibDeflateOptions", map({{"chunkSize", 10}})}})}})
        << "\"perMessageDeflate.zlibDeflateOptions.chunkSize\"";
    QTest::addRow("wsEngine ws") << map({{"wsEngine", QStringLiteral("ws")}}) << "wsEngine";
    QTest::addRow("cors any + credentials")
        << map({{"cors", map({{"origin", QStringLiteral("*")}, {"credentials", true}})}})
        << "credentials";
    QTest::addRow("pingInterval 0") << map({{"pingInterval", 0}}) << "pingInterval";
    QTest::addRow("relative path") << map({{"path", QStringLiteral("engine.io")}}) << "path";
}

// The perMessageDeflate object of the documents (ws's example) loads: its zlib options that
// cannot apply here (windowBits replaced by the negotiation, chunkSize, inflate's memLevel)
// are checked, not refused.
void tst_EngineOptions::perMessageDeflateDocumentedExample()
{
    const QVariantMap input =
        map({{"perMessageDeflate",
              map({{"zlibDeflateOptions",
                    map({{"chunkSize", 1024}, {"memLevel", 7}, {"level", 3}, {"strategy", 1}})},
                   {"zlibInflateOptions", map({{"chunkSize", 10 * 1024}})},
                   {"clientNoContextTakeover", true},
                   {"serverNoContextTakeover", true},
                   {"serverMaxWindowBits", 10},
                   {"concurrencyLimit", 10},
                   {"threshold", 1024}})}});
    QString error;
    const EngineOptions options = EngineOptions::fromVariantMap(input, &error);
#if !SOCKETIO_LEAN_ENGINE
    // The "qt" engine, the only one built, has no permessage-deflate: refused, with the reason.
    QVERIFY2(error.contains(QLatin1String("wsEngine \"lean\"")), qPrintable(error));
    return;
#endif
    QVERIFY2(error.isEmpty(), qPrintable(error));
    QVERIFY(options.perMessageDeflate);
    const PerMessageDeflateOptions deflate = options.perMessageDeflateOptions();
    QCOMPARE(deflate.level, 3);
    QCOMPARE(deflate.memLevel, 7);
    QCOMPARE(deflate.strategy(), 1);
    QCOMPARE(PerMessageDeflateOptions().strategy(), 0);
    QCOMPARE(deflate.serverMaxWindowBits, 10);
    QVERIFY(deflate.clientNoContextTakeover);
    QVERIFY(deflate.serverNoContextTakeover);
}

void tst_EngineOptions::fromVariantMapRejects()
{
    QFETCH(QVariantMap, input);
    QFETCH(QString, mentions);
    QString error;
    EngineOptions::fromVariantMap(input, &error);
    QVERIFY2(error.contains(mentions), qPrintable(QStringLiteral("error: \"") + error + u'"'));
}

void tst_EngineOptions::fromVariantMapAllowRequest()
{
    QString error;
    EngineOptions::fromVariantMap(map({{"allowRequest", QStringLiteral("function")}}), &error);
    QVERIFY(error.contains(u"allowRequest"));
    QVERIFY2(error.contains(u"EngineServer::setAllowRequest"), qPrintable(error));
    // Even next to valid options.
    error.clear();
    EngineOptions::fromVariantMap(map({{"pingInterval", 1000}, {"allowRequest", true}}), &error);
    QVERIFY(error.contains(u"EngineServer::setAllowRequest"));
}

void tst_EngineOptions::toVariantMapRoundTrip_data()
{
    QTest::addColumn<EngineOptions>("options");
    QTest::addRow("defaults") << EngineOptions();
    EngineOptions o;
    o.pingInterval = 1234;
    o.pingTimeout = 567;
    o.upgradeTimeout = 89;
    o.maxHttpBufferSize = 5'000'000'000;
    o.maxWriteBufferSize = 12345;
    o.transports = {QStringLiteral("websocket")};
    o.allowUpgrades = false;
    HttpCompressionOptions compression;
    compression.threshold = 4096;
    ZlibOptions zlib;
    zlib.level = 1;
    zlib.windowBits = 10;
    zlib.memLevel = 9;
    zlib.strategy = 3;
    zlib.chunkSize = 1024;
    compression.setZlib(zlib);
    o.httpCompression = compression;
    o.initialPacket = QStringLiteral("hello \u00e9").toUtf8();
    o.allowEIO3 = true;
    o.path = QStringLiteral("/socket.io");
    o.addTrailingSlash = false;
    o.destroyUpgrade = false;
    o.destroyUpgradeTimeout = 0;
    QTest::addRow("non-defaults") << o;
    o.httpCompression.reset();
    QTest::addRow("no compression") << o;
    o.cookie = CookieOptions();
    QTest::addRow("default cookie") << o;
#if SOCKETIO_LEAN_ENGINE
    o.perMessageDeflate = true;
    QTest::addRow("perMessageDeflate") << o;
    PerMessageDeflateOptions deflate;
    deflate.threshold = 0;
    deflate.serverNoContextTakeover = true;
    deflate.clientNoContextTakeover = true;
    deflate.serverMaxWindowBits = 10;
    deflate.clientMaxWindowBits = 11;
    deflate.level = 1;
    deflate.memLevel = 9;
    deflate.concurrencyLimit = 3;
    o.setPerMessageDeflateOptions(deflate);
    QTest::addRow("perMessageDeflate settings") << o;
#endif
}

void tst_EngineOptions::toVariantMapRoundTrip()
{
    QFETCH(EngineOptions, options);
    const QVariantMap variant = options.toVariantMap();
    QCOMPARE(variant.value(QStringLiteral("pingInterval")).toInt(), options.pingInterval);
    QCOMPARE(variant.value(QStringLiteral("path")).toString(), options.path);

    QString error;
    const EngineOptions back = EngineOptions::fromVariantMap(variant, &error);
    // toVariantMap() writes "cors": false for unset CORS, which fromVariantMap() refuses.
    QCOMPARE(error, QString());
    // Whatever the error, every scalar must have been read back before the cors entry.
    QCOMPARE(back.pingInterval, options.pingInterval);
    QCOMPARE(back.pingTimeout, options.pingTimeout);
    QCOMPARE(back.upgradeTimeout, options.upgradeTimeout);
    QCOMPARE(back.maxHttpBufferSize, options.maxHttpBufferSize);
    QCOMPARE(back.maxWriteBufferSize, options.maxWriteBufferSize);
    QCOMPARE(back.transports, options.transports);
    QCOMPARE(back.allowUpgrades, options.allowUpgrades);
    QCOMPARE(back.perMessageDeflate, options.perMessageDeflate);
    const PerMessageDeflateOptions deflate = options.perMessageDeflateOptions();
    const PerMessageDeflateOptions deflateBack = back.perMessageDeflateOptions();
    if (options.perMessageDeflate) {
        QCOMPARE(deflateBack.threshold, deflate.threshold);
        QCOMPARE(deflateBack.serverNoContextTakeover, deflate.serverNoContextTakeover);
        QCOMPARE(deflateBack.clientNoContextTakeover, deflate.clientNoContextTakeover);
        QCOMPARE(deflateBack.serverMaxWindowBits, deflate.serverMaxWindowBits);
        QCOMPARE(deflateBack.clientMaxWindowBits, deflate.clientMaxWindowBits);
        QCOMPARE(deflateBack.level, deflate.level);
        QCOMPARE(deflateBack.memLevel, deflate.memLevel);
        QCOMPARE(deflateBack.concurrencyLimit, deflate.concurrencyLimit);
    }
    QCOMPARE(back.httpCompression.has_value(), options.httpCompression.has_value());
    if (options.httpCompression)
        QCOMPARE(back.httpCompression->threshold, options.httpCompression->threshold);
    QCOMPARE(back.wsEngine, options.wsEngine);
    QCOMPARE(back.initialPacket, options.initialPacket);
    QCOMPARE(back.cookie.has_value(), options.cookie.has_value());
    QCOMPARE(back.allowEIO3, options.allowEIO3);
    QCOMPARE(back.path, options.path);
    QCOMPARE(back.addTrailingSlash, options.addTrailingSlash);
    QCOMPARE(back.destroyUpgrade, options.destroyUpgrade);
    QCOMPARE(back.destroyUpgradeTimeout, options.destroyUpgradeTimeout);
    QCOMPARE(back.toVariantMap(), variant);
}

void tst_EngineOptions::serverSetOptionsRefuses_data()
{
    validate_data();
}

void tst_EngineOptions::serverSetOptionsRefuses()
{
    QFETCH(EngineOptions, options);
    QFETCH(QStringList, mentions);
    EngineServer server;
    const bool valid = mentions.isEmpty();
    QCOMPARE(server.setOptions(options), valid);
    if (valid) {
        QCOMPARE(server.error(), EngineServer::Error::NoError);
        QCOMPARE(server.options().toVariantMap(), options.toVariantMap());
        return;
    }
    QCOMPARE(server.error(), EngineServer::Error::InvalidOptions);
    QVERIFY(!server.errorString().isEmpty());
    QCOMPARE(server.errorString(), options.validate());
    // The refused options were not taken.
    QCOMPARE(server.options().toVariantMap(), EngineOptions().toVariantMap());
}

void tst_EngineOptions::serverListenRefuses()
{
    EngineOptions options;
    options.transports = {QStringLiteral("webtransport")};
    EngineServer server(options);
    QSignalSpy errors(&server, &EngineServer::errorOccurred);
    QVERIFY(!server.listen(QHostAddress::LocalHost, 0));
    QCOMPARE(server.error(), EngineServer::Error::InvalidOptions);
    QVERIFY(server.errorString().contains(u"webtransport"));
    QVERIFY(!server.isListening());
    QCOMPARE(errors.size(), 1);
    QCOMPARE(errors.first().first().value<EngineServer::Error>(),
             EngineServer::Error::InvalidOptions);

    // Fixing the options makes listen() work.
    QVERIFY(server.setOptions(EngineOptions()));
    QVERIFY(server.listen(QHostAddress::LocalHost, 0));
    QVERIFY(server.isListening());
    QVERIFY(server.serverPort() != 0);
}

void tst_EngineOptions::serverSetOptionsAfterListen()
{
    EngineServer server;
    QVERIFY(server.listen(QHostAddress::LocalHost, 0));
    EngineOptions options;
    options.pingInterval = 1000;
    QVERIFY(!server.setOptions(options));
    QCOMPARE(server.error(), EngineServer::Error::AlreadyListening);
    QVERIFY(!server.errorString().isEmpty());
    QCOMPARE(server.options().pingInterval, 25000);
}

QTEST_GUILESS_MAIN(tst_EngineOptions)
#include "tst_engineoptions.moc"
