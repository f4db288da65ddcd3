// Response headers of the HTTP front: CORS (npm `cors`), the session cookie (npm `cookie`)
// and HTTP compression negotiation (npm `accepts`/`negotiator`) with zlib.
#include "http/compression_p.h"
#include "http/cookie_p.h"
#include "http/cors_p.h"
#include <SocketIO/EngineOptions>
#include <SocketIO/HttpRequest>

#include <QtCore/QRandomGenerator>
#include <QtCore/QtEndian>
#include <QtTest/QTest>

using namespace SocketIO;
using namespace SocketIO::Http;
using Headers = QList<HttpResponse::Header>;

Q_DECLARE_METATYPE(SocketIO::CorsOptions)
Q_DECLARE_METATYPE(SocketIO::CookieOptions)
Q_DECLARE_METATYPE(SocketIO::Http::ContentEncoding)
Q_DECLARE_METATYPE(SocketIO::Http::OriginDecision)

namespace {
HttpRequest request(const QByteArray &method, const Headers &headers)
{
    HttpRequest r;
    r.setMethod(method);
    r.setTarget("/engine.io/?EIO=4&transport=polling");
    for (const auto &h : headers)
        r.addHeader(h.first, h.second);
    return r;
}

CorsOptions corsWith(CorsOptions::Origin origin, const QStringList &origins = {})
{
    CorsOptions options;
    options.origin = origin;
    options.origins = origins;
    return options;
}

const QByteArray AllowOrigin = "Access-Control-Allow-Origin";
const QByteArray AllowCredentials = "Access-Control-Allow-Credentials";
const QByteArray AllowMethods = "Access-Control-Allow-Methods";
const QByteArray AllowHeaders = "Access-Control-Allow-Headers";
const QByteArray MaxAge = "Access-Control-Max-Age";
const QByteArray ExposeHeaders = "Access-Control-Expose-Headers";
const QByteArray DefaultMethods = "GET,HEAD,PUT,PATCH,POST,DELETE";
} // namespace

class tst_HttpHeaders : public QObject
{
    Q_OBJECT

private Q_SLOTS:
    void requestHeaders_data();
    void requestHeaders();
    void requestCopyDetaches();
    void requestPeer_data();
    void requestPeer();
    void corsDefaults();
    void corsHeaders_data();
    void corsHeaders();
    void corsPreflightContinue();
    void isOriginListed_data();
    void isOriginListed();
    void decideOrigin_data();
    void decideOrigin();
    void appendVary_data();
    void appendVary();
    void hasInvalidHeaderChar_data();
    void hasInvalidHeaderChar();

    void cookie_data();
    void cookie();

    void negotiateEncoding_data();
    void negotiateEncoding();
    void encodingName_data();
    void encodingName();
    void compressRoundTrip_data();
    void compressRoundTrip();
    void compressIdentity();
    void decompressInvalid_data();
    void decompressInvalid();
};

// --- CORS ----------------------------------------------------------------------------------

void tst_HttpHeaders::requestHeaders_data()
{
    QTest::addColumn<int>("valueSize");
    // A value's length takes one byte below 255, five from there.
    for (int size : {0, 1, 254, 255, 256, 70000})
        QTest::addRow("%d bytes", size) << size;
}

void tst_HttpHeaders::requestHeaders()
{
    QFETCH(int, valueSize);
    const QByteArray value(valueSize, 'v');
    const QByteArray longName(300, 'n');
    HttpRequest request;
    request.addHeader("host", "example.com");
    request.addHeader("x-big", value);
    request.addHeader("cookie", "a=1");
    request.addHeader("cookie", "b=2");
    request.addHeader(longName, value);
    const QList<HttpRequest::Header> expected{{"host", "example.com"},
                                              {"x-big", value},
                                              {"cookie", "a=1"},
                                              {"cookie", "b=2"},
                                              {longName, value}};
    QCOMPARE(request.headers(), expected);
    QCOMPARE(request.header("X-Big"), value);
    QCOMPARE(request.header("cookie"), QByteArray("a=1")); // the first of repeated ones
    QCOMPARE(request.header(longName.toUpper()), value);
    QVERIFY(request.hasHeader("HOST"));
    QVERIFY(!request.hasHeader("x-bi"));
    QVERIFY(request.header("missing").isNull());
}

