// A callback that belongs to a context object: the `(context, functor)` pair of the public
// API, kept as one value wherever a callback is stored or captured.
#pragma once

#include <QtCore/QObject>
#include <QtCore/QPointer>

#include <utility>

namespace SocketIO {

// Whether the context of a callback still lives. Without a context it always does: a null
// context means "no owner", not "already gone".
class ContextGuard
{
public:
    ContextGuard() = default;
    explicit ContextGuard(QObject *context)
        : m_context(context)
        , m_hasContext(context != nullptr)
    {}

    bool isAlive() const { return !m_hasContext || m_context; }

private:
    QPointer<QObject> m_context;
    bool m_hasContext = false;
};

// `function`, dropped once `context` is destroyed (never, with no context). As large as the
// pointer, flag and functor it replaces, and allocation-free to test.
template<typename Function> class Guarded
{
public:
    Guarded() = default;
    // Takes the functor as given: no extra move of a std::function on a hot path.
    template<typename F>
    Guarded(QObject *context, F &&function)
        : m_guard(context)
        , m_function(std::forward<F>(function))
    {}

    // Set, and its context still alive.
    bool isCallable() const { return bool(m_function) && m_guard.isAlive(); }
    explicit operator bool() const { return isCallable(); }
    // For a later answer of the callback: the same context, without a copy of the function.
    const ContextGuard &guard() const { return m_guard; }
    // For callbacks that return something: test first, then call function().
    const Function &function() const { return m_function; }

    // Calls the function when it is callable; a result is dropped.
    template<typename... Args> void operator()(Args &&...args) const
    {
        if (isCallable())
            m_function(std::forward<Args>(args)...);
    }

private:
    ContextGuard m_guard;
    Function m_function;
};

} // namespace SocketIO
