// The default Socket.IO parser and its JSON layer, against what npm socket.io-parser 4.2.7
// (Encoder, Decoder) and Node's JSON.stringify / JSON.parse / String(number) produce. Every
// expected string below was printed by Node from the reference; Node is not needed to run it.
#include <SocketIO/Parser>

#include "parser/json_p.h"
#include "parser/parsers_p.h"
#include "websocket/frame_p.h"

#include "../packetdump.h"

#include <QtCore/QDateTime>
#include <QtCore/QTimeZone>
#include <QtTest/QTest>

#include <cmath>
#include <limits>

#if defined(__GLIBC__)
#include <malloc.h>
#endif
#if defined(__SANITIZE_ADDRESS__)
#define SOCKETIO_TEST_ASAN
#elif defined(__has_feature)
#if __has_feature(address_sanitizer)
#define SOCKETIO_TEST_ASAN
#endif
#endif

using namespace SocketIO;
using Messages = QList<EngineMessage>;

Q_DECLARE_METATYPE(SocketIO::Packet)

namespace SocketIO {
// Readable failure output for QCOMPARE (found through ADL).
char *toString(const EngineMessage &message)
{
    const QByteArray text =
        message.binary ? "binary(" + message.data.toHex() + ')' : "text(" + message.data + ')';
    return qstrdup(text.constData());
}
} // namespace SocketIO

namespace {

QString s(const char *utf8)
{
    return QString::fromUtf8(utf8);
}

QByteArray hex(const char *digits)
{
    return QByteArray::fromHex(digits);
}

EngineMessage text(const QByteArray &data)
{
    return {data, false};
}

EngineMessage binary(const char *digits)
{
    return {hex(digits), true};
}

QVariant null()
{
    return QVariant::fromValue(nullptr);
}

using PacketDump::dump;

Packet packet(Packet::Type type, const QString &nsp, qint64 id, const QVariant &data = {})
{
    Packet p;
    p.type = type;
    p.nsp = nsp;
    p.id = id;
    p.data = data;
    return p;
}

// Feeds `messages` to a fresh default decoder: the packets it completed, or "ERROR: <msg>".
QString decodeAll(const Messages &messages)
{
    auto decoder = Parser::defaultParser()->createDecoder();
    QList<Packet> packets;
    for (const EngineMessage &message : messages) {
        QString error;
        if (!decoder->add(message.data, message.binary, &packets, &error))
            return QStringLiteral("ERROR: ") + error;
    }
    return dump(packets);
}

} // namespace

class tst_Parser : public QObject
{
    Q_OBJECT

private Q_SLOTS:
    void writeNumber_data();
    void writeNumber();
    void stringify_data();
    void stringify();
    void writeWithAttachments();
    void parse_data();
    void parse();
    void parseInternedStrings();
    void resolvePlaceholders_data();
    void resolvePlaceholders();

    void byName_data();
    void byName();
    void encode_data();
    void encode();
    void textMessageBecomesFrameInPlace_data();
    void textMessageBecomesFrameInPlace();
    void decode_data();
    void decode();
    void decoderRecoversAfterBinaryPacket();
    void pendingBinaryPacketHoldsItsText_data();
    void pendingBinaryPacketHoldsItsText();
};

// --- Json ----------------------------------------------------------------------------------

void tst_Parser::writeNumber_data()
{
    QTest::addColumn<double>("value");
    QTest::addColumn<QByteArray>("expected");
    QTest::addColumn<QString>("knownBug");
    const double inf = std::numeric_limits<double>::infinity();
    QTest::addRow("0") << 0.0 << QByteArray("0") << QString();
    QTest::addRow("-0") << -0.0 << QByteArray("0") << QString();
    QTest::addRow("1") << 1.0 << QByteArray("1") << QString();
    QTest::addRow("-1") << -1.0 << QByteArray("-1") << QString();
    QTest::addRow("1.5") << 1.5 << QByteArray("1.5") << QString();
    QTest::addRow("0.1") << 0.1 << QByteArray("0.1") << QString();
    QTest::addRow("4.35") << 4.35 << QByteArray("4.35") << QString();
    QTest::addRow("1/3") << 1.0 / 3 << QByteArray("0.3333333333333333") << QString();
    QTest::addRow("1e21") << 1e21 << QByteArray("1e+21") << QString();
    QTest::addRow("-1e21") << -1e21 << QByteArray("-1e+21") << QString();
    QTest::addRow("1e100") << 1e100 << QByteArray("1e+100") << QString();
    QTest::addRow("1e20") << 1e20 << QByteArray("100000000000000000000") << QString();
    QTest::addRow("1e-6") << 1e-6 << QByteArray("0.000001") << QString();
    QTest::addRow("0.000001234") << 0.000001234 << QByteArray("0.000001234") << QString();
    QTest::addRow("1e-7") << 1e-7 << QByteArray("1e-7") << QString();
    QTest::addRow("1.5e-7") << 1.5e-7 << QByteArray("1.5e-7") << QString();
    QTest::addRow("-1.5e-7") << -1.5e-7 << QByteArray("-1.5e-7") << QString();
    QTest::addRow("1.23e-18") << 123e-20 << QByteArray("1.23e-18") << QString();
    QTest::addRow("1e15+0.5") << 1e15 + 0.5 << QByteArray("1000000000000000.5") << QString();
    QTest::addRow("2^53") << 9007199254740992.0 << QByteArray("9007199254740992") << QString();
    QTest::addRow("2^53+2") << 9007199254740994.0 << QByteArray("9007199254740994") << QString();
    QTest::addRow("123456789012345680000")
        << 123456789012345680000.0 << QByteArray("123456789012345680000") << QString();
    QTest::addRow("999999999999999900000")
        << 999999999999999900000.0 << QByteArray("999999999999999900000") << QString();
    QTest::addRow("2^64") << 18446744073709551616.0 << QByteArray("18446744073709552000")
                          << QString();
    QTest::addRow("NaN") << std::nan("") << QByteArray("null") << QString();
    QTest::addRow("Infinity") << inf << QByteArray("null") << QString();
    QTest::addRow("-Infinity") << -inf << QByteArray("null") << QString();
    QTest::addRow("5e-324") << 5e-324 << QByteArray("5e-324") << QString();
    QTest::addRow("max") << 1.7976931348623157e308 << QByteArray("1.7976931348623157e+308")
                         << QString();
}

void tst_Parser::writeNumber()
{
    QFETCH(double, value);
    QFETCH(QByteArray, expected);
    QFETCH(QString, knownBug);
    QByteArray out = "x";
    Json::writeNumber(value, out);
    if (!knownBug.isEmpty())
        QEXPECT_FAIL("", qPrintable(knownBug), Continue);
    QCOMPARE(out, "x" + expected); // appends, never replaces
}

