// The three fromVariantMap() readers (EngineOptions, ServerOptions, ManagerOptions) share
// one reader: a value of the wrong type, out of range or under an unknown name is refused
// with the same message format, naming the option and what was expected.
#include <SocketIO/EngineOptions>
#include <SocketIO/ManagerOptions>
#include <SocketIO/ServerOptions>

#include <QtTest/QTest>

using namespace SocketIO;

class tst_Options : public QObject
{
    Q_OBJECT

private Q_SLOTS:
    void refused_data();
    void refused();
    void accepted_data();
    void accepted();
};

enum class Reader { Engine, Server, Manager };
Q_DECLARE_METATYPE(Reader)

static QString read(Reader reader, const QVariantMap &map)
{
    QString error;
    switch (reader) {
    case Reader::Engine:
        EngineOptions::fromVariantMap(map, &error);
        break;
    case Reader::Server:
        ServerOptions::fromVariantMap(map, &error);
        break;
    case Reader::Manager: {
        SocketOptions socket;
        ManagerOptions::fromVariantMap(map, &error, &socket);
        break;
    }
    }
    return error;
}

void tst_Options::refused_data()
{
    QTest::addColumn<Reader>("reader");
    QTest::addColumn<QVariantMap>("map");
    QTest::addColumn<QString>("error");
    const auto row = [](const char *name, Reader reader, const QString &key, const QVariant &value,
                        const QString &error) {
        QTest::addRow("%s", name) << reader << QVariantMap{{key, value}} << error;
    };
    const QString text = QStringLiteral("yes");
    const QVariant number = 5;
    const QVariant list = QVariantList{1, 2};
    const QVariant object = QVariantMap{{QStringLiteral("a"), 1}};

    // Engine.
    row("engine int given a string", Reader::Engine, QStringLiteral("pingInterval"), text,
        QStringLiteral("option \"pingInterval\": expected a number from -2147483648 to "
                       "2147483647"));
    row("engine int past int", Reader::Engine, QStringLiteral("pingTimeout"), 1e12,
        QStringLiteral("option \"pingTimeout\": expected a number from -2147483648 to "
                       "2147483647"));
    row("engine number given a bool", Reader::Engine, QStringLiteral("maxHttpBufferSize"), true,
        QStringLiteral("option \"maxHttpBufferSize\": expected a number"));
    row("engine bool given a number", Reader::Engine, QStringLiteral("allowEIO3"), number,
        QStringLiteral("option \"allowEIO3\": expected true or false"));
    row("engine string given a number", Reader::Engine, QStringLiteral("path"), number,
        QStringLiteral("option \"path\": expected a string"));
    row("engine list given numbers", Reader::Engine, QStringLiteral("transports"), list,
        QStringLiteral("option \"transports\": expected a list of strings"));
    row("engine object given a string", Reader::Engine, QStringLiteral("http"), text,
        QStringLiteral("option \"http\": expected an object"));
    row("engine nested int", Reader::Engine, QStringLiteral("http"),
        QVariantMap{{QStringLiteral("maxHeaderSize"), text}},
        QStringLiteral("option \"http.maxHeaderSize\": expected a number from -2147483648 to "
                       "2147483647"));
    row("engine nested unknown", Reader::Engine, QStringLiteral("cors"),
        QVariantMap{{QStringLiteral("origins"), true}},
        QStringLiteral("unknown option \"cors.origins\""));
    row("engine deflate given a string", Reader::Engine, QStringLiteral("perMessageDeflate"), text,
        QStringLiteral("option \"perMessageDeflate\": expected true, false or an object"));
    row("engine unknown", Reader::Engine, QStringLiteral("pingInterva"), number,
        QStringLiteral("unknown option \"pingInterva\""));

    // Server.
    row("server bool given a string", Reader::Server, QStringLiteral("serveClient"), text,
        QStringLiteral("option \"serveClient\": expected true or false"));
    row("server string given a number", Reader::Server, QStringLiteral("clientDirectory"), number,
        QStringLiteral("option \"clientDirectory\": expected a string"));
    row("server int range", Reader::Server, QStringLiteral("workers"), 27,
        QStringLiteral("option \"workers\": expected a number from 0 to 26"));
    row("server positive int", Reader::Server, QStringLiteral("connectTimeout"), 0,
        QStringLiteral("option \"connectTimeout\": expected a number of at least 1"));
    row("server enum", Reader::Server, QStringLiteral("parser"), QStringLiteral("cbor"),
        QStringLiteral("option \"parser\": expected one of \"default\", \"msgpack\""));
    row("server object given a list", Reader::Server, QStringLiteral("connectionStateRecovery"),
        list,
        QStringLiteral("option \"connectionStateRecovery\": expected true, false or an object"));
    row("server nested bool", Reader::Server, QStringLiteral("connectionStateRecovery"),
        QVariantMap{{QStringLiteral("skipMiddlewares"), number}},
        QStringLiteral("option \"connectionStateRecovery.skipMiddlewares\": expected true or "
                       "false"));
    row("server nested unknown", Reader::Server, QStringLiteral("connectionStateRecovery"), object,
        QStringLiteral("unknown option \"connectionStateRecovery.a\""));
    row("server list given an object", Reader::Server, QStringLiteral("transports"), object,
        QStringLiteral("option \"transports\": expected a list of strings"));
    row("server engine option", Reader::Server, QStringLiteral("pingInterval"), text,
        QStringLiteral("option \"pingInterval\": expected a number from -2147483648 to "
                       "2147483647"));
    // The server reads "transports" for the 0.9 names too; modern names get the engine's
    // reason, whichever reader is used.
    for (const Reader reader : {Reader::Engine, Reader::Server}) {
        QTest::addRow("%s webtransport", reader == Reader::Engine ? "engine" : "server")
            << reader
            << QVariantMap{{QStringLiteral("transports"), QStringLiteral("polling,webtransport")}}
            << QStringLiteral("the \"webtransport\" transport is not supported: it needs "
                              "HTTP/3, which Qt does not provide");
    }
    row("server unknown", Reader::Server, QStringLiteral("nope"), number,
        QStringLiteral("unknown option \"nope\" (the closest option is \"cors\")"));

    // Manager (client).
    row("client bool given a string", Reader::Manager, QStringLiteral("reconnection"), text,
        QStringLiteral("option \"reconnection\": expected true or false"));
    row("client optional bool", Reader::Manager, QStringLiteral("timestampRequests"), number,
        QStringLiteral("option \"timestampRequests\": expected true or false"));
    row("client int given a string", Reader::Manager, QStringLiteral("reconnectionDelay"), text,
        QStringLiteral("option \"reconnectionDelay\": expected a number of at least 0"));
    row("client real range", Reader::Manager, QStringLiteral("randomizationFactor"), 2,
        QStringLiteral("option \"randomizationFactor\": expected a number from 0 to 1"));
    row("client string given a bool", Reader::Manager, QStringLiteral("path"), true,
        QStringLiteral("option \"path\": expected a string"));
    row("client list given numbers", Reader::Manager, QStringLiteral("transports"), list,
        QStringLiteral("option \"transports\": expected a list of strings"));
    // A string is 0.9's query string, so a number stands for the wrong type.
    row("client object given a number", Reader::Manager, QStringLiteral("query"), number,
        QStringLiteral("option \"query\": expected an object"));
    row("client header given a number", Reader::Manager, QStringLiteral("extraHeaders"), object,
        QStringLiteral("option \"extraHeaders.a\": expected a string"));
    row("client enum", Reader::Manager, QStringLiteral("parser"), number,
        QStringLiteral("option \"parser\": expected one of \"default\", \"msgpack\""));
    row("client socket object", Reader::Manager, QStringLiteral("auth"), text,
        QStringLiteral("option \"auth\": expected an object"));
    row("client socket int", Reader::Manager, QStringLiteral("retries"), -1,
        QStringLiteral("option \"retries\": expected a number of at least 0"));
    row("client unknown", Reader::Manager, QStringLiteral("reconect"), true,
        QStringLiteral("unknown option \"reconect\""));
}

