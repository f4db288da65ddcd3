#include "http/httpparser_p.h"

#include <cctype>

namespace SocketIO::Http {

namespace {
bool isTokenChar(char c)
{
    if ((c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9'))
        return true;
    switch (c) {
    case '!':
    case '#':
    case '$':
    case '%':
    case '&':
    case '\'':
    case '*':
    case '+':
    case '-':
    case '.':
    case '^':
    case '_':
    case '`':
    case '|':
    case '~':
        return true;
    default:
        return false;
    }
}

bool isToken(QByteArrayView s)
{
    if (s.isEmpty())
        return false;
    for (char c : s) {
        if (!isTokenChar(c))
            return false;
    }
    return true;
}

bool isFieldValue(QByteArrayView s)
{
    for (char c : s) {
        const auto u = quint8(c);
        if ((u < 0x20 && u != '\t') || u == 0x7f)
            return false;
    }
    return true;
}

bool isTarget(QByteArrayView s)
{
    if (s.isEmpty())
        return false;
    for (char c : s) {
        const auto u = quint8(c);
        if (u <= 0x20 || u == 0x7f)
            return false;
    }
    return true;
}

bool fail(ParseError *error, int status, const char *reason)
{
    error->status = status;
    error->reason = reason;
    return false;
}

bool parseDecimal(QByteArrayView s, qint64 *value)
{
    if (s.isEmpty() || s.size() > 15)
        return false;
    qint64 v = 0;
    for (char c : s) {
        if (c < '0' || c > '9')
            return false;
        v = v * 10 + (c - '0');
    }
    *value = v;
    return true;
}
} // namespace

qsizetype findHeadEnd(QByteArrayView buffer, qsizetype scanFrom)
{
    const qsizetype at =
        buffer.indexOf(QByteArrayView("\r\n\r\n"), qMax<qsizetype>(0, scanFrom - 3));
    return at < 0 ? -1 : at + 4;
}

bool parseHead(QByteArrayView head, HttpRequest *request, ParseError *error)
{
    qsizetype pos = 0;
    while (head.sliced(pos).startsWith("\r\n"))
        pos += 2;
    auto nextLine = [&](QByteArrayView *line) {
        const qsizetype end = head.indexOf(QByteArrayView("\r\n"), pos);
        if (end < 0)
            return false;
        *line = head.sliced(pos, end - pos);
        pos = end + 2;
        return true;
    };

    QByteArrayView requestLine;
    if (!nextLine(&requestLine))
        return fail(error, 400, "incomplete request line");
    const qsizetype sp1 = requestLine.indexOf(' ');
    const qsizetype sp2 = sp1 < 0 ? -1 : requestLine.indexOf(' ', sp1 + 1);
    if (sp1 <= 0 || sp2 < 0 || requestLine.indexOf(' ', sp2 + 1) >= 0)
        return fail(error, 400, "malformed request line");
    const QByteArrayView method = requestLine.first(sp1);
    const QByteArrayView target = requestLine.sliced(sp1 + 1, sp2 - sp1 - 1);
    const QByteArrayView version = requestLine.sliced(sp2 + 1);
    if (!isToken(method))
        return fail(error, 400, "invalid method");
    if (!isTarget(target))
        return fail(error, 400, "invalid request target");
    if (!version.startsWith("HTTP/") || version.size() != 8 || version.at(6) != '.')
        return fail(error, 400, "invalid HTTP version");
    if (version != "HTTP/1.1" && version != "HTTP/1.0")
        return fail(error, 505, "unsupported HTTP version");
    request->setMethod(method.toByteArray());
    request->setTarget(target.toByteArray());
    request->setHttpVersion(version.toByteArray());

    QByteArrayView line;
    while (nextLine(&line)) {
        if (line.isEmpty())
            return true;
        if (line.front() == ' ' || line.front() == '\t')
            return fail(error, 400, "obsolete header folding");
        const qsizetype colon = line.indexOf(':');
        if (colon <= 0 || !isToken(line.first(colon)))
            return fail(error, 400, "malformed header");
        const QByteArrayView value = line.sliced(colon + 1).trimmed();
        if (!isFieldValue(value))
            return fail(error, 400, "invalid header value");
        request->addHeader(line.first(colon).toByteArray().toLower(), value.toByteArray());
    }
    return fail(error, 400, "incomplete headers");
}

bool bodyFraming(const HttpRequest &request, BodyFraming *framing, ParseError *error)
{
    QByteArray contentLength;
    QByteArray transferEncoding;
    int lengthCount = 0;
    for (const auto &h : request.headers()) {
        if (h.first == "content-length") {
            if (lengthCount++ && h.second != contentLength)
                return fail(error, 400, "conflicting Content-Length");
            contentLength = h.second;
        } else if (h.first == "transfer-encoding") {
            transferEncoding += transferEncoding.isEmpty() ? h.second : ", " + h.second;
        }
    }
    *framing = {};
    if (!transferEncoding.isEmpty()) {
        if (lengthCount)
            return fail(error, 400, "both Transfer-Encoding and Content-Length");
        if (transferEncoding.trimmed().toLower() != "chunked")
            return fail(error, 501, "unsupported Transfer-Encoding");
        framing->kind = BodyFraming::Chunked;
        return true;
    }
    if (lengthCount) {
        if (!parseDecimal(contentLength, &framing->length))
            return fail(error, 400, "invalid Content-Length");
        framing->kind = framing->length ? BodyFraming::Length : BodyFraming::None;
    }
    return true;
}

BodyReader::BodyReader(BodyFraming framing, qint64 maxSize)
    : m_maxSize(maxSize)
{
    switch (framing.kind) {
    case BodyFraming::None:
        m_state = State::Done;
        break;
    case BodyFraming::Length:
        m_remaining = framing.length;
        if (framing.length > maxSize) {
            fail(413, "request body too large");
        } else {
            m_state = State::Length;
            m_body.reserve(framing.length);
        }
        break;
    case BodyFraming::Chunked:
        m_state = State::ChunkSize;
        break;
    }
}

qsizetype BodyReader::fail(int status, const char *reason)
{
    m_state = State::Failed;
    m_error.status = status;
    m_error.reason = reason;
    return -1;
}

qsizetype BodyReader::feed(QByteArrayView data)
{
    qsizetype used = 0;
    // Reads one CRLF-terminated line into m_line; false when more data is needed.
    auto takeLine = [&](QByteArrayView *line) {
        const qsizetype end = data.indexOf('\n', used);
        if (end < 0) {
            m_line += data.sliced(used);
            used = data.size();
            return false;
        }
        m_line += data.sliced(used, end - used + 1);
        used = end + 1;
        *line = m_line;
        return true;
    };
    while (used < data.size()) {
        switch (m_state) {
        case State::Done:
        case State::Failed:
            return m_state == State::Failed ? -1 : used;
        case State::Length:
        case State::ChunkData: {
            const qsizetype n = qMin<qint64>(m_remaining, data.size() - used);
            m_body += data.sliced(used, n);
            used += n;
            m_remaining -= n;
            if (!m_remaining)
                m_state = m_state == State::Length ? State::Done : State::ChunkDataEnd;
            break;
        }
        case State::ChunkSize:
        case State::ChunkDataEnd:
        case State::Trailer: {
            QByteArrayView line;
            if (!takeLine(&line)) {
                if (m_line.size() > 4096)
                    return fail(400, "chunk line too long");
                return used;
            }
            if (!line.endsWith("\r\n"))
                return fail(400, "malformed chunk line");
            line.chop(2);
            if (m_state == State::ChunkDataEnd) {
                if (!line.isEmpty())
                    return fail(400, "malformed chunk end");
                m_state = State::ChunkSize;
            } else if (m_state == State::Trailer) {
                if (line.isEmpty())
                    m_state = State::Done;
            } else {
                const qsizetype semicolon = line.indexOf(';');
                const QByteArrayView hex = (semicolon < 0 ? line : line.first(semicolon)).trimmed();
                // Hex digits only, as llhttp: a sign or "0x" would be a smuggling vector.
                bool ok = !hex.isEmpty() && hex.size() <= 12;
                for (char c : hex)
                    ok = ok && std::isxdigit(static_cast<unsigned char>(c));
                const qint64 size = ok ? hex.toLongLong(&ok, 16) : -1;
                if (!ok || size < 0)
                    return fail(400, "invalid chunk size");
                if (m_body.size() + size > m_maxSize)
                    return fail(413, "request body too large");
                m_remaining = size;
                m_state = size ? State::ChunkData : State::Trailer;
            }
            m_line.clear();
            break;
        }
        }
    }
    return m_state == State::Failed ? -1 : used;
}

} // namespace SocketIO::Http
