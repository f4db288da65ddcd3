#!/usr/bin/env bash
# Installs what is missing, builds, and starts the main example: for now the protocol
# conformance server (Engine.IO echo under /engine.io/ on port 3000, or the port given).
set -euo pipefail
cd "$(dirname "$0")/.."
scripts/install-deps.sh
scripts/build.sh
exec build/examples/conformance-server/conformance-server --port "${1:-3000}"
