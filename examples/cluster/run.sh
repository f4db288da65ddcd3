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

# Starts "$@" in the background, its output going through the fifo $logs/NAME, and reads that
# output until a line contains PATTERN: no polling, the line is awaited. The output goes on to
# the terminal, then and after, unless SHOW is "quiet" (redis-server's banner: shown only on
# failure). Sets $ready to the line; stops the script when the program ends, or is silent for
# 20 s, before printing it.
start() {
    local name="$1" pattern="$2" show="$3" fifo="$logs/$1" fd line seen=()
    shift 3
    mkfifo "$fifo"
    "$@" >"$fifo" 2>&1 &
    pids+=($!)
    exec {fd}<"$fifo"
    ready=""
    while IFS= read -r -t 20 -u "$fd" line; do
        [ "$show" = quiet ] || echo "$line"
        seen+=("$line")
        if [[ "$line" == *"$pattern"* ]]; then
            ready="$line"
            break
        fi
    done
    if [ -z "$ready" ]; then
        [ "$show" != quiet ] || printf '%s\n' "${seen[@]}" >&2
        echo "run.sh: $name did not start" >&2
        exit 1
    fi
    if [ "$show" = quiet ]; then
        cat <&"$fd" >/dev/null &
    else
        cat <&"$fd" &
    fi
    pids+=($!)
}

redis_port="$(free_port)"
start redis "Ready to accept connections" quiet \
    redis-server --port "$redis_port" --bind 127.0.0.1 --save '' --appendonly no
echo "redis-server on 127.0.0.1:$redis_port"

# Each node prints "<name> listening: URL" once it listens.
urls=()
start_node() {
    local name="$1"
    shift
    start "$name" "$name listening: " show \
        "$@" --port 0 --redis "127.0.0.1:$redis_port" --name "$name"
    urls+=("$name: ${ready#*listening: }")
}
start_node qt-1 "$node_program"
start_node qt-2 "$node_program"
start_node node-1 node "$here/web/node.mjs"
echo
echo "The cluster is up. Open these in a browser (add ?websocket for WebSocket only):"
printf '  %s\n' "${urls[@]}"
echo "Ctrl-C stops all."
wait