void tst_HttpHeaders::requestCopyDetaches()
{
    HttpRequest a;
    a.setMethod("GET");
    a.setTarget("/socket.io/?EIO=4");
    a.addHeader("host", "a");
    const HttpRequest b = a;
    a.addHeader("origin", "o");
    a.setTarget("/other");
    a.setPeer(QHostAddress(QStringLiteral("10.0.0.1")), 1, true);
    QCOMPARE(b.headers(), (QList<HttpRequest::Header>{{"host", "a"}}));
    QCOMPARE(b.target(), QByteArray("/socket.io/?EIO=4"));
    QVERIFY(b.peerAddress().isNull());
    QCOMPARE(b.peerPort(), quint16(0));
    QVERIFY(!b.isSecure());
    QCOMPARE(a.headers().size(), 2);
    QVERIFY(b.peerCertificate().isNull());
}

void tst_HttpHeaders::requestPeer_data()
{
    QTest::addColumn<QHostAddress>("address");
    QTest::addRow("null") << QHostAddress();
    QTest::addRow("IPv4") << QHostAddress(QStringLiteral("127.0.0.1"));
    QTest::addRow("IPv6") << QHostAddress(QStringLiteral("2001:db8::1"));
    QTest::addRow("IPv4-mapped") << QHostAddress(QStringLiteral("::ffff:192.0.2.7"));
    QTest::addRow("IPv6 scoped") << QHostAddress(QStringLiteral("fe80::1%lo"));
    QTest::addRow("any") << QHostAddress(QHostAddress::Any);
}

void tst_HttpHeaders::requestPeer()
{
    QFETCH(QHostAddress, address);
    HttpRequest request;
    request.setPeer(address, 4321, true);
    QCOMPARE(request.peerAddress(), address);
    QCOMPARE(request.peerAddress().protocol(), address.protocol());
    QCOMPARE(request.peerAddress().toString(), address.toString());
    QCOMPARE(request.peerPort(), quint16(4321));
    QVERIFY(request.isSecure());
}

void tst_HttpHeaders::corsDefaults()
{
    const CorsOptions options;
    QCOMPARE(options.origin, CorsOptions::Origin::Any);
    QCOMPARE(options.methods.join(u','), QString::fromLatin1(DefaultMethods));
    QVERIFY(!options.allowedHeaders);
    QVERIFY(options.exposedHeaders.isEmpty());
    QVERIFY(!options.credentials);
    QVERIFY(!options.maxAge);
    QVERIFY(!options.preflightContinue);
    QCOMPARE(options.optionsSuccessStatus, 204);

    const CorsOptions fixed = CorsOptions::allowingOrigin(QStringLiteral("https://a.example"));
    QCOMPARE(fixed.origin, CorsOptions::Origin::List);
    QCOMPARE(fixed.origins, QStringList{QStringLiteral("https://a.example")});
}

