// Internal symbols that the unit tests link against. The headers declaring them are private
// (never installed), so this widens no public API.
#pragma once

#include "socketio_export.h"

#define SOCKETIO_TESTABLE SOCKETIO_EXPORT
