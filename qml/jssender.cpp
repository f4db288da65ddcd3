#include "jssender.h"

#include <algorithm>

#include <QtCore/QLoggingCategory>
#include <QtQml/QJSEngine>
#include <QtQml/QQmlEngine>

Q_LOGGING_CATEGORY(lcQml, "socketio.qml")

namespace SocketIO {

namespace {

// The acknowledgement of one incoming event, behind the JavaScript function a handler gets.
// Owned by JavaScript.
class QmlAck : public QObject
{
    Q_OBJECT
public:
    explicit QmlAck(const Ack &ack)
        : m_ack(ack)
    {}
    Q_INVOKABLE void send(const QJSValue &args) { m_ack(QmlSender::toArguments(args)); }

private:
    Ack m_ack;
};

bool hasEmptyBinary(const QVariant &value)
{
    switch (value.typeId()) {
    case QMetaType::QByteArray:
        return static_cast<const QByteArray *>(value.constData())->isEmpty();
    case QMetaType::QVariantList: {
        const auto *list = static_cast<const QVariantList *>(value.constData());
        return std::any_of(list->cbegin(), list->cend(), hasEmptyBinary);
    }
    case QMetaType::QVariantMap: {
        const auto *map = static_cast<const QVariantMap *>(value.constData());
        return std::any_of(map->cbegin(), map->cend(), hasEmptyBinary);
    }
    default:
        return false;
    }
}

// `value` with every empty QByteArray replaced by one that owns a (zero-length) block.
QVariant withAttachedBinaries(const QVariant &value)
{
    if (!hasEmptyBinary(value))
        return value;
    switch (value.typeId()) {
    case QMetaType::QByteArray: {
        QByteArray block;
        block.reserve(1);
        return block;
    }
    case QMetaType::QVariantList: {
        QVariantList out;
        for (const QVariant &item : *static_cast<const QVariantList *>(value.constData()))
            out.append(withAttachedBinaries(item));
        return out;
    }
    case QMetaType::QVariantMap: {
        QVariantMap out;
        const auto *map = static_cast<const QVariantMap *>(value.constData());
        for (auto it = map->cbegin(); it != map->cend(); ++it)
            out.insert(it.key(), withAttachedBinaries(it.value()));
        return out;
    }
    default:
        return value;
    }
}

// An array of values, as JavaScript sees it.
QJSValue jsArray(QJSEngine *engine, const QVariantList &list)
{
    return engine->toScriptValue(QVariant(QmlSender::forJs(list)));
}

QJSValue errorOrNull(QJSEngine *engine, const QString &error)
{
    return error.isEmpty() ? QJSValue(QJSValue::NullValue) : QmlSender::errorValue(engine, error);
}

} // namespace

QmlSender::QmlSender(QObject *owner, QObject *parent)
    : QObject(parent)
    , m_owner(owner)
{}

QmlSender::~QmlSender() = default;

QJSEngine *QmlSender::jsEngine() const
{
    if (QJSEngine *engine = qjsEngine(this))
        return engine;
    return m_owner ? qjsEngine(m_owner.data()) : nullptr;
}

QObject *QmlSender::owner() const
{
    return m_owner ? m_owner.data() : const_cast<QmlSender *>(this);
}

QJSValue QmlSender::emitFunction()
{
    // One small function per object, calling back with the arguments as an array.
    if (m_emit.isUndefined()) {
        if (QJSEngine *engine = jsEngine())
            m_emit = engine->evaluate(QStringLiteral(
                "(function (event, ...args) { return this.emitList(event, args) })"));
    }
    return m_emit;
}

QJSValue QmlSender::emitWithAckFunction()
{
    if (m_emitWithAck.isUndefined()) {
        if (QJSEngine *engine = jsEngine())
            m_emitWithAck = engine->evaluate(
                QStringLiteral("(function (event, ...args) { const self = this; return new Promise("
                               "function (resolve, reject) { self.emitListWithAck(event, args, "
                               "resolve, reject) }) })"));
    }
    return m_emitWithAck;
}

bool QmlSender::emitList(const QString &event, const QJSValue &args)
{
    QJSValue callback;
    const QVariantList list = toArguments(args, &callback);
    bool sent = false;
    if (!callback.isCallable()) {
        sent = send(event, list, nullptr, {});
    } else {
        // Captures no `this`: a Broadcast or an Emitter is gone long before the replies.
        QPointer<QJSEngine> engine = jsEngine();
        const AckStyle style = ackStyle();
        sent = send(event, list, owner(),
                    [engine, style, callback](const QString &error, const QVariantList &reply) {
                        if (!engine)
                            return;
                        QJSValueList jsArgs;
                        switch (style) {
                        case AckStyle::Plain:
                            // Without a timeout the reference never calls back with an error.
                            if (!error.isEmpty())
                                return;
                            jsArgs = toJs(engine, reply);
                            break;
                        case AckStyle::ErrorFirst:
                            jsArgs = QJSValueList{errorOrNull(engine, error)} + toJs(engine, reply);
                            break;
                        case AckStyle::Responses:
                            jsArgs = {errorOrNull(engine, error), jsArray(engine, reply)};
                            break;
                        }
                        callJs(callback, jsArgs);
                    });
    }
    if (!sent) {
        if (QJSEngine *engine = jsEngine())
            engine->throwError(refusal(event));
    }
    return sent;
}

void QmlSender::emitListWithAck(const QString &event, const QJSValue &args, const QJSValue &resolve,
                                const QJSValue &reject)
{
    QPointer<QJSEngine> engine = jsEngine();
    const bool responses = ackStyle() == AckStyle::Responses;
    const bool sent = sendForPromise(
        event, toArguments(args), owner(),
        [engine, responses, resolve, reject](const QString &error, const QVariantList &reply) {
            if (!engine)
                return;
            if (!error.isEmpty()) {
                callJs(reject, {errorValue(engine, error)});
            } else if (responses) {
                callJs(resolve, {jsArray(engine, reply)});
            } else {
                // The reference resolves with the first argument.
                callJs(resolve, {engine->toScriptValue(forJs(reply).value(0))});
            }
        });
    if (!sent && engine)
        callJs(reject, {errorValue(engine, refusal(event))});
}

bool QmlSender::sendForPromise(const QString &event, const QVariantList &args, QObject *context,
                               AckCallback callback)
{
    return send(event, args, context, std::move(callback));
}

bool QmlSender::settleWithFuture(QFuture<QVariantList> future, const QString &event,
                                 QObject *context, AckCallback callback) const
{
    const QString refused = refusal(event);
    future.then(context, [callback](const QVariantList &reply) { callback(QString(), reply); })
        .onFailed(context,
                  [callback](const TimeoutError &) {
                      callback(QStringLiteral("socket has been disconnected"), {});
                  })
        .onFailed(context, [callback, refused] { callback(refused, {}); });
    return true;
}

QString QmlSender::refusal(const QString &event) const
{
    return QStringLiteral("\"%1\" is a reserved event name").arg(event);
}

QVariantList QmlSender::toArguments(const QJSValue &array, QJSValue *trailingFunction)
{
    QVariantList out;
    const int length = array.property(QStringLiteral("length")).toInt();
    out.reserve(length);
    for (int i = 0; i < length; ++i) {
        const QJSValue value = array.property(quint32(i));
        if (i == length - 1 && trailingFunction && value.isCallable()) {
            *trailingFunction = value;
            break;
        }
        // Objects become QVariantMap, arrays QVariantList, ArrayBuffer QByteArray, null a
        // null QVariant, nested as deep as they go.
        out.append(value.toVariant());
    }
    return out;
}

QJSValueList QmlSender::toJs(QJSEngine *engine, const QVariantList &args)
{
    QJSValueList out;
    out.reserve(args.size());
    for (const QVariant &arg : forJs(args))
        out.append(engine->toScriptValue(arg));
    return out;
}

QVariantList QmlSender::forJs(const QVariantList &args)
{
    if (!std::any_of(args.cbegin(), args.cend(), hasEmptyBinary))
        return args;
    QVariantList out;
    out.reserve(args.size());
    for (const QVariant &arg : args)
        out.append(withAttachedBinaries(arg));
    return out;
}

QJSValue QmlSender::ackFunction(const Ack &ack)
{
    QJSEngine *engine = jsEngine();
    if (!engine || !ack.isValid())
        return QJSValue();
    if (m_ackFactory.isUndefined())
        m_ackFactory = engine->evaluate(QStringLiteral(
            "(function (target) { return function (...args) { target.send(args) } })"));
    // Unparented, so owned by JavaScript: it lives as long as the function does.
    return m_ackFactory.call({engine->newQObject(new QmlAck(ack))});
}

QJSValue QmlSender::errorValue(QJSEngine *engine, const QString &message)
{
    return engine->newErrorObject(QJSValue::GenericError, message);
}

void QmlSender::callJs(QJSValue function, const QJSValueList &args)
{
    if (!function.isCallable())
        return;
    const QJSValue result = function.call(args);
    if (result.isError()) {
        qCWarning(lcQml).noquote()
            << QStringLiteral("%1:%2: %3")
                   .arg(result.property(QStringLiteral("fileName")).toString(),
                        result.property(QStringLiteral("lineNumber")).toString(),
                        result.toString());
    }
}

} // namespace SocketIO

#include "jssender.moc"
