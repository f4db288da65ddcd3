#include "http/httpparser_p.h"

#include "core/hex_p.h"

namespace SocketIO::Http {

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

namespace {
// A field value byte: visible characters, SP, HTAB and obs-text.
bool isFieldValueChar(char c)
{
    const auto u = quint8(c);
    return (u >= 0x20 || u == '\t') && u != 0x7f;
}

bool isFieldValue(QByteArrayView s)
{
    for (char c : s) {
        if (!isFieldValueChar(c))
            return false;
    }
    return true;
}

// Request targets are visible ASCII (RFC 3986 characters); Node refuses raw UTF-8 with 400.
bool isTargetChar(char c)
{
    const auto u = quint8(c);
    return u > 0x20 && u < 0x7f;
}

bool isTarget(QByteArrayView s)
{
    if (s.isEmpty())
        return false;
    for (char c : s) {
        if (!isTargetChar(c))
            return false;
    }
    return true;
}

// Optional whitespace (SP and HTAB only) removed from both ends.
QByteArrayView trimmedOws(QByteArrayView s)
{
    while (!s.isEmpty() && (s.front() == ' ' || s.front() == '\t'))
        s = s.sliced(1);
    while (!s.isEmpty() && (s.back() == ' ' || s.back() == '\t'))
        s.chop(1);
    return s;
}

bool fail(ParseError *error, int status, const char *reason)
{
    error->status = status;
    error->reason = reason;
    return false;
}

// Digits only, leading zeros allowed (as Node), at most 15 significant digits.
bool parseDecimal(QByteArrayView s, qint64 *value)
{
    if (s.isEmpty())
        return false;
    qint64 v = 0;
    int significant = 0;
    for (char c : s) {
        if (c < '0' || c > '9')
            return false;
        if (v || c != '0')
            ++significant;
        if (significant > 15)
            return false;
        v = v * 10 + (c - '0');
    }
    *value = v;
    return true;
}

// A header or trailer field line (without CRLF): name ":" OWS value OWS.
bool parseFieldLine(QByteArrayView line, QByteArrayView *name, QByteArrayView *value,
                    ParseError *error)
{
    if (!line.isEmpty() && (line.front() == ' ' || line.front() == '\t'))
        return fail(error, 400, "obsolete line folding");
    const qsizetype colon = line.indexOf(':');
    if (colon <= 0 || !isToken(line.first(colon)))
        return fail(error, 400, "malformed header");
    *name = line.first(colon);
    *value = trimmedOws(line.sliced(colon + 1));
    if (!isFieldValue(*value))
        return fail(error, 400, "invalid header value");
    return true;
}

// The length of the quoted-string (RFC 9110 section 5.6.4) `s` starts with, or -1.
qsizetype quotedStringLength(QByteArrayView s)
{
    for (qsizetype i = 1; i < s.size(); ++i) {
        if (s[i] == '"')
            return i + 1;
        if (s[i] == '\\' && ++i == s.size())
            return -1;
        if (!isFieldValueChar(s[i]))
            return -1;
    }
    return -1;
}

// chunk-ext = *( ";" token [ "=" ( token / quoted-string ) ] ), without the optional
// whitespace RFC 9112 allows around ";" and "=": llhttp refuses it, and whitespace there is
// where parsers behind one another disagree.
bool isChunkExtensions(QByteArrayView s)
{
    qsizetype i = 0;
    auto token = [&] {
        const qsizetype start = i;
        while (i < s.size() && isTokenChar(s[i]))
            ++i;
        return i > start;
    };
    while (i < s.size()) {
        if (s[i++] != ';' || !token())
            return false;
        if (i == s.size() || s[i] != '=')
            continue;
        ++i;
        if (i < s.size() && s[i] == '"') {
            const qsizetype length = quotedStringLength(s.sliced(i));
            if (length < 0)
                return false;
            i += length;
        } else if (!token()) {
            return false;
        }
    }
    return true;
}
} // namespace

qsizetype leadingLineBreaks(QByteArrayView buffer)
{
    qsizetype n = 0;
    while (n < buffer.size() && (buffer[n] == '\r' || buffer[n] == '\n'))
        ++n;
    return n;
}

qsizetype findHeadEnd(QByteArrayView buffer, qsizetype scanFrom)
{
    const char *data = buffer.data();
    for (qsizetype i = qMax<qsizetype>(0, scanFrom); i < buffer.size(); ++i) {
        const char c = data[i];
        const char previous = i ? data[i - 1] : '\0';
        if (previous == '\r' && c != '\n')
            return HeadMalformed;
        if (c == '\n') {
            if (previous != '\r')
                return HeadMalformed;
            // data[i - 3] is '\r': the LF at i - 2 was checked to follow one.
            if (i >= 3 && data[i - 2] == '\n')
                return i + 1;
        }
    }
    return HeadIncomplete;
}

bool isRequestLinePrefix(QByteArrayView partial, ParseError *error)
{
    const qsizetype sp1 = partial.indexOf(' ');
    const QByteArrayView method = sp1 < 0 ? partial : partial.first(sp1);
    for (char c : method) {
        if (!isTokenChar(c))
            return fail(error, 400, "invalid method");
    }
    if (sp1 < 0)
        return true;
    if (sp1 == 0)
        return fail(error, 400, "invalid method");
    const QByteArrayView rest = partial.sliced(sp1 + 1);
    const qsizetype sp2 = rest.indexOf(' ');
    for (char c : sp2 < 0 ? rest : rest.first(sp2)) {
        if (!isTargetChar(c))
            return fail(error, 400, "invalid request target");
    }
    if (sp2 < 0)
        return true;
    if (sp2 == 0)
        return fail(error, 400, "malformed request line");
    const QByteArrayView version = rest.sliced(sp2 + 1);
    static constexpr char pattern[] = "HTTP/9.9";
    if (version.size() > qsizetype(sizeof(pattern)) - 1)
        return fail(error, 400, "invalid HTTP version");
    for (qsizetype i = 0; i < version.size(); ++i) {
        const bool digit = pattern[i] == '9';
        if (digit ? (version[i] < '0' || version[i] > '9') : version[i] != pattern[i])
            return fail(error, 400, "invalid HTTP version");
    }
    return true;
}

namespace {
// The bytes as a QByteArray; one of `known` (static data, no allocation) when it matches it,
// ignoring case with `anyCase`. A session keeps its handshake request for its whole life, and
// the usual names and versions would otherwise cost it an allocation each.
template<size_t N>
QByteArray sharedBytes(QByteArrayView bytes, const QByteArray (&known)[N], bool anyCase)
{
    for (const QByteArray &candidate : known) {
        if (candidate.size() != bytes.size())
            continue;
        if (anyCase ? qstrnicmp(candidate.constData(), candidate.size(), bytes.data(),
                                bytes.size()) == 0
                    : candidate == bytes)
            return candidate;
    }
    QByteArray copy = bytes.toByteArray();
    return anyCase ? std::move(copy).toLower() : copy;
}

QByteArray methodBytes(QByteArrayView method)
{
    static const QByteArray known[] = {QByteArrayLiteral("GET"), QByteArrayLiteral("POST"),
                                       QByteArrayLiteral("OPTIONS")};
    return sharedBytes(method, known, false);
}

QByteArray versionBytes(QByteArrayView version)
{
    static const QByteArray known[] = {QByteArrayLiteral("HTTP/1.1"),
                                       QByteArrayLiteral("HTTP/1.0")};
    return sharedBytes(version, known, false);
}

// Lower-case.
QByteArray headerName(QByteArrayView name)
{
    static const QByteArray known[] = {
        QByteArrayLiteral("host"),
        QByteArrayLiteral("connection"),
        QByteArrayLiteral("upgrade"),
        QByteArrayLiteral("sec-websocket-key"),
        QByteArrayLiteral("sec-websocket-version"),
        QByteArrayLiteral("sec-websocket-extensions"),
        QByteArrayLiteral("sec-websocket-protocol"),
        QByteArrayLiteral("user-agent"),
        QByteArrayLiteral("accept"),
        QByteArrayLiteral("accept-encoding"),
        QByteArrayLiteral("accept-language"),
        QByteArrayLiteral("origin"),
        QByteArrayLiteral("cookie"),
        QByteArrayLiteral("pragma"),
        QByteArrayLiteral("cache-control"),
        QByteArrayLiteral("content-type"),
        QByteArrayLiteral("content-length"),
        QByteArrayLiteral("referer"),
        QByteArrayLiteral("x-forwarded-for"),
    };
    return sharedBytes(name, known, true);
}
} // namespace

bool parseRequestLine(QByteArrayView line, HttpRequest *request, ParseError *error)
{
    const qsizetype sp1 = line.indexOf(' ');
    const qsizetype sp2 = sp1 < 0 ? -1 : line.indexOf(' ', sp1 + 1);
    if (sp1 <= 0 || sp2 < 0 || line.indexOf(' ', sp2 + 1) >= 0)
        return fail(error, 400, "malformed request line");
    const QByteArrayView method = line.first(sp1);
    const QByteArrayView target = line.sliced(sp1 + 1, sp2 - sp1 - 1);
    const QByteArrayView version = line.sliced(sp2 + 1);
    if (!isToken(method))
        return fail(error, 400, "invalid method");
    if (!isTarget(target))
        return fail(error, 400, "invalid request target");
    if (!version.startsWith("HTTP/") || version.size() != 8 || version.at(6) != '.')
        return fail(error, 400, "invalid HTTP version");
    if (version != "HTTP/1.1" && version != "HTTP/1.0")
        return fail(error, 505, "unsupported HTTP version");
    request->setMethod(methodBytes(method));
    request->setTarget(target.toByteArray());
    request->setHttpVersion(versionBytes(version));
    return true;
}

bool parseHead(QByteArrayView head, HttpRequest *request, ParseError *error, int maxHeadersCount)
{
    qsizetype pos = leadingLineBreaks(head);
    auto nextLine = [&](QByteArrayView *line) {
        const qsizetype end = head.indexOf(QByteArrayView("\r\n"), pos);
        if (end < 0)
            return false;
        *line = head.sliced(pos, end - pos);
        pos = end + 2;
        return true;
    };

    QByteArrayView line;
    if (!nextLine(&line))
        return fail(error, 400, "incomplete request line");
    if (!parseRequestLine(line, request, error))
        return false;

    int count = 0;
    while (nextLine(&line)) {
        if (line.isEmpty())
            return true;
        if (++count > maxHeadersCount)
            return fail(error, 431, "too many header fields");
        QByteArrayView name;
        QByteArrayView value;
        if (!parseFieldLine(line, &name, &value, error))
            return false;
        request->addHeader(headerName(name), value.toByteArray());
    }
    return fail(error, 400, "incomplete headers");
}

bool bodyFraming(const HttpRequest &request, BodyFraming *framing, ParseError *error)
{
    QByteArray contentLength;
    int lengthCount = 0;
    bool hasTransferEncoding = false;
    bool chunked = false;
    bool otherCoding = false;
    *framing = {};
    // Most requests (every GET) have neither: looked up in place, without listing the headers.
    if (!request.hasHeader("content-length") && !request.hasHeader("transfer-encoding"))
        return true;
    for (const auto &h : request.headers()) {
        if (h.first == "content-length") {
            // Node refuses a repeated Content-Length even with equal values.
            if (lengthCount++)
                return fail(error, 400, "repeated Content-Length");
            contentLength = h.second;
        } else if (h.first == "transfer-encoding") {
            hasTransferEncoding = true;
            for (const QByteArray &element : h.second.split(',')) {
                // RFC 9112 section 6.1: chunked is applied once, and last (Node refuses even
                // an empty list element after it).
                if (chunked)
                    return fail(error, 400, "chunked is not the last transfer coding");
                const QByteArrayView coding = trimmedOws(element);
                if (coding.isEmpty())
                    continue; // empty list elements are allowed (RFC 9110 section 5.6.1)
                const qsizetype semicolon = coding.indexOf(';');
                const QByteArrayView name =
                    trimmedOws(semicolon < 0 ? coding : coding.first(semicolon));
                if (name.compare("chunked", Qt::CaseInsensitive) == 0) {
                    if (semicolon >= 0)
                        return fail(error, 400, "chunked takes no parameters");
                    chunked = true;
                } else {
                    otherCoding = true;
                }
            }
        }
    }
    *framing = {};
    if (hasTransferEncoding) {
        if (lengthCount)
            return fail(error, 400, "both Transfer-Encoding and Content-Length");
        // RFC 9112 section 6.3: without a final chunked the length cannot be known.
        if (!chunked)
            return fail(error, 400, "chunked is not the last transfer coding");
        if (otherCoding)
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

BodyReader::BodyReader(BodyFraming framing, qint64 maxSize, qsizetype maxTrailerSize)
    : m_maxSize(maxSize)
    , m_trailerBudget(maxTrailerSize)
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
            // What is announced is not trusted: memory follows the bytes that arrive.
            m_body.reserve(qMin<qint64>(framing.length, 64 * 1024));
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

bool BodyReader::failLine(int status, const char *reason)
{
    fail(status, reason);
    return false;
}

// Handles one complete line (with its CRLF) of a chunked body.
bool BodyReader::takeLine(QByteArrayView line)
{
    if (!line.endsWith("\r\n"))
        return failLine(400, "chunked line not ended by CRLF");
    line.chop(2);
    switch (m_state) {
    case State::ChunkDataEnd:
        m_state = State::ChunkSize; // the line limit of 2 left only an empty line here
        return true;
    case State::Trailer: {
        if (line.isEmpty()) {
            m_state = State::Done;
            return true;
        }
        m_trailerBudget -= line.size() + 2;
        QByteArrayView name;
        QByteArrayView value;
        ParseError error;
        if (!parseFieldLine(line, &name, &value, &error))
            return failLine(error.status, error.reason.constData());
        return true;
    }
    case State::ChunkSize: {
        qsizetype i = 0;
        while (i < line.size() && line[i] == '0')
            ++i;
        const qsizetype significant = i;
        while (i < line.size() && hexValue(line[i]) >= 0)
            ++i;
        // Hex digits only, as llhttp: a sign, "0x" or spaces would be a smuggling vector.
        if (i == 0 || !isChunkExtensions(line.sliced(i)))
            return failLine(400, "invalid chunk size");
        if (i - significant > MaxChunkSizeDigits)
            return failLine(400, "chunk size too large");
        qint64 size = 0;
        for (qsizetype j = significant; j < i; ++j)
            size = size * 16 + hexValue(line[j]);
        if (size > m_maxSize - m_body.size())
            return failLine(413, "request body too large");
        m_remaining = size;
        m_state = size ? State::ChunkData : State::Trailer;
        return true;
    }
    default:
        Q_UNREACHABLE();
        return false;
    }
}

qsizetype BodyReader::feed(QByteArrayView data)
{
    qsizetype used = 0;
    while (used < data.size()) {
        switch (m_state) {
        case State::Done:
            return used;
        case State::Failed:
            return -1;
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
            const qsizetype newline = data.indexOf('\n', used);
            const qsizetype end = newline < 0 ? data.size() : newline + 1;
            // Bounded before anything is copied.
            const qsizetype limit = m_state == State::ChunkSize      ? MaxChunkLineSize
                                    : m_state == State::ChunkDataEnd ? 2
                                                                     : m_trailerBudget;
            if (m_line.size() + (end - used) > limit) {
                if (m_state == State::ChunkSize)
                    return fail(413, "chunk extensions too large");
                if (m_state == State::Trailer)
                    return fail(431, "trailer fields too large");
                return fail(400, "chunk data longer than its size");
            }
            m_line += data.sliced(used, end - used);
            used = end;
            if (newline < 0) {
                if (m_state == State::ChunkDataEnd && m_line != "\r")
                    return fail(400, "chunk data longer than its size");
                break;
            }
            if (!takeLine(m_line))
                return -1;
            m_line.clear();
            break;
        }
        }
    }
    return m_state == State::Failed ? -1 : used;
}

} // namespace SocketIO::Http
