// permessage-deflate (RFC 7692) for the lean engine and the client: the negotiation of the
// Sec-WebSocket-Extensions header as the ws package (engine.io's engine, and engine.io-client's
// in Node) offers, answers and accepts it, and the raw DEFLATE streams of the two directions.
// Pure functions over bytes and zlib.
#pragma once

#include "core/testable_p.h"

#include <QtCore/QByteArray>
#include <QtCore/QByteArrayView>
#include <QtCore/QList>

#include <memory>
#include <optional>

namespace SocketIO::WebSocket {

// The offered subprotocols of a Sec-WebSocket-Protocol header, in order, as ws parses them:
// comma-separated tokens, none twice. Nothing when the header is malformed.
SOCKETIO_TESTABLE std::optional<QList<QByteArray>> parseSubprotocols(QByteArrayView header);

// The settings of one side (ws's PerMessageDeflate options). A window of 0 is "not set".
struct DeflateConfig
{
    qint64 threshold = 1024; // messages smaller than this are sent as they are
    bool serverNoContextTakeover = false;
    bool clientNoContextTakeover = false;
    int serverMaxWindowBits = 0; // 0 or 8..15
    int clientMaxWindowBits = 0; // 0 or 8..15
    int level = -1;              // zlib's: -1 (default, 6) or 0..9
    int memLevel = 8;            // zlib's: 1..9
    int strategy = 0;            // zlib's: Z_DEFAULT_STRATEGY (0) .. Z_FIXED (4)
};

// What was agreed on for one connection.
struct DeflateParams
{
    bool serverNoContextTakeover = false;
    bool clientNoContextTakeover = false;
    int serverMaxWindowBits = 15;
    int clientMaxWindowBits = 15;
    // The Sec-WebSocket-Extensions value of the 101.
    QByteArray response;
};

enum class Negotiation : quint8 {
    None,     // no permessage-deflate offer: the connection goes on without it
    Accepted, // `params` holds the agreement
    Invalid,  // a malformed header or no acceptable offer: ws answers 400
};

// Picks the first acceptable permessage-deflate offer of `header` as ws's server does.
SOCKETIO_TESTABLE Negotiation negotiateDeflate(QByteArrayView header, const DeflateConfig &config,
                                               DeflateParams *params);

// The client's offer, as ws's client makes it: "permessage-deflate" with the settings of
// `config` (client_max_window_bits without a value when it is not set).
SOCKETIO_TESTABLE QByteArray deflateOffer(const DeflateConfig &config);
// Reads the server's answer to deflateOffer(`config`) as ws's client does: the one extension
// must be permessage-deflate with valid parameters, and client_max_window_bits no larger than
// the one offered. False when ws's client would fail the connection.
SOCKETIO_TESTABLE bool acceptDeflateResponse(QByteArrayView header, const DeflateConfig &config,
                                             DeflateParams *params);

// A compressor of one side's messages. zlib's state is allocated on the first message.
class SOCKETIO_TESTABLE Deflater
{
public:
    // The server's.
    Deflater(const DeflateConfig &config, const DeflateParams &params);
    // Either side's: the window agreed for it, and whether it must reset after each message.
    Deflater(int windowBits, bool noContextTakeover, int level, int memLevel, int strategy = 0);
    ~Deflater();
    Q_DISABLE_COPY_MOVE(Deflater)

    // A complete frame (RSV1 set) of `opcode` whose payload is `head` then `body`, compressed.
    // Empty if zlib failed. With `maskKey` (a client's frame), masked with that key.
    QByteArray compressFrame(quint8 opcode, QByteArrayView head, QByteArrayView body,
                             const uchar *maskKey = nullptr);

private:
    struct Stream;
    std::unique_ptr<Stream> m_stream;
    int m_level;
    int m_memLevel;
    int m_strategy;
    int m_windowBits;
    bool m_noContextTakeover;
};

// A decompressor of the peer's messages.
class SOCKETIO_TESTABLE Inflater
{
public:
    explicit Inflater(bool noContextTakeover);
    ~Inflater();
    Q_DISABLE_COPY_MOVE(Inflater)

    enum class Result : quint8 { Ok, TooBig, Invalid };
    // Inflates one message (its payload without the trailing 00 00 ff ff) into `out`. The
    // output grows in steps and stops once it passes `limit` bytes (TooBig): a small bomb
    // never takes more than about `limit` bytes of memory.
    Result inflate(QByteArrayView compressed, qint64 limit, QByteArray *out);
    // zlib's description of the last Invalid.
    QByteArray errorString() const { return m_error; }

private:
    struct Stream;
    std::unique_ptr<Stream> m_stream;
    bool m_noContextTakeover;
    QByteArray m_error;
};

} // namespace SocketIO::WebSocket
