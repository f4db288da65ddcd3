#!/usr/bin/env python3
"""The client benchmark: the Qt client (socketio-bench-client) against Node's socket.io-client
4.8 (bench/node/client-bench.mjs), both talking to the same Node socket.io 4.8 server
(bench/node/client-bench-server.mjs), over websocket and over polling.

    nice bench/client.py [--runs 3] [--warmup 1] [--duration 3] [--transport websocket ...]
    bench/client.py --quick        # 1 short run per cell (CI smoke, about 20 s)

Server on cpu0, the client on cpu1; each run starts a fresh server and stops it by its PID.
Each client run has two phases: a stream of "tick" events the server sends as fast as the
client takes them (acknowledged in chunks), then acknowledged "echo" round trips, one in
flight. Figures per cell, median of the runs (min-max): events/s, client CPU us per event,
round trips/s, latency p50/p99, client CPU us per round trip, and the server's CPU % in each
window (near 100%: the rate there is the server's, compare CPU per event). Then the ratios
Qt/Node of the medians. Writes results/client-latest.{md,json} (results/client-quick.* with
--quick). A benchmark: it prints figures and never fails on a time.

Builds nothing: `cmake --build build --target socketio-bench-client` first, and `npm ci` in
bench/node (socket.io-client is pinned there).
"""

import argparse
import datetime
import json
import os
import platform
import shutil
import subprocess
import sys
import threading
import time

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import run  # noqa: E402  (the harness: server start/stop, CPU sampling, formatting)

NODE_DIR = os.path.join(run.HERE, "node")

# key, label, better
FIGURES = [
    ("events_per_s", "events/s received", "higher"),
    ("cpu_us_per_event", "client CPU us per event", "lower"),
    ("stream_cpu_pct", "client CPU % (stream)", None),
    ("server_stream_pct", "server CPU % (stream)", None),
    ("rt_per_s", "round trips/s", "higher"),
    ("p50_us", "round trip p50 (us)", "lower"),
    ("p99_us", "round trip p99 (us)", "lower"),
    ("cpu_us_per_rt", "client CPU us per round trip", "lower"),
    ("echo_cpu_pct", "client CPU % (echo)", None),
    ("server_echo_pct", "server CPU % (echo)", None),
]


def run_client(cmd, env, server, time_limit):
    """Runs one client on cpu1; samples the server's CPU at the client's phase markers."""
    proc = subprocess.Popen(["taskset", "-c", "1"] + cmd, stdin=subprocess.DEVNULL,
                            stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True,
                            cwd=NODE_DIR, env=env)
    watchdog = threading.Timer(time_limit, proc.kill)
    watchdog.start()
    marks, notes = {}, []
    try:
        for line in proc.stderr:
            line = line.strip()
            if line.startswith("# phase "):
                _, _, what, phase = line.split(" ", 3)
                marks[(what, phase)] = (run.proc_runtime_seconds(server.pid), time.monotonic())
            elif line:
                notes.append(line)
        out = proc.stdout.read()
        proc.wait()
    finally:
        watchdog.cancel()
        if proc.poll() is None:
            proc.kill()
            proc.wait()
    try:
        result = json.loads(out.strip().splitlines()[-1])
    except (ValueError, IndexError):
        raise RuntimeError(f"{os.path.basename(cmd[0])} printed no result "
                           f"(exit {proc.returncode}): {out[-300:]!r} {notes[-3:]}")
    for phase in ("stream", "echo"):
        start, end = marks.get(("measure", phase)), marks.get(("end", phase))
        if start and end:
            result[f"server_{phase}_pct"] = 100 * (end[0] - start[0]) / max(end[1] - start[1],
                                                                             1e-9)
    result["exit_status"] = proc.returncode
    if notes:
        result["notes"] = notes[-3:]
    return result


