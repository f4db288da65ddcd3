#!/usr/bin/env python3
"""permessage-deflate: a JSON-heavy echo stream (about 6 KB per event, 20 clients, one event in
flight each) with deflate off and on, the Qt server (wsEngine "lean") against Node's socket.io
4.8 (ws, perMessageDeflate: true, threshold 1024), one after the other in the same run.

    nice bench/deflate.py [--runs 3] [--seconds 5] [--clients 20] [--build build]

Server on cpu0, the generator (bench/node/deflate-client.mjs, Node's ws with its default
offer) on cpu1. Figures per cell, median of the runs (min-max): round trips/s, server CPU us
per round trip (utime+stime of the measured window), bytes on the wire per round trip (both
directions, TCP payload). Then the ratios Qt/Node. A benchmark: it prints, it never fails on a
time."""
import argparse
import json
import os
import shutil
import statistics
import subprocess
import sys
import tempfile

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from run import proc_runtime_seconds  # noqa: E402

here = os.path.dirname(os.path.abspath(__file__))
root = os.path.dirname(here)


def start(cmd, env=None, cwd=None):
    p = subprocess.Popen(cmd, stdout=subprocess.PIPE, text=True, env=env, cwd=cwd)
    info = json.loads(p.stdout.readline())
    return p, info


def one(server_cmd, env, deflate, args):
    server, info = start(["taskset", "-c", "0"] + server_cmd, env=env)
    try:
        gen_cmd = ["taskset", "-c", "1", "node", os.path.join(here, "node", "deflate-client.mjs"),
                   "--url", f"ws://127.0.0.1:{info['port']}", "--clients", str(args.clients),
                   "--seconds", str(args.seconds)] + (["--deflate"] if deflate else [])
        gen = subprocess.Popen(gen_cmd, stdout=subprocess.PIPE, text=True)
        cpu0 = cpu1 = None
        done = None
        for line in gen.stdout:
            event = json.loads(line)
            if event["event"] == "measure":
                cpu0 = proc_runtime_seconds(server.pid)
            elif event["event"] == "end":
                cpu1 = proc_runtime_seconds(server.pid)
            elif event["event"] == "done":
                done = event
        gen.wait()
        n = max(1, done["roundTrips"])
        return {
            "rtps": done["roundTrips"] / args.seconds,
            "cpu_us": (cpu1 - cpu0) * 1e6 / n,
            "wire": (done["wireRead"] + done["wireWritten"]) / n,
            "extensions": done["extensions"],
            "message": done["messageBytes"],
        }
    finally:
        server.terminate()
        server.wait()


def main():
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--runs", type=int, default=3)
    ap.add_argument("--seconds", type=float, default=5)
    ap.add_argument("--clients", type=int, default=20)
    ap.add_argument("--build", default=os.environ.get("BUILD_DIR", os.path.join(root, "build")))
    args = ap.parse_args()

    # Copies, so that a rebuild during the run cannot change what is measured.
    tmp = tempfile.mkdtemp(prefix="deflate-bench-")
    exe = shutil.copy(os.path.join(args.build, "bench", "socketio-bench-server"), tmp)
    for lib in os.listdir(os.path.join(args.build, "src", "SocketIO")):
        if lib.startswith("libSocketIO.so"):
            shutil.copy(os.path.join(args.build, "src", "SocketIO", lib), tmp)
    env = dict(os.environ, LD_LIBRARY_PATH=tmp + os.pathsep + os.environ.get("LD_LIBRARY_PATH", ""))
    servers = {
        "qt": lambda d: [exe, "--ws-engine", "lean"] + (["--per-message-deflate"] if d else []),
        "node": lambda d: ["node", os.path.join(here, "node", "server.mjs")]
                          + (["--per-message-deflate"] if d else []),
    }
    results = {}
    for run in range(args.runs):
        for deflate in (False, True):
            for name, cmd in servers.items():
                r = one(cmd(deflate), env, deflate, args)
                results.setdefault((name, deflate), []).append(r)
                print(f"run {run + 1} {name:4} deflate={'on ' if deflate else 'off'} "
                      f"{r['rtps']:8.0f} rt/s {r['cpu_us']:7.1f} us/rt {r['wire']:8.0f} B/rt "
                      f"ext={r['extensions']!r}", file=sys.stderr)
    shutil.rmtree(tmp, ignore_errors=True)

    def fig(key, field):
        values = [r[field] for r in results[key]]
        return statistics.median(values), min(values), max(values)

    message = results[("qt", False)][0]["message"]
    print(f"\nJSON echo, {message} B per event, {args.clients} clients x 1 in flight, "
          f"{args.runs} runs x {args.seconds:g} s, median (min-max)\n")
    print("| server | deflate | round trips/s | server CPU us/rt | wire bytes/rt |")
    print("|---|---|---|---|---|")
    for deflate in (False, True):
        for name in servers:
            cells = [fig((name, deflate), f) for f in ("rtps", "cpu_us", "wire")]
            print(f"| {name} | {'on' if deflate else 'off'} | "
                  + " | ".join(f"{m:.0f} ({lo:.0f}-{hi:.0f})" if f != 1 else f"{m:.1f} ({lo:.1f}-{hi:.1f})"
                               for f, (m, lo, hi) in enumerate(cells)) + " |")
    print("\n| ratio | deflate off | deflate on |")
    print("|---|---|---|")
    for label, field in (("CPU per round trip, Qt/Node", "cpu_us"), ("wire bytes, Qt/Node", "wire")):
        cells = [fig(("qt", d), field)[0] / fig(("node", d), field)[0] for d in (False, True)]
        print(f"| {label} | {cells[0]:.2f} | {cells[1]:.2f} |")
    for name in servers:
        on_off = fig((name, True), "wire")[0] / fig((name, False), "wire")[0]
        cpu = fig((name, True), "cpu_us")[0] / fig((name, False), "cpu_us")[0]
        print(f"| {name}: deflate on/off, wire bytes {on_off:.2f}, CPU {cpu:.2f} | | |")


if __name__ == "__main__":
    main()