void tst_Parser::stringify_data()
{
    QTest::addColumn<QVariant>("value");
    QTest::addColumn<QByteArray>("expected");
    QTest::addColumn<QString>("knownBug");
    QTest::addRow("quote and backslash")
        << QVariant(s("q\"b\\s")) << QByteArray(R"("q\"b\\s")") << QString();
    QTest::addRow("short escapes")
        << QVariant(s("\b\f\n\r\t")) << QByteArray(R"("\b\f\n\r\t")") << QString();
    QTest::addRow("other control chars") << QVariant(QString(QChar(1)) + QChar(0x1f) + QChar(0))
                                         << QByteArray(R"("\u0001\u001f\u0000")") << QString();
    QTest::addRow("DEL stays raw")
        << QVariant(QString(QChar(0x7f))) << QByteArray("\"\x7f\"") << QString();
    QTest::addRow("slash stays raw") << QVariant(s("a/b")) << QByteArray(R"("a/b")") << QString();
    QTest::addRow("unicode") << QVariant(s("é€")) << QByteArray("\"é€\"") << QString();
    QTest::addRow("emoji") << QVariant(s("😀")) << QByteArray("\"\xf0\x9f\x98\x80\"") << QString();
    QTest::addRow("U+10FFFF") << QVariant(QString::fromUtf16(u"\xdbff\xdfff"))
                              << QByteArray("\"\xf4\x8f\xbf\xbf\"") << QString();
    QTest::addRow("UTF-8 length boundaries")
        << QVariant(QString::fromUtf16(u"\x0080\x07ff\x0800\xffff"))
        << QByteArray("\"\xc2\x80\xdf\xbf\xe0\xa0\x80\xef\xbf\xbf\"") << QString();
    {
        // Longer than any first guess of the room needed: the buffer grows on the way.
        QString text;
        QByteArray json = "\"";
        for (int i = 0; i < 3000; ++i) {
            text += s("a\u00e9\U0001F600\n\"");
            json += "a\xc3\xa9\xf0\x9f\x98\x80\\n\\\"";
        }
        json += '"';
        QTest::addRow("long mixed string") << QVariant(text) << json << QString();
    }
    QTest::addRow("lone high surrogate")
        << QVariant(QString(QChar(0xd800))) << QByteArray(R"("\ud800")") << QString();
    QTest::addRow("lone low surrogate") << QVariant(u'a' + QString(QChar(0xdc00)) + u'b')
                                        << QByteArray(R"("a\udc00b")") << QString();
    QTest::addRow("high surrogate at end")
        << QVariant(u'a' + QString(QChar(0xdbff))) << QByteArray(R"("a\udbff")") << QString();
    QTest::addRow("empty string") << QVariant(QString()) << QByteArray(R"("")") << QString();
    QTest::addRow("true") << QVariant(true) << QByteArray("true") << QString();
    QTest::addRow("false") << QVariant(false) << QByteArray("false") << QString();
    QTest::addRow("nullptr") << null() << QByteArray("null") << QString();
    QTest::addRow("invalid") << QVariant() << QByteArray("null") << QString();
    QTest::addRow("int") << QVariant(-42) << QByteArray("-42") << QString();
    QTest::addRow("qint64 max") << QVariant(std::numeric_limits<qint64>::max())
                                << QByteArray("9223372036854775807") << QString();
    QTest::addRow("quint64 max") << QVariant(std::numeric_limits<quint64>::max())
                                 << QByteArray("18446744073709552000") << QString();
    QTest::addRow("double") << QVariant(0.1) << QByteArray("0.1") << QString();
    QTest::addRow("float") << QVariant(1.5f) << QByteArray("1.5") << QString();
    QTest::addRow("map keys sorted")
        << QVariant(QVariantMap{{s("b"), 1}, {s("a"), 2}, {s("\""), 3}})
        << QByteArray(R"({"\"":3,"a":2,"b":1})") << QString();
    QTest::addRow("empty map") << QVariant(QVariantMap()) << QByteArray("{}") << QString();
    QTest::addRow("nested lists") << QVariant(QVariantList{
                                         1, QVariantList{2, QVariantList{}, QVariantMap{}}, null()})
                                  << QByteArray("[1,[2,[],{}],null]") << QString();
    QTest::addRow("string list") << QVariant(QStringList{s("a"), s("\n")})
                                 << QByteArray(R"(["a","\n"])") << QString();
    QTest::addRow("list of undefined")
        << QVariant(QVariantList{QVariant()}) << QByteArray("[null]") << QString();
    QTest::addRow("QDateTime UTC")
        << QVariant(QDateTime(QDate(2020, 1, 2), QTime(3, 4, 5, 6), Qt::UTC))
        << QByteArray(R"("2020-01-02T03:04:05.006Z")") << QString();
    QTest::addRow("QDateTime offset")
        << QVariant(QDateTime(QDate(2020, 1, 2), QTime(5, 4, 5, 0), Qt::OffsetFromUTC, 7200))
        << QByteArray(R"("2020-01-02T03:04:05.000Z")") << QString();
    QTest::addRow("QDateTime invalid") << QVariant(QDateTime()) << QByteArray("null") << QString();
    QTest::addRow("binary without attachments")
        << QVariant(QByteArray("\x01\x02")) << QByteArray("null") << QString();
}

void tst_Parser::stringify()
{
    QFETCH(QVariant, value);
    QFETCH(QByteArray, expected);
    QFETCH(QString, knownBug);
    if (!knownBug.isEmpty())
        QEXPECT_FAIL("", qPrintable(knownBug), Continue);
    QCOMPARE(Json::stringify(value), expected);
}

void tst_Parser::writeWithAttachments()
{
    // Depth-first, in document order, like socket.io-parser's deconstructPacket.
    const QVariant value = QVariantList{
        s("x"),
        QVariantMap{{s("a"), QVariantMap{{s("b"), QVariantList{1, QByteArray("\xff")}}}},
                    {s("c"), QByteArray("\x00\x01", 2)}},
        QVariantList{QByteArray("\x02")}};
    QByteArray out;
    QList<QByteArray> attachments{QByteArray("old")};
    Json::write(value, out, &attachments);
    QCOMPARE(out,
             QByteArray(R"(["x",{"a":{"b":[1,{"_placeholder":true,"num":1}]},)"
                        R"("c":{"_placeholder":true,"num":2}},[{"_placeholder":true,"num":3}]])"));
    QCOMPARE(attachments,
             (QList<QByteArray>{"old", "\xff", QByteArray("\x00\x01", 2), QByteArray("\x02")}));
}

