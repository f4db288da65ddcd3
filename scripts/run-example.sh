#!/usr/bin/env bash
# Installs what is missing, builds, and starts the main example: the chat (examples/chat).
# With a display it opens a Widgets chat client and the Inspector on the server; without one
# it prints the page's URL and the Inspector command and keeps serving. The port is 3000, or
# the one given (0 picks a free port); further arguments go to the chat program (--qml: also the
# Qt Quick client).
set -euo pipefail
cd "$(dirname "$0")/.."
scripts/install-deps.sh
scripts/build.sh
exec build/examples/chat/chat --port "${1:-3000}" "${@:2}"
