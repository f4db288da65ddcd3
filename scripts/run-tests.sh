#!/usr/bin/env bash
# Installs what is missing, builds, and runs every test (unit, loopback, interop, consumer).
set -euo pipefail
cd "$(dirname "$0")/.."
scripts/install-deps.sh
scripts/build.sh
ctest --test-dir build --output-on-failure --timeout 600 "$@"
