#!/usr/bin/env python3
"""Cross-node broadcast through Redis: Qt nodes (RedisAdapter) against Node nodes (socket.io 4.8
with @socket.io/redis-adapter 8.3), in the same run.

Each run starts a fresh redis-server on a free loopback port and two nodes on it: the
publisher A and the receiver B. socketio-loadgen connects N receivers to B and its trigger to A;
the trigger emits "bcast", A's handler does io.to("room").emit("news", ...), and the adapter
carries the broadcast through Redis to B, which delivers it to its N clients (A delivers it to
the trigger: N+1 deliveries per broadcast). A, B and redis-server run on cpu0, the generator on
cpu1. Figures: deliveries/s, p50/p99 from the trigger's send to the last delivery, and the CPU
time over the measured window (the scheduler's ns counters in /proc/PID/task/*/schedstat: the
publisher uses a few ms a second, below the 10 ms ticks of /proc/PID/stat) of the publishing
node per broadcast and per delivery, of the receiving node per delivery, and of redis-server.

Not a test: it prints figures and never fails on a time. Builds nothing (bench/run.sh builds
the targets; `npm ci` in bench/node installs the Node side). Writes results/redis-latest.json
and results/redis-latest.md. Standard library only; reuses run.py's server and generator code.
"""

import argparse
import datetime
import json
import os
import platform
import shutil
import socket
import subprocess
import sys
import time

sys.dont_write_bytecode = True  # no __pycache__ in the tree for the import below
import run as bench  # noqa: E402

HERE = bench.HERE
ROOT = bench.ROOT

FIGURES = [
    ("ops_per_s", "deliveries/s", "higher"),
    ("p50_ms", "send to last delivery p50 (ms)", "lower"),
    ("p99_ms", "send to last delivery p99 (ms)", "lower"),
    ("pub_us_per_bcast", "publisher CPU us per broadcast", "lower"),
    ("pub_us_per_op", "publisher CPU us per delivery", "lower"),
    ("recv_us_per_op", "receiver CPU us per delivery", "lower"),
    ("total_us_per_op", "A+B+redis CPU us per delivery", "lower"),
    ("pub_cpu_pct", "publisher CPU %", None),
    ("pub_idle_cpu_pct", "publisher CPU % before the load (idle)", None),
    ("recv_cpu_pct", "receiver CPU %", None),
    ("redis_cpu_pct", "redis-server CPU %", None),
    ("gen_cpu_pct", "generator CPU %", None),
]


def free_port():
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


class Redis:
    """A redis-server on a free loopback port, pinned to `cpus`; stopped by its PID."""

    def __init__(self, cpus="0"):
        program = shutil.which("redis-server")
        if not program:
            raise RuntimeError("redis-server not found (Debian: apt install redis-server)")
        for _ in range(5):
            self.port = free_port()
            self.proc = subprocess.Popen(
                ["taskset", "-c", cpus, program, "--port", str(self.port), "--bind", "127.0.0.1",
                 "--save", "", "--appendonly", "no"],
                stdin=subprocess.DEVNULL, stdout=subprocess.PIPE, stderr=subprocess.STDOUT,
                text=True)
            deadline = time.monotonic() + 10
            out = []
            while time.monotonic() < deadline:
                line = self.proc.stdout.readline()
                if not line:
                    break
                out.append(line)
                if "Ready to accept connections" in line:
                    # Drain the rest so redis never blocks on a full pipe.
                    bench.threading.Thread(target=self.proc.stdout.read, daemon=True).start()
                    return
            self.stop()
        raise RuntimeError("redis-server did not start: " + "".join(out[-5:]))

    @property
    def pid(self):
        return self.proc.pid

    def subscribers(self, channel):
        """PUBSUB NUMSUB of one channel (inline command; the reply is
        *2 $len channel :count)."""
        with socket.create_connection(("127.0.0.1", self.port), timeout=5) as s:
            s.sendall(f"PUBSUB NUMSUB {channel}\r\n".encode())
            lines = s.makefile("rb")
            reply = [lines.readline().strip() for _ in range(4)]
            return int(reply[3][1:]) if reply[3].startswith(b":") else 0

    def await_nodes(self, count, timeout=10):
        """Until `count` nodes subscribed to the request channel of "/" (both adapters
        PSUBSCRIBE to the broadcasts before they SUBSCRIBE to it)."""
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            if self.subscribers("socket.io-request#/#") >= count:
                return True
            time.sleep(0.05)
        return False

    def stop(self):
        if self.proc.poll() is None:
            self.proc.kill()
            self.proc.wait()


