#pragma once

#include <QtCore/QtGlobal>

namespace SocketIO {

// Free space a Socket.IO encoder leaves before a message's data, so that the engine puts its
// framing in front of it in place: the Engine.IO type character and the longest WebSocket
// frame header (10 bytes). In the core layer because both the parsers and the engine see it.
constexpr qsizetype MessageHeadroom = 11;

} // namespace SocketIO
