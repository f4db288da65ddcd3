#!/usr/bin/env python3
"""ServerOptions::workers against a single-threaded server: the Qt bench server with
--workers 0 and --workers N, every process free to use every CPU (workers exist to use more
than one core), the load generator included. Prints a markdown table; never fails on a time.

    bench/workers.py [--workers 2] [--runs 3] [--duration 5] [--ws-engine lean]

Builds nothing: run bench/run.sh (or build socketio-bench-server and socketio-loadgen) first.
"""

import argparse
import os
import statistics
import sys

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import run  # noqa: E402  (the harness: server start/stop, generator, CPU sampling)

SCENARIOS = [
    ("echo-1000", ["--mode", "echo", "--clients", "1000"], "echo"),
    ("broadcast-1000", ["--mode", "broadcast", "--clients", "1000", "--window", "4"], "broadcast"),
]


def main():
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--build-dir", default=os.environ.get("BUILD_DIR",
                                                          os.path.join(run.ROOT, "build")))
    ap.add_argument("--workers", type=int, default=2)
    ap.add_argument("--runs", type=int, default=3)
    ap.add_argument("--duration", type=float, default=5)
    ap.add_argument("--ws-engine", default="lean")
    args = ap.parse_args()
    bench = os.path.join(args.build_dir, "bench")
    server_bin = os.path.join(bench, "socketio-bench-server")
    loadgen = os.path.join(bench, "socketio-loadgen")
    cpus = ",".join(str(c) for c in range(os.cpu_count() or 1))
    configs = [0, args.workers]
    results = {(name, w): [] for name, _, _ in SCENARIOS for w in configs}
    for name, gen_args, kind in SCENARIOS:
        for i in range(args.runs):
            for workers in configs:
                server = run.Server([server_bin, "--port", "0", "--ws-engine", args.ws_engine,
                                     "--workers", str(workers)], run.ROOT, dict(os.environ),
                                    cpus=cpus)
                try:
                    r = run.run_generator(loadgen, server.info["port"],
                                          gen_args + ["--duration", str(args.duration),
                                                      "--warmup", "2"],
                                          server, 0, cpus=cpus)
                finally:
                    server.stop()
                r = run.derive(r, kind)
                results[(name, workers)].append(r)
                print(f"{name} workers={workers} run {i + 1}: {r.get('ops_per_s', 0):.0f} ops/s, "
                      f"server {r.get('server_us_per_op', 0):.2f} us/op, "
                      f"{r.get('server_cpu_pct', 0):.0f}% CPU", file=sys.stderr)

    def med(name, workers, key):
        values = [r[key] for r in results[(name, workers)] if r.get(key) is not None]
        return statistics.median(values) if values else None

    w = args.workers
    print(f"| scenario | figure | workers 0 | workers {w} | ratio |")
    print("|---|---|---|---|---|")
    for name, _, _ in SCENARIOS:
        for key, label in [("ops_per_s", "ops/s"), ("server_us_per_op", "server CPU us per op"),
                           ("server_cpu_pct", "server CPU %"), ("gen_cpu_pct", "generator CPU %")]:
            a, b = med(name, 0, key), med(name, w, key)
            ratio = f"{b / a:.2f}x" if a and b else "-"
            print(f"| {name} | {label} | {run.fmt(a)} | {run.fmt(b)} | {ratio} |")


if __name__ == "__main__":
    main()
