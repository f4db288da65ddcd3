// HTTP/1.1 request parsing: pure functions over bytes, no I/O.
#pragma once

#include "core/testable_p.h"

#include "httprequest.h"

#include <QtCore/QByteArrayView>

namespace SocketIO::Http {

struct ParseError
{
    int status = 0; // HTTP status to answer with (400, 413, 431, 501, 505)
    QByteArray reason;
};

// The longest chunk-size line (size, extensions and CRLF) a chunked body may have; longer
// ones get 413, as Node answers oversized chunk extensions.
inline constexpr qsizetype MaxChunkLineSize = 4096;
// The largest significant part of a chunk size: 15 hex digits (2^60 - 1), so that sums of
// sizes never overflow; larger ones get 400 like llhttp's overflow check.
inline constexpr qsizetype MaxChunkSizeDigits = 15;

// RFC 7230's tchar, and a non-empty run of them (a method, a header name, a cookie name, a
// WebSocket subprotocol or extension name).
SOCKETIO_TESTABLE bool isTokenChar(char c);
SOCKETIO_TESTABLE bool isToken(QByteArrayView s);

// How many CR and LF bytes precede the request line. RFC 9112 section 2.2 asks a server to
// ignore empty lines there; llhttp skips any CR and LF, and so does the front.
SOCKETIO_TESTABLE qsizetype leadingLineBreaks(QByteArrayView buffer);

enum : qsizetype { HeadIncomplete = -1, HeadMalformed = -2 };
// Where the request head ("request line + headers + empty line") ends in `buffer` (the byte
// after its empty line), HeadIncomplete when it is not complete yet, or HeadMalformed when a
// line ends with a bare LF or a CR is not followed by LF (Node answers 400 to both at once).
// `scanFrom` lets a caller resume a scan over a growing buffer.
SOCKETIO_TESTABLE qsizetype findHeadEnd(QByteArrayView buffer, qsizetype scanFrom = 0);

// Whether `partial`, the start of a request line without its CRLF, can still become a valid
// one: false as soon as a byte rules it out (a TLS ClientHello, a control character...), so
// such a request is refused at once instead of after headersTimeout.
SOCKETIO_TESTABLE bool isRequestLinePrefix(QByteArrayView partial, ParseError *error);

// Parses a request line (without its CRLF).
SOCKETIO_TESTABLE bool parseRequestLine(QByteArrayView line, HttpRequest *request,
                                        ParseError *error);

// Parses a complete head (up to and including the empty line). Leading empty lines are
// tolerated as RFC 9112 asks. More than `maxHeadersCount` header lines get 431.
SOCKETIO_TESTABLE bool parseHead(QByteArrayView head, HttpRequest *request, ParseError *error,
                                 int maxHeadersCount = 2000);

// How the body of a parsed request is framed.
struct BodyFraming
{
    enum Kind { None, Length, Chunked } kind = None;
    qint64 length = 0;
};
// Like Node: Content-Length and Transfer-Encoding together, repeated Content-Length, and
// chunked applied twice or not last get 400; codings other than chunked get 501.
SOCKETIO_TESTABLE bool bodyFraming(const HttpRequest &request, BodyFraming *framing,
                                   ParseError *error);

// Incremental body reader for Content-Length and chunked bodies. Chunk extensions must be
// well-formed (no whitespace, as llhttp); trailer fields are checked like header fields and
// together bounded by `maxTrailerSize` (431 beyond).
class SOCKETIO_TESTABLE BodyReader
{
public:
    BodyReader() = default;
    BodyReader(BodyFraming framing, qint64 maxSize, qsizetype maxTrailerSize = 16 * 1024);

    // Consumes what it can from `data`; returns the number of bytes used, or -1 on error.
    qsizetype feed(QByteArrayView data);
    bool isComplete() const { return m_state == State::Done; }
    const ParseError &error() const { return m_error; }
    QByteArray takeBody() { return std::move(m_body); }

private:
    enum class State { Length, ChunkSize, ChunkData, ChunkDataEnd, Trailer, Done, Failed };
    qsizetype fail(int status, const char *reason);
    bool failLine(int status, const char *reason);
    bool takeLine(QByteArrayView line);

    State m_state = State::Done;
    qint64 m_remaining = 0;
    qint64 m_maxSize = 0;
    qsizetype m_trailerBudget = 0;
    QByteArray m_body;
    QByteArray m_line;
    ParseError m_error;
};

} // namespace SocketIO::Http
