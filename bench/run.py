#!/usr/bin/env python3
"""Runs the Socket.IO benchmarks: the Qt server against the Node socket.io 4.8 reference.

Each server runs pinned to cpu0 and the load generator (socketio-loadgen) to cpu1, over
loopback. Every scenario runs --runs times per server, the servers taking turns, each run on a
freshly started server. Figures: throughput and latency from the generator, server CPU time
(utime+stime from /proc/PID/stat) per operation over the measured window, generator CPU %,
and server VmRSS before/after idle clients. Writes results/latest.json and results/latest.md
(results/quick.* with --quick).

Builds nothing: bench/run.sh builds the targets first. Standard library only.
"""

import argparse
import datetime
import json
import os
import platform
import resource
import shutil
import signal
import statistics
import subprocess
import sys
import tempfile
import threading
import time

HERE = os.path.dirname(os.path.abspath(__file__))
ROOT = os.path.dirname(HERE)
CLK_TCK = os.sysconf("SC_CLK_TCK")
GEN_BOUND_PCT = 90.0  # generator CPU at or above this: the figure measures the generator

# name, generator arguments, whether the floor server takes part, and the generator:
# "loadgen" (socketio-loadgen, ours, C++ on epoll) or "node-ws" (node/ws-loadgen.mjs: the `ws`
# package on Node's event loop, one send per frame, written apart so that no figure rests on one
# generator's habits)
SCENARIOS = [
    ("echo-100", ["--mode", "echo", "--clients", "100"], True),
    ("echo-1000", ["--mode", "echo", "--clients", "1000"], True),
    ("echo-100-wsgen", ["--mode", "echo", "--clients", "100"], False, "node-ws"),
    ("echo-1000-wsgen", ["--mode", "echo", "--clients", "1000"], False, "node-ws"),
    # Below saturation, at a fixed offered rate (an open loop: each emit leaves when due,
    # whatever is in flight): what real servers see. The figures are CPU at that rate and the
    # latency distribution.
    ("echo-1000-at-20k", ["--mode", "echo", "--clients", "1000", "--rate", "20000"], False),
    ("broadcast-1000-at-20", ["--mode", "broadcast", "--clients", "1000", "--rate", "20"], False),
    ("broadcast-10000-at-20", ["--mode", "broadcast", "--clients", "10000", "--rate", "20"],
     False),
    # Four broadcasts in flight keep the server busy: what it sustains under load. With two,
    # the server settled into either of two states from run to run (triggers read together
    # or apart), a 30% spread. One in flight measures a broadcast on its own.
    ("broadcast-1000", ["--mode", "broadcast", "--clients", "1000", "--window", "4"], False),
    ("broadcast-10000", ["--mode", "broadcast", "--clients", "10000", "--window", "4"], False),
    ("broadcast-1000-serial", ["--mode", "broadcast", "--clients", "1000", "--window", "1"], False),
    ("broadcast-10000-serial", ["--mode", "broadcast", "--clients", "10000", "--window", "1"],
     False),
    ("binary-64k", ["--mode", "binary", "--clients", "10", "--size", "65536"], False),
    ("idle-1000", ["--mode", "idle", "--clients", "1000"], False),
    ("idle-10000", ["--mode", "idle", "--clients", "10000"], False),
    ("connect-websocket", ["--mode", "connect", "--clients", "20"], False),
    ("connect-polling", ["--mode", "connect", "--clients", "20", "--transport", "polling"], False),
]

