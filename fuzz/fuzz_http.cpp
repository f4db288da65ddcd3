// The HTTP front's request parser (http/httpparser_p.h) on what a client sends on one
// connection: requests one after another, each a head and a body, handled the way
// Http::Connection does (find the end of the head, parse it, frame the body, read the body).
//
// Properties checked: the end of the head is found the same when the search resumes over a
// growing buffer; a parsed head holds only what RFC 9112 allows and, written out again, parses
// to the same request; a body reads the same whole, in pieces and byte by byte, never larger
// than allowed; an error carries a status the front can answer with. The bytes are also read
// as the response head a server sends the Qt client's WebSocket.
#include "http/httpparser_p.h"
#include "websocket/clientconnection_p.h"

#include "fuzzcheck.h"

#include <QtCore/QUrlQuery>

using namespace SocketIO;
using namespace SocketIO::Http;

namespace {

constexpr qsizetype MaxHeaderSize = 16 * 1024; // HttpLimits' default
constexpr int MaxRequests = 16;

bool isErrorStatus(int status)
{
    return status == 400 || status == 413 || status == 431 || status == 501 || status == 505;
}

// Where the head ends, found as the connection finds it: resuming over a buffer that grows by
// the pieces `random` cuts.
qsizetype findHeadEndIncrementally(QByteArrayView stream, Fuzz::Random &random)
{
    qsizetype scanned = 0;
    qsizetype size = 0;
    while (size < stream.size()) {
        size = qMin(stream.size(), size + 1 + random.below(random.below(2) ? 8 : 512));
        const qsizetype end = findHeadEnd(stream.first(size), scanned);
        if (end >= 0 || end == HeadMalformed)
            return end;
        scanned = size;
    }
    return HeadIncomplete;
}

void checkRequest(const HttpRequest &request)
{
    const QByteArray method = request.method();
    FUZZ_CHECK(!method.isEmpty() && !method.contains(' ') && !method.contains('\r'));
    const QByteArray target = request.target();
    FUZZ_CHECK(!target.isEmpty() && !target.contains(' ') && !target.contains('\n'));
    FUZZ_CHECK(request.httpVersion() == "HTTP/1.1" || request.httpVersion() == "HTTP/1.0");
    for (const auto &[name, value] : request.headers()) {
        FUZZ_CHECK(!name.isEmpty() && name == name.toLower());
        FUZZ_CHECK(!name.contains(':') && !name.contains(' '));
        FUZZ_CHECK(!value.contains('\r') && !value.contains('\n') && !value.contains('\0'));
        FUZZ_CHECK(value == value.trimmed());
    }

    // What the engine reads from a request.
    (void)request.path();
    const QUrlQuery query = request.query();
    (void)query.queryItems(QUrl::FullyDecoded);
    (void)request.queryItem(QStringLiteral("EIO"));
    (void)request.queryItem(QStringLiteral("sid"));
    (void)request.keepAlive();
    (void)request.isWebSocketUpgrade();
    (void)request.header("content-type");

    // Written out again, the head parses to the same request.
    QByteArray head = method + ' ' + target + ' ' + request.httpVersion() + "\r\n";
    for (const auto &[name, value] : request.headers())
        head += name + ": " + value + "\r\n";
    head += "\r\n";
    FUZZ_CHECK(findHeadEnd(head) == head.size());
    HttpRequest again;
    ParseError error;
    FUZZ_CHECK(parseHead(head, &again, &error));
    FUZZ_CHECK(again.method() == method && again.target() == target);
    FUZZ_CHECK(again.httpVersion() == request.httpVersion());
    FUZZ_CHECK(again.headers() == request.headers());
}

struct BodyOutcome
{
    qsizetype used = 0;
    bool complete = false;
    bool failed = false;
    int status = 0;
    QByteArray body;
};

BodyOutcome readBody(const BodyFraming &framing, qint64 maxSize, QByteArrayView data,
                     qsizetype piece, Fuzz::Random *random)
{
    BodyReader reader(framing, maxSize);
    BodyOutcome outcome;
    if (reader.error().status) {
        outcome.failed = true;
        outcome.status = reader.error().status;
        return outcome;
    }
    qsizetype from = 0;
    do {
        qsizetype n = data.size() - from;
        if (piece > 0)
            n = qMin(n, piece);
        else if (random && n > 0)
            n = 1 + random->below(qMin<qsizetype>(n, random->below(2) ? 6 : 4096));
        if (reader.isComplete())
            break;
        const qsizetype used = reader.feed(data.sliced(from, n));
        if (used < 0) {
            outcome.failed = true;
            outcome.status = reader.error().status;
            FUZZ_CHECK(isErrorStatus(outcome.status));
            return outcome;
        }
        FUZZ_CHECK(used <= n);
        // A reader that still wants bytes takes all it is given.
        FUZZ_CHECK(reader.isComplete() || used == n);
        from += used;
        outcome.used = from;
    } while (from < data.size());
    outcome.complete = reader.isComplete();
    if (outcome.complete)
        outcome.body = reader.takeBody();
    return outcome;
}

} // namespace

