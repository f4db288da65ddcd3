// Session and socket ids, shared by the engine (sid) and the Socket.IO layer (socket id, pid).
#pragma once

#include <QtCore/QByteArray>
#include <QtCore/QRandomGenerator>
#include <QtCore/QString>

#include <cstring>

namespace SocketIO {

// The reference's base64id: 15 random bytes from the system generator, base64 with '/' and
// '+' made URL-safe, so 20 characters with no padding.
inline QString base64Id()
{
    quint32 words[4];
    QRandomGenerator::system()->fillRange(words);
    char bytes[15];
    std::memcpy(bytes, words, sizeof bytes);
    return QString::fromLatin1(
        QByteArray::fromRawData(bytes, sizeof bytes).toBase64(QByteArray::Base64UrlEncoding));
}

} // namespace SocketIO