void tst_HttpHeaders::corsHeaders_data()
{
    QTest::addColumn<CorsOptions>("options");
    QTest::addColumn<QByteArray>("method");
    QTest::addColumn<Headers>("requestHeaders");
    QTest::addColumn<bool>("originAllowed");
    QTest::addColumn<Headers>("expected");
    QTest::addColumn<bool>("preflight");

    const Headers fromA{{"origin", "https://a.example"}};
    const Headers fromEvil{{"origin", "https://evil.example"}};
    const Headers preflightFromA{{"origin", "https://a.example"},
                                 {"access-control-request-method", "POST"},
                                 {"access-control-request-headers", "x-token,content-type"}};

    QTest::addRow("default: any origin") << CorsOptions() << QByteArray("GET") << fromA << true
                                         << Headers{{AllowOrigin, "*"}} << false;
    QTest::addRow("default: no Origin header") << CorsOptions() << QByteArray("GET") << Headers{}
                                               << true << Headers{{AllowOrigin, "*"}} << false;
    QTest::addRow("reflect") << corsWith(CorsOptions::Origin::Reflect) << QByteArray("POST")
                             << fromA << true
                             << Headers{{AllowOrigin, "https://a.example"}, {"Vary", "Origin"}}
                             << false;
    QTest::addRow("reflect without Origin")
        << corsWith(CorsOptions::Origin::Reflect) << QByteArray("GET") << Headers{} << true
        << Headers{{"Vary", "Origin"}} << false;
    QTest::addRow("one listed origin, same request origin")
        << corsWith(CorsOptions::Origin::List, {"https://a.example"}) << QByteArray("GET") << fromA
        << true << Headers{{AllowOrigin, "https://a.example"}, {"Vary", "Origin"}} << false;
    // Like `cors` with a string origin: sent whatever the request's Origin.
    QTest::addRow("one listed origin, other request origin")
        << corsWith(CorsOptions::Origin::List, {"https://a.example"}) << QByteArray("GET")
        << fromEvil << false << Headers{{AllowOrigin, "https://a.example"}, {"Vary", "Origin"}}
        << false;
    QTest::addRow("one listed origin, no Origin")
        << corsWith(CorsOptions::Origin::List, {"https://a.example"}) << QByteArray("GET")
        << Headers{} << false << Headers{{AllowOrigin, "https://a.example"}, {"Vary", "Origin"}}
        << false;
    QTest::addRow("several origins, allowed")
        << corsWith(CorsOptions::Origin::List, {"https://a.example", "https://b.example"})
        << QByteArray("GET") << fromA << true
        << Headers{{AllowOrigin, "https://a.example"}, {"Vary", "Origin"}} << false;
    QTest::addRow("several origins, refused")
        << corsWith(CorsOptions::Origin::List, {"https://a.example", "https://b.example"})
        << QByteArray("GET") << fromEvil << false << Headers{{"Vary", "Origin"}} << false;
    {
        CorsOptions patterns = corsWith(CorsOptions::Origin::List);
        patterns.originPatterns = {
            QRegularExpression(QStringLiteral("^https://.*\\.a\\.example$"))};
        QTest::addRow("pattern, allowed")
            << patterns << QByteArray("GET") << Headers{{"origin", "https://x.a.example"}} << true
            << Headers{{AllowOrigin, "https://x.a.example"}, {"Vary", "Origin"}} << false;
        QTest::addRow("pattern, refused") << patterns << QByteArray("GET") << fromEvil << false
                                          << Headers{{"Vary", "Origin"}} << false;
        // A single origin plus a pattern is a list, not a fixed origin.
        patterns.origins = {QStringLiteral("https://a.example")};
        QTest::addRow("origin + pattern, refused") << patterns << QByteArray("GET") << fromEvil
                                                   << false << Headers{{"Vary", "Origin"}} << false;
    }
    QTest::addRow("callback, allowed")
        << corsWith(CorsOptions::Origin::Callback) << QByteArray("GET") << fromA << true
        << Headers{{AllowOrigin, "https://a.example"}, {"Vary", "Origin"}} << false;
    QTest::addRow("disabled") << corsWith(CorsOptions::Origin::Disabled) << QByteArray("GET")
                              << fromA << true << Headers{} << false;
    QTest::addRow("disabled preflight")
        << corsWith(CorsOptions::Origin::Disabled) << QByteArray("OPTIONS") << preflightFromA
        << true << Headers{} << false;
    {
        CorsOptions credentials = corsWith(CorsOptions::Origin::Reflect);
        credentials.credentials = true;
        QTest::addRow("credentials") << credentials << QByteArray("GET") << fromA << true
                                     << Headers{{AllowOrigin, "https://a.example"},
                                                {"Vary", "Origin"},
                                                {AllowCredentials, "true"}}
                                     << false;
    }
    QTest::addRow("preflight, defaults")
        << CorsOptions() << QByteArray("OPTIONS") << preflightFromA << true
        << Headers{{AllowOrigin, "*"},
                   {AllowMethods, DefaultMethods},
                   {"Vary", "Access-Control-Request-Headers"},
                   {AllowHeaders, "x-token,content-type"}}
        << true;
    QTest::addRow("preflight without requested headers")
        << CorsOptions() << QByteArray("OPTIONS") << fromA << true
        << Headers{{AllowOrigin, "*"},
                   {AllowMethods, DefaultMethods},
                   {"Vary", "Access-Control-Request-Headers"}}
        << true;
    QTest::addRow("preflight, reflect: one Vary header")
        << corsWith(CorsOptions::Origin::Reflect) << QByteArray("OPTIONS") << preflightFromA << true
        << Headers{{AllowOrigin, "https://a.example"},
                   {"Vary", "Origin, Access-Control-Request-Headers"},
                   {AllowMethods, DefaultMethods},
                   {AllowHeaders, "x-token,content-type"}}
        << true;
    {
        CorsOptions full = corsWith(CorsOptions::Origin::List, {"https://a.example"});
        full.methods = {QStringLiteral("GET"), QStringLiteral("POST")};
        full.allowedHeaders = QStringList{QStringLiteral("X-Token"), QStringLiteral("X-Other")};
        full.exposedHeaders = {QStringLiteral("X-Id"), QStringLiteral("X-Count")};
        full.credentials = true;
        full.maxAge = 600;
        QTest::addRow("preflight, all options")
            << full << QByteArray("OPTIONS") << preflightFromA << true
            << Headers{{AllowOrigin, "https://a.example"}, {"Vary", "Origin"},
                       {AllowCredentials, "true"},         {AllowMethods, "GET,POST"},
                       {AllowHeaders, "X-Token,X-Other"},  {MaxAge, "600"},
                       {ExposeHeaders, "X-Id,X-Count"}}
            << true;
        QTest::addRow("normal request, all options") << full << QByteArray("POST") << fromA << true
                                                     << Headers{{AllowOrigin, "https://a.example"},
                                                                {"Vary", "Origin"},
                                                                {AllowCredentials, "true"},
                                                                {ExposeHeaders, "X-Id,X-Count"}}
                                                     << false;
    }
    {
        CorsOptions zeroAge;
        zeroAge.maxAge = 0;
        zeroAge.allowedHeaders = QStringList();
        QTest::addRow("preflight, maxAge 0 and empty allowedHeaders")
            << zeroAge << QByteArray("OPTIONS") << preflightFromA << true
            << Headers{{AllowOrigin, "*"}, {AllowMethods, DefaultMethods}, {MaxAge, "0"}} << true;
    }
    {
        CorsOptions exposed;
        exposed.exposedHeaders = {QStringLiteral("X-Id")};
        QTest::addRow("exposed headers on a normal request")
            << exposed << QByteArray("GET") << fromA << true
            << Headers{{AllowOrigin, "*"}, {ExposeHeaders, "X-Id"}} << false;
        QTest::addRow("exposed headers on a preflight")
            << exposed << QByteArray("OPTIONS") << fromA << true
            << Headers{{AllowOrigin, "*"},
                       {AllowMethods, DefaultMethods},
                       {"Vary", "Access-Control-Request-Headers"},
                       {ExposeHeaders, "X-Id"}}
            << true;
    }
}