# figure key, label, better ("higher"/"lower"), scenarios it applies to (prefixes)
FIGURES = {
    "echo": [
        ("ops_per_s", "round trips/s", "higher"),
        ("server_us_per_op", "server CPU us per round trip", "lower"),
        ("server_user_us_per_op", "server CPU us per round trip outside the kernel", "lower"),
        ("server_sys_pct", "share of the server CPU in the kernel %", None),
        ("p50_us", "latency p50 (us)", "lower"),
        ("p99_us", "latency p99 (us)", "lower"),
        ("p999_us", "latency p99.9 (us)", "lower"),
        ("server_cpu_pct", "server CPU %", None),
        ("gen_cpu_pct", "generator CPU %", None),
    ],
    "broadcast": [
        ("ops_per_s", "deliveries/s", "higher"),
        ("server_us_per_op", "server CPU us per delivery", "lower"),
        ("server_user_us_per_op", "server CPU us per delivery outside the kernel", "lower"),
        ("server_sys_pct", "share of the server CPU in the kernel %", None),
        ("p50_ms", "send to last delivery p50 (ms)", "lower"),
        ("p99_ms", "send to last delivery p99 (ms)", "lower"),
        ("server_cpu_pct", "server CPU %", None),
        ("gen_cpu_pct", "generator CPU %", None),
    ],
    "binary": [
        ("mb_per_s", "MB/s echoed (payload, one way)", "higher"),
        ("server_us_per_op", "server CPU us per 64 KiB round trip", "lower"),
        ("p50_us", "latency p50 (us)", "lower"),
        ("server_cpu_pct", "server CPU %", None),
        ("gen_cpu_pct", "generator CPU %", None),
    ],
    "idle": [
        ("kb_per_client", "server RSS KB per idle client", "lower"),
        ("connect_s", "time to connect all (s)", "lower"),
    ],
    # at a fixed offered rate: what the server spends on it, and how long each operation took
    "rate": [
        ("ops_per_s", "operations/s done (echo: round trips, broadcast: deliveries)", None),
        ("server_cpu_pct", "server CPU %", "lower"),
        ("server_us_per_op", "server CPU us per operation", "lower"),
        ("server_user_us_per_op", "server CPU us per operation outside the kernel", "lower"),
        ("server_sys_pct", "share of the server CPU in the kernel %", None),
        ("p50_us", "latency p50 (us)", "lower"),
        ("p99_us", "latency p99 (us)", "lower"),
        ("p999_us", "latency p99.9 (us)", "lower"),
        ("gen_cpu_pct", "generator CPU %", None),
    ],
    "connect": [
        ("ops_per_s", "handshakes/s", "higher"),
        ("server_us_per_op", "server CPU us per handshake", "lower"),
        ("p50_us", "handshake p50 (us)", "lower"),
        ("server_cpu_pct", "server CPU %", None),
        ("gen_cpu_pct", "generator CPU %", None),
    ],
}


def kind_of(scenario):
    return "rate" if "-at-" in scenario else scenario.split("-")[0]


def proc_cpu_seconds(pid):
    """utime+stime of every thread of `pid`, in seconds."""
    with open(f"/proc/{pid}/stat") as f:
        fields = f.read().rsplit(")", 1)[1].split()
    return (int(fields[11]) + int(fields[12])) / CLK_TCK


def proc_sys_seconds(pid):
    """stime of every thread of `pid` (the time spent in the kernel for it), in seconds."""
    with open(f"/proc/{pid}/stat") as f:
        fields = f.read().rsplit(")", 1)[1].split()
    return int(fields[12]) / CLK_TCK


def proc_runtime_seconds(pid):
    """Time on a CPU of every live thread of `pid`, in seconds, from the scheduler's
    nanosecond counters (/proc/PID/task/*/schedstat). Finer than utime+stime, which count in
    clock ticks (10 ms): what a process using a few ms per second needs."""
    total = 0
    for task in os.listdir(f"/proc/{pid}/task"):
        try:
            with open(f"/proc/{pid}/task/{task}/schedstat") as f:
                total += int(f.read().split()[0])
        except (OSError, ValueError, IndexError):
            pass  # the thread ended meanwhile
    return total / 1e9


def proc_rss_kb(pid):
    with open(f"/proc/{pid}/status") as f:
        for line in f:
            if line.startswith("VmRSS:"):
                return int(line.split()[1])
    return 0


