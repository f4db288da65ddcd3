#!/usr/bin/env bash
# Installs what is missing, builds, smoke-runs the benchmarks, and runs every test (unit,
# loopback, interop, consumer), then the suite again under ASan/UBSan/LeakSanitizer (test
# "sanitized", in build-asan), the unit tests without the lean engine (test "no_lean_engine", in
# build-nolean), every fuzz target for a short while (test "fuzz_smoke", in build-asan too;
# SOCKETIO_FUZZ_SECONDS per target, 10 by default), and checks that every public API is
# documented (test "docs", the API reference in build/docs/html).
set -euo pipefail
cd "$(dirname "$0")/.."
scripts/install-deps.sh
scripts/build.sh -DSOCKETIO_TEST_SANITIZED=ON -DSOCKETIO_TEST_NO_LEAN_ENGINE=ON -DSOCKETIO_TEST_DOCS=ON \
    -DSOCKETIO_TEST_FUZZ_SECONDS="${SOCKETIO_FUZZ_SECONDS:-10}"
# A short run of every benchmark scenario (Qt lean and qt engines, Node): it prints figures
# and fails only if the harness itself breaks, never on a time.
bench/run.sh --quick --ws-engine lean --ws-engine qt
python3 bench/workers.py --runs 1 --duration 1
python3 bench/client.py --quick
# Two tests at a time: most of the suite waits on its peers (Node, Python, Redis, Chromium)
# rather than on a core. The CI jobs, the soak and the tests that bound latency or CPU time
# run alone (their RUN_SERIAL property).
ctest --test-dir build --output-on-failure --timeout 600 -j2 "$@"