void tst_HttpHeaders::corsHeaders()
{
    QFETCH(CorsOptions, options);
    QFETCH(QByteArray, method);
    QFETCH(Headers, requestHeaders);
    QFETCH(bool, originAllowed);
    QFETCH(Headers, expected);
    QFETCH(bool, preflight);
    const CorsResult result =
        Http::corsHeaders(options, request(method, requestHeaders), originAllowed);
    QCOMPARE(result.headers, expected);
    QCOMPARE(result.preflight, preflight);
}

void tst_HttpHeaders::corsPreflightContinue()
{
    CorsOptions options;
    options.preflightContinue = true;
    const CorsResult result =
        Http::corsHeaders(options, request("OPTIONS", {{"origin", "https://a.example"}}), true);
    // The headers are still set; the request goes on to the next handler.
    QVERIFY(!result.preflight);
    QVERIFY(result.headers.contains(HttpResponse::Header{AllowMethods, DefaultMethods}));
    QVERIFY(result.headers.contains(HttpResponse::Header{AllowOrigin, "*"}));
}

void tst_HttpHeaders::isOriginListed_data()
{
    QTest::addColumn<QStringList>("origins");
    QTest::addColumn<QString>("pattern");
    QTest::addColumn<QString>("origin");
    QTest::addColumn<bool>("listed");
    const QStringList two{"https://a.example", "http://localhost:3000"};
    QTest::addRow("exact") << two << QString() << "https://a.example" << true;
    QTest::addRow("second") << two << QString() << "http://localhost:3000" << true;
    QTest::addRow("other port") << two << QString() << "http://localhost:3001" << false;
    QTest::addRow("case differs") << two << QString() << "https://A.example" << false;
    QTest::addRow("prefix only") << two << QString() << "https://a.example.evil" << false;
    QTest::addRow("empty origin") << two << QString() << "" << false;
    QTest::addRow("pattern match") << QStringList() << "^https://[a-z]+\\.example$"
                                   << "https://b.example" << true;
    QTest::addRow("pattern no match") << QStringList() << "^https://[a-z]+\\.example$"
                                      << "http://b.example" << false;
    // Like RegExp#test, an unanchored pattern matches anywhere.
    QTest::addRow("unanchored pattern") << QStringList() << "example"
                                        << "https://example.evil" << true;
    QTest::addRow("empty origin with a pattern") << QStringList() << ".*"
                                                 << "" << false;
}

