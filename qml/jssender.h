#pragma once

#include <SocketIO/callbacks.h>

#include <QtCore/QFuture>
#include <QtCore/QObject>
#include <QtCore/QPointer>
#include <QtCore/QVariant>
#include <QtQml/QJSValue>
#include <QtQml/qqmlregistration.h>

namespace SocketIO {

// The sending half every QML type that emits shares: `emit(event, ...args)` with a trailing
// function as the acknowledgement callback, and `emitWithAck(event, ...args)` returning a
// Promise. QML cannot declare a variadic C++ method (and `emit` is a Qt macro), so both are
// JavaScript functions exposed as read-only properties; they forward to emitList().
class QmlSender : public QObject
{
    Q_OBJECT
    QML_ANONYMOUS
    Q_PROPERTY(QJSValue emit READ emitFunction CONSTANT)
    Q_PROPERTY(QJSValue emitWithAck READ emitWithAckFunction CONSTANT)
public:
    // `owner`: the long-lived object (a client, a server) whose JavaScript engine this one
    // uses and whose lifetime bounds the acknowledgement callbacks; null for itself. A
    // Broadcast or an Emitter is collected by JavaScript right after the emit, while its
    // callbacks wait on.
    explicit QmlSender(QObject *owner = nullptr, QObject *parent = nullptr);
    ~QmlSender() override;

    QJSValue emitFunction();
    QJSValue emitWithAckFunction();

    // The same as emit(event, ...args), with the arguments in an array.
    Q_INVOKABLE bool emitList(const QString &event, const QJSValue &args);
    // Called by emitWithAck's function with the Promise's resolve and reject.
    Q_INVOKABLE void emitListWithAck(const QString &event, const QJSValue &args,
                                     const QJSValue &resolve, const QJSValue &reject);

    // JavaScript values to Socket.IO arguments (objects, arrays, ArrayBuffer, null) and back.
    static QVariantList toArguments(const QJSValue &array, QJSValue *trailingFunction = nullptr);
    static QJSValueList toJs(QJSEngine *engine, const QVariantList &args);
    // `args` as QML may receive them, in a signal or through toJs(): V4 (Qt 6.4) turns an
    // empty QByteArray, which has no data block, into a detached ArrayBuffer whose byteLength
    // and views throw, so empty binaries get a block. `args` itself when none is empty.
    static QVariantList forJs(const QVariantList &args);
    // A JavaScript function that acknowledges an incoming event with its arguments.
    QJSValue ackFunction(const SocketIO::Ack &ack);
    // Calls a handler, reporting (not throwing) what it threw.
    static void callJs(QJSValue function, const QJSValueList &args);
    // An Error whose message is the reference's ("operation has timed out", ...).
    static QJSValue errorValue(QJSEngine *engine, const QString &message);

protected:
    // How an acknowledgement reaches the callback: Plain calls it with the reply's arguments
    // (socket.emit without a timeout), ErrorFirst with (err, ...args) (with a timeout), Responses
    // with (err, responses) (broadcasts).
    enum class AckStyle { Plain, ErrorFirst, Responses };
    virtual AckStyle ackStyle() const = 0;
    // Why send() returned false.
    virtual QString refusal(const QString &event) const;
    // Sends; `callback` is null when the emit asked for no acknowledgement. False refuses the
    // emit (see refusal()).
    virtual bool send(const QString &event, const QVariantList &args, QObject *context,
                      SocketIO::AckCallback callback) = 0;
    // Sends for emitWithAck(); the same as send() unless overridden. The reference's Promise is
    // told of every failure, where a plain callback is not: see settleWithFuture().
    virtual bool sendForPromise(const QString &event, const QVariantList &args, QObject *context,
                                SocketIO::AckCallback callback);
    // Hands the outcome of a client's emitWithAck() future to `callback`: the reply, "socket
    // has been disconnected" (the only way such a future fails without a timeout) or a refusal.
    bool settleWithFuture(QFuture<QVariantList> future, const QString &event, QObject *context,
                          SocketIO::AckCallback callback) const;
    // A JavaScript engine for this object: the QML engine that created it, or the one it was
    // handed to.
    QJSEngine *jsEngine() const;
    QObject *owner() const;

private:
    QPointer<QObject> m_owner;
    QJSValue m_emit;
    QJSValue m_emitWithAck;
    QJSValue m_ackFactory;
};

} // namespace SocketIO