void tst_Parser::parse_data()
{
    QTest::addColumn<QByteArray>("json");
    QTest::addColumn<QString>("expected"); // dump(), or "ERROR" when JSON.parse throws
    QTest::addColumn<QString>("knownBug");
    QTest::addRow("int") << QByteArray("42") << s("42") << QString();
    QTest::addRow("negative int") << QByteArray("-7") << s("-7") << QString();
    QTest::addRow("int with exponent") << QByteArray("1e2") << s("100") << QString();
    QTest::addRow("1.0 is integral") << QByteArray("1.0") << s("1") << QString();
    QTest::addRow("fraction") << QByteArray("2.5") << s("2.5d") << QString();
    QTest::addRow("-0 stays double") << QByteArray("-0") << s("-0d") << QString();
    QTest::addRow("2^53-1") << QByteArray("9007199254740991") << s("9007199254740991") << QString();
    QTest::addRow("beyond 2^53 rounds like JS")
        << QByteArray("9007199254740993") << s("9007199254740992d") << QString();
    QTest::addRow("1e400 is Infinity") << QByteArray("1e400") << s("Infinityd") << QString();
    QTest::addRow("string") << QByteArray(R"("a\"b\u00e9\ud83d\ude00")") << s("\"a\"bé😀\"")
                            << QString();
    QTest::addRow("lone surrogate escape")
        << QByteArray(R"("\ud800")") << (u'"' + QString(QChar(0xd800)) + u'"') << QString();
    QTest::addRow("true") << QByteArray("true") << s("true") << QString();
    QTest::addRow("false") << QByteArray("false") << s("false") << QString();
    QTest::addRow("null") << QByteArray("null") << s("null") << QString();
    QTest::addRow("surrounding JSON whitespace")
        << QByteArray(" \t\r\n[1] \n") << s("[1]") << QString();
    QTest::addRow("array") << QByteArray(R"([1,"a",[],{},null,true])")
                           << s("[1,\"a\",[],{},null,true]") << QString();
    QTest::addRow("object") << QByteArray(R"({"b":{"c":[1.5]},"a":null})")
                            << s("{a:null,b:{c:[1.5d]}}") << QString();
    QTest::addRow("duplicate key: last wins")
        << QByteArray(R"({"a":1,"a":2})") << s("{a:2}") << QString();
    QTest::addRow("empty") << QByteArray("") << s("ERROR") << QString();
    QTest::addRow("blank") << QByteArray("  ") << s("ERROR") << QString();
    QTest::addRow("bare word") << QByteArray("abc") << s("ERROR") << QString();
    QTest::addRow("two values") << QByteArray("1 2") << s("ERROR") << QString();
    QTest::addRow("two scalars with comma") << QByteArray("1,2") << s("ERROR") << QString();
    QTest::addRow("two arrays") << QByteArray("[1][2]") << s("ERROR") << QString();
    QTest::addRow("trailing comma") << QByteArray("[1,]") << s("ERROR") << QString();
    QTest::addRow("leading zero") << QByteArray("[01]") << s("ERROR") << QString();
    QTest::addRow("1.") << QByteArray("1.") << s("ERROR") << QString();
    QTest::addRow(".5") << QByteArray(".5") << s("ERROR") << QString();
    QTest::addRow("+1") << QByteArray("+1") << s("ERROR") << QString();
    QTest::addRow("NaN") << QByteArray("NaN") << s("ERROR") << QString();
    QTest::addRow("single quotes") << QByteArray("'a'") << s("ERROR") << QString();
    QTest::addRow("bad escape") << QByteArray(R"("\x")") << s("ERROR") << QString();
    QTest::addRow("raw control char") << QByteArray("\"\x01\"") << s("ERROR") << QString();
    QTest::addRow("unclosed") << QByteArray(R"({"a":1)") << s("ERROR") << QString();
    QTest::addRow("form feed is not JSON whitespace")
        << QByteArray("[1]\f") << s("ERROR") << QString();
    QTest::addRow("vertical tab is not JSON whitespace")
        << QByteArray("\v1") << s("ERROR") << QString();

    // Hostile input: nesting, long numbers, broken escapes.
    auto nested = [](int depth, const char *open, const char *close) {
        return QByteArray(open).repeated(depth) + "0" + QByteArray(close).repeated(depth);
    };
    // Deeper than JSON.parse goes only through its own stack limit; 512 is ours.
    QTest::addRow("512 nested arrays")
        << nested(512, "[", "]") << s("[").repeated(512) + u'0' + s("]").repeated(512) << QString();
    QTest::addRow("513 nested arrays: too deep")
        << nested(513, "[", "]") << s("ERROR") << QString();
    QTest::addRow("100000 nested arrays") << nested(100000, "[", "]") << s("ERROR") << QString();
    QTest::addRow("100000 open arrays") << QByteArray(100000, '[') << s("ERROR") << QString();
    QTest::addRow("100000 nested objects")
        << nested(100000, "{\"a\":", "}") << s("ERROR") << QString();
    QTest::addRow("400 digits") << "1" + QByteArray(400, '0') << s("Infinityd") << QString();
    QTest::addRow("100000 digits") << "1" + QByteArray(100000, '0') << s("Infinityd") << QString();
    QTest::addRow("100000 fraction digits")
        << "0." + QByteArray(100000, '1') << s("0.1111111111111111d") << QString();
    QTest::addRow("-1e309") << QByteArray("-1e309") << s("-Infinityd") << QString();
    QTest::addRow("1e-400 is 0") << QByteArray("1e-400") << s("0") << QString();
    QTest::addRow("huge exponent")
        << QByteArray("1e99999999999999999999") << s("Infinityd") << QString();
    QTest::addRow("huge negative exponent")
        << QByteArray("1e-99999999999999999999") << s("0") << QString();
    QTest::addRow("30-digit integer")
        << QByteArray("111111111111111111111111111111")
        << s("1.1111111111111111e+29d") // JSON.stringify: 1.111111111111111e+29, the same double
        << QString();
    QTest::addRow("-9007199254740993")
        << QByteArray("-9007199254740993") << s("-9007199254740992d") << QString();
    QTest::addRow("short \\u escape") << QByteArray(R"("\u12")") << s("ERROR") << QString();
    QTest::addRow("\\u escape not hex") << QByteArray(R"("\uZZZZ")") << s("ERROR") << QString();
    QTest::addRow("\\u escape at the end") << QByteArray(R"("\u)") << s("ERROR") << QString();
    QTest::addRow("backslash at the end") << QByteArray(R"("\)") << s("ERROR") << QString();
    QTest::addRow("lone low surrogate")
        << QByteArray(R"("\udc00")") << (u'"' + QString(QChar(0xdc00)) + u'"') << QString();
    QTest::addRow("escaped NUL") << QByteArray(R"("a\u0000b")") << (s("\"a") + QChar(0) + s("b\""))
                                 << QString();
    QTest::addRow("raw NUL") << QByteArray("\"a\0b\"", 5) << s("ERROR") << QString();
    QTest::addRow("unterminated string") << QByteArray(R"(["abc)") << s("ERROR") << QString();
    QTest::addRow("key without value") << QByteArray(R"({"a"})") << s("ERROR") << QString();
    QTest::addRow("key not a string") << QByteArray(R"({1:2})") << s("ERROR") << QString();
    QTest::addRow("truncated literal") << QByteArray("tru") << s("ERROR") << QString();
    QTest::addRow("minus alone") << QByteArray("-") << s("ERROR") << QString();
    QTest::addRow("exponent without digits") << QByteArray("1e") << s("ERROR") << QString();
    QTest::addRow("exponent sign only") << QByteArray("1e+") << s("ERROR") << QString();
}

void tst_Parser::parse()
{
    QFETCH(QByteArray, json);
    QFETCH(QString, expected);
    QFETCH(QString, knownBug);
    QVariant value(s("untouched"));
    const bool ok = Json::parse(json, &value);
    if (!knownBug.isEmpty())
        QEXPECT_FAIL("", qPrintable(knownBug), Continue);
    QCOMPARE(ok ? dump(value) : s("ERROR"), expected);
}

