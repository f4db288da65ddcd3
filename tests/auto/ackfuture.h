// For the tests of emitWithAck(): whether a finished future failed with TimeoutError.
#pragma once

#include <SocketIO/TimeoutError>

#include <QtCore/QFuture>

inline bool failedWithTimeout(QFuture<QVariantList> future)
{
    try {
        future.waitForFinished();
    } catch (const SocketIO::TimeoutError &) {
        return true;
    }
    return false;
}
