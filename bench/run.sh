#!/usr/bin/env bash
# Builds the benchmark targets, installs the Node reference (npm ci), then runs bench/run.py.
#   bench/run.sh            full run (3 runs per figure, about 10 minutes)
#   bench/run.sh --quick    1 short run per figure (CI smoke, under about 2 minutes)
# Any other arguments go to run.py (see bench/run.py --help).
set -euo pipefail
here="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
root="$(dirname "$here")"
build="${BUILD_DIR:-$root/build}"

if [ ! -f "$build/CMakeCache.txt" ]; then
    cmake -S "$root" -B "$build" -DSOCKETIO_BUILD_BENCH=ON
elif ! grep -q '^SOCKETIO_BUILD_BENCH:BOOL=ON' "$build/CMakeCache.txt"; then
    cmake "$build" -DSOCKETIO_BUILD_BENCH=ON
fi
cmake --build "$build" --target socketio-loadgen socketio-bench-server qws-echo socketio-bench-client \
    -j "$(nproc)"

if command -v npm >/dev/null && { [ ! -d "$here/node/node_modules/@socket.io/redis-adapter" ] ||
    [ ! -d "$here/node/node_modules/socket.io-client" ]; }; then
    (cd "$here/node" && npm ci --no-audit --no-fund)
fi

# Both sides need many descriptors (10k clients): take the hard limit.
ulimit -n "$(ulimit -Hn)"
py=/usr/bin/python3
[ -x "$py" ] || py=python3
exec "$py" "$here/run.py" --build-dir "$build" "$@"