void tst_Parser::parseInternedStrings()
{
    // Short ASCII keys and event names come from a per-thread cache; whatever it holds, each
    // parse must give back its own text (2000 names overflow the cache and collide in it).
    for (int round = 0; round < 2; ++round) {
        for (int i = 0; i < 2000; ++i) {
            const QByteArray event = "e" + QByteArray::number(i);
            const QByteArray key = "k" + QByteArray::number(i % 700);
            QVariant value;
            QVERIFY(
                Json::parse("[\"" + event + "\",{\"" + key + "\":1},\"" + event + "\"]", &value));
            const QVariantList list = value.toList();
            QCOMPARE(list.size(), 3);
            QCOMPARE(list.at(0).toString(), QString::fromLatin1(event));
            QCOMPARE(list.at(1).toMap().firstKey(), QString::fromLatin1(key));
            QCOMPARE(list.at(2).toString(), QString::fromLatin1(event));
        }
    }
    // Around the size limit, outside ASCII, and with escapes (which bypass the cache).
    const QList<QByteArray> keys = {QByteArray(32, 'a'),
                                    QByteArray(33, 'a'),
                                    QByteArray(31, 'a'),
                                    "\xc3\xa9t\xc3\xa9",
                                    "a\\u0041",
                                    "",
                                    "A"};
    const QStringList expected = {QString(32, u'a'),    QString(33, u'a'),
                                  QString(31, u'a'),    QStringLiteral("\u00e9t\u00e9"),
                                  QStringLiteral("aA"), QString(),
                                  QStringLiteral("A")};
    for (int round = 0; round < 2; ++round) {
        for (qsizetype i = 0; i < keys.size(); ++i) {
            QVariant value;
            QVERIFY(Json::parse("{\"" + keys.at(i) + "\":true}", &value));
            QCOMPARE(value.toMap().firstKey(), expected.at(i));
        }
    }
}

void tst_Parser::resolvePlaceholders_data()
{
    QTest::addColumn<QByteArray>("json");
    QTest::addColumn<int>("attachmentCount");
    QTest::addColumn<QString>("expected"); // dump(), or "ERROR"
    QTest::addRow("top level") << QByteArray(R"({"_placeholder":true,"num":0})") << 1 << s("<00>");
    QTest::addRow("nested")
        << QByteArray(R"([{"a":[{"_placeholder":true,"num":1}]},{"_placeholder":true,"num":0}])")
        << 2 << s("[{a:[<01>]},<00>]");
    QTest::addRow("placeholder false is data") << QByteArray(R"([{"_placeholder":false,"num":7}])")
                                               << 1 << s("[{_placeholder:false,num:7}]");
    QTest::addRow("placeholder 1 is data")
        << QByteArray(R"([{"_placeholder":1,"num":0}])") << 1 << s("[{_placeholder:1,num:0}]");
    QTest::addRow("index too large")
        << QByteArray(R"([{"_placeholder":true,"num":1}])") << 1 << s("ERROR");
    QTest::addRow("negative index")
        << QByteArray(R"([{"_placeholder":true,"num":-1}])") << 1 << s("ERROR");
    QTest::addRow("string index") << QByteArray(R"([{"_placeholder":true,"num":"0"}])") << 1
                                  << s("ERROR");
    QTest::addRow("missing index") << QByteArray(R"([{"_placeholder":true}])") << 1 << s("ERROR");
    QTest::addRow("no attachments")
        << QByteArray(R"([{"_placeholder":true,"num":0}])") << 0 << s("ERROR");
}

void tst_Parser::resolvePlaceholders()
{
    QFETCH(QByteArray, json);
    QFETCH(int, attachmentCount);
    QFETCH(QString, expected);
    QVariant value;
    QVERIFY(Json::parse(json, &value));
    QList<QByteArray> attachments;
    for (int i = 0; i < attachmentCount; ++i)
        attachments.append(QByteArray(1, char(i)));
    const bool ok = Json::resolvePlaceholders(value, attachments);
    QCOMPARE(ok ? dump(value) : s("ERROR"), expected);
}

// --- Parser --------------------------------------------------------------------------------

void tst_Parser::byName_data()
{
    QTest::addColumn<QString>("name");
    QTest::addColumn<bool>("found");
    QTest::addRow("default") << s("default") << true;
    QTest::addRow("msgpack") << s("msgpack") << true;
    QTest::addRow("unknown") << s("json") << false;
    QTest::addRow("empty") << QString() << false;
    QTest::addRow("case matters") << s("Default") << false;
}

void tst_Parser::byName()
{
    QFETCH(QString, name);
    QFETCH(bool, found);
    const auto parser = Parser::byName(name);
    QCOMPARE(bool(parser), found);
    if (found)
        QCOMPARE(parser->name(), name);
    QCOMPARE(Parser::defaultParser()->name(), s("default"));
    QCOMPARE(Parser::msgpackParser()->name(), s("msgpack"));
    QCOMPARE(Parser::byName(s("default")), Parser::defaultParser());
}