void tst_HttpHeaders::isOriginListed()
{
    QFETCH(QStringList, origins);
    QFETCH(QString, pattern);
    QFETCH(QString, origin);
    QFETCH(bool, listed);
    CorsOptions options = corsWith(CorsOptions::Origin::List, origins);
    if (!pattern.isEmpty())
        options.originPatterns = {QRegularExpression(pattern)};
    QCOMPARE(Http::isOriginListed(options, origin), listed);
}

void tst_HttpHeaders::decideOrigin_data()
{
    QTest::addColumn<CorsOptions>("options");
    QTest::addColumn<QString>("origin");
    QTest::addColumn<Http::OriginDecision>("decision");
    using D = Http::OriginDecision;
    const QString a = QStringLiteral("https://a.example");
    CorsOptions withCallback = corsWith(CorsOptions::Origin::Callback);
    withCallback.originCallback = [](const QString &, CorsOptions::OriginDecision) {};
    QTest::addRow("any") << corsWith(CorsOptions::Origin::Any) << a << D::Allowed;
    QTest::addRow("reflect") << corsWith(CorsOptions::Origin::Reflect) << a << D::Allowed;
    QTest::addRow("disabled") << corsWith(CorsOptions::Origin::Disabled) << a << D::NoHeaders;
    QTest::addRow("listed") << corsWith(CorsOptions::Origin::List, {a}) << a << D::Allowed;
    QTest::addRow("not listed") << corsWith(CorsOptions::Origin::List, {a})
                                << QStringLiteral("https://b.example") << D::NotAllowed;
    QTest::addRow("no origin") << corsWith(CorsOptions::Origin::List, {a}) << QString()
                               << D::NotAllowed;
    QTest::addRow("callback") << withCallback << a << D::AskCallback;
    QTest::addRow("callback unset") << corsWith(CorsOptions::Origin::Callback) << a << D::NoHeaders;
}

void tst_HttpHeaders::decideOrigin()
{
    QFETCH(CorsOptions, options);
    QFETCH(QString, origin);
    QFETCH(Http::OriginDecision, decision);
    QCOMPARE(Http::decideOrigin(options, origin), decision);
}

void tst_HttpHeaders::appendVary_data()
{
    QTest::addColumn<Headers>("before");
    QTest::addColumn<QByteArray>("value");
    QTest::addColumn<Headers>("after");
    QTest::addRow("none yet") << Headers{{"X-A", "1"}} << QByteArray("Origin")
                              << Headers{{"X-A", "1"}, {"Vary", "Origin"}};
    QTest::addRow("appends") << Headers{{"Vary", "Accept-Encoding"}} << QByteArray("Origin")
                             << Headers{{"Vary", "Accept-Encoding, Origin"}};
    QTest::addRow("already there")
        << Headers{{"Vary", "Accept-Encoding, Origin"}} << QByteArray("Origin")
        << Headers{{"Vary", "Accept-Encoding, Origin"}};
    QTest::addRow("already there, other case")
        << Headers{{"vary", "origin"}} << QByteArray("Origin") << Headers{{"vary", "origin"}};
    QTest::addRow("star") << Headers{{"Vary", "*"}} << QByteArray("Origin")
                          << Headers{{"Vary", "*"}};
}

