#pragma once

#include "jssender.h"

#include <QtCore/QHash>
#include <QtCore/QList>

namespace SocketIO {

// What a client socket and a server-side socket share in QML: per-event handlers
// (`on(name, fn)`, `off(name[, fn])`), catch-all handlers (`onAny(fn)`, `offAny([fn])`) and the
// `event(name, args)` signal. A handler gets the event's arguments, then an acknowledgement
// function when the sender asked for one, as in JavaScript's socket.io.
class QmlSocketBase : public SocketIO::QmlSender
{
    Q_OBJECT
    QML_ANONYMOUS
public:
    explicit QmlSocketBase(QObject *parent = nullptr);
    ~QmlSocketBase() override;
    using QObject::event;

    Q_INVOKABLE void on(const QString &name, const QJSValue &handler);
    Q_INVOKABLE void once(const QString &name, const QJSValue &handler);
    // Without a handler, removes every handler of that event.
    Q_INVOKABLE void off(const QString &name, const QJSValue &handler = QJSValue());
    Q_INVOKABLE void onAny(const QJSValue &handler);
    Q_INVOKABLE void offAny(const QJSValue &handler = QJSValue());

Q_SIGNALS:
    // Every incoming event, after its handlers ran.
    void event(const QString &name, const QVariantList &args);

protected:
    void deliver(const QString &name, const QVariantList &args, const SocketIO::Ack &ack);

private:
    struct Handler
    {
        QJSValue function;
        bool once = false;
    };
    QHash<QString, QList<Handler>> m_handlers;
    QList<QJSValue> m_anyHandlers;
};

} // namespace SocketIO