void tst_Parser::encode_data()
{
    using T = Packet::Type;
    QTest::addColumn<Packet>("packet");
    QTest::addColumn<Messages>("expected");
    QTest::addColumn<QString>("decoded"); // what the decoder makes of `expected`
    QTest::addColumn<QString>("knownBug");

    QTest::addRow("CONNECT with sid")
        << packet(T::Connect, s("/"), -1, QVariantMap{{s("sid"), s("x")}})
        << Messages{text(R"(0{"sid":"x"})")} << s(R"([{type:0,nsp:"/",data:{sid:"x"}}])")
        << QString();
    QTest::addRow("CONNECT no data") << packet(T::Connect, s("/"), -1) << Messages{text("0")}
                                     << s(R"([{type:0,nsp:"/"}])") << QString();
    QTest::addRow("CONNECT /admin no data")
        << packet(T::Connect, s("/admin"), -1) << Messages{text("0/admin,")}
        << s(R"([{type:0,nsp:"/admin"}])") << QString();
    QTest::addRow("CONNECT /admin auth")
        << packet(T::Connect, s("/admin"), -1, QVariantMap{{s("n"), 1}, {s("token"), s("abc")}})
        << Messages{text(R"(0/admin,{"n":1,"token":"abc"})")}
        << s(R"([{type:0,nsp:"/admin",data:{n:1,token:"abc"}}])") << QString();
    QTest::addRow("CONNECT empty nsp is /")
        << packet(T::Connect, QString(), -1) << Messages{text("0")} << s(R"([{type:0,nsp:"/"}])")
        << QString();
    QTest::addRow("DISCONNECT") << packet(T::Disconnect, s("/"), -1) << Messages{text("1")}
                                << s(R"([{type:1,nsp:"/"}])") << QString();
    QTest::addRow("DISCONNECT /admin")
        << packet(T::Disconnect, s("/admin"), -1) << Messages{text("1/admin,")}
        << s(R"([{type:1,nsp:"/admin"}])") << QString();
    QTest::addRow("EVENT") << packet(T::Event, s("/"), -1, QVariantList{s("a"), 1})
                           << Messages{text(R"(2["a",1])")}
                           << s(R"([{type:2,nsp:"/",data:["a",1]}])") << QString();
    QTest::addRow("EVENT id 12") << packet(T::Event, s("/"), 12, QVariantList{s("a"), 1})
                                 << Messages{text(R"(212["a",1])")}
                                 << s(R"([{type:2,nsp:"/",id:12,data:["a",1]}])") << QString();
    QTest::addRow("EVENT nsp id 0 unicode")
        << packet(T::Event, s("/chat"), 0,
                  QVariantList{s("msg"),
                               QVariantMap{{s("x"), null()}, {s("y"), QVariantList{true, false}}},
                               s("é😀")})
        << Messages{text(R"(2/chat,0["msg",{"x":null,"y":[true,false]},"é😀"])")}
        << s(R"([{type:2,nsp:"/chat",id:0,data:["msg",{x:null,y:[true,false]},"é😀"]}])")
        << QString();
    QTest::addRow("EVENT numeric name")
        << packet(T::Event, s("/"), -1, QVariantList{42}) << Messages{text("2[42]")}
        << s(R"([{type:2,nsp:"/",data:[42]}])") << QString();
    QTest::addRow("EVENT null arg") << packet(T::Event, s("/"), -1, QVariantList{s("a"), null()})
                                    << Messages{text(R"(2["a",null])")}
                                    << s(R"([{type:2,nsp:"/",data:["a",null]}])") << QString();
    QTest::addRow("ACK /ns id 7") << packet(T::Ack, s("/ns"), 7,
                                            QVariantList{s("ok"), QVariantMap{{s("n"), 1.5}}})
                                  << Messages{text(R"(3/ns,7["ok",{"n":1.5}])")}
                                  << s(R"([{type:3,nsp:"/ns",id:7,data:["ok",{n:1.5d}]}])")
                                  << QString();
    QTest::addRow("ACK no args") << packet(T::Ack, s("/"), 0, QVariantList{})
                                 << Messages{text("30[]")}
                                 << s(R"([{type:3,nsp:"/",id:0,data:[]}])") << QString();
    QTest::addRow("CONNECT_ERROR")
        << packet(T::ConnectError, s("/"), -1, QVariantMap{{s("message"), s("Invalid namespace")}})
        << Messages{text(R"(4{"message":"Invalid namespace"})")}
        << s(R"([{type:4,nsp:"/",data:{message:"Invalid namespace"}}])") << QString();
    QTest::addRow("CONNECT_ERROR /admin")
        << packet(T::ConnectError, s("/admin"), -1,
                  QVariantMap{{s("message"), s("Invalid namespace")}})
        << Messages{text(R"(4/admin,{"message":"Invalid namespace"})")}
        << s(R"([{type:4,nsp:"/admin",data:{message:"Invalid namespace"}}])") << QString();
    QTest::addRow("CONNECT_ERROR with data")
        << packet(T::ConnectError, s("/admin"), -1,
                  QVariantMap{{s("data"), QVariantMap{{s("code"), 401}}},
                              {s("message"), s("Not authorized")}})
        << Messages{text(R"(4/admin,{"data":{"code":401},"message":"Not authorized"})")}
        << s(R"([{type:4,nsp:"/admin",data:{data:{code:401},message:"Not authorized"}}])")
        << QString();
    QTest::addRow("CONNECT_ERROR string")
        << packet(T::ConnectError, s("/"), -1, s("oops")) << Messages{text(R"(4"oops")")}
        << s(R"([{type:4,nsp:"/",data:"oops"}])") << QString();
    QTest::addRow("EVENT with binary becomes BINARY_EVENT")
        << packet(T::Event, s("/"), -1,
                  QVariantList{s("message-back"), hex("010203"), QByteArray()})
        << Messages{text(R"(52-["message-back",{"_placeholder":true,"num":0},)"
                         R"({"_placeholder":true,"num":1}])"),
                    binary("010203"), binary("")}
        << s(R"([{type:2,nsp:"/",data:["message-back",<010203>,<>]}])") << QString();
    QTest::addRow("BINARY_EVENT deep")
        << packet(
               T::Event, s("/"), -1,
               QVariantList{s("x"),
                            QVariantMap{{s("a"), QVariantMap{{s("b"), QVariantList{1, hex("ff")}}}},
                                        {s("c"), hex("0001")}},
                            QVariantList{hex("02")}})
        << Messages{text(R"(53-["x",{"a":{"b":[1,{"_placeholder":true,"num":0}]},)"
                         R"("c":{"_placeholder":true,"num":1}},[{"_placeholder":true,"num":2}]])"),
                    binary("ff"), binary("0001"), binary("02")}
        << s(R"([{type:2,nsp:"/",data:["x",{a:{b:[1,<ff>]},c:<0001>},[<02>]]}])") << QString();
    QTest::addRow("EVENT with binary in a hash")
        << packet(T::Event, s("/"), -1, QVariantList{s("h"), QVariantHash{{s("a"), hex("0a")}}})
        << Messages{text(R"(51-["h",{"a":{"_placeholder":true,"num":0}}])"), binary("0a")}
        << s(R"([{type:2,nsp:"/",data:["h",{a:<0a>}]}])") << QString();
    QTest::addRow("BINARY_EVENT nsp id")
        << packet(T::Event, s("/bin"), 5, QVariantList{s("up"), hex("dead")})
        << Messages{text(R"(51-/bin,5["up",{"_placeholder":true,"num":0}])"), binary("dead")}
        << s(R"([{type:2,nsp:"/bin",id:5,data:["up",<dead>]}])") << QString();
    QTest::addRow("explicit BINARY_EVENT type")
        << packet(T::BinaryEvent, s("/"), -1, QVariantList{s("up"), hex("dead")})
        << Messages{text(R"(51-["up",{"_placeholder":true,"num":0}])"), binary("dead")}
        << s(R"([{type:2,nsp:"/",data:["up",<dead>]}])") << QString();
    QTest::addRow("BINARY_ACK id 789")
        << packet(T::Ack, s("/"), 789, QVariantList{hex("01"), s("x")})
        << Messages{text(R"(61-789[{"_placeholder":true,"num":0},"x"])"), binary("01")}
        << s(R"([{type:3,nsp:"/",id:789,data:[<01>,"x"]}])") << QString();
    QTest::addRow("BINARY_ACK nsp")
        << packet(T::Ack, s("/a"), 1, QVariantList{QVariantMap{{s("f"), hex("09")}}})
        << Messages{text(R"(61-/a,1[{"f":{"_placeholder":true,"num":0}}])"), binary("09")}
        << s(R"([{type:3,nsp:"/a",id:1,data:[{f:<09>}]}])") << QString();
    QTest::addRow("CONNECT null data")
        << packet(T::Connect, s("/"), -1, null()) << Messages{text("0")}
        << s(R"([{type:0,nsp:"/"}])") << QString();
}

void tst_Parser::encode()
{
    QFETCH(Packet, packet);
    QFETCH(Messages, expected);
    QFETCH(QString, decoded);
    QFETCH(QString, knownBug);

    const Messages messages = Parser::defaultParser()->encode(packet);
    if (!knownBug.isEmpty())
        QEXPECT_FAIL("", qPrintable(knownBug), Continue);
    QCOMPARE(messages, expected);
    QCOMPARE(decodeAll(messages), decoded);
}