void tst_HttpHeaders::appendVary()
{
    QFETCH(Headers, before);
    QFETCH(QByteArray, value);
    QFETCH(Headers, after);
    Http::appendVary(before, value);
    QCOMPARE(before, after);
}

void tst_HttpHeaders::hasInvalidHeaderChar_data()
{
    QTest::addColumn<QByteArray>("value");
    QTest::addColumn<bool>("invalid");
    QTest::addRow("origin") << QByteArray("https://a.example:8080") << false;
    QTest::addRow("empty") << QByteArray() << false;
    QTest::addRow("tab") << QByteArray("a\tb") << false;
    QTest::addRow("latin-1 bytes") << QByteArray("caf\xe9") << false;
    QTest::addRow("CRLF injection") << QByteArray("https://a\r\nSet-Cookie: x=1") << true;
    QTest::addRow("LF") << QByteArray("a\nb") << true;
    QTest::addRow("NUL") << (QByteArray("a") + '\0') << true;
    QTest::addRow("DEL") << QByteArray("a\x7f") << true;
}

void tst_HttpHeaders::hasInvalidHeaderChar()
{
    QFETCH(QByteArray, value);
    QFETCH(bool, invalid);
    QCOMPARE(Http::hasInvalidHeaderChar(value), invalid);
}

// --- cookie --------------------------------------------------------------------------------

void tst_HttpHeaders::cookie_data()
{
    QTest::addColumn<CookieOptions>("options");
    QTest::addColumn<QString>("value");
    QTest::addColumn<QByteArray>("expected");

    QTest::addRow("defaults") << CookieOptions() << "AbC-_12"
                              << QByteArray("io=AbC-_12; Path=/; HttpOnly; SameSite=Lax");
    {
        CookieOptions full;
        full.name = QStringLiteral("sticky");
        full.maxAge = 3600;
        full.domain = QStringLiteral("example.com");
        full.path = QStringLiteral("/app");
        full.expires = QDateTime(QDate(2015, 10, 21), QTime(7, 28), Qt::UTC);
        full.httpOnly = true;
        full.secure = true;
        full.sameSite = QStringLiteral("Strict");
        QTest::addRow("all attributes, in order")
            << full << "v"
            << QByteArray("sticky=v; Max-Age=3600; Domain=example.com; Path=/app; "
                          "Expires=Wed, 21 Oct 2015 07:28:00 GMT; HttpOnly; "
                          "Secure; SameSite=Strict");
        full.sameSite = QStringLiteral("none");
        full.httpOnly = false;
        full.maxAge = 0;
        full.expires = QDateTime(QDate(2030, 1, 2), QTime(3, 4, 5), Qt::OffsetFromUTC, 3600);
        QTest::addRow("expires in another zone, no HttpOnly")
            << full << "v"
            << QByteArray("sticky=v; Max-Age=0; Domain=example.com; Path=/app; "
                          "Expires=Wed, 02 Jan 2030 02:04:05 GMT; Secure; "
                          "SameSite=None");
    }
    {
        CookieOptions lax;
        lax.sameSite = QStringLiteral("LAX");
        QTest::addRow("sameSite any case")
            << lax << "1" << QByteArray("io=1; Path=/; HttpOnly; SameSite=Lax");
        lax.sameSite.clear();
        lax.path.clear();
        lax.httpOnly = false;
        QTest::addRow("no path, no sameSite") << lax << "1" << QByteArray("io=1");
    }
    QTest::addRow("value encoded like encodeURIComponent")
        << CookieOptions() << QString::fromUtf8("a b;c=d,e\"f\\g/h?\xc3\xa9")
        << QByteArray("io=a%20b%3Bc%3Dd%2Ce%22f%5Cg%2Fh%3F%C3%A9; Path=/; HttpOnly; SameSite=Lax");
    {
        CookieOptions custom;
        custom.setEncode([](const QString &v) { return QStringLiteral("\"") + v + u'"'; });
        custom.setPartitioned(true);
        custom.setPriority(QStringLiteral("MEDIUM"));
        custom.secure = true;
        QTest::addRow("encode, Partitioned and Priority in the package's order")
            << custom << "a/b"
            << QByteArray("io=\"a/b\"; Path=/; HttpOnly; Secure; Partitioned; Priority=Medium; "
                          "SameSite=Lax");
        custom.setEncode([](const QString &v) { return v; });
        QTest::addRow("encoded value a cookie cannot hold") << custom << "a b" << QByteArray();
        QTest::addRow("stray quote") << custom << "a\"b" << QByteArray();
    }
    QTest::addRow("unreserved marks kept")
        << CookieOptions() << "A-z_0.9!~*'()"
        << QByteArray("io=A-z_0.9!~*'(); Path=/; HttpOnly; SameSite=Lax");
}

