#!/usr/bin/env python3
"""The Qt server's deterministic cost: instructions and allocations per operation, counted by
valgrind's callgrind, for comparing a change before and after without the machine's noise.

Each scenario runs twice, with N and with 2N operations; the difference between the two
cancels start-up and connecting, so what is left is the cost of N operations alone.

    bench/instructions.py [--ws-engine lean] [--echo 10000] [--broadcasts 30]

Needs valgrind (Debian: apt-get install valgrind). Builds nothing: run bench/run.sh (or
build socketio-bench-server and socketio-loadgen) first. Never part of the tests.
"""

import argparse
import json
import os
import re
import subprocess
import sys
import tempfile

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import run  # noqa: E402  (the harness: server start and stop)


def callgrind_totals(path):
    """(instructions, calls to malloc) in one callgrind output file."""
    names = {}  # callgrind compresses names: "(id) name" once, "(id)" after
    instructions = 0
    mallocs = 0
    calling_malloc = False
    with open(path) as f:
        for line in f:
            m = re.match(r"(c?fn)=\((\d+)\)(?: (.*))?", line)
            if m:
                if m.group(3):
                    names[m.group(2)] = m.group(3).strip()
                calling_malloc = m.group(1) == "cfn" and names.get(m.group(2)) == "malloc"
            elif line.startswith("calls=") and calling_malloc:
                mallocs += int(line.split("=", 1)[1].split()[0])
                calling_malloc = False
            elif line.startswith(("summary:", "totals:")) and not instructions:
                instructions = int(line.split()[1])
    return instructions, mallocs


def measure(args, gen_args, count, key):
    """Runs the server under callgrind for `count` operations: (instructions, mallocs, ops)."""
    with tempfile.TemporaryDirectory() as tmp:
        out = os.path.join(tmp, "callgrind.out")
        cmd = ["valgrind", "--tool=callgrind", f"--callgrind-out-file={out}",
               os.path.join(args.build_dir, "bench", "socketio-bench-server"),
               "--port", "0", "--ws-engine", args.ws_engine] + (["--admin"] if args.admin else [])
        server = run.Server(cmd, None, dict(os.environ))
        watcher = None
        try:
            if args.admin_client:
                # An Admin UI stand-in that watches for the whole run (development mode: an
                # event_received and an event_sent per round trip reach it).
                node_dir = os.path.join(run.ROOT, "tests", "interop", "node")
                watcher = subprocess.Popen(
                    ["node", "admin-client.mjs", "--url",
                     f"http://127.0.0.1:{server.info['port']}", "--transports", "websocket",
                     "--duration", "3600000"], cwd=node_dir, stdout=subprocess.PIPE,
                    stderr=subprocess.DEVNULL, text=True)
                watcher.stdout.readline()  # {"event":"connect"...}
            gen = subprocess.run(
                [os.path.join(args.build_dir, "bench", "socketio-loadgen"),
                 "--url", f"127.0.0.1:{server.info['port']}", "--warmup", "0",
                 "--duration", "600", "--count", str(count)] + gen_args,
                stdout=subprocess.PIPE, stderr=subprocess.DEVNULL, text=True, timeout=600)
        finally:
            if watcher:
                watcher.kill()
                watcher.wait()
            server.stop()  # callgrind writes its file as the server exits
        result = json.loads(gen.stdout.strip().splitlines()[-1])
        instructions, mallocs = callgrind_totals(out)
        return instructions, mallocs, result[key]


def main():
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("--build-dir", default=os.path.join(run.ROOT, "build"))
    ap.add_argument("--ws-engine", default="lean")
    ap.add_argument("--echo", type=int, default=10000, help="echo round trips (N)")
    ap.add_argument("--broadcasts", type=int, default=30, help="broadcasts to 1000 (N)")
    ap.add_argument("--admin", action="store_true",
                    help="the server instrumented for the Admin UI (idle: no admin client)")
    ap.add_argument("--admin-client", action="store_true",
                    help="with --admin: an admin client (tests/interop/node/admin-client.mjs) "
                         "connected during the run")
    ap.add_argument("--only", default="", help="comma-separated scenario name prefixes")
    args = ap.parse_args()

    scenarios = [
        ("echo-100", ["--mode", "echo", "--clients", "100"], args.echo, "ops",
         "round trip"),
        ("broadcast-1000-serial",
         ["--mode", "broadcast", "--clients", "1000", "--window", "1"], args.broadcasts,
         "deliveries", "delivery"),
    ]
    only = [p for p in args.only.split(",") if p]
    scenarios = [s for s in scenarios if not only or s[0].startswith(tuple(only))]
    admin = (" +admin" if args.admin else "") + (" +admin client" if args.admin_client else "")
    print(f"| scenario ({args.ws_engine}{admin}) | instructions per op | allocations per op | op |")
    print("|---|---|---|---|")
    for name, gen_args, n, key, unit in scenarios:
        i1, m1, ops1 = measure(args, gen_args, n, key)
        i2, m2, ops2 = measure(args, gen_args, 2 * n, key)
        ops = ops2 - ops1
        if ops <= 0:
            print(f"| {name} | - | - | no operations counted |")
            continue
        print(f"| {name} | {(i2 - i1) / ops:.0f} | {(m2 - m1) / ops:.2f} | {unit} |")


if __name__ == "__main__":
    main()