void tst_Parser::textMessageBecomesFrameInPlace_data()
{
    QTest::addColumn<QVariant>("data");
    QTest::addColumn<int>("headerSize"); // of the WebSocket frame

    QTest::addRow("short") << QVariant(QVariantList{s("hello")}) << 2;
    QTest::addRow("16-bit length") << QVariant(QVariantList{QString(1000, u'x')}) << 4;
    QTest::addRow("64-bit length") << QVariant(QVariantList{QString(70000, u'x')}) << 10;
}

void tst_Parser::textMessageBecomesFrameInPlace()
{
    QFETCH(QVariant, data);
    QFETCH(int, headerSize);
    Packet packet;
    packet.type = Packet::Type::Ack;
    packet.id = 7;
    packet.data = data;
    Messages messages = Parser::defaultParser()->encode(packet);
    QCOMPARE(messages.size(), 1);
    QByteArray text = std::move(messages.first().data);
    const QByteArray expected(text.constData(), text.size()); // a copy of its own
    const char *start = text.constData();

    // While a copy shares the buffer, the frame gets one of its own and the copy is left alone.
    QByteArray copied;
    {
        const QByteArray shared = text;
        copied = WebSocket::encodeTextFrame('4', QByteArray(shared));
        QCOMPARE(shared, expected);
        QVERIFY(copied.constData() != start);
    }

    // Alone, the message is framed in its buffer: the encoder left room before the data.
    const QByteArray frame = WebSocket::encodeTextFrame('4', std::move(text));
    QVERIFY(frame.constData() == start - headerSize - 1);
    QCOMPARE(frame, copied);
    QCOMPARE(frame, WebSocket::encodeTextFrame('4', QByteArrayView(expected)));
    QCOMPARE(frame.mid(headerSize), "4" + expected);
    QCOMPARE(uchar(frame.at(0)), uchar(0x81)); // FIN, text
}

