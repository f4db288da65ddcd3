#!/usr/bin/env bash
# Builds the library, the QML module, the tests and the examples with AddressSanitizer, UndefinedBehaviorSanitizer
# and LeakSanitizer into ./build-asan (configured by scripts/configure-asan.sh; the fuzz targets
# share that tree), and runs the test suite there (unit, loopback, churn and
# interop tests). Any memory error, undefined behaviour or leak fails the test it happens in.
#
#   scripts/run-sanitized-tests.sh [CTEST ARGS...]
#
# Qt itself is not instrumented: errors inside Qt show only where our code hands it bad memory.
# Leaks in third-party code that we cannot fix are listed in scripts/lsan-suppressions.txt,
# each with its reason. The consumer test is left out: it builds an outside project against
# the installed library, which would need the sanitizer runtime too.
set -euo pipefail
cd "$(dirname "$0")/.."

build=build-asan
scripts/configure-asan.sh
# Everything, the fuzz targets of the shared tree included: fuzz.sh then finds them built.
cmake --build "$build" -j"$(nproc)"

# Qt is built without frame pointers, so the fast unwinder stops at its frames: to see the code
# behind a leak report, run again with ASAN_OPTIONS=...:fast_unwind_on_malloc=0 (it makes
# every allocation several times slower, too slow for CI).
export ASAN_OPTIONS=${ASAN_OPTIONS:-detect_leaks=1:check_initialization_order=1:strict_init_order=1}
export LSAN_OPTIONS=suppressions=$PWD/scripts/lsan-suppressions.txt:print_suppressions=0
export UBSAN_OPTIONS=halt_on_error=1:print_stacktrace=1
# The soak test runs in the plain build only: 1000 clients for 20 s take over 6 minutes here;
# so does the docs check, which compiles nothing.
ctest --test-dir "$build" --output-on-failure --timeout 900 -E '^(consumer|soak|docs)$' "$@"