def node_command(kind, bench_bin, redis_port):
    """(cmd, cwd, env) of a node of `kind` ("qt:ENGINE" or "node:ws") on the Redis."""
    redis = f"127.0.0.1:{redis_port}"
    if kind.startswith("qt:"):
        engine = kind.split(":", 1)[1]
        return ([os.path.join(bench_bin, "socketio-bench-server"), "--ws-engine", engine,
                 "--redis", redis], ROOT, bench.qt_env(bench_bin))
    return (["node", "server.mjs", "--redis", redis], os.path.join(HERE, "node"),
            dict(os.environ))


def one_run(args, bench_bin, loadgen, publisher, receiver, clients):
    """Redis, then B (receivers) and A (publisher), then the generator; everything stopped."""
    redis = Redis()
    nodes = []
    try:
        b = bench.Server(*node_command(receiver, bench_bin, redis.port))
        nodes.append(b)
        a = bench.Server(*node_command(publisher, bench_bin, redis.port))
        nodes.append(a)
        if not redis.await_nodes(2):
            raise RuntimeError("the nodes did not subscribe on Redis within 10 s")
        # The publisher's CPU with no load, to tell its own cost from what it spends anyway
        # (timers, GC): per broadcast, the latter weighs more the fewer broadcasts there are.
        idle0, t0 = bench.proc_runtime_seconds(a.pid), time.monotonic()
        time.sleep(1.0)
        idle = (bench.proc_runtime_seconds(a.pid) - idle0) / (time.monotonic() - t0)
        gen_args = ["--mode", "broadcast", "--clients", str(clients), "--window",
                    str(args.window), "--trigger-url", f"127.0.0.1:{a.info['port']}",
                    "--duration", str(args.duration), "--warmup", str(args.warmup)]
        r = bench.run_generator(loadgen, b.info["port"], gen_args, b, 0,
                                others={"pub": a.pid, "redis": redis.pid},
                                cpu_seconds=bench.proc_runtime_seconds)
        r["pub_idle_cpu_pct"] = 100.0 * idle
        r["alive"] = a.proc.poll() is None and b.proc.poll() is None
        r["infos"] = {"publisher": a.info, "receiver": b.info}
    finally:
        for n in nodes:
            n.stop()
        redis.stop()
    return derive(r)


def derive(r):
    bench.derive(r, "broadcast")  # receiver: server_cpu_s, server_us_per_op, p50_ms, p99_ms
    wall = max(r.get("t1", 0) - r.get("t0", 0), 1e-9)
    if "cpu1" in r:
        r["recv_us_per_op"] = r.get("server_us_per_op")
        r["recv_cpu_pct"] = r.get("server_cpu_pct")
        pub = r["cpu1_pub"] - r["cpu0_pub"]
        red = r["cpu1_redis"] - r["cpu0_redis"]
        r["pub_cpu_pct"] = 100.0 * pub / wall
        r["redis_cpu_pct"] = 100.0 * red / wall
        if r.get("ops"):
            r["pub_us_per_op"] = 1e6 * pub / r["ops"]
            r["total_us_per_op"] = 1e6 * (pub + red + r["server_cpu_s"]) / r["ops"]
        if r.get("broadcasts"):
            r["pub_us_per_bcast"] = 1e6 * pub / r["broadcasts"]
    return r


def main():
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--build-dir", default=os.path.join(ROOT, "build"))
    ap.add_argument("--runs", type=int, default=3, help="runs per pair (default 3)")
    ap.add_argument("--duration", type=float, default=3.0, help="measured seconds (default 3)")
    ap.add_argument("--warmup", type=float, default=1.0, help="warm-up seconds (default 1)")
    ap.add_argument("--clients", type=int, default=1000, help="receivers on node B (default 1000)")
    ap.add_argument("--window", type=int, default=4, help="broadcasts in flight (default 4)")
    ap.add_argument("--ws-engine", action="append", default=None,
                    help="Qt wsEngine of the Qt nodes (repeatable; default qt)")
    ap.add_argument("--mixed", action="store_true",
                    help="also the mixed pairs: a Qt publisher with a Node receiver and the reverse")
    ap.add_argument("--no-node", action="store_true", help="Qt pairs only")
    ap.add_argument("--out", default=os.path.join(HERE, "results"))
    args = ap.parse_args()

    bench_bin = bench.snapshot(args.build_dir, ("socketio-loadgen", "socketio-bench-server"))
    try:
        run_all(args, bench_bin, os.path.join(bench_bin, "socketio-loadgen"))
    finally:
        shutil.rmtree(bench_bin, ignore_errors=True)