void tst_Parser::decode_data()
{
    QTest::addColumn<Messages>("messages");
    QTest::addColumn<QString>("expected"); // dump() of the packets, or "ERROR: <message>"
    QTest::addColumn<QString>("knownBug");

    auto row = [](const char *name, const Messages &messages, const char *expected,
                  const QString &knownBug = QString()) {
        QTest::addRow("%s", name) << messages << s(expected) << knownBug;
    };
    auto one = [&](const char *input, const char *expected, const QString &knownBug = QString()) {
        // Row names show control characters as \xNN.
        QByteArray name;
        for (const char *p = input; *p; ++p)
            name += uchar(*p) < 0x20
                        ? "\\x" + QByteArray::number(uchar(*p), 16).rightJustified(2, '0')
                        : QByteArray(1, *p);
        row(name.isEmpty() ? "(empty)" : name.constData(), Messages{text(input)}, expected,
            knownBug);
    };

    // Valid packets (the reference's output for the same input).
    one("", R"([{type:0,nsp:"/"}])"); // Number("") is 0: an empty string is a CONNECT
    one("0", R"([{type:0,nsp:"/"}])");
    one("01", R"([{type:0,nsp:"/",id:1}])");
    one(R"(0{"sid":"x"})", R"([{type:0,nsp:"/",data:{sid:"x"}}])");
    one(R"(0/a,{"token":1})", R"([{type:0,nsp:"/a",data:{token:1}}])");
    one("0/admin,", R"([{type:0,nsp:"/admin"}])");
    one("0/admin", R"([{type:0,nsp:"/admin"}])");
    one("0/custom", R"([{type:0,nsp:"/custom"}])");
    one(R"(0{"a":1,"a":2})", R"([{type:0,nsp:"/",data:{a:2}}])");
    one("1", R"([{type:1,nsp:"/"}])");
    one("1/admin,", R"([{type:1,nsp:"/admin"}])");
    one(R"(2[1.5,"x"])", R"([{type:2,nsp:"/",data:[1.5d,"x"]}])");
    one(R"(2/nsp,12["x"])", R"([{type:2,nsp:"/nsp",id:12,data:["x"]}])");
    one(R"(2/nsp,["x"])", R"([{type:2,nsp:"/nsp",data:["x"]}])");
    one("2/nsp", R"([{type:2,nsp:"/nsp"}])");
    one("2/nsp,", R"([{type:2,nsp:"/nsp"}])");
    one("2/nsp,12", R"([{type:2,nsp:"/nsp",id:12}])");
    one("212", R"([{type:2,nsp:"/",id:12}])");
    one("2123456789012345[\"a\"]", R"([{type:2,nsp:"/",id:123456789012345,data:["a"]}])");
    one("2[\"a\"] \n", R"([{type:2,nsp:"/",data:["a"]}])");
    one(R"(2["a",1e2,1.0,2.5,-7,9007199254740993])",
        R"([{type:2,nsp:"/",data:["a",100,1,2.5d,-7,9007199254740992d]}])");
    one(R"(2["a",-0])", R"([{type:2,nsp:"/",data:["a",-0d]}])");
    one(R"(2["a",1e400])", R"([{type:2,nsp:"/",data:["a",Infinityd]}])");
    one(R"(2["é😀",{"ü":"\u00e9"}])", R"([{type:2,nsp:"/",data:["é😀",{ü:"é"}]}])");
    one(R"(3/ns,7["ok"])", R"([{type:3,nsp:"/ns",id:7,data:["ok"]}])");
    one("3[]", R"([{type:3,nsp:"/",data:[]}])");
    one("37", R"([{type:3,nsp:"/",id:7}])");
    one("3/ns,7", R"([{type:3,nsp:"/ns",id:7}])");
    one(R"(4{"message":"Invalid namespace"})",
        R"([{type:4,nsp:"/",data:{message:"Invalid namespace"}}])");
    one(R"(4/admin,"oops")", R"([{type:4,nsp:"/admin",data:"oops"}])");
    one("4", R"([{type:4,nsp:"/"}])");
    // Engine.IO-prefixed strings read as Socket.IO packets: "42{}" is CONNECT_ERROR id 2.
    one("42{}", R"([{type:4,nsp:"/",id:2,data:{}}])");
    one("41{}", R"([{type:4,nsp:"/",id:1,data:{}}])");

    // Binary packets.
    one("51-", "[]"); // waits for its attachment
    one(R"(510-["a"])", "[]");
    row("BINARY_EVENT two attachments",
        Messages{text(R"(52-["message-back",{"_placeholder":true,"num":0},)"
                      R"({"_placeholder":true,"num":1}])"),
                 binary("010203"), binary("")},
        R"([{type:2,nsp:"/",data:["message-back",<010203>,<>]}])");
    row("BINARY_EVENT deep",
        Messages{text(R"(53-["x",{"a":{"b":[1,{"_placeholder":true,"num":0}]},)"
                      R"("c":{"_placeholder":true,"num":1}},[{"_placeholder":true,"num":2}]])"),
                 binary("ff"), binary("0001"), binary("02")},
        R"([{type:2,nsp:"/",data:["x",{a:{b:[1,<ff>]},c:<0001>},[<02>]]}])");
    row("BINARY_EVENT nsp id",
        Messages{text(R"(51-/bin,5["up",{"_placeholder":true,"num":0}])"), binary("dead")},
        R"([{type:2,nsp:"/bin",id:5,data:["up",<dead>]}])");
    row("BINARY_ACK", Messages{text(R"(61-789[{"_placeholder":true,"num":0},"x"])"), binary("01")},
        R"([{type:3,nsp:"/",id:789,data:[<01>,"x"]}])");
    row("BINARY_ACK unused attachments",
        Messages{text(R"(62-789["a"])"), binary("01"), binary("02")},
        R"([{type:3,nsp:"/",id:789,data:["a"]}])");
    row("placeholder false is data",
        Messages{text(R"(51-["a",{"_placeholder":false,"num":7}])"), binary("01")},
        R"([{type:2,nsp:"/",data:["a",{_placeholder:false,num:7}]}])");

    // Errors, with the reference's message.
    one("7", "ERROR: unknown packet type 7");
    one("9", "ERROR: unknown packet type 9");
    one("x", "ERROR: unknown packet type NaN");
    one("4abc", "ERROR: invalid payload");
    one("42abc[1]", "ERROR: invalid payload");
    one(R"(42["connect"])", "ERROR: invalid payload");
    one("42[]", "ERROR: invalid payload");
    one("40[]", "ERROR: invalid payload");
    one("451-", "ERROR: invalid payload");
    one("40/custom", "ERROR: invalid payload");
    one(R"(42/nsp,12["x"])", "ERROR: invalid payload");
    one("2{}", "ERROR: invalid payload");
    one(R"(2abc["a"])", "ERROR: invalid payload");
    one(R"(2["connect"])", "ERROR: invalid payload");
    one(R"(2["connect_error"])", "ERROR: invalid payload");
    one(R"(2["disconnect"])", "ERROR: invalid payload");
    one(R"(2["disconnecting"])", "ERROR: invalid payload");
    one(R"(2["newListener"])", "ERROR: invalid payload");
    one(R"(2["removeListener"])", "ERROR: invalid payload");
    one("2[]", "ERROR: invalid payload");
    one(R"(2"a")", "ERROR: invalid payload");
    one("2[null]", "ERROR: invalid payload");
    one("2[true]", "ERROR: invalid payload");
    one("2[{}]", "ERROR: invalid payload");
    one(R"(2{"a":1,"a":2})", "ERROR: invalid payload");
    one("1{}", "ERROR: invalid payload");
    one("1/admin,{}", "ERROR: invalid payload");
    one("0[]", "ERROR: invalid payload");
    one(R"(0"x")", "ERROR: invalid payload");
    one("0null", "ERROR: invalid payload");
    one("0-", "ERROR: invalid payload");
    one("11-", "ERROR: invalid payload");
    one("3{}", "ERROR: invalid payload");
    one("4[]", "ERROR: invalid payload");
    one("4null", "ERROR: invalid payload");
    one(R"(51-["connect"])", "ERROR: invalid payload");
    one("51-{}", "ERROR: invalid payload");
    one("5", "ERROR: Illegal attachments");
    one("5-", "ERROR: Illegal attachments");
    one(R"(50-["a"])", "ERROR: Illegal attachments");
    one("5x-", "ERROR: Illegal attachments");
    one(R"(51x["a"])", "ERROR: Illegal attachments");
    one(R"(511-["a"])", "ERROR: too many attachments");
    one(R"(5999999999-["a"])", "ERROR: too many attachments");
    // Ids that are not numbers.
    one(R"(2/nsp,abc["x"])", "ERROR: invalid payload");
    one(R"(2x1["a"])", "ERROR: invalid payload");
    one(R"(2-1["a"])", "ERROR: invalid payload");
    one(R"(21.5["a"])", "ERROR: invalid payload");
    one(R"(21e3["a"])", "ERROR: invalid payload");
    // JSON that JSON.parse rejects.
    one(R"(2["a"]x)", "ERROR: invalid payload");
    one(R"(2["a"][1])", "ERROR: invalid payload");
    one(R"(2["a",01])", "ERROR: invalid payload");
    one(R"(2["a",1.])", "ERROR: invalid payload");
    one(R"(2["a",.5])", "ERROR: invalid payload");
    one(R"(2["a",+1])", "ERROR: invalid payload");
    one(R"(2["a",])", "ERROR: invalid payload");
    one(R"(2["a",NaN])", "ERROR: invalid payload");
    one(R"(2["a","\x"])", "ERROR: invalid payload");
    one("2[\"a\",\"\x01\"]", "ERROR: invalid payload");

    // Decoder state.
    row("binary frame without reconstruction", Messages{binary("01")},
        "ERROR: got binary data when not reconstructing a packet");
    row("text frame during reconstruction",
        Messages{text(R"(51-["a",{"_placeholder":true,"num":0}])"), text(R"(2["b"])")},
        "ERROR: got plaintext data when reconstructing a packet");
    row("placeholder index too large",
        Messages{text(R"(51-["a",{"_placeholder":true,"num":1}])"), binary("01")},
        "ERROR: illegal attachments");
    row("placeholder index negative",
        Messages{text(R"(51-["a",{"_placeholder":true,"num":-1}])"), binary("01")},
        "ERROR: illegal attachments");
    row("placeholder index a string",
        Messages{text(R"(51-["a",{"_placeholder":true,"num":"0"}])"), binary("01")},
        "ERROR: illegal attachments");
    row("placeholder without index",
        Messages{text(R"(51-["a",{"_placeholder":true}])"), binary("01")},
        "ERROR: illegal attachments");
    // The attack shapes of the reference's CVEs and their neighbours.
    row("placeholder num __proto__ (CVE-2022-2421)",
        Messages{text(R"(51-["a",{"_placeholder":true,"num":"__proto__"}])"), binary("01")},
        "ERROR: illegal attachments");
    row("placeholder num toString",
        Messages{text(R"(51-["a",{"_placeholder":true,"num":"toString"}])"), binary("01")},
        "ERROR: illegal attachments");
    row("placeholder num huge",
        Messages{text(R"(51-["a",{"_placeholder":true,"num":1e300}])"), binary("01")},
        "ERROR: illegal attachments");
    row("placeholder num 2^53",
        Messages{text(R"(51-["a",{"_placeholder":true,"num":9007199254740993}])"), binary("01")},
        "ERROR: illegal attachments");
    row("placeholder num an object",
        Messages{text(R"(51-["a",{"_placeholder":true,"num":{"valueOf":0}}])"), binary("01")},
        "ERROR: illegal attachments");
    row("placeholder num an array",
        Messages{text(R"(51-["a",{"_placeholder":true,"num":[0]}])"), binary("01")},
        "ERROR: illegal attachments");
    row("placeholder \"true\" is data",
        Messages{text(R"(51-["a",{"_placeholder":"true","num":0}])"), binary("01")},
        R"([{type:2,nsp:"/",data:["a",{_placeholder:"true",num:0}]}])");
    row("placeholder as the event name",
        Messages{text(R"(51-[{"_placeholder":true,"num":0}])"), binary("01")},
        "ERROR: invalid payload");
    row("placeholder as a map key's neighbour",
        Messages{text(R"(51-["a",{"__proto__":{"_placeholder":true,"num":0}}])"), binary("01")},
        R"([{type:2,nsp:"/",data:["a",{__proto__:<01>}]}])");
    row("ten attachments",
        Messages{text(R"(510-["a"])"), binary("00"), binary("01"), binary("02"), binary("03"),
                 binary("04"), binary("05"), binary("06"), binary("07"), binary("08"),
                 binary("09")},
        R"([{type:2,nsp:"/",data:["a"]}])");
    one(R"(2[{"toString":"x"}])", "ERROR: invalid payload"); // CVE-2023-32695
    one(R"(2[["a"]])", "ERROR: invalid payload");
    one(R"(2[{"_placeholder":true,"num":0}])", "ERROR: invalid payload");
    one(R"(2{"0":"a","length":1})", "ERROR: invalid payload");
    one(R"(2"message")", "ERROR: invalid payload");
    one("2999999999999999[\"a\"]", R"([{type:2,nsp:"/",id:999999999999999,data:["a"]}])");
    one(R"(51-)"
        "[\"a\"]",
        "[]"); // a count but no placeholder: waits all the same
    one("2/" + QByteArray(1000, 'n') + ",[\"a\"]",
        ("[{type:2,nsp:\"/" + QByteArray(1000, 'n') + "\",data:[\"a\"]}]").constData());

    // Inputs where this decoder and the reference part ways.
    const QString whitespaceType = QStringLiteral(
        "decodeString reads the type with isDigit(); the reference uses Number(charAt(0)), "
        "which is 0 (CONNECT) for a whitespace character");
    one(" {}", R"([{type:0,nsp:"/",data:{}}])", whitespaceType);
    one("\t{}", R"([{type:0,nsp:"/",data:{}}])", whitespaceType);
    const QString whitespaceId = QStringLiteral(
        "decodeString's id scan only takes 0-9; the reference's `Number(c) == c` also "
        "takes whitespace, so \"2 [...]\" has id 0 and \"2 1[...]\" id 1");
    one(R"(2 ["a"])", R"([{type:2,nsp:"/",id:0,data:["a"]}])", whitespaceId);
    one(R"(2 1["a"])", R"([{type:2,nsp:"/",id:1,data:["a"]}])", whitespaceId);
    one(R"(2/n, 3["a"])", R"([{type:2,nsp:"/n",id:3,data:["a"]}])", whitespaceId);
    const QString numericCount = QStringLiteral(
        "decodeString accepts only 0-9 in the attachment count; the reference accepts any "
        "string equal to its Number() (\" 1\", \"1e0\")");
    row("attachment count with a space",
        Messages{text(R"(5 1-["a",{"_placeholder":true,"num":0}])"), binary("01")},
        R"([{type:2,nsp:"/",data:["a",<01>]}])", numericCount);
    row("attachment count 1e0",
        Messages{text(R"(51e0-["a",{"_placeholder":true,"num":0}])"), binary("01")},
        R"([{type:2,nsp:"/",data:["a",<01>]}])", numericCount);
    const QString longId = QStringLiteral(
        "decodeString rejects ids longer than 15 digits with \"invalid packet id\"; the "
        "reference accepts them as Number(digits)");
    one("21234567890123456[\"a\"]", R"([{type:2,nsp:"/",id:1234567890123456,data:["a"]}])", longId);
    one("21234567890123456789[\"a\"]", R"([{type:2,nsp:"/",id:1234567890123456768,data:["a"]}])",
        longId);
    one("2[\"a\"]\f", "ERROR: invalid payload");
    one("2[\"a\"]\v", "ERROR: invalid payload");
    QTest::addRow("lone surrogate escape")
        << Messages{text(R"(2["a","\ud800"])")}
        << (s(R"([{type:2,nsp:"/",data:["a",")") + QChar(0xd800) + s(R"("]}])")) << QString();
    row("placeholder index 0.5",
        Messages{text(R"(51-["a",{"_placeholder":true,"num":0.5}])"), binary("01")},
        R"([{type:2,nsp:"/",data:["a",undefined]}])",
        QStringLiteral("resolvePlaceholders rejects a non-integral num; the reference only "
                       "checks typeof num === \"number\" and 0 <= num < length, and "
                       "buffers[0.5] is undefined"));
}

