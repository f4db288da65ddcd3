// The HTTP/2 front (http/http2connection_p.h, nghttp2's server session under our callbacks) on
// what a client sends on one connection: the preface, then frames. The input is fed whole, or
// cut in pieces where its first byte says. Requests are answered as the engine answers them:
// at once, later (a held long-poll, answered after the input), or reset.
//
// Properties checked: a request handed over has a method and a target, lower-case header
// names without CR, LF or NUL in values, and a body within the handler's limit; no more
// streams are open at once than HttpLimits allows; a session that failed stays failed.
#include "http/http2connection_p.h"

#include "fuzzcheck.h"

#include <QtCore/QCoreApplication>
#include <QtCore/QPointer>

using namespace SocketIO;
using namespace SocketIO::Http;

namespace {

constexpr qint64 MaxBody = 4096;
constexpr int MaxStreams = 8;

class FuzzHandler : public Handler
{
public:
    qint64 maxBodySize(const HttpRequest &) const override { return MaxBody; }
    void handleRequest(Connection *connection, const HttpRequest &request) override
    {
        FUZZ_CHECK(!request.method().isEmpty());
        FUZZ_CHECK(!request.target().isEmpty());
        FUZZ_CHECK(request.body().size() <= MaxBody);
        for (const auto &[name, value] : request.headers()) {
            FUZZ_CHECK(!name.isEmpty() && name == name.toLower());
            FUZZ_CHECK(!value.contains('\r') && !value.contains('\n') && !value.contains('\0'));
        }
        (void)request.path();
        (void)request.query();
        switch (++count % 3) {
        case 0: {
            HttpResponse response;
            response.setHeader(QByteArrayLiteral("Content-Type"), QByteArrayLiteral("text/plain"));
            response.setHeader(QByteArrayLiteral("Connection"), QByteArrayLiteral("keep-alive"));
            response.setBody(request.body().isEmpty() ? QByteArrayLiteral("ok") : request.body());
            connection->addResponseHeaders({{QByteArrayLiteral("Set-Cookie"), "io=x"}});
            connection->respond(response);
            break;
        }
        case 1:
            held.append(connection); // answered after the input, or aborted by the peer
            break;
        default:
            connection->abort();
            break;
        }
    }
    void handleUpgrade(Connection *connection, const HttpRequest &) override
    {
        FUZZ_CHECK(false); // HTTP/2 has no upgrades
        connection->abort();
    }

    int count = 0;
    QList<QPointer<Connection>> held;
};

} // namespace

extern "C" int LLVMFuzzerInitialize(int *argc, char ***argv)
{
    static QCoreApplication app(*argc, *argv);
    return 0;
}

extern "C" int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    if (size == 0)
        return 0;
    const qsizetype piece = data[0] ? data[0] : size; // 0: whole
    const QByteArrayView input(reinterpret_cast<const char *>(data) + 1, qsizetype(size - 1));
    FuzzHandler handler;
    HttpLimits limits;
    limits.setMaxConcurrentStreams(MaxStreams);
    limits.maxHeaderSize = 4096;
    limits.maxHeadersCount = 64;
    {
        Http2Session session(nullptr, &handler, limits, nullptr);
        bool alive = true;
        for (qsizetype at = 0; at < input.size() && alive; at += piece) {
            alive = session.feed(input.sliced(at, qMin(piece, input.size() - at)));
            FUZZ_CHECK(session.streamCount() <= MaxStreams);
        }
        if (!alive)
            FUZZ_CHECK(!session.feed(QByteArrayView("x")));
        for (const QPointer<Connection> &connection : std::as_const(handler.held)) {
            if (connection) {
                HttpResponse response;
                response.setBody(QByteArrayLiteral("late"));
                connection->respond(response);
            }
        }
        session.closeGracefully();
    }
    QCoreApplication::sendPostedEvents(nullptr, QEvent::DeferredDelete);
    return 0;
}
