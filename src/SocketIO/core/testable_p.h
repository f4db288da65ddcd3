// Internal symbols that the unit tests and fuzzers link against (Qt's Q_AUTOTEST_EXPORT
// pattern): exported only from a developer build, where SOCKETIO_BUILD_TESTS or
// SOCKETIO_BUILD_FUZZERS defines SOCKETIO_DEVELOPER_BUILD; a release library keeps them
// hidden. The headers declaring them are private (never installed).
#pragma once

#include "socketio_export.h"

#ifdef SOCKETIO_DEVELOPER_BUILD
#    define SOCKETIO_TESTABLE SOCKETIO_EXPORT
#else
#    define SOCKETIO_TESTABLE
#endif