def main():
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--build-dir", default=os.environ.get("BUILD_DIR",
                                                          os.path.join(run.ROOT, "build")))
    ap.add_argument("--quick", action="store_true", help="1 run, short phases (CI smoke)")
    ap.add_argument("--runs", type=int, default=None, help="runs per cell (default 3)")
    ap.add_argument("--warmup", type=float, default=None, help="warm-up seconds per phase")
    ap.add_argument("--duration", type=float, default=None, help="measured seconds per phase")
    ap.add_argument("--transport", action="append", choices=["websocket", "polling"],
                    help="repeatable; default both")
    ap.add_argument("--size", type=int, default=16, help="characters in each tick's string")
    ap.add_argument("--chunk", type=int, default=100, help="ticks per acknowledged chunk")
    ap.add_argument("--no-glib", action="store_true", help="the Qt client with QT_NO_GLIB=1")
    ap.add_argument("--out", default=os.path.join(run.HERE, "results"))
    ap.add_argument("--baseline", metavar="BUILD_DIR", default=None,
                    help="also the Qt client of another build (e.g. before a change), as "
                         "qt@base, with a new/base ratio")
    args = ap.parse_args()
    runs = args.runs or (1 if args.quick else 3)
    warmup = args.warmup if args.warmup is not None else (0.3 if args.quick else 1.0)
    duration = args.duration or (1.0 if args.quick else 3.0)
    transports = args.transport or ["websocket", "polling"]

    if not os.path.isdir(os.path.join(NODE_DIR, "node_modules", "socket.io")):
        # No server to measure against: nothing to run, which is not a failure of the harness.
        print("bench/node/node_modules missing (npm ci in bench/node): skipping the client "
              "benchmark", file=sys.stderr)
        return
    have_node_client = os.path.isdir(os.path.join(NODE_DIR, "node_modules", "socket.io-client"))
    notes = []
    if not have_node_client:
        notes.append("socket.io-client missing in bench/node/node_modules (npm ci there): "
                     "Qt client only")

    bench_bin = run.snapshot(args.build_dir, ("socketio-bench-client",))
    base_bin = run.snapshot(args.baseline, ("socketio-bench-client",)) if args.baseline else None
    try:
        common = ["--warmup", str(warmup), "--duration", str(duration), "--size", str(args.size),
                  "--chunk", str(args.chunk)]
        clients = {"qt": ([os.path.join(bench_bin, "socketio-bench-client")],
                          run.qt_env(bench_bin, unix=args.no_glib))}
        if base_bin:
            clients["qt@base"] = ([os.path.join(base_bin, "socketio-bench-client")],
                                  run.qt_env(base_bin, unix=args.no_glib))
        if have_node_client:
            clients["node"] = (["node", os.path.join(NODE_DIR, "client-bench.mjs")],
                               dict(os.environ))
        results = {(t, c): [] for t in transports for c in clients}
        started = time.monotonic()
        for r in range(runs):
            for transport in transports:
                for name, (cmd, env) in clients.items():
                    server = run.Server(["node", "client-bench-server.mjs"], NODE_DIR,
                                        dict(os.environ))
                    try:
                        url = f"http://127.0.0.1:{server.info['port']}"
                        client_cmd = cmd + ["--url", url, "--transport", transport] + common
                        result = run_client(client_cmd, env, server,
                                            2 * (warmup + duration) + 90)
                    except RuntimeError as e:
                        notes.append(f"{transport} {name} run {r + 1}: {e}"[:300])
                        continue
                    finally:
                        server.stop()
                    results[(transport, name)].append(result)
                    if result.get("errors"):
                        notes.append(f"{transport} {name} run {r + 1}: "
                                     + "; ".join(result["errors"])[:300])
                    print(f"[{time.monotonic() - started:5.1f}s] {transport:9} {name:4} "
                          f"run {r + 1}: {run.fmt(result.get('events_per_s'))} ev/s "
                          f"{run.fmt(result.get('cpu_us_per_event'))} us/ev, "
                          f"{run.fmt(result.get('rt_per_s'))} rt/s "
                          f"{run.fmt(result.get('cpu_us_per_rt'))} us/rt "
                          f"p50 {run.fmt(result.get('p50_us'))} us", file=sys.stderr,
                          flush=True)
    finally:
        shutil.rmtree(bench_bin, ignore_errors=True)
        if base_bin:
            shutil.rmtree(base_bin, ignore_errors=True)

    summary = {f"{t}/{c}": {k: run.summarize([x.get(k) for x in rs]) for k, _, _ in FIGURES}
               for (t, c), rs in results.items()}
    md = [f"# Client benchmark ({datetime.date.today().isoformat()})\n",
          f"Node socket.io 4.8 server (client-bench-server.mjs) on cpu0, the client on cpu1, "
          f"loopback; {runs} run(s) per cell, {warmup:g} s warm-up and {duration:g} s measured "
          f"per phase; ticks of {args.size} characters, acknowledged every {args.chunk}; cells "
          f"are median (min-max); ratio = Qt / Node of the medians.\n",
          f"Library: `{run.describe_commit()}`.\n"]
    for transport in transports:
        md.append(f"\n## {transport}\n")
        base = f"{transport}/qt@base" in summary
        md.append("| figure | better | Qt | Node | Qt/Node |"
                  + (" Qt base | Qt/base |" if base else ""))
        md.append("|---|---|---|---|---|" + ("---|---|" if base else ""))
        qt, node = summary.get(f"{transport}/qt", {}), summary.get(f"{transport}/node", {})
        old = summary.get(f"{transport}/qt@base", {})

        def ratio(a, b, better):
            return f"{a['median'] / b['median']:.2f}x" if a and b and b["median"] and better \
                else ""
        for key, label, better in FIGURES:
            a, b, c = qt.get(key), node.get(key), old.get(key)
            row = f"| {label} | {better or ''} | {run.cell(a)} | {run.cell(b)} | " \
                  f"{ratio(a, b, better)} |"
            if base:
                row += f" {run.cell(c)} | {ratio(a, c, better)} |"
            md.append(row)
    if notes:
        md.append("\n## Notes\n")
        md.extend(f"- {n}" for n in notes)
    md.append(f"\nHost: {platform.node()}, {os.cpu_count()} CPUs, kernel {platform.release()}.")
    text = "\n".join(md) + "\n"
    os.makedirs(args.out, exist_ok=True)
    stem = "client-quick" if args.quick else "client-latest"
    with open(os.path.join(args.out, stem + ".json"), "w") as f:
        json.dump({"meta": {"commit": run.describe_commit(), "runs": runs, "warmup_s": warmup,
                            "duration_s": duration, "size": args.size, "chunk": args.chunk,
                            "date": datetime.datetime.now().isoformat(timespec="seconds")},
                   "summary": summary, "notes": notes,
                   "runs": {f"{t}/{c}": rs for (t, c), rs in results.items()}}, f, indent=1)
    with open(os.path.join(args.out, stem + ".md"), "w") as f:
        f.write(text)
    print(text)


if __name__ == "__main__":
    main()
