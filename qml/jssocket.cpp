#include "jssocket.h"

#include <QtQml/QJSEngine>

namespace SocketIO {

QmlSocketBase::QmlSocketBase(QObject *parent)
    : QmlSender(nullptr, parent)
{}

QmlSocketBase::~QmlSocketBase() = default;

void QmlSocketBase::on(const QString &name, const QJSValue &handler)
{
    if (handler.isCallable())
        m_handlers[name].append({handler, false});
}

void QmlSocketBase::once(const QString &name, const QJSValue &handler)
{
    if (handler.isCallable())
        m_handlers[name].append({handler, true});
}

void QmlSocketBase::off(const QString &name, const QJSValue &handler)
{
    if (handler.isUndefined()) {
        m_handlers.remove(name);
        return;
    }
    const auto it = m_handlers.find(name);
    if (it == m_handlers.end())
        return;
    it->removeIf([&handler](const Handler &h) { return h.function.strictlyEquals(handler); });
    if (it->isEmpty())
        m_handlers.erase(it);
}

void QmlSocketBase::onAny(const QJSValue &handler)
{
    if (handler.isCallable())
        m_anyHandlers.append(handler);
}

void QmlSocketBase::offAny(const QJSValue &handler)
{
    if (handler.isUndefined())
        m_anyHandlers.clear();
    else
        m_anyHandlers.removeIf([&handler](const QJSValue &h) { return h.strictlyEquals(handler); });
}

void QmlSocketBase::deliver(const QString &name, const QVariantList &received, const Ack &ack)
{
    const QVariantList args = forJs(received);
    QJSEngine *engine = jsEngine();
    const auto it = m_handlers.find(name);
    const bool handled = it != m_handlers.end();
    if (engine && (handled || !m_anyHandlers.isEmpty())) {
        // As in the reference, the catch-all handlers first, then the event's; all of them get
        // the acknowledgement function last when the sender asked for one.
        QJSValueList jsArgs = toJs(engine, args);
        if (ack.isValid())
            jsArgs.append(ackFunction(ack));
        const QList<QJSValue> any = m_anyHandlers;
        for (const QJSValue &handler : any)
            callJs(handler, QJSValueList{QJSValue(name)} + jsArgs);
        if (handled) {
            const QList<Handler> handlers = *it;
            it->removeIf([](const Handler &h) { return h.once; });
            if (it->isEmpty())
                m_handlers.erase(it);
            for (const Handler &handler : handlers)
                callJs(handler.function, jsArgs);
        }
    }
    Q_EMIT event(name, args);
}

} // namespace SocketIO
