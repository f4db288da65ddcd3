#include "engineio/transport_p.h"

namespace SocketIO::EngineIO {

Transport::Transport(int protocol, QObject *parent)
    : QObject(parent)
    , m_protocol(protocol)
{}

} // namespace SocketIO::EngineIO