void tst_HttpHeaders::cookie()
{
    QFETCH(CookieOptions, options);
    QFETCH(QString, value);
    QFETCH(QByteArray, expected);
    QCOMPARE(Http::serializeCookie(options, value), expected);
}

// --- compression ---------------------------------------------------------------------------

void tst_HttpHeaders::negotiateEncoding_data()
{
    QTest::addColumn<QByteArray>("acceptEncoding");
    QTest::addColumn<ContentEncoding>("expected");
    QTest::addRow("gzip") << QByteArray("gzip") << ContentEncoding::Gzip;
    QTest::addRow("deflate") << QByteArray("deflate") << ContentEncoding::Deflate;
    QTest::addRow("gzip, deflate") << QByteArray("gzip, deflate") << ContentEncoding::Gzip;
    QTest::addRow("deflate, gzip") << QByteArray("deflate, gzip") << ContentEncoding::Deflate;
    QTest::addRow("browser") << QByteArray("gzip, deflate, br, zstd") << ContentEncoding::Gzip;
    QTest::addRow("gzip;q=0.5, deflate")
        << QByteArray("gzip;q=0.5, deflate") << ContentEncoding::Deflate;
    QTest::addRow("spaces around q")
        << QByteArray("gzip ; q=0.5 , deflate ; q=0.8") << ContentEncoding::Deflate;
    QTest::addRow("equal q, header order")
        << QByteArray("deflate;q=0.5, gzip;q=0.5") << ContentEncoding::Deflate;
    QTest::addRow("upper case") << QByteArray("GZIP") << ContentEncoding::Gzip;
    QTest::addRow("*") << QByteArray("*") << ContentEncoding::Gzip;
    QTest::addRow("gzip;q=0") << QByteArray("gzip;q=0") << ContentEncoding::Identity;
    QTest::addRow("gzip;q=0, *") << QByteArray("gzip;q=0, *") << ContentEncoding::Deflate;
    QTest::addRow("gzip;q=0.5, *") << QByteArray("gzip;q=0.5, *") << ContentEncoding::Deflate;
    QTest::addRow("*;q=0") << QByteArray("*;q=0") << ContentEncoding::Identity;
    // negotiator ranks an exact match above "*" at equal quality, before header order.
    QTest::addRow("*, gzip") << QByteArray("*, gzip") << ContentEncoding::Gzip;
    QTest::addRow("*, deflate") << QByteArray("*, deflate") << ContentEncoding::Deflate;
    QTest::addRow("br") << QByteArray("br") << ContentEncoding::Identity;
    QTest::addRow("empty") << QByteArray() << ContentEncoding::Identity;
    QTest::addRow("identity") << QByteArray("identity") << ContentEncoding::Identity;
}

void tst_HttpHeaders::negotiateEncoding()
{
    QFETCH(QByteArray, acceptEncoding);
    QFETCH(ContentEncoding, expected);
    QCOMPARE(Http::negotiateEncoding(acceptEncoding), expected);
}

void tst_HttpHeaders::encodingName_data()
{
    QTest::addColumn<ContentEncoding>("encoding");
    QTest::addColumn<QByteArray>("name");
    QTest::addRow("gzip") << ContentEncoding::Gzip << QByteArray("gzip");
    QTest::addRow("deflate") << ContentEncoding::Deflate << QByteArray("deflate");
    QTest::addRow("identity") << ContentEncoding::Identity << QByteArray("identity");
}

