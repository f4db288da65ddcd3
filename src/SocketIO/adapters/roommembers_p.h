// A set of socket ids sized for rooms: most rooms (every socket's own room) hold one id, and
// a QSet costs more than a kilobyte even then. Small rooms are a list; large ones a set.
#pragma once

#include <QtCore/QList>
#include <QtCore/QSet>
#include <QtCore/QString>

namespace SocketIO {

class RoomMembers
{
public:
    bool contains(const QString &id) const
    {
        return m_large.isEmpty() ? m_small.contains(id) : m_large.contains(id);
    }
    // False when it was there already.
    bool insert(const QString &id)
    {
        if (!m_large.isEmpty()) {
            const qsizetype before = m_large.size();
            m_large.insert(id);
            return m_large.size() != before;
        }
        if (m_small.contains(id))
            return false;
        if (m_small.size() < SmallLimit) {
            // Room for one at first, not the two an append reserves: most rooms (each
            // socket's own) never hold more, and they last as long as their socket.
            if (m_small.isEmpty())
                m_small.reserve(1);
            m_small.append(id);
            return true;
        }
        m_large = QSet<QString>(m_small.cbegin(), m_small.cend());
        m_large.insert(id);
        m_small = QList<QString>();
        return true;
    }
    bool remove(const QString &id)
    {
        return m_large.isEmpty() ? m_small.removeOne(id) : m_large.remove(id);
    }
    bool isEmpty() const { return m_small.isEmpty() && m_large.isEmpty(); }
    qsizetype size() const { return m_large.isEmpty() ? m_small.size() : m_large.size(); }
    QSet<QString> toSet() const
    {
        return m_large.isEmpty() ? QSet<QString>(m_small.cbegin(), m_small.cend()) : m_large;
    }
    template<typename F> void forEach(F &&f) const
    {
        if (m_large.isEmpty()) {
            for (const QString &id : m_small)
                f(id);
        } else {
            for (const QString &id : m_large)
                f(id);
        }
    }

private:
    static constexpr qsizetype SmallLimit = 16;
    QList<QString> m_small;
    QSet<QString> m_large;
};

} // namespace SocketIO
