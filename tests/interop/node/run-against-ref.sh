#!/usr/bin/env bash
# Self-check: runs every eio-client.mjs scenario against the Node reference server
# (ref-server.mjs, engine.io 6.6) for EIO4 and EIO3 (allowEIO3), over polling-only,
# websocket-only and polling+upgrade. Also checks the reason the *server* logs for each close.
# Loopback only; the port is the one the server prints. Usage: ./run-against-ref.sh
set -u
cd "$(dirname "$0")"
[ -d node_modules ] || npm ci --no-audit --no-fund >&2 || exit 1

tmp=$(mktemp -d)
srv_pid=""
stop_server() { [ -n "$srv_pid" ] && kill "$srv_pid" 2>/dev/null && wait "$srv_pid" 2>/dev/null; srv_pid=""; }
trap 'stop_server; rm -rf "$tmp"' EXIT

passed=0 failed=0 skipped=0

# Known bug of the reference server (engine.io 6.6.12), not of the client: for an EIO3 session
# that upgraded to websocket, Socket#clearTransport() nulls pingTimeoutTimer and an EIO3 ping only
# does pingTimeoutTimer?.refresh(), so the server never times the session out afterwards.
# The Qt server must close it (after pingInterval+pingTimeout); here it is an expected failure.
xfail() { [ "$1 $2 $3" = "v3 ping-timeout polling,websocket" ]; }

start_server() { # $1: extra flag (--eio3 or empty)
  : >"$tmp/srv.out"
  node ref-server.mjs $1 >"$tmp/srv.out" 2>"$tmp/srv.err" &
  srv_pid=$!
  for _ in $(seq 50); do
    port=$(head -n1 "$tmp/srv.out" | sed -n 's/^{"port":\([0-9]*\)}$/\1/p')
    [ -n "$port" ] && return 0
    sleep 0.1
  done
  echo "reference server did not start"; cat "$tmp/srv.err"; exit 1
}

# Server-side close reason expected for each scenario.
server_reason() {
  case "$1" in
    ping-timeout) echo "ping timeout" ;;
    close-by-server) echo "forced close" ;;
    *) echo "transport close" ;;
  esac
}

run_case() { # $1: v4|v3  $2: scenario  $3: transports
  local flag="" ; [ "$1" = v3 ] && flag="--v3"
  local before; before=$(wc -l <"$tmp/srv.out")
  local label; label=$(printf '%-3s %-16s %-18s' "$1" "$2" "$3")
  if xfail "$@"; then
    node eio-client.mjs --url "http://127.0.0.1:$port" --path /engine.io/ \
      --scenario "$2" --transports "$3" $flag --timeout 3000 >"$tmp/client.out" 2>"$tmp/client.err"
    if [ $? -ne 0 ] && grep -q '"why":"global timeout' "$tmp/client.out"; then
      skipped=$((skipped + 1)); echo "XFAIL $label reference server never times out an upgraded EIO3 session"
    else
      failed=$((failed + 1)); echo "XPASS $label reference bug seems fixed: drop it from xfail()"
    fi
    for _ in $(seq 20); do [ "$(wc -l <"$tmp/srv.out")" -gt "$before" ] && break; sleep 0.1; done
    return
  fi
  node eio-client.mjs --url "http://127.0.0.1:$port" --path /engine.io/ \
    --scenario "$2" --transports "$3" $flag >"$tmp/client.out" 2>"$tmp/client.err"
  local rc=$?
  local creason; creason=$(grep -o '"event":"close","reason":"[^"]*"' "$tmp/client.out" | tail -n1 | sed 's/.*"reason":"\([^"]*\)"/\1/')
  # wait (up to 2 s) for the server to log this session's close
  local sreason=""
  for _ in $(seq 20); do
    sreason=$(tail -n +$((before + 1)) "$tmp/srv.out" | grep -o '"reason":"[^"]*"' | head -n1 | sed 's/"reason":"\(.*\)"/\1/')
    [ -n "$sreason" ] && break
    sleep 0.1
  done
  local want; want=$(server_reason "$2")
  if [ $rc -eq 0 ] && [ "$sreason" = "$want" ]; then
    passed=$((passed + 1)); echo "PASS $label client-close='$creason' server-close='$sreason'"
  else
    failed=$((failed + 1)); echo "FAIL $label rc=$rc client-close='$creason' server-close='$sreason' (want '$want')"
    sed 's/^/    | /' "$tmp/client.out" "$tmp/client.err" | tail -n 15
  fi
  # make sure the next case reads only its own server line
  for _ in $(seq 20); do [ "$(wc -l <"$tmp/srv.out")" -gt "$before" ] && break; sleep 0.1; done
}

for proto in v4 v3; do
  start_server "$([ $proto = v3 ] && echo --eio3)"
  for scenario in handshake echo heartbeat ping-timeout close-by-server; do
    for tr in polling websocket polling,websocket; do
      run_case "$proto" "$scenario" "$tr"
    done
  done
  stop_server
done

echo "$passed passed, $failed failed, $skipped skipped"
[ $failed -eq 0 ]
