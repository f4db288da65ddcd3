#pragma once

#include "socketio_export.h"
#include <SocketIO/httprequest.h>

#include <QtCore/QObject>

#include <memory>

namespace SocketIO {

class EngineServer;
class EngineSocketPrivate;

// One Engine.IO session (the reference's engine.io `Socket`).
class SOCKETIO_EXPORT EngineSocket : public QObject
{
    Q_OBJECT
    Q_PROPERTY(QString id READ id CONSTANT)
    Q_PROPERTY(int protocol READ protocol CONSTANT)
    Q_PROPERTY(QString transportName READ transportName NOTIFY upgraded)
    Q_PROPERTY(ReadyState readyState READ readyState NOTIFY readyStateChanged)
public:
    enum class ReadyState { Opening, Open, Closing, Closed };
    Q_ENUM(ReadyState)
    // Why a session closed; closed() carries it beside the reference's string.
    enum class CloseReason {
        Unknown,
        TransportClose, // "transport close"
        TransportError, // "transport error"
        PingTimeout,    // "ping timeout"
        ParseError,     // "parse error"
        ForcedClose,    // "forced close"
    };
    Q_ENUM(CloseReason)

    static QString reasonString(CloseReason reason);
    static CloseReason reasonFromString(QStringView reason);

    ~EngineSocket() override;

    QString id() const;
    int protocol() const;
    QString transportName() const;
    ReadyState readyState() const;
    bool isUpgrading() const;
    bool isUpgraded() const;
    // The request that opened the session.
    HttpRequest request() const;
    QHostAddress remoteAddress() const;

    // Queue a text or binary message; sent at once when the transport is writable.
    void send(const QString &text);
    void sendUtf8(const QByteArray &utf8);
    void sendBinary(const QByteArray &data);
    // Flushes what is queued, then closes the session with reason "forced close".
    void close();

Q_SIGNALS:
    // A message from the peer: UTF-8 text, or bytes when `binary`.
    void messageReceived(const QByteArray &data, bool binary);
    void heartbeat();
    void upgrading(const QString &transport);
    void upgraded(const QString &transport);
    // Everything queued has been handed to the transport.
    void drained();
    void readyStateChanged(SocketIO::EngineSocket::ReadyState state);
    // Emitted once. The EngineServer deletes the socket after this signal.
    void closed(const QString &reason, const QString &description,
                SocketIO::EngineSocket::CloseReason code);

protected:
    void timerEvent(QTimerEvent *event) override;
    void connectNotify(const QMetaMethod &signal) override;

private:
    friend class EngineServerPrivate;
    friend class EngineSocketPrivate;
    explicit EngineSocket(QObject *parent);
    Q_DECLARE_PRIVATE(EngineSocket)
    Q_DISABLE_COPY_MOVE(EngineSocket)
    std::unique_ptr<EngineSocketPrivate> const d_ptr;
};

} // namespace SocketIO
