#include "core/passend_p.h"

#include <QtCore/QAbstractEventDispatcher>
#include <QtCore/QAtomicInteger>
#include <QtCore/QThread>
#include <QtCore/QThreadStorage>

#include <algorithm>

namespace SocketIO {

namespace {
QAtomicInteger<quint64> postedCount;
} // namespace

PassEnd *PassEnd::forCurrentThread()
{
    static QThreadStorage<PassEnd *> storage;
    if (!storage.hasLocalData())
        storage.setLocalData(new PassEnd);
    return storage.localData();
}

quint64 PassEnd::postedWakeUps()
{
    return postedCount.loadRelaxed();
}

PassEnd::PassEnd()
{
    attach();
}

void PassEnd::attach()
{
    // A thread gets its dispatcher when its loop first needs one: until then (and if it
    // goes), work is posted, and schedule() looks again.
    QAbstractEventDispatcher *dispatcher = QAbstractEventDispatcher::instance(thread());
    if (dispatcher == m_dispatcher)
        return;
    if (m_dispatcher)
        m_dispatcher->disconnect(this);
    m_dispatcher = dispatcher;
    if (!dispatcher)
        return;
    connect(dispatcher, &QAbstractEventDispatcher::aboutToBlock, this, &PassEnd::run,
            Qt::DirectConnection);
    connect(dispatcher, &QAbstractEventDispatcher::awake, this, &PassEnd::run,
            Qt::DirectConnection);
}

void PassEnd::schedule(Task *task)
{
    m_tasks.append(task);
    if (!m_dispatcher)
        attach();
    if (!m_dispatcher)
        post();
}

void PassEnd::cancel(Task *task)
{
    const auto drop = [task](QList<Task *> &list) {
        std::replace(list.begin(), list.end(), task, static_cast<Task *>(nullptr));
    };
    drop(m_tasks);
    for (QList<Task *> *running : std::as_const(m_running))
        drop(*running);
}

void PassEnd::post()
{
    if (m_posted)
        return;
    m_posted = true;
    postedCount.fetchAndAddRelaxed(1);
    QMetaObject::invokeMethod(
        this,
        [this] {
            m_posted = false;
            run();
        },
        Qt::QueuedConnection);
}

void PassEnd::run()
{
    if (m_tasks.isEmpty())
        return;
    // A task may run a nested event loop, and this again inside it: each run has its own
    // list, and what is scheduled meanwhile belongs to the next one.
    QList<Task *> tasks;
    tasks.swap(m_tasks);
    m_running.append(&tasks);
    for (qsizetype i = 0; i < tasks.size(); ++i) {
        if (Task *task = tasks.at(i))
            task->runAtPassEnd();
    }
    m_running.removeLast();
    // What the tasks scheduled while they ran would otherwise wait: the loop may be about
    // to block.
    if (!m_tasks.isEmpty()) {
        post();
        return;
    }
    tasks.clear();
    m_tasks.swap(tasks); // keeps the capacity for the next pass
}

} // namespace SocketIO
