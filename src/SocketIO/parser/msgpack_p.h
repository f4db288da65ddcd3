// MessagePack <-> QVariant, compatible with the notepack.io encoding that npm
// socket.io-msgpack-parser uses.
#pragma once

#include "core/testable_p.h"

#include <QtCore/QByteArray>
#include <QtCore/QVariant>

namespace SocketIO::MsgPack {

SOCKETIO_TESTABLE void write(const QVariant &value, QByteArray &out);
SOCKETIO_TESTABLE QByteArray encode(const QVariant &value);
// Decodes exactly one value spanning all of `data`. Maps become QVariantMap (keys as
// strings), bin QByteArray, nil a null QVariant, notepack's undefined (d4 00 00) an
// invalid QVariant, which is written back as nil, as notepack 3 does.
SOCKETIO_TESTABLE bool decode(QByteArrayView data, QVariant *value, QString *error);

} // namespace SocketIO::MsgPack
