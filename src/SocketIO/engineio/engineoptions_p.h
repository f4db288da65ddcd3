// The perMessageDeflate option, shared by the server's EngineOptions and the client's
// ManagerOptions (both take ws's PerMessageDeflate options).
#pragma once

#include "engineoptions.h"
#include "websocket/deflate_p.h"

#include <optional>

namespace SocketIO {

// Reads `value`, true, false or an object of ws's PerMessageDeflate options: `*enabled` gets
// whether it is on, `*settings` the object's settings when one was given. False (the problem
// in `*error`, when not null) for anything else.
bool readPerMessageDeflate(const QVariant &value, QString *error, bool *enabled,
                           std::optional<PerMessageDeflateOptions> *settings);
// What is wrong with `options`; empty when nothing is.
QString validatePerMessageDeflate(const PerMessageDeflateOptions &options);
// The same settings for the WebSocket layer.
WebSocket::DeflateConfig toDeflateConfig(const PerMessageDeflateOptions &options);

} // namespace SocketIO
