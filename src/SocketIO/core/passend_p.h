// The end of one pass of a thread's event loop, as a place to run deferred work: what many
// handlers wrote during the pass leaves together, once they have all run.
//
// Why not a queued call: posting an event wakes the loop (an eventfd write) and makes the
// next pass poll once more without waiting. Qt's dispatchers on Unix poll every socket
// notifier on each pass, so with thousands of QTcpSockets that extra poll cost more than the
// traffic that caused it. Every Qt dispatcher (glib, Unix, Windows, Core Foundation) emits
// aboutToBlock() before it waits and awake() when it wakes; the work runs on the first of
// them after it was scheduled, inside the pass it belongs to, with no extra wake-up.
#pragma once

#include "core/testable_p.h"

#include <QtCore/QList>
#include <QtCore/QObject>
#include <QtCore/QPointer>

QT_BEGIN_NAMESPACE
class QAbstractEventDispatcher;
QT_END_NAMESPACE

namespace SocketIO {

class SOCKETIO_TESTABLE PassEnd : public QObject
{
    Q_OBJECT
public:
    class Task
    {
    public:
        virtual ~Task() = default;
        // Runs once per schedule(), at the end of the pass it was scheduled in.
        virtual void runAtPassEnd() = 0;
    };

    // The calling thread's; deleted when the thread ends.
    static PassEnd *forCurrentThread();

    // Runs `task` at the end of the current pass (or, outside a pass, when control returns to
    // the event loop). The caller schedules a task at most once per pass and keeps it alive
    // until it ran, or calls cancel().
    void schedule(Task *task);
    void cancel(Task *task);

    // How many times this thread's pass ends had to be reached by a posted event (no event
    // dispatcher, or work scheduled by the end-of-pass work itself): for the tests.
    static quint64 postedWakeUps();

private:
    PassEnd();
    void attach();
    void run();
    void post();

    QList<Task *> m_tasks;            // scheduled for the end of this pass
    QList<QList<Task *> *> m_running; // the lists run() is running, innermost last
    QPointer<QAbstractEventDispatcher> m_dispatcher;
    bool m_posted = false;
};

} // namespace SocketIO