def run_all(args, bench_bin, loadgen):
    bench.raise_open_file_limit()
    qt = [f"qt:{e}" for e in (args.ws_engine or ["qt"])]
    node_ready = os.path.isdir(os.path.join(HERE, "node", "node_modules", "@socket.io",
                                            "redis-adapter"))
    if not args.no_node and not node_ready:
        print("bench/node/node_modules lacks @socket.io/redis-adapter (npm ci in bench/node): "
              "skipping Node", file=sys.stderr)
    node = ["node:ws"] if not args.no_node and node_ready else []
    pairs = [(k, k) for k in qt + node]
    if args.mixed:
        pairs += [(q, n) for q in qt for n in node] + [(n, q) for q in qt for n in node]
    label = lambda p: f"{p[0]} -> {p[1]}"
    results = {label(p): [] for p in pairs}
    notes = []
    started = time.monotonic()
    for run in range(args.runs):
        for pair in pairs:
            t = time.monotonic()
            try:
                r = one_run(args, bench_bin, loadgen, pair[0], pair[1], args.clients)
            except RuntimeError as e:
                notes.append(f"{label(pair)} run {run + 1}: {e}"[:300])
                continue
            results[label(pair)].append(r)
            problems = bench.generator_problems(r, args.clients + 1)
            if not r["alive"]:
                problems.append("a node died during the run")
            if problems:
                notes.append(f"{label(pair)} run {run + 1}: " + ", ".join(problems))
            print(f"[{time.monotonic() - started:6.1f}s] {label(pair):22} run {run + 1}: "
                  f"{bench.fmt(r.get('ops_per_s'))} deliveries/s, "
                  f"p50 {bench.fmt(r.get('p50_ms'))} ms, "
                  f"pub {bench.fmt(r.get('pub_us_per_bcast'))} us/bcast, "
                  f"recv {bench.fmt(r.get('recv_us_per_op'))} us/delivery, "
                  f"gen {bench.fmt(r.get('gen_cpu_pct'))}% ({time.monotonic() - t:.1f}s)",
                  file=sys.stderr, flush=True)
    report(args, results, pairs, notes, time.monotonic() - started)


def report(args, results, pairs, notes, elapsed):
    summary = {name: {key: bench.summarize([r.get(key) for r in rs]) for key, _, _ in FIGURES}
               for name, rs in results.items()}
    ref = "node:ws -> node:ws" if "node:ws -> node:ws" in summary else None
    others = [n for n in summary if n != ref]
    for name, figs in summary.items():
        note = bench.generator_bound(name, figs, "CPU per delivery")
        if note:
            notes.append(note)
    infos = {}
    for name, rs in results.items():
        if rs:
            infos[name] = rs[0].get("infos")
    md = [f"# Cross-node broadcast through Redis ({datetime.date.today().isoformat()})\n",
          f"`bench/redis.py`: {args.clients} receivers on node B, the trigger on node A, "
          f"{args.window} broadcasts in flight; A, B and redis-server on cpu0, socketio-loadgen "
          f"on cpu1, loopback; {args.runs} run(s) per pair, {args.warmup:g} s warm-up, "
          f"{args.duration:g} s measured; cells are median (min-max). Pairs are "
          f"`publisher -> receiver`. Ratio = pair / Node pair (medians). Deliveries include "
          f"the trigger's own (N+1 per broadcast).\n",
          f"Library: `{bench.describe_commit()}`.\n"]
    for name, info in infos.items():
        md.append(f"- {name}: `{json.dumps(info, sort_keys=True)}`")
    md.append("")
    head = ["figure", "better"] + others + ([ref] if ref else [])
    head += [f"{n} / node" for n in others] if ref else []
    md.append("| " + " | ".join(head) + " |")
    md.append("|" + "---|" * len(head))
    for key, title, better in FIGURES:
        row = [title, better or ""]
        row += [bench.cell(summary[n].get(key)) for n in others]
        if ref:
            row.append(bench.cell(summary[ref].get(key)))
            for n in others:
                a, b = summary[n].get(key), summary[ref].get(key)
                row.append(f"{a['median'] / b['median']:.2f}x"
                           if a and b and b["median"] and better else "")
        md.append("| " + " | ".join(row) + " |")
    if notes:
        md.append("\n## Notes\n")
        md.extend(f"- {n}" for n in notes)
    md.append(f"\nTotal time: {elapsed:.0f} s. Host: {platform.node()}, {os.cpu_count()} CPUs, "
              f"kernel {platform.release()}; load average at the end "
              f"{' '.join(f'{x:.2f}' for x in os.getloadavg())}.")
    text = "\n".join(md) + "\n"
    os.makedirs(args.out, exist_ok=True)
    meta = {"date": datetime.datetime.now().isoformat(timespec="seconds"),
            "commit": bench.describe_commit(), "clients": args.clients, "window": args.window,
            "runs": args.runs, "duration_s": args.duration, "warmup_s": args.warmup,
            "pinning": {"nodes and redis": "cpu0", "generator": "cpu1"}}
    with open(os.path.join(args.out, "redis-latest.json"), "w") as f:
        json.dump({"meta": meta, "summary": summary, "notes": notes, "runs": results}, f,
                  indent=1)
    with open(os.path.join(args.out, "redis-latest.md"), "w") as f:
        f.write(text)
    print(text)


if __name__ == "__main__":
    main()
