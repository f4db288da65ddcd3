#!/usr/bin/env bash
# Self-check: runs every sio-client.mjs row of tst_socketio_interop against the Node reference
# server (ref-sio-server.mjs, socket.io 4.8), one fresh server per row, and checks the reason the
# *server* gives for the first socket's disconnection. Usage: ./run-sio-against-ref.sh [FILTER]
set -u
cd "$(dirname "$0")"
[ -d node_modules ] || npm ci --no-audit --no-fund >&2 || exit 1

tmp=$(mktemp -d)
srv_pid=""
stop_server() { [ -n "$srv_pid" ] && kill "$srv_pid" 2>/dev/null; wait "$srv_pid" 2>/dev/null; srv_pid=""; }
trap 'stop_server; rm -rf "$tmp"' EXIT
passed=0 failed=0

# label | client arguments | server arguments | server-side reason of the first connection ("-": none)
rows=(
  "connect /|--scenario connect||client namespace disconnect"
  "connect /custom|--scenario connect --nsp /custom||client namespace disconnect"
  "connect /dyn-42|--scenario connect --nsp /dyn-42||client namespace disconnect"
  "invalid namespace|--scenario invalid-namespace||-"
  "middleware|--scenario middleware||-"
  "events|--scenario events||client namespace disconnect"
  "acks|--scenario acks||client namespace disconnect"
  "rooms|--scenario rooms||client namespace disconnect"
  "volatile|--scenario volatile||client namespace disconnect"
  "broadcast-ack|--scenario broadcast-ack||client namespace disconnect"
  "disc-server|--scenario disc-server||server namespace disconnect"
  "disc-server-close|--scenario disc-server-close||server namespace disconnect"
  "disc-conn-close|--scenario disc-conn-close||forced close"
  "disc-client|--scenario disc-client||client namespace disconnect"
  "disc-transport|--scenario disc-transport||transport close"
  "disc-ping-timeout|--scenario disc-ping-timeout||ping timeout"
  "disc-shutdown|--scenario disc-shutdown||server shutting down"
  "disc-parse-error|--scenario disc-parse-error||forced close"
  "disc-shutdown /custom|--scenario disc-shutdown --nsp /custom||server shutting down"
  "disc-server polling|--scenario disc-server --transports polling||server namespace disconnect"
  "disc-ping-timeout polling|--scenario disc-ping-timeout --transports polling||ping timeout"
  "disc-shutdown polling|--scenario disc-shutdown --transports polling||server shutting down"
  "recovery|--scenario recovery|--recovery|transport close"
  "recovery websocket|--scenario recovery --transports websocket|--recovery|transport close"
  "msgpack events|--scenario events --parser msgpack|--parser msgpack|client namespace disconnect"
  "msgpack acks|--scenario acks --parser msgpack|--parser msgpack|client namespace disconnect"
  "msgpack middleware|--scenario middleware --parser msgpack|--parser msgpack|-"
  "polling events|--scenario events --transports polling||client namespace disconnect"
  "polling acks|--scenario acks --transports polling||client namespace disconnect"
  "websocket events|--scenario events --transports websocket||client namespace disconnect"
  "websocket acks|--scenario acks --transports websocket||client namespace disconnect"
  "v2 connect /|--scenario connect --v2|--eio3|client namespace disconnect"
  "v2 connect /custom|--scenario connect --v2 --nsp /custom|--eio3|client namespace disconnect"
  "v2 events|--scenario events --v2|--eio3|client namespace disconnect"
  "v2 acks|--scenario acks --v2|--eio3|client namespace disconnect"
  "v2 events polling|--scenario events --v2 --transports polling|--eio3|client namespace disconnect"
  "v2 acks websocket|--scenario acks --v2 --transports websocket|--eio3|client namespace disconnect"
  "v2 invalid namespace|--scenario invalid-namespace --v2|--eio3|transport close"
  "v2 middleware|--scenario middleware --v2|--eio3|transport close"
)

for row in "${rows[@]}"; do
  IFS='|' read -r label cargs sargs want <<<"$row"
  [ -n "${1:-}" ] && [[ "$label" != *"$1"* ]] && continue
  : >"$tmp/srv.out"
  node ref-sio-server.mjs $sargs >"$tmp/srv.out" 2>"$tmp/srv.err" &
  srv_pid=$!
  port=""
  for _ in $(seq 50); do
    port=$(head -n1 "$tmp/srv.out" | sed -n 's/^{"port":\([0-9]*\)}$/\1/p')
    [ -n "$port" ] && break
    sleep 0.1
  done
  [ -z "$port" ] && { echo "reference server did not start"; cat "$tmp/srv.err"; exit 1; }
  node sio-client.mjs --url "http://127.0.0.1:$port" $cargs >"$tmp/client.out" 2>"$tmp/client.err"
  rc=$?
  sleep 0.6 # let the server notice the client's departure (ping timeout: 500 ms)
  got=$(grep -m1 '"event":"server-disconnect"' "$tmp/srv.out" | sed 's/.*"reason":"\([^"]*\)".*/\1/')
  [ -z "$got" ] && got="-"
  creason=$(grep -o '"event":"disconnected","reason":"[^"]*"' "$tmp/client.out" | sed 's/.*"reason":"\([^"]*\)"/\1/')
  if [ $rc -eq 0 ] && [ "$got" = "$want" ]; then
    passed=$((passed + 1)); printf 'PASS %-28s server=%s%s\n' "$label" "$got" "${creason:+ client=$creason}"
  else
    failed=$((failed + 1)); printf 'FAIL %-28s rc=%s server=%s (want %s)\n' "$label" "$rc" "$got" "$want"
    sed 's/^/    | /' "$tmp/client.out" "$tmp/client.err" | tail -n 12
    sed 's/^/    srv| /' "$tmp/srv.out" "$tmp/srv.err" | tail -n 8
  fi
  stop_server
done
echo "$passed passed, $failed failed"
[ $failed -eq 0 ]
