#include "websocket/deflate_p.h"

#include "http/httpparser_p.h"
#include "websocket/frame_p.h"

#include <QtCore/QHash>
#include <QtCore/QSet>
#include <QtCore/QtEndian>

#include <zlib.h>

#include <cstring>

namespace SocketIO::WebSocket {

namespace {
using Http::isTokenChar;

bool isSpace(char c)
{
    return c == ' ' || c == '\t';
}

// One extension offer: its name and its parameters in order, each with its values (a
// parameter without a value has one null value, ws's `true`).
struct Offer
{
    QByteArray name;
    QList<QPair<QByteArray, QList<QByteArray>>> params;
    QHash<QByteArray, qsizetype> index; // a parameter's place in params

    void add(const QByteArray &key, const QByteArray &value)
    {
        const auto it = index.constFind(key);
        if (it != index.cend()) {
            params[*it].second.append(value);
            return;
        }
        index.insert(key, params.size());
        params.append({key, {value}});
    }
};

// Parses Sec-WebSocket-Extensions with ws's rules: tokens, no space around '=', quoted
// values holding token characters only (escapes allowed), no space at either end.
std::optional<QList<Offer>> parseExtensions(QByteArrayView header)
{
    const qsizetype n = header.size();
    if (n == 0 || isSpace(header.front()) || isSpace(header.back()))
        return std::nullopt;
    QList<Offer> offers;
    qsizetype i = 0;
    auto skipSpace = [&] {
        while (i < n && isSpace(header[i]))
            ++i;
    };
    auto token = [&]() -> QByteArray {
        const qsizetype start = i;
        while (i < n && isTokenChar(header[i]))
            ++i;
        return header.sliced(start, i - start).toByteArray();
    };
    for (;;) {
        skipSpace();
        Offer offer;
        offer.name = token();
        if (offer.name.isEmpty())
            return std::nullopt;
        skipSpace();
        while (i < n && header[i] == ';') {
            ++i;
            skipSpace();
            const QByteArray key = token();
            if (key.isEmpty())
                return std::nullopt;
            QByteArray value; // null: no value
            if (i < n && header[i] == '=') {
                ++i;
                if (i < n && header[i] == '"') {
                    ++i;
                    value = QByteArray("");
                    while (i < n && header[i] != '"') {
                        if (header[i] == '\\')
                            ++i;
                        if (i >= n || !isTokenChar(header[i]))
                            return std::nullopt;
                        value += header[i++];
                    }
                    if (i >= n || value.isEmpty())
                        return std::nullopt;
                    ++i; // the closing quote
                } else {
                    value = token();
                    if (value.isEmpty())
                        return std::nullopt;
                }
            }
            offer.add(key, value);
            skipSpace();
        }
        offers.append(offer);
        if (i == n)
            return offers;
        if (header[i] != ',')
            return std::nullopt;
        ++i;
    }
}

// ws's reading of a window size: an integer from 8 to 15.
int windowBits(const QByteArray &value)
{
    bool ok = false;
    const int bits = value.toInt(&ok);
    return ok && bits >= 8 && bits <= 15 ? bits : 0;
}

constexpr uchar Trailer[4] = {0x00, 0x00, 0xff, 0xff};
} // namespace

std::optional<QList<QByteArray>> parseSubprotocols(QByteArrayView header)
{
    QList<QByteArray> protocols;
    QSet<QByteArray> seen;
    for (QByteArrayView part : QByteArrayView(header).toByteArray().split(',')) {
        // Spaces around each name, none inside it, and no space at the very start.
        qsizetype start = 0;
        qsizetype end = part.size();
        while (start < end && isSpace(part[start]))
            ++start;
        while (end > start && isSpace(part[end - 1]))
            --end;
        const QByteArrayView name = part.sliced(start, end - start);
        if (!Http::isToken(name))
            return std::nullopt;
        protocols.append(name.toByteArray());
        const qsizetype before = seen.size();
        seen.insert(protocols.constLast());
        if (seen.size() == before)
            return std::nullopt; // named twice
    }
    if (header.isEmpty() || isSpace(header.front()) || isSpace(header.back()))
        return std::nullopt;
    return protocols;
}

Negotiation negotiateDeflate(QByteArrayView header, const DeflateConfig &config,
                             DeflateParams *params)
{
    const std::optional<QList<Offer>> offers = parseExtensions(header);
    if (!offers)
        return Negotiation::Invalid;
    QList<Offer> deflateOffers;
    for (const Offer &offer : *offers) {
        if (offer.name == "permessage-deflate")
            deflateOffers.append(offer);
    }
    if (deflateOffers.isEmpty())
        return Negotiation::None;
    // Every offer is checked before one is picked, as ws normalizes them all first.
    for (const Offer &offer : std::as_const(deflateOffers)) {
        for (const auto &[key, values] : offer.params) {
            if (values.size() > 1)
                return Negotiation::Invalid;
            const QByteArray &value = values.front();
            if (key == "client_max_window_bits") {
                if (!value.isNull() && !windowBits(value))
                    return Negotiation::Invalid;
            } else if (key == "server_max_window_bits") {
                if (!windowBits(value))
                    return Negotiation::Invalid;
            } else if (key == "client_no_context_takeover" || key == "server_no_context_takeover") {
                if (!value.isNull())
                    return Negotiation::Invalid;
            } else {
                return Negotiation::Invalid;
            }
        }
    }
    for (Offer offer : std::as_const(deflateOffers)) {
        auto find = [&offer](const char *key) {
            for (qsizetype i = 0; i < offer.params.size(); ++i) {
                if (offer.params.at(i).first == key)
                    return i;
            }
            return qsizetype(-1);
        };
        const qsizetype serverBits = find("server_max_window_bits");
        const qsizetype clientBits = find("client_max_window_bits");
        if (serverBits >= 0 && config.serverMaxWindowBits &&
            config.serverMaxWindowBits > windowBits(offer.params.at(serverBits).second.front()))
            continue;
        if (config.clientMaxWindowBits) {
            if (clientBits < 0)
                continue;
            const QByteArray &offered = offer.params.at(clientBits).second.front();
            if (!offered.isNull() && config.clientMaxWindowBits > windowBits(offered))
                continue;
        }
        // The answer: the offer, with the server's own settings added or replaced.
        auto set = [&](const char *key, const QByteArray &value) {
            const qsizetype at = find(key);
            if (at >= 0)
                offer.params[at].second = {value};
            else
                offer.params.append({QByteArray(key), {value}});
        };
        if (config.serverNoContextTakeover)
            set("server_no_context_takeover", {});
        if (config.clientNoContextTakeover)
            set("client_no_context_takeover", {});
        if (config.serverMaxWindowBits)
            set("server_max_window_bits", QByteArray::number(config.serverMaxWindowBits));
        if (config.clientMaxWindowBits) {
            set("client_max_window_bits", QByteArray::number(config.clientMaxWindowBits));
        } else if (clientBits >= 0 && offer.params.at(clientBits).second.front().isNull()) {
            offer.params.removeAt(clientBits);
        }
        DeflateParams agreed;
        agreed.response = "permessage-deflate";
        for (const auto &[key, values] : std::as_const(offer.params)) {
            agreed.response += "; " + key;
            if (!values.front().isNull())
                agreed.response += '=' + values.front();
            if (key == "server_no_context_takeover")
                agreed.serverNoContextTakeover = true;
            else if (key == "client_no_context_takeover")
                agreed.clientNoContextTakeover = true;
            else if (key == "server_max_window_bits")
                agreed.serverMaxWindowBits = windowBits(values.front());
        }
        *params = agreed;
        return Negotiation::Accepted;
    }
    return Negotiation::Invalid; // offers, none acceptable
}

QByteArray deflateOffer(const DeflateConfig &config)
{
    // ws's order: the no-context-takeover flags, then the windows.
    QByteArray offer = "permessage-deflate";
    if (config.serverNoContextTakeover)
        offer += "; server_no_context_takeover";
    if (config.clientNoContextTakeover)
        offer += "; client_no_context_takeover";
    if (config.serverMaxWindowBits)
        offer += "; server_max_window_bits=" + QByteArray::number(config.serverMaxWindowBits);
    // Without a value: the server may pick the client's window.
    offer += "; client_max_window_bits";
    if (config.clientMaxWindowBits)
        offer += '=' + QByteArray::number(config.clientMaxWindowBits);
    return offer;
}

bool acceptDeflateResponse(QByteArrayView header, const DeflateConfig &config,
                           DeflateParams *params)
{
    const std::optional<QList<Offer>> answers = parseExtensions(header);
    if (!answers)
        return false;
    // Only what was offered: one extension, permessage-deflate (named once or more; the first
    // one counts, but all must be valid, as ws normalizes them all).
    for (const Offer &answer : *answers) {
        if (answer.name != "permessage-deflate")
            return false;
        for (const auto &[key, values] : answer.params) {
            if (values.size() > 1)
                return false;
            const QByteArray &value = values.front();
            if (key == "client_max_window_bits" || key == "server_max_window_bits") {
                // A client's offer may leave client_max_window_bits without a value, never
                // a server's answer.
                if (!windowBits(value))
                    return false;
            } else if (key == "client_no_context_takeover" || key == "server_no_context_takeover") {
                if (!value.isNull())
                    return false;
            } else {
                return false;
            }
        }
    }
    DeflateParams agreed;
    agreed.response = header.toByteArray();
    for (const auto &[key, values] : answers->constFirst().params) {
        const QByteArray &value = values.front();
        if (key == "client_max_window_bits") {
            agreed.clientMaxWindowBits = windowBits(value);
            if (config.clientMaxWindowBits &&
                agreed.clientMaxWindowBits > config.clientMaxWindowBits)
                return false;
        } else if (key == "server_max_window_bits") {
            agreed.serverMaxWindowBits = windowBits(value);
        } else if (key == "client_no_context_takeover") {
            agreed.clientNoContextTakeover = true;
        } else {
            agreed.serverNoContextTakeover = true;
        }
    }
    // Not named in the answer: the window asked for, if one was.
    if (config.clientMaxWindowBits &&
        !answers->constFirst().index.contains("client_max_window_bits"))
        agreed.clientMaxWindowBits = config.clientMaxWindowBits;
    *params = agreed;
    return true;
}

struct Deflater::Stream
{
    z_stream z{};
};

Deflater::Deflater(const DeflateConfig &config, const DeflateParams &params)
    : Deflater(params.serverMaxWindowBits, params.serverNoContextTakeover, config.level,
               config.memLevel, config.strategy)
{}

Deflater::Deflater(int windowBits, bool noContextTakeover, int level, int memLevel, int strategy)
    : m_level(level)
    , m_memLevel(memLevel)
    , m_strategy(strategy)
    // zlib's raw deflate has no 256-byte window: 8 becomes 9, as Node's zlib does it.
    , m_windowBits(qMax(9, windowBits))
    , m_noContextTakeover(noContextTakeover)
{}

Deflater::~Deflater()
{
    if (m_stream)
        deflateEnd(&m_stream->z);
}

QByteArray Deflater::compressFrame(quint8 opcode, QByteArrayView head, QByteArrayView body,
                                   const uchar *maskKey)
{
    if (!m_stream) {
        auto stream = std::make_unique<Stream>();
        if (deflateInit2(&stream->z, m_level, Z_DEFLATED, -m_windowBits, m_memLevel, m_strategy) !=
            Z_OK)
            return {};
        m_stream = std::move(stream);
    }
    z_stream &z = m_stream->z;
    // Room for the longest header (a client's has a masking key) before the data, so that it
    // goes in without a move.
    constexpr qsizetype MaxHeader = 14;
    const uLong inputSize = uLong(head.size() + body.size());
    QByteArray frame(MaxHeader + qsizetype(deflateBound(&z, inputSize)) + 16, Qt::Uninitialized);
    qsizetype used = MaxHeader;
    auto run = [&](QByteArrayView input, int flush) {
        z.next_in = reinterpret_cast<Bytef *>(const_cast<char *>(input.data()));
        z.avail_in = uInt(input.size());
        for (;;) {
            if (used == frame.size())
                frame.resize(frame.size() * 2);
            z.next_out = reinterpret_cast<Bytef *>(frame.data() + used);
            z.avail_out = uInt(frame.size() - used);
            const int result = deflate(&z, flush);
            used = frame.size() - z.avail_out;
            if (result == Z_STREAM_ERROR)
                return false;
            // Done once the input is taken and the output did not fill up.
            if (z.avail_in == 0 && z.avail_out != 0)
                return true;
        }
    };
    if ((!head.isEmpty() && !run(head, Z_NO_FLUSH)) || !run(body, Z_SYNC_FLUSH))
        return {};
    // A sync flush ends with an empty stored block, 00 00 ff ff, which the frame leaves out.
    if (used - MaxHeader >= 4 && std::memcmp(frame.constData() + used - 4, Trailer, 4) == 0)
        used -= 4;
    if (m_noContextTakeover)
        deflateReset(&z);
    const qsizetype payload = used - MaxHeader;
    const qsizetype keySize = maskKey ? 4 : 0;
    const qsizetype header = (payload < 126 ? 2 : payload < 65536 ? 4 : 10) + keySize;
    char *out = frame.data() + MaxHeader - header;
    out[0] = char(0x80 | 0x40 | opcode); // FIN, RSV1
    const char maskBit = maskKey ? char(0x80) : char(0);
    if (payload < 126) {
        out[1] = char(maskBit | char(payload));
    } else if (payload < 65536) {
        out[1] = char(maskBit | 126);
        qToBigEndian<quint16>(quint16(payload), out + 2);
    } else {
        out[1] = char(maskBit | 127);
        qToBigEndian<quint64>(quint64(payload), out + 2);
    }
    if (maskKey) {
        std::memcpy(frame.data() + MaxHeader - 4, maskKey, 4);
        applyMask(frame.data() + MaxHeader, payload, maskKey);
    }
    frame.truncate(used);
    // Dropping the front moves the start of the data (no copy) when the buffer is not shared.
    frame.remove(0, MaxHeader - header);
    // The buffer was sized for the uncompressed data (deflateBound): a frame queued for a slow
    // reader must not keep that, since the write limit counts the frame's bytes only.
    if (frame.capacity() > 2 * frame.size())
        frame.squeeze();
    return frame;
}

struct Inflater::Stream
{
    z_stream z{};
};

Inflater::Inflater(bool noContextTakeover)
    : m_noContextTakeover(noContextTakeover)
{}

Inflater::~Inflater()
{
    if (m_stream)
        inflateEnd(&m_stream->z);
}

Inflater::Result Inflater::inflate(QByteArrayView compressed, qint64 limit, QByteArray *out)
{
    if (!m_stream) {
        auto stream = std::make_unique<Stream>();
        // Any window the client uses fits in the largest one.
        if (inflateInit2(&stream->z, -15) != Z_OK) {
            m_error = "zlib could not be initialised";
            return Result::Invalid;
        }
        m_stream = std::move(stream);
    }
    z_stream &z = m_stream->z;
    out->clear();
    // The output grows by steps, never past limit + 1 bytes: one byte more than allowed says
    // that the message is too big.
    const qint64 cap = limit + 1;
    qsizetype used = 0;
    bool ended = false;
    auto fail = [&](Result result) {
        // zlib's message first: the reset clears it.
        if (result == Result::Invalid)
            m_error = z.msg ? QByteArray(z.msg) : QByteArray("invalid compressed data");
        // The stream is unusable now; the connection closes.
        inflateReset(&z);
        out->clear();
        return result;
    };
    auto run = [&](QByteArrayView input) -> std::optional<Result> {
        z.next_in = reinterpret_cast<Bytef *>(const_cast<char *>(input.data()));
        z.avail_in = uInt(input.size());
        while (!ended) {
            if (used == out->size()) {
                if (used >= cap)
                    return fail(Result::TooBig);
                const qint64 grown = qMax<qint64>(4096, qMax<qint64>(2 * used, 4 * input.size()));
                out->resize(qsizetype(qMin(cap, grown)));
            }
            z.next_out = reinterpret_cast<Bytef *>(out->data() + used);
            z.avail_out = uInt(out->size() - used);
            const int result = ::inflate(&z, Z_SYNC_FLUSH);
            used = out->size() - z.avail_out;
            if (used > limit)
                return fail(Result::TooBig);
            if (result == Z_STREAM_END) {
                // A final block: what follows starts a new stream, as ws does.
                inflateReset(&z);
                ended = true;
                break;
            }
            if (result == Z_BUF_ERROR || (result == Z_OK && z.avail_in == 0 && z.avail_out != 0))
                break; // all input taken
            if (result != Z_OK)
                return fail(Result::Invalid);
        }
        return std::nullopt;
    };
    if (auto r = run(compressed))
        return *r;
    if (!ended) {
        if (auto r = run(QByteArrayView(reinterpret_cast<const char *>(Trailer), 4)))
            return *r;
    }
    out->truncate(used);
    if (m_noContextTakeover && !ended)
        inflateReset(&z);
    return Result::Ok;
}

} // namespace SocketIO::WebSocket
