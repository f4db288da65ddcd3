#pragma once

#include <SocketIO/clientsocket.h>
#include <SocketIO/manager.h>
#include <SocketIO/socket.h>

#include <QtQml/qqml.h>

namespace SocketIO {

// The library's own QObjects, as QML meets them through the module's objects
// (SocketIOClient.manager, SocketIOClient.socket): their properties and enums (Manager.Open,
// ClientSocket.Connected) without a wrapper. The library is registered from here, so that it
// needs no Qt Qml.
struct ForeignManager
{
    Q_GADGET
    QML_FOREIGN(SocketIO::Manager)
    QML_NAMED_ELEMENT(Manager)
    QML_UNCREATABLE("Manager comes from SocketIOClient.manager")
};

struct ForeignClientSocket
{
    Q_GADGET
    QML_FOREIGN(SocketIO::ClientSocket)
    QML_NAMED_ELEMENT(ClientSocket)
    QML_UNCREATABLE("ClientSocket comes from SocketIOClient.socket")
};

} // namespace SocketIO
