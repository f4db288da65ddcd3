// The engine's observation seam: what an instrumentation (the admin layer) may learn about the
// traffic of an EngineServer without reaching into its sessions. With no observer set, the
// engine pays one pointer test per packet.
#pragma once

#include <QtCore/QtGlobal>

namespace SocketIO {

class EngineServer;

class EngineObserver
{
public:
    // One packet that carries data (a message, a ping or pong payload) left or arrived on a
    // session of the observed engine; `bytes` is the length of that data.
    virtual void enginePacketSent(qsizetype bytes) = 0;
    virtual void enginePacketReceived(qsizetype bytes) = 0;

protected:
    ~EngineObserver() = default;
};

// Sets (or, with nullptr, clears) the one observer of `engine`. The observer must outlive its
// registration. Sessions, connections and upgrades are announced by EngineServer's and
// EngineSocket's signals; only the per-packet counts need this seam.
void setEngineObserver(EngineServer *engine, EngineObserver *observer);
EngineObserver *engineObserver(const EngineServer *engine);

} // namespace SocketIO
