#!/usr/bin/env bash
# Starts a cluster on this machine: a redis-server on a free port, two Qt nodes (cluster-node)
# and one Node node (web/node.mjs) on free ports, all on that Redis, and prints their URLs.
# Open two or three of them in a browser: a message said on any page reaches every page.
# Ctrl-C stops everything.
#
#   examples/cluster/run.sh [--build-dir DIR]     (default: build/ at the top of the tree)
#
# Needs redis-server, node, `npm ci` in examples/cluster/web, and cluster-node built
# (cmake --build build --target cluster-node).
set -euo pipefail
here="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
root="$(cd "$here/../.." && pwd)"
build="${BUILD_DIR:-$root/build}"
if [ "${1:-}" = "--build-dir" ] && [ -n "${2:-}" ]; then
    build="$2"
fi

node_program="$build/examples/cluster/cluster-node"
for need in redis-server node python3; do
    command -v "$need" >/dev/null || { echo "run.sh: $need not found" >&2; exit 1; }
done
[ -x "$node_program" ] || {
    echo "run.sh: $node_program missing: cmake --build $build --target cluster-node" >&2
    exit 1
}
[ -d "$here/web/node_modules/@socket.io/redis-adapter" ] || {
    echo "run.sh: run npm ci in $here/web first" >&2
    exit 1
}

pids=()
logs="$(mktemp -d)"
stop() {
    trap - INT TERM EXIT
    for pid in "${pids[@]}"; do kill "$pid" 2>/dev/null || true; done
    for pid in "${pids[@]}"; do wait "$pid" 2>/dev/null || true; done
    rm -rf "$logs"
}
trap stop INT TERM EXIT

# A port nobody listens on now (redis-server cannot take port 0).
free_port() {
    python3 -c 'import socket; s = socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1])'
}

redis_port="$(free_port)"
redis-server --port "$redis_port" --bind 127.0.0.1 --save '' --appendonly no >"$logs/redis" 2>&1 &
pids+=($!)
for _ in $(seq 100); do
    grep -q "Ready to accept connections" "$logs/redis" && break
    sleep 0.1
done
grep -q "Ready to accept connections" "$logs/redis" || { cat "$logs/redis" >&2; exit 1; }
echo "redis-server on 127.0.0.1:$redis_port"

# Each node prints "<name> listening: URL"; the output goes to the terminal and to a log.
start() {
    local name="$1" log="$logs/$1"
    shift
    "$@" --port 0 --redis "127.0.0.1:$redis_port" --name "$name" > >(tee "$log") 2>&1 &
    pids+=($!)
}
start qt-1 "$node_program"
start qt-2 "$node_program"
start node-1 node "$here/web/node.mjs"

urls=()
for name in qt-1 qt-2 node-1; do
    url=""
    for _ in $(seq 200); do
        url="$(sed -n "s/^$name listening: \(http[^ ]*\)$/\1/p" "$logs/$name" 2>/dev/null)"
        [ -n "$url" ] && break
        sleep 0.1
    done
    [ -n "$url" ] || { echo "run.sh: $name did not start" >&2; exit 1; }
    urls+=("$name: $url")
done
echo
echo "The cluster is up. Open these in a browser (add ?websocket for WebSocket only):"
printf '  %s\n' "${urls[@]}"
echo "Ctrl-C stops all."
wait