class Server:
    """One server process pinned to `cpus` (cpu0 by default); stopped by its PID."""

    def __init__(self, cmd, cwd, env, cpus="0"):
        self.proc = subprocess.Popen(
            ["taskset", "-c", cpus] + cmd, cwd=cwd, env=env, stdin=subprocess.DEVNULL,
            stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
        self.info = None
        timer = threading.Timer(15, self.stop)
        timer.start()
        line = self.proc.stdout.readline()
        timer.cancel()
        try:
            self.info = json.loads(line)
        except ValueError:
            self.stop()
            err = self.proc.stderr.read() if self.proc.stderr else ""
            raise RuntimeError(f"{cmd[0]} did not start: {line!r} {err[-500:]}")
        # Drain stderr so a chatty server never blocks on a full pipe.
        threading.Thread(target=self.proc.stderr.read, daemon=True).start()
        threading.Thread(target=self.proc.stdout.read, daemon=True).start()

    @property
    def pid(self):
        return self.proc.pid

    def stop(self):
        if self.proc.poll() is None:
            self.proc.send_signal(signal.SIGTERM)
            try:
                self.proc.wait(timeout=5)
            except subprocess.TimeoutExpired:
                self.proc.kill()
                self.proc.wait()


def run_generator(loadgen, port, gen_args, server, settle, cpus="1", others=None,
                  cpu_seconds=proc_cpu_seconds):
    """Runs the generator on `cpus` (cpu1 by default); samples the server at its phase
    markers, and the CPU time of the `others` ({label: pid}) too, as cpu0_<label> and
    cpu1_<label> (bench/redis.py: the other nodes of a cluster and redis-server), with
    `cpu_seconds(pid)`."""
    others = others or {}
    loadgen = loadgen if isinstance(loadgen, list) else [loadgen]
    cmd = ["taskset", "-c", cpus] + loadgen + ["--url", f"127.0.0.1:{port}"] + gen_args
    gen = subprocess.Popen(cmd, stdin=subprocess.DEVNULL, stdout=subprocess.PIPE,
                           stderr=subprocess.PIPE, text=True)
    watchdog = threading.Timer(300, gen.kill)
    watchdog.start()
    sample = {"rss_before_kb": proc_rss_kb(server.pid)}
    notes = []
    try:
        for line in gen.stderr:
            line = line.strip()
            if line == "# phase measure":
                sample["cpu0"], sample["t0"] = cpu_seconds(server.pid), time.monotonic()
                sample["sys0"] = proc_sys_seconds(server.pid)
                sample.update({f"cpu0_{k}": cpu_seconds(p) for k, p in others.items()})
            elif line == "# phase end":
                sample["cpu1"], sample["t1"] = cpu_seconds(server.pid), time.monotonic()
                sample["sys1"] = proc_sys_seconds(server.pid)
                sample.update({f"cpu1_{k}": cpu_seconds(p) for k, p in others.items()})
            elif line.startswith("# phase connected"):
                time.sleep(settle)
                sample["rss_after_kb"] = proc_rss_kb(server.pid)
            elif line and not line.startswith("#"):
                notes.append(line)
        out = gen.stdout.read()
        gen.wait()
    finally:
        watchdog.cancel()
        if gen.poll() is None:
            gen.kill()
            gen.wait()
    try:
        result = json.loads(out.strip().splitlines()[-1])
    except (ValueError, IndexError):
        raise RuntimeError(f"generator printed no result: {out!r} {notes[-3:]}")
    result.update(sample)
    if notes:
        result["notes"] = notes[-3:]
    return result


def derive(result, kind):
    """Adds the per-operation figures to one run's result."""
    r = result
    if "cpu1" in r and "cpu0" in r:
        cpu = r["cpu1"] - r["cpu0"]
        wall = max(r["t1"] - r["t0"], 1e-9)
        r["server_cpu_s"] = cpu
        r["server_cpu_pct"] = 100.0 * cpu / wall
        if r.get("ops"):
            r["server_us_per_op"] = 1e6 * cpu / r["ops"]
        # The kernel's part (stime, in clock ticks): the loopback sends and receives, the
        # wake-ups, the polls. Both servers make the same system calls per operation, so
        # this part sets a floor under any ratio of the totals.
        if "sys1" in r and "sys0" in r and cpu > 0:
            sys = min(r["sys1"] - r["sys0"], cpu)
            r["server_sys_pct"] = 100.0 * sys / cpu
            if r.get("ops"):
                r["server_user_us_per_op"] = 1e6 * (cpu - sys) / r["ops"]
    if kind == "broadcast":
        # null when no broadcast completed inside the window
        r["p50_ms"] = r["p50_us"] / 1e3 if r.get("p50_us") is not None else None
        r["p99_ms"] = r["p99_us"] / 1e3 if r.get("p99_us") is not None else None
    if kind == "idle" and "rss_after_kb" in r and r.get("connected"):
        r["kb_per_client"] = (r["rss_after_kb"] - r["rss_before_kb"]) / r["connected"]
    return r


def generator_problems(r, clients=None):
    """What went wrong in one run as the generator counted it, e.g. ["failed=3"]; with
    `clients`, also fewer connections than that."""
    problems = [f"{k}={r[k]}" for k in ("failed", "closed_by_server", "protocol_errors",
                                        "incomplete_broadcasts") if r.get(k)]
    if clients is not None and r.get("connected", clients) < clients:
        problems.append(f"connected {r.get('connected')}/{clients}")
    return problems


def generator_bound(label, figures, compare):
    """The note for one server's summary when its generator was the bottleneck, else None."""
    g = figures.get("gen_cpu_pct")
    if g and g["median"] >= GEN_BOUND_PCT:
        return (f"{label}: generator at {g['median']:.0f}% CPU, the throughput there is the "
                f"generator's; compare {compare}")
    return None


def raise_open_file_limit():
    """Raises the soft limit of open files to the hard one (the generator and a server hold
    one per client) and returns it."""
    soft, hard = resource.getrlimit(resource.RLIMIT_NOFILE)
    if soft < hard:
        resource.setrlimit(resource.RLIMIT_NOFILE, (hard, hard))
    return hard


def qt_env(bench_bin, unix=False):
    """The environment of a Qt server copied to `bench_bin`: that library first, and Qt's own
    event dispatcher (QT_NO_GLIB=1) when `unix`, else the glib one."""
    env = {k: v for k, v in os.environ.items() if k != "QT_NO_GLIB"}
    env["LD_LIBRARY_PATH"] = bench_bin + os.pathsep + env.get("LD_LIBRARY_PATH", "")
    if unix:
        env["QT_NO_GLIB"] = "1"
    return env


def describe_commit():
    try:
        return subprocess.run(["git", "-C", ROOT, "describe", "--always", "--dirty"],
                              capture_output=True, text=True, timeout=10).stdout.strip()
    except (OSError, subprocess.SubprocessError):
        return ""


def summarize(values):
    values = [v for v in values if v is not None]
    if not values:
        return None
    return {"min": min(values), "median": statistics.median(values), "max": max(values),
            "n": len(values)}


def fmt(v):
    if v is None:
        return "-"
    a = abs(v)
    if a >= 100000:
        return f"{v / 1000:.0f}k"
    if a >= 10000:
        return f"{v / 1000:.1f}k"
    if a >= 100:
        return f"{v:.0f}"
    if a >= 10:
        return f"{v:.1f}"
    return f"{v:.2f}"


def cell(s):
    if not s:
        return "-"
    if s["n"] == 1:
        return fmt(s["median"])
    return f"{fmt(s['median'])} ({fmt(s['min'])}-{fmt(s['max'])})"


def main():
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--build-dir", default=os.path.join(ROOT, "build"))
    ap.add_argument("--quick", action="store_true", help="1 run, short phases (CI smoke)")
    ap.add_argument("--runs", type=int, default=None, help="runs per scenario (default 3)")
    ap.add_argument("--duration", type=float, default=None, help="measured seconds per run")
    ap.add_argument("--warmup", type=float, default=None, help="warm-up seconds per run")
    ap.add_argument("--ws-engine", action="append", default=None,
                    help="Qt wsEngine to run (repeatable; default qt)")
    ap.add_argument("--only", default="", help="comma-separated scenario name prefixes")
    ap.add_argument("--no-node", action="store_true", help="skip the Node reference")
    ap.add_argument("--dispatcher", choices=["glib", "unix", "both"], default=None,
                    help="Qt event dispatcher: glib (Debian's default), unix (QT_NO_GLIB=1) "
                         "or both; default glib unless QT_NO_GLIB is set")
    ap.add_argument("--no-glib", action="store_true", help="same as --dispatcher unix")
    ap.add_argument("--admin", action="store_true",
                    help="also run each Qt server instrumented for the Admin UI (idle: no admin "
                         "client), as qt:ENGINE+admin")
    ap.add_argument("--out", default=os.path.join(HERE, "results"))
    ap.add_argument("--baseline", metavar="BUILD_DIR", default=None,
                    help="also run the Qt server of another build (e.g. the commit before a "
                         "change) in the same run, as qt:ENGINE@base, with a new/base ratio")
    args = ap.parse_args()

    bench_bin = snapshot(args.build_dir, ("socketio-loadgen", "socketio-bench-server", "qws-echo"))
    base_bin = snapshot(args.baseline, ("socketio-bench-server",)) if args.baseline else None
    loadgen = os.path.join(bench_bin, "socketio-loadgen")
    try:
        run_all(args, bench_bin, loadgen, base_bin)
    finally:
        shutil.rmtree(bench_bin, ignore_errors=True)
        if base_bin:
            shutil.rmtree(base_bin, ignore_errors=True)


def snapshot(build_dir, executables):
    """Copies the executables and the library of a build directory to a temporary one.

    The run uses the copies, so that a rebuild of the build directory during the run cannot
    change or break what is measured."""
    built = os.path.join(build_dir, "bench")
    for exe in executables:
        if not os.access(os.path.join(built, exe), os.X_OK):
            sys.exit(f"missing {os.path.join(built, exe)}: run bench/run.sh (it builds)")
    copy = tempfile.mkdtemp(prefix="socketio-bench-")
    for exe in executables:
        shutil.copy2(os.path.join(built, exe), copy)
    # The library's folder moved over time: find it wherever the build put it.
    for folder, _, files in os.walk(os.path.join(build_dir, "src")):
        for f in files:
            if f.startswith("libSocketIO.so"):
                shutil.copy2(os.path.join(folder, f), copy, follow_symlinks=True)
    return copy


def run_all(args, bench_bin, loadgen, base_bin=None):
    runs = args.runs or (1 if args.quick else 3)
    duration = args.duration or (2.0 if args.quick else 5.0)
    warmup = args.warmup if args.warmup is not None else (0.5 if args.quick else 2.0)
    settle = 1.0 if args.quick else 2.0
    engines = args.ws_engine or ["qt"]
    node_dir = os.path.join(HERE, "node")
    have_node = not args.no_node and os.path.isdir(os.path.join(node_dir, "node_modules"))
    if not args.no_node and not have_node:
        print("bench/node/node_modules missing (npm ci in bench/node): skipping Node",
              file=sys.stderr)

    soft = raise_open_file_limit()

    dispatcher = args.dispatcher or ("unix" if args.no_glib or os.environ.get("QT_NO_GLIB")
                                     else "glib")
    servers, floors = [], []
    for d in (["glib", "unix"] if dispatcher == "both" else [dispatcher]):
        env = qt_env(bench_bin, unix=d == "unix")
        suffix = "" if d == "glib" else "/unix"
        servers += [(f"qt:{e}{suffix}", [os.path.join(bench_bin, "socketio-bench-server"),
                                         "--ws-engine", e], ROOT, env) for e in engines]
        if args.admin:
            servers += [(f"qt:{e}{suffix}+admin",
                         [os.path.join(bench_bin, "socketio-bench-server"), "--ws-engine", e,
                          "--admin"], ROOT, env) for e in engines]
        if base_bin:
            servers += [(f"qt:{e}{suffix}@base",
                         [os.path.join(base_bin, "socketio-bench-server"), "--ws-engine", e],
                         ROOT, qt_env(base_bin, unix=d == "unix")) for e in engines]
        floors.append((f"floor:qws{suffix}", [os.path.join(bench_bin, "qws-echo")], ROOT, env))
    if have_node:
        servers.append(("node:ws", ["node", "server.mjs", "--ws-engine", "ws"], node_dir,
                        dict(os.environ)))

    only = [p for p in args.only.split(",") if p]
    commit = describe_commit()
    run_notes = []
    results = {}  # scenario -> server -> [run results]
    infos = {}
    started = time.monotonic()
    def report(final):
        """Writes the summary of the runs so far; prints it when final."""
        notes = list(run_notes)
        # Summaries: median/min/max per figure.
        summary = {}
        for name, per_server in results.items():
            kind = kind_of(name)
            summary[name] = {}
            for label, rs in per_server.items():
                summary[name][label] = {key: summarize([r.get(key) for r in rs])
                                        for key, _, _ in FIGURES[kind]}
        qt_labels = [s[0] for s in servers if s[0].startswith("qt:")]
        ref = "node:ws" if have_node else None

        dispatchers = sorted({i.get("dispatcher") for i in infos.values() if i.get("dispatcher")})
        for name, per_server in summary.items():
            for label, figs in per_server.items():
                note = generator_bound(f"{name} {label}", figs, "CPU per operation")
                if note:
                    notes.append(note)

        md = []
        md.append(f"# Socket.IO benchmark results ({datetime.date.today().isoformat()})\n")
        md.append(f"Server on cpu0, the generator on cpu1 (socketio-loadgen; node/ws-loadgen.mjs "
                  f"in `-wsgen` rows), loopback; {runs} run(s) per figure, "
                  f"{warmup:g} s warm-up, {duration:g} s measured; cells are median (min-max). "
                  f"Qt event dispatcher: {', '.join(dispatchers) or '?'} (`/unix` marks "
                  f"QT_NO_GLIB=1). "
                  f"Ratio = Qt / Node (medians); `better` says which way is good.\n")
        md.append(f"Library: `{commit}` (git describe when the run started).\n")
        for label, info in infos.items():
            md.append(f"- {label}: `{json.dumps(info, sort_keys=True)}`")
        md.append("")
        head = ["scenario", "figure", "better"] + qt_labels + ([ref] if ref else [])
        head += [f"{q}/node" for q in qt_labels] if ref else []
        # With --baseline: each Qt column against the same column of the base build.
        base_pairs = [(q, q + "@base") for q in qt_labels if q + "@base" in qt_labels]
        head += [f"{q}/base" for q, _ in base_pairs]
        floor_labels = [f[0] for f in floors]
        head += floor_labels
        md.append("| " + " | ".join(head) + " |")
        md.append("|" + "---|" * len(head))
        for name, per_server in summary.items():
            kind = kind_of(name)
            for key, label, better in FIGURES[kind]:
                def ratio(a_label, b_label):
                    a = per_server.get(a_label, {}).get(key)
                    b = per_server.get(b_label, {}).get(key)
                    return (f"{a['median'] / b['median']:.2f}x"
                            if a and b and b["median"] and better else "")
                row = [name, label, better or ""]
                row += [cell(per_server.get(q, {}).get(key)) for q in qt_labels]
                if ref:
                    row.append(cell(per_server.get(ref, {}).get(key)))
                    row += [ratio(q, ref) for q in qt_labels]
                row += [ratio(q, base) for q, base in base_pairs]
                row += [cell(per_server.get(f, {}).get(key)) for f in floor_labels]
                md.append("| " + " | ".join(row) + " |")

        # Scaling: how each figure changes with 10x the clients.
        pairs = [("echo-100", "echo-1000", ["ops_per_s", "server_us_per_op", "p99_us"]),
                 ("broadcast-1000", "broadcast-10000", ["ops_per_s", "server_us_per_op", "p50_ms"]),
                 ("broadcast-1000-serial", "broadcast-10000-serial",
                  ["ops_per_s", "server_us_per_op", "p50_ms"]),
                 ("idle-1000", "idle-10000", ["kb_per_client", "connect_s"])]
        scaling = []
        for small, large, keys in pairs:
            if small not in summary or large not in summary:
                continue
            for label in qt_labels + ([ref] if ref else []):
                for key in keys:
                    a = summary[small].get(label, {}).get(key)
                    b = summary[large].get(label, {}).get(key)
                    if a and b:
                        scaling.append({"from": small, "to": large, "server": label, "figure": key,
                                        "small": a["median"], "large": b["median"],
                                        "factor": b["median"] / a["median"] if a["median"] else None})
        if scaling:
            md.append("\n## Scaling (median at 10x the clients / median at 1x)\n")
            md.append("| from -> to | server | figure | 1x | 10x | factor |")
            md.append("|---|---|---|---|---|---|")
            for s in scaling:
                md.append(f"| {s['from']} -> {s['to']} | {s['server']} | {s['figure']} | "
                          f"{fmt(s['small'])} | {fmt(s['large'])} | "
                          f"{fmt(s['factor']) + 'x' if s['factor'] else '-'} |")
        if notes:
            md.append("\n## Notes\n")
            md.extend(f"- {n}" for n in notes)
        md.append(f"\nTotal time: {time.monotonic() - started:.0f} s. Host: {platform.node()}, "
                  f"{os.cpu_count()} CPUs, kernel {platform.release()}.")
        text = "\n".join(md) + "\n"

        os.makedirs(args.out, exist_ok=True)
        meta = {
            "commit": commit,
            "date": datetime.datetime.now().isoformat(timespec="seconds"),
            "host": platform.node(), "kernel": platform.release(), "cpus": os.cpu_count(),
            "runs": runs, "duration_s": duration, "warmup_s": warmup, "settle_s": settle,
            "open_file_limit": soft, "dispatcher_option": dispatcher,
            "dispatchers": dispatchers, "servers": infos,
            "pinning": {"server": "cpu0", "generator": "cpu1"},
        }
        stem = "quick" if args.quick else "latest"
        with open(os.path.join(args.out, stem + ".json"), "w") as f:
            json.dump({"meta": meta, "summary": summary, "scaling": scaling, "notes": notes,
                       "runs": results}, f, indent=1)
        with open(os.path.join(args.out, stem + ".md"), "w") as f:
            f.write(text)
        if final:
            print(text)

    generators = {"loadgen": loadgen,
                   "node-ws": ["node", os.path.join(node_dir, "ws-loadgen.mjs")]}
    for name, gen_args, with_floor, *generator in SCENARIOS:
        if only and not any(name == p or name.startswith(p + "-") for p in only):
            continue
        generator = generator[0] if generator else "loadgen"
        if generator == "node-ws" and not os.path.isdir(os.path.join(node_dir, "node_modules")):
            run_notes.append(f"{name} skipped: bench/node/node_modules missing (npm ci)")
            continue
        kind = kind_of(name)
        clients = int(gen_args[gen_args.index("--clients") + 1])
        if clients + 64 > soft:
            run_notes.append(f"{name} skipped: {clients} connections need more than the "
                         f"open-file limit {soft}")
            continue
        if kind == "idle":
            extra = ["--hold", str(settle + 1.5)]
        elif kind == "connect":
            extra = ["--duration", str(duration), "--warmup", str(min(warmup, 1.0))]
        else:
            extra = ["--duration", str(duration), "--warmup", str(warmup)]
        targets = servers + (floors if with_floor else [])
        results[name] = {s[0]: [] for s in targets}
        for run in range(runs):
            for label, cmd, cwd, env in targets:
                t = time.monotonic()
                try:
                    server = Server(cmd, cwd, env)
                except RuntimeError as e:
                    run_notes.append(f"{name} {label} run {run + 1}: {e}")
                    continue
                infos.setdefault(label, server.info)
                try:
                    time.sleep(0.3)
                    r = run_generator(generators[generator], server.info["port"],
                                      gen_args + extra, server, settle)
                    alive = server.proc.poll() is None
                    returncode = server.proc.returncode
                except RuntimeError as e:
                    run_notes.append(f"{name} {label} run {run + 1}: {e}"[:300])
                    continue
                finally:
                    server.stop()
                r = derive(r, kind)
                r["server_alive"] = alive
                results[name][label].append(r)
                problems = generator_problems(r, None if kind == "connect" else clients)
                if not alive:
                    problems.append(f"server died during the run (exit status {returncode})")
                elif server.proc.returncode not in (0, -signal.SIGTERM):
                    problems.append(f"server exit status {server.proc.returncode} on SIGTERM")
                r["server_exit_status"] = server.proc.returncode
                if problems:
                    run_notes.append(f"{name} {label} run {run + 1}: " + ", ".join(problems))
                print(f"[{time.monotonic() - started:6.1f}s] {name:18} {label:9} run {run + 1}: "
                      f"{fmt(r.get('ops_per_s'))} ops/s, "
                      f"{fmt(r.get('server_us_per_op'))} us/op, "
                      f"p50 {fmt(r.get('p50_us'))} us, gen {fmt(r.get('gen_cpu_pct'))}% "
                      f"{'KB/client ' + fmt(r.get('kb_per_client')) if kind == 'idle' else ''}"
                      f"({time.monotonic() - t:.1f}s)", file=sys.stderr, flush=True)
        report(False)

    report(True)


if __name__ == "__main__":
    main()