void tst_Parser::decode()
{
    QFETCH(Messages, messages);
    QFETCH(QString, expected);
    QFETCH(QString, knownBug);
    const QString actual = decodeAll(messages);
    if (!knownBug.isEmpty())
        QEXPECT_FAIL("", qPrintable(knownBug), Continue);
    QCOMPARE(actual, expected);
}

void tst_Parser::decoderRecoversAfterBinaryPacket()
{
    auto decoder = Parser::defaultParser()->createDecoder();
    QList<Packet> packets;
    QString error;
    QVERIFY(decoder->add(R"(51-["a",{"_placeholder":true,"num":0}])", false, &packets, &error));
    QVERIFY(packets.isEmpty());
    QVERIFY(decoder->add(hex("ab"), true, &packets, &error));
    QCOMPARE(dump(packets), s(R"([{type:2,nsp:"/",data:["a",<ab>]}])"));
    // The next text frame starts a new packet; a binary one is out of place again.
    QVERIFY(decoder->add(R"(3/x,4["b"])", false, &packets, &error));
    QCOMPARE(dump(packets),
             s(R"([{type:2,nsp:"/",data:["a",<ab>]},{type:3,nsp:"/x",id:4,data:["b"]}])"));
    QVERIFY(!decoder->add(hex("ab"), true, &packets, &error));
    QCOMPARE(error, s("got binary data when not reconstructing a packet"));
}

void tst_Parser::pendingBinaryPacketHoldsItsText_data()
{
    QTest::addColumn<QByteArray>("element");
    QTest::addRow("small arrays") << QByteArray(R"([0,0,0])");
    QTest::addRow("small objects") << QByteArray(R"({"k":0,"j":1})");
    QTest::addRow("numbers") << QByteArray("0");
}

void tst_Parser::pendingBinaryPacketHoldsItsText()
{
    // A BINARY_EVENT whose attachments never come is held until they do (the reference has no
    // timeout either). It must cost about what it weighs, not the tree parsed from it: a
    // QVariant per JSON value held 23 times the message's size.
#if !defined(__GLIBC__) || defined(SOCKETIO_TEST_ASAN)
    QSKIP("counts the heap with glibc's mallinfo2()");
#else
    QFETCH(QByteArray, element);
    QByteArray message = R"(51-["a",{"_placeholder":true,"num":0})";
    while (message.size() < 1'000'000)
        message += ',' + element;
    message += ']';
    message.squeeze();
    auto decoder = Parser::defaultParser()->createDecoder();
    QList<Packet> packets;
    QString error;
    const size_t before = mallinfo2().uordblks;
    QVERIFY(decoder->add(message, false, &packets, &error));
    const qint64 held = qint64(mallinfo2().uordblks) - qint64(before);
    QVERIFY2(held < 2 * message.size(), qPrintable(QStringLiteral("%1 bytes held for a %2-byte "
                                                                  "message")
                                                       .arg(held)
                                                       .arg(message.size())));
    QVERIFY(packets.isEmpty());
    // It completes as before.
    QVERIFY(decoder->add(hex("ab"), true, &packets, &error));
    QCOMPARE(packets.size(), 1);
    const QVariantList data = packets.first().data.toList();
    QCOMPARE(data.at(1), QVariant(hex("ab")));
#endif
}

QTEST_GUILESS_MAIN(tst_Parser)

#include "tst_parser.moc"