void tst_Options::refused()
{
    QFETCH(Reader, reader);
    QFETCH(QVariantMap, map);
    QFETCH(QString, error);
    QCOMPARE(read(reader, map), error);
}

void tst_Options::accepted_data()
{
    QTest::addColumn<Reader>("reader");
    QTest::addColumn<QVariantMap>("map");
    QTest::addRow("engine numbers as doubles (JSON)")
        << Reader::Engine
        << QVariantMap{{QStringLiteral("pingInterval"), 1000.0},
                       {QStringLiteral("maxHttpBufferSize"), 1e6},
                       {QStringLiteral("transports"), QStringLiteral("polling,websocket")}};
    QTest::addRow("server transports as a string, with spaces")
        << Reader::Server
        << QVariantMap{{QStringLiteral("transports"), QStringLiteral("polling, websocket")}};
    QTest::addRow("server legacy names")
        << Reader::Server
        << QVariantMap{{QStringLiteral("heartbeat interval"), 2.5},
                       {QStringLiteral("cleanupEmptyChildNamespaces"), true},
                       {QStringLiteral("connectionStateRecovery"),
                        QVariantMap{{QStringLiteral("maxDisconnectionDuration"), 1000}}}};
    QTest::addRow("client huge numbers saturate")
        << Reader::Manager
        << QVariantMap{{QStringLiteral("reconnectionAttempts"), 1e300},
                       {QStringLiteral("timeout"), false},
                       {QStringLiteral("randomizationFactor"), 0.25},
                       {QStringLiteral("extraHeaders"),
                        QVariantMap{{QStringLiteral("x-a"), QStringLiteral("b")}}}};
}

void tst_Options::accepted()
{
    QFETCH(Reader, reader);
    QFETCH(QVariantMap, map);
    QCOMPARE(read(reader, map), QString());
}

QTEST_GUILESS_MAIN(tst_Options)
#include "tst_options.moc"
