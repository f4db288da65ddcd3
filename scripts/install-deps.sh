#!/usr/bin/env bash
# Installs what the build and the tests need on Debian bookworm, only what is missing:
# Debian packages with apt-get, the pinned npm packages of the interop tests with npm ci.
set -euo pipefail
cd "$(dirname "$0")/.."

packages=(
    cmake g++ make pkg-config
    qt6-base-dev qt6-websockets-dev qt6-declarative-dev qt6-charts-dev libgl-dev
    # the QML module's run time: the QML examples and the Qt Quick tests; qml-qt6 is the qml tool
    qml6-module-qtqml qml6-module-qtqml-models qml6-module-qtqml-workerscript
    qml6-module-qtquick qml6-module-qtquick-controls qml6-module-qtquick-layouts
    qml6-module-qtquick-templates qml6-module-qtquick-window qml6-module-qttest
    qt6-declarative-dev-tools qml-qt6
    zlib1g-dev openssl ca-certificates
    # bcrypt for the Admin UI's basic auth (libxcrypt's crypt_rn)
    libcrypt-dev
    # the Redis adapter: hiredis (its RESP reader and command formatting; the connection is
    # our own, on QTcpSocket), and a real Redis 7
    # for its tests (started by the tests on a free port; the system service is not needed)
    libhiredis-dev redis-server
    # HTTP/2 (h2 over TLS, chosen by ALPN): nghttp2's frame and HPACK engine; curl (with
    # nghttp2) is one of the h2 peers of its tests
    libnghttp2-dev curl
    # real peers of the interop tests
    python3-socketio python3-requests python3-websocket chromium
    # the sanitizer build and the fuzz targets: clang 14 with its sanitizer and libFuzzer
    # runtimes, and llvm-symbolizer for readable reports
    clang libclang-rt-14-dev llvm
    # the API reference and its check (the docs target, test "docs")
    doxygen
)
command -v node >/dev/null 2>&1 || packages+=(nodejs)
command -v npm >/dev/null 2>&1 || packages+=(npm)

missing=()
for p in "${packages[@]}"; do
    dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q "install ok installed" || missing+=("$p")
done
if [ ${#missing[@]} -gt 0 ]; then
    echo "installing Debian packages: ${missing[*]}"
    sudo_cmd=""
    [ "$(id -u)" -eq 0 ] || sudo_cmd="sudo"
    $sudo_cmd apt-get update -qq
    DEBIAN_FRONTEND=noninteractive $sudo_cmd apt-get install -y -qq --no-install-recommends "${missing[@]}"
fi

for dir in tests/interop/node bench/node examples/chat/web examples/scoreboard/web examples/cluster/web; do
    if [ ! -d "$dir/node_modules" ] || [ "$dir/package-lock.json" -nt "$dir/node_modules" ]; then
        echo "npm ci in $dir"
        (cd "$dir" && npm ci --no-audit --no-fund)
    fi
done
# socket.io-client 0.9.16, the 0.9 peer of tst_legacy09_interop, apart from the others for its
# old dependencies. Without install scripts: ws 0.4 would try to build a native addon with
# node-gyp, and falls back to JavaScript without it.
dir=tests/interop/legacy09
if [ ! -d "$dir/node_modules" ] || [ "$dir/package-lock.json" -nt "$dir/node_modules" ]; then
    echo "npm ci in $dir"
    (cd "$dir" && npm ci --no-audit --no-fund --ignore-scripts)
fi
