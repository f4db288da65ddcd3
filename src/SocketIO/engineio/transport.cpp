#include "engineio/transport_p.h"

namespace SocketIO::EngineIO {

Transport::Transport(const Protocol &protocol, QObject *parent)
    : QObject(parent)
    , m_protocol(protocol)
{}

} // namespace SocketIO::EngineIO