void tst_HttpHeaders::encodingName()
{
    QFETCH(ContentEncoding, encoding);
    QFETCH(QByteArray, name);
    QCOMPARE(Http::encodingName(encoding), name);
}

void tst_HttpHeaders::compressRoundTrip_data()
{
    QTest::addColumn<ContentEncoding>("encoding");
    QTest::addColumn<QByteArray>("data");
    QByteArray random(200 * 1024, Qt::Uninitialized);
    QRandomGenerator generator(42);
    generator.fillRange(reinterpret_cast<quint32 *>(random.data()), random.size() / 4);
    const QByteArray text = QByteArray("4{\"hello\":\"world\"}\x1e").repeated(500);
    for (ContentEncoding encoding : {ContentEncoding::Gzip, ContentEncoding::Deflate}) {
        const char *name = encoding == ContentEncoding::Gzip ? "gzip" : "deflate";
        QTest::addRow("%s, text", name) << encoding << text;
        QTest::addRow("%s, random 200 KiB", name) << encoding << random;
        QTest::addRow("%s, empty", name) << encoding << QByteArray();
        QTest::addRow("%s, one byte", name) << encoding << QByteArray("x");
    }
}

void tst_HttpHeaders::compressRoundTrip()
{
    QFETCH(ContentEncoding, encoding);
    QFETCH(QByteArray, data);
    const QByteArray compressed = Http::compress(data, encoding);
    QVERIFY(!compressed.isEmpty());
    if (encoding == ContentEncoding::Gzip) {
        // RFC 1952: magic 1f 8b, method 8 (deflate); the trailer ends with the input size.
        QVERIFY(compressed.startsWith("\x1f\x8b\x08"));
        QCOMPARE(qFromLittleEndian<quint32>(compressed.constData() + compressed.size() - 4),
                 quint32(data.size()));
    } else {
        // RFC 1950 (zlib wrapper, as Node's zlib.deflate): CMF 0x78, header checksum.
        QCOMPARE(quint8(compressed.at(0)), quint8(0x78));
        QCOMPARE((quint8(compressed.at(0)) * 256 + quint8(compressed.at(1))) % 31, 0);
        // Qt's own zlib reads it too (qUncompress wants a 4-byte big-endian size first).
        QByteArray sized(4, Qt::Uninitialized);
        qToBigEndian<quint32>(quint32(data.size()), sized.data());
        QCOMPARE(qUncompress(sized + compressed), data);
    }
    if (data.size() > 1000 && data.startsWith("4{"))
        QVERIFY(compressed.size() < data.size() / 10);
    QCOMPARE(Http::decompress(compressed, encoding), data);
}

void tst_HttpHeaders::compressIdentity()
{
    const QByteArray data = "not compressed";
    QCOMPARE(Http::compress(data, ContentEncoding::Identity), data);
    QCOMPARE(Http::decompress(data, ContentEncoding::Identity), data);
}

void tst_HttpHeaders::decompressInvalid_data()
{
    QTest::addColumn<ContentEncoding>("encoding");
    QTest::addColumn<QByteArray>("data");
    const QByteArray payload = QByteArray("hello world ").repeated(20);
    QTest::addRow("garbage as gzip") << ContentEncoding::Gzip << QByteArray("not gzip at all");
    QTest::addRow("garbage as deflate") << ContentEncoding::Deflate << QByteArray("nope");
    QTest::addRow("deflate data as gzip")
        << ContentEncoding::Gzip << Http::compress(payload, ContentEncoding::Deflate);
    QTest::addRow("truncated gzip")
        << ContentEncoding::Gzip << Http::compress(payload, ContentEncoding::Gzip).chopped(6);
    QTest::addRow("truncated deflate")
        << ContentEncoding::Deflate << Http::compress(payload, ContentEncoding::Deflate).chopped(3);
}

void tst_HttpHeaders::decompressInvalid()
{
    QFETCH(ContentEncoding, encoding);
    QFETCH(QByteArray, data);
    QVERIFY(!data.isEmpty());
    QVERIFY(Http::decompress(data, encoding).isEmpty());
}

QTEST_GUILESS_MAIN(tst_HttpHeaders)
#include "tst_httpheaders.moc"
