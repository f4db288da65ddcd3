// HTTP/1.1 request parsing: pure functions over bytes, no I/O.
#pragma once

#include "testable_p.h"

#include "httprequest.h"

#include <QtCore/QByteArrayView>

namespace SocketIO::Http {

struct ParseError
{
    int status = 0; // HTTP status to answer with (400, 413, 431, 501, 505)
    QByteArray reason;
};

// Where the request head ("request line + headers + empty line") ends in `buffer`, or -1 when
// it is not complete yet. `scanFrom` lets a caller resume a search over a growing buffer.
SOCKETIO_TESTABLE qsizetype findHeadEnd(QByteArrayView buffer, qsizetype scanFrom = 0);

// Parses a complete head (up to and including the empty line). Leading empty lines are
// tolerated as RFC 9112 asks.
SOCKETIO_TESTABLE bool parseHead(QByteArrayView head, HttpRequest *request, ParseError *error);

// How the body of a parsed request is framed.
struct BodyFraming
{
    enum Kind { None, Length, Chunked } kind = None;
    qint64 length = 0;
};
SOCKETIO_TESTABLE bool bodyFraming(const HttpRequest &request, BodyFraming *framing,
                                   ParseError *error);

// Incremental body reader for Content-Length and chunked bodies.
class SOCKETIO_TESTABLE BodyReader
{
public:
    BodyReader() = default;
    BodyReader(BodyFraming framing, qint64 maxSize);

    // Consumes what it can from `data`; returns the number of bytes used, or -1 on error.
    qsizetype feed(QByteArrayView data);
    bool isComplete() const { return m_state == State::Done; }
    const ParseError &error() const { return m_error; }
    QByteArray takeBody() { return std::move(m_body); }

private:
    enum class State { Length, ChunkSize, ChunkData, ChunkDataEnd, Trailer, Done, Failed };
    qsizetype fail(int status, const char *reason);

    State m_state = State::Done;
    qint64 m_remaining = 0;
    qint64 m_maxSize = 0;
    QByteArray m_body;
    QByteArray m_line;
    ParseError m_error;
};

} // namespace SocketIO::Http
