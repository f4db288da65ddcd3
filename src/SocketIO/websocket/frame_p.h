// RFC 6455 framing for the built-in ("lean") WebSocket engine. Pure functions over bytes.
#pragma once

#include "core/testable_p.h"

#include <QtCore/QByteArray>
#include <QtCore/QByteArrayView>
#include <QtCore/QList>

#include <memory>

namespace SocketIO::WebSocket {

class Inflater;

enum class Opcode : quint8 {
    Continuation = 0x0,
    Text = 0x1,
    Binary = 0x2,
    Close = 0x8,
    Ping = 0x9,
    Pong = 0xA,
};

enum CloseCode : quint16 {
    NormalClosure = 1000,
    GoingAway = 1001,
    ProtocolError = 1002,
    InvalidPayload = 1007, // e.g. text that is not UTF-8
    MessageTooBig = 1009,
    InternalError = 1011,
};

// Sec-WebSocket-Accept for a Sec-WebSocket-Key.
SOCKETIO_TESTABLE QByteArray acceptKey(QByteArrayView key);
// Whether a Sec-WebSocket-Key is valid: base64 of 16 bytes.
SOCKETIO_TESTABLE bool isValidKey(QByteArrayView key);
// A server frame (unmasked): the header followed by `payload`.
SOCKETIO_TESTABLE QByteArray encodeFrame(Opcode opcode, QByteArrayView payload);
// Only the header of a server frame whose payload has `size` bytes, for sending a large
// payload from its own buffer.
SOCKETIO_TESTABLE QByteArray encodeFrameHeader(Opcode opcode, qsizetype size);
// A text frame carrying `prefix` then `payload`, without building the message first
// (Engine.IO's "4" + data).
SOCKETIO_TESTABLE QByteArray encodeTextFrame(char prefix, QByteArrayView payload);
// The same, built in `payload`'s own buffer when it is not shared and has the room before its
// data (see MessageHeadroom, headroom_p.h): no allocation, no copy.
SOCKETIO_TESTABLE QByteArray encodeTextFrame(char prefix, QByteArray &&payload);
// A masked client frame, for tests and clients.
SOCKETIO_TESTABLE QByteArray encodeMaskedFrame(Opcode opcode, QByteArrayView payload, quint32 mask,
                                               bool fin = true);
// XORs `size` bytes of `data` with the masking key `key` (its four bytes in wire order).
SOCKETIO_TESTABLE void applyMask(char *data, qsizetype size, const uchar key[4]);
SOCKETIO_TESTABLE bool isValidUtf8(QByteArrayView data);
// Whether a peer may send `code` in a close frame (RFC 6455 7.4, as ws checks it).
SOCKETIO_TESTABLE bool isValidCloseCode(quint16 code);

// Reads frames and puts messages back together: a server reads a client's frames, which must
// be masked; a client reads a server's, which must not be (RFC 6455 5.1: 1002 otherwise).
class SOCKETIO_TESTABLE FrameReader
{
public:
    enum class Sender : quint8 { Client, Server };

    struct Message
    {
        Opcode opcode; // Text, Binary, Close, Ping or Pong
        QByteArray payload;
    };

    explicit FrameReader(qint64 maxMessageSize, Sender sender = Sender::Client);
    ~FrameReader();
    Q_DISABLE_COPY_MOVE(FrameReader)

    // permessage-deflate was agreed on: RSV1 marks a compressed message, which is inflated
    // up to the message size limit (1009 past it, 1007 when the data is not DEFLATE).
    // `noContextTakeover`: the sender resets its compressor after each message.
    void enableInflate(bool noContextTakeover);

    // Consumes complete frames from `data` (unmasking them in place) and appends the
    // messages they complete. Returns the number of bytes used (a partial frame at the end
    // is left), or -1 on a protocol violation; closeCode() then says which code to send.
    // Nothing may follow a close frame: once one is read, the reader is done and drops
    // whatever comes after (used, not parsed); after a violation it returns -1 again.
    qsizetype read(char *data, qsizetype size, QList<Message> *messages);
    // The same over a buffer; the bytes used are removed from it.
    bool read(QByteArray &buffer, QList<Message> *messages);
    quint16 closeCode() const { return m_closeCode; }
    QByteArray errorReason() const { return m_reason; }
    // A close frame was read, or the stream broke the protocol.
    bool isDone() const { return m_state != State::Reading; }

private:
    bool fail(quint16 code, const char *reason);

    enum class State : quint8 { Reading, CloseRead, Failed };

    qint64 m_maxMessageSize;
    Sender m_sender;
    State m_state = State::Reading;
    bool m_inMessage = false;
    bool m_messageCompressed = false;
    Opcode m_messageOpcode = Opcode::Text;
    std::unique_ptr<Inflater> m_inflater;
    QByteArray m_message;
    quint16 m_closeCode = 0;
    QByteArray m_reason;
};

} // namespace SocketIO::WebSocket
