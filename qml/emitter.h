#pragma once

#include "jssender.h"

#include <SocketIO/emitter.h>

namespace SocketIO {

// Emitter: one emit with flags, from SocketIOClient.timeout(ms) (or compress(), asVolatile())
// and ServerSocket.timeout(ms). Owned by JavaScript: use it in the same expression.
class QmlEmitter : public SocketIO::QmlSender
{
    Q_OBJECT
    QML_NAMED_ELEMENT(Emitter)
    QML_UNCREATABLE("Emitter comes from timeout(), compress() or asVolatile() of a socket")
public:
    // `hasTimeout`: acknowledgements call back with (err, ...reply).
    QmlEmitter(const SocketIO::Emitter &emitter, bool hasTimeout, QObject *owner);
    ~QmlEmitter() override;

    Q_INVOKABLE SocketIO::QmlEmitter *timeout(int milliseconds) const;
    Q_INVOKABLE SocketIO::QmlEmitter *compress(bool compress) const;
    Q_INVOKABLE SocketIO::QmlEmitter *asVolatile() const;

protected:
    AckStyle ackStyle() const override;
    bool send(const QString &event, const QVariantList &args, QObject *context,
              SocketIO::AckCallback callback) override;
    bool sendForPromise(const QString &event, const QVariantList &args, QObject *context,
                        SocketIO::AckCallback callback) override;

private:
    SocketIO::Emitter m_emitter;
    bool m_hasTimeout;
};

} // namespace SocketIO
