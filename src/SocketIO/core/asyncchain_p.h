// The asynchronous chain behind middleware and namespace matchers: steps that each decide
// later, in order, the next one starting only once the one before lets it.
#pragma once

#include <QtCore/QtGlobal>

#include <functional>
#include <memory>

namespace SocketIO {

// Calls step(0, next), and step(i + 1, next) once step i calls its `next()`; after the last
// step's `next()`, calls `finished`. A step that ends the chain instead (next.end(), then
// answers for itself) or never answers stops it there. A step's first answer is the one that
// counts. Steps may answer at once (the following step then runs inside `next()`) or later.
class AsyncChain
{
    struct State;

public:
    class Next
    {
    public:
        // Goes on with the following step, or `finished` after the last.
        void operator()() const
        {
            if (take())
                advance(m_state);
        }
        // Ends the chain at this step: true if this is the step's first answer (the caller
        // then gives the chain's result), false if it had answered already.
        bool end() const { return take(); }

    private:
        friend class AsyncChain;
        Next(std::shared_ptr<State> state, qsizetype index)
            : m_state(std::move(state))
            , m_index(index)
        {}
        bool take() const
        {
            if (m_state->position != m_index)
                return false;
            ++m_state->position;
            return true;
        }

        std::shared_ptr<State> m_state;
        qsizetype m_index;
    };
    using Step = std::function<void(qsizetype index, const Next &next)>;

    static void run(qsizetype count, Step step, std::function<void()> finished)
    {
        advance(std::make_shared<State>(State{std::move(step), std::move(finished), count, 0}));
    }

private:
    struct State
    {
        Step step;
        std::function<void()> finished;
        qsizetype count;
        qsizetype position; // the step whose answer is awaited
    };

    static void advance(const std::shared_ptr<State> &state)
    {
        const qsizetype i = state->position;
        if (i < state->count) {
            // The step stays stored until the last Next is gone: a step that answers at
            // once is still running when the chain finishes inside it.
            state->step(i, Next(state, i));
            return;
        }
        const auto finished = std::move(state->finished);
        if (finished)
            finished();
    }
};

} // namespace SocketIO