extern "C" int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    QByteArrayView stream(reinterpret_cast<const char *>(data), qsizetype(size));
    Fuzz::Random random(data, size);
    // The engine's default limit, and small ones that bodies run into.
    static const qint64 limits[] = {1'000'000, 0, 10, 1000};
    const qint64 maxBody = limits[random.below(4)];

    // The same bytes as a server's answer to the Qt client's upgrade request (a response head,
    // websocket/clientconnection_p.h): header names come out as lower-case tokens.
    if (const qsizetype end = findHeadEnd(stream.first(qMin(stream.size(), qsizetype(65536))));
        end >= 0) {
        int status = 0;
        QHash<QByteArray, QByteArray> headers;
        if (WebSocket::parseResponseHead(stream.first(end), &status, &headers)) {
            FUZZ_CHECK(status > -100 && status < 1000);
            for (auto it = headers.cbegin(); it != headers.cend(); ++it)
                FUZZ_CHECK(isToken(it.key()) && it.key() == it.key().toLower());
        }
    }

    for (int i = 0; i < MaxRequests && !stream.isEmpty(); ++i) {
        const QByteArrayView window = stream.first(qMin(stream.size(), MaxHeaderSize + 4));
        const qsizetype end = findHeadEnd(window);
        FUZZ_CHECK(end == HeadIncomplete || end == HeadMalformed ||
                   (end >= 4 && end <= window.size()));
        FUZZ_CHECK(findHeadEndIncrementally(window, random) == end);
        if (end < 0)
            break; // incomplete (431 past MaxHeaderSize), or malformed line ends (400)

        HttpRequest request;
        ParseError error;
        if (!parseHead(window.first(end), &request, &error)) {
            FUZZ_CHECK(isErrorStatus(error.status) && !error.reason.isEmpty());
            break;
        }
        checkRequest(request);
        stream = stream.sliced(end);

        BodyFraming framing;
        if (!bodyFraming(request, &framing, &error)) {
            FUZZ_CHECK(isErrorStatus(error.status));
            break;
        }
        FUZZ_CHECK(framing.length >= 0);
        const BodyOutcome whole = readBody(framing, maxBody, stream, 0, nullptr);
        for (const qsizetype piece : {qsizetype(-1), qsizetype(1)}) {
            if (piece == 1 && stream.size() > 2048)
                continue;
            const BodyOutcome other = readBody(framing, maxBody, stream, piece, &random);
            FUZZ_CHECK(other.complete == whole.complete);
            FUZZ_CHECK(other.failed == whole.failed);
            FUZZ_CHECK(other.status == whole.status);
            FUZZ_CHECK(other.body == whole.body);
            if (whole.complete)
                FUZZ_CHECK(other.used == whole.used);
        }
        if (!whole.complete)
            break;
        FUZZ_CHECK(whole.body.size() <= maxBody);
        if (framing.kind == BodyFraming::Length)
            FUZZ_CHECK(whole.body.size() == framing.length);
        if (framing.kind == BodyFraming::None)
            FUZZ_CHECK(whole.body.isEmpty() && whole.used == 0);
        stream = stream.sliced(whole.used);
    }
    return 0;
}
