#!/usr/bin/env bash
# Configures ./build-asan, the instrumented tree (ASan, UBSan, LeakSanitizer) that
# scripts/run-sanitized-tests.sh and scripts/fuzz.sh share: with clang it holds the test suite
# and the libFuzzer targets over one build of the library, so that CI compiles that library
# once instead of twice. Does nothing when build-asan is configured already.
#
#   scripts/configure-asan.sh
#
# Without clang (no libFuzzer) g++ builds the tests only, and fuzz.sh refuses the tree.
set -euo pipefail
cd "$(dirname "$0")/.."

build=build-asan
[ -f "$build/CMakeCache.txt" ] && exit 0

compiler=$(command -v clang++ || command -v clang++-14 || command -v g++)
if "$compiler" --version | grep -q clang; then
    fuzzers=ON
    # Line tables are all a sanitizer report needs (file:line per frame); full debug info
    # made a fifth of the compile time.
    debug=-gline-tables-only
else
    fuzzers=OFF
    debug=-g1
fi
launcher=()
command -v ccache >/dev/null && launcher=(-DCMAKE_CXX_COMPILER_LAUNCHER=ccache)
generator=()
command -v ninja >/dev/null && generator=(-G Ninja)
cmake -S . -B "$build" "${generator[@]}" "${launcher[@]}" -DCMAKE_BUILD_TYPE=RelWithDebInfo \
    -DCMAKE_CXX_FLAGS_RELWITHDEBINFO="-O2 $debug -DNDEBUG" \
    -DCMAKE_CXX_COMPILER="$compiler" -DSOCKETIO_SANITIZE=address,undefined \
    -DSOCKETIO_BUILD_FUZZERS=$fuzzers -DSOCKETIO_BUILD_INSPECTOR=OFF -DSOCKETIO_BUILD_BENCH=OFF
