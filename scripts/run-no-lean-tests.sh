#!/usr/bin/env bash
# Builds the library and the unit tests without the lean WebSocket engine
# (-DSOCKETIO_LEAN_ENGINE=OFF, the configuration of every platform but Linux) and without the
# Redis adapter (-DSOCKETIO_REDIS=OFF, a system without hiredis) into ./build-nolean, and runs
# the unit tests there, so that the portable configuration cannot rot on a Linux CI machine.
#
#   scripts/run-no-lean-tests.sh [CTEST ARGS...]
set -euo pipefail
cd "$(dirname "$0")/.."

build=build-nolean
if [ ! -f "$build/CMakeCache.txt" ]; then
    launcher=()
    command -v ccache >/dev/null && launcher=(-DCMAKE_CXX_COMPILER_LAUNCHER=ccache)
    generator=()
    command -v ninja >/dev/null && generator=(-G Ninja)
    # -O1 without debug info: this tree only has to compile and pass the unit tests, and g++
    # builds it in 60% of RelWithDebInfo's time (-O2 -g). Reconfigure with -g to debug in it.
    cmake -S . -B "$build" "${generator[@]}" "${launcher[@]}" -DCMAKE_BUILD_TYPE=RelWithDebInfo \
        -DCMAKE_CXX_FLAGS_RELWITHDEBINFO="-O1 -DNDEBUG" \
        -DSOCKETIO_LEAN_ENGINE=OFF -DSOCKETIO_REDIS=OFF -DSOCKETIO_BUILD_INSPECTOR=OFF -DSOCKETIO_BUILD_QML=OFF \
        -DSOCKETIO_BUILD_BENCH=OFF -DSOCKETIO_BUILD_EXAMPLES=OFF
fi
# ccache: the same objects whatever the tree's directory, so that the next run hits.
export CCACHE_BASEDIR=$PWD CCACHE_NOHASHDIR=1
# Only the library and the unit tests (tests/auto): the interop peers need the lean-free build
# no more than the plain one does.
mapfile -t targets < <(ctest --test-dir "$build" -N -L unit 2>/dev/null |
    sed -n 's/^ *Test *#[0-9]*: \(.*\)$/tst_\1/p')
[ "${#targets[@]}" -gt 0 ] || { echo "no unit tests registered in $build" >&2; exit 1; }
cmake --build "$build" -j"$(nproc)" --target SocketIO "${targets[@]}"
# Two at a time, as scripts/run-tests.sh runs the plain suite (hostilews runs alone: RUN_SERIAL).
ctest --test-dir "$build" --output-on-failure --timeout 300 -L unit -j2 "$@"
