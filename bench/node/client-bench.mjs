// The Node side of the client benchmark (bench/client.py): socket.io-client 4.8 doing what
// socketio-bench-client (bench/client/main.cpp) does, against client-bench-server.mjs, with
// the same phases, figures and JSON line.
//
// usage: node client-bench.mjs --url http://127.0.0.1:PORT [--transport websocket|polling]
//            [--mode both|stream|echo] [--warmup S] [--duration S] [--size BYTES] [--chunk N]
//
// stream: asks for an endless stream of "tick" events ({i, s}, `s` of --size characters, the
//   last of each --chunk acknowledged); counts them and this process's CPU time (user+system,
//   every thread) over the measured window; then "stop" and waits for the stream to end.
// echo: "echo" {n, s: "hello"} with an acknowledgement, one in flight; round trips, their
//   latency (emit to acknowledgement) and CPU time over the measured window.
// Each phase: --warmup seconds, then "# phase measure <phase>" and "# phase end <phase>" on
// stderr around --duration seconds (the runner samples the server there). One JSON object on
// stdout at the end. Bounded: a phase that stalls gives up after a time limit.
import { io } from "socket.io-client";
import { createRequire } from "node:module";

const args = process.argv.slice(2);
const arg = (name, fallback) => {
  const i = args.indexOf(name);
  return i >= 0 && i + 1 < args.length ? args[i + 1] : fallback;
};
const url = arg("--url", "http://127.0.0.1:3000");
const transport = arg("--transport", "websocket");
const mode = arg("--mode", "both");
const warmup = Number(arg("--warmup", "1"));
const duration = Number(arg("--duration", "3"));
const size = Number(arg("--size", "16"));
const chunk = Number(arg("--chunk", "100"));

const cpuUs = () => {
  const u = process.cpuUsage();
  return u.user + u.system;
};
const nowUs = () => Number(process.hrtime.bigint() / 1000n);
const sleep = (s) => new Promise((resolve) => setTimeout(resolve, s * 1000));
const percentile = (sorted, p) =>
  sorted.length ? sorted[Math.min(sorted.length - 1, Math.floor((p / 100) * sorted.length))] : null;

const result = {
  client: "node",
  socketioClient: createRequire(import.meta.url)("socket.io-client/package.json").version,
  node: process.version,
  transport,
  size,
  chunk,
  errors: [],
};

// The measured window of a phase whose load already runs: warm-up, then --duration seconds;
// `mark(true)` at its start and `mark(false)` at its end.
async function window(phase, count, mark = () => {}) {
  await sleep(warmup);
  mark(true);
  const n0 = count(), t0 = nowUs(), c0 = cpuUs();
  console.error(`# phase measure ${phase}`);
  await sleep(duration);
  const n1 = count(), t1 = nowUs(), c1 = cpuUs();
  mark(false);
  console.error(`# phase end ${phase}`);
  const ops = n1 - n0;
  return { ops, seconds: (t1 - t0) / 1e6, cpuUs: c1 - c0 };
}

async function streamPhase(socket) {
  let ticks = 0;
  socket.on("tick", (...a) => {
    ++ticks;
    const ack = a[a.length - 1];
    if (typeof ack === "function") ack();
  });
  const ended = socket
    .timeout((warmup + duration) * 1000 + 30000)
    .emitWithAck("stream", { count: 1e12, size, chunk });
  const w = await window("stream", () => ticks);
  socket.emit("stop");
  try {
    await ended;
  } catch (e) {
    result.errors.push(`stream did not end: ${e.message}`);
  }
  socket.off("tick");
  result.events = w.ops;
  result.events_per_s = w.ops / w.seconds;
  result.cpu_us_per_event = w.ops ? w.cpuUs / w.ops : null;
  result.stream_cpu_pct = (100 * w.cpuUs) / (w.seconds * 1e6);
}

async function echoPhase(socket) {
  let done = 0, running = true, measuring = false;
  const latencies = [];
  const loop = (async () => {
    for (let n = 0; running; ++n) {
      const t = nowUs();
      try {
        await socket.timeout(10000).emitWithAck("echo", { n, s: "hello" });
      } catch (e) {
        result.errors.push(`echo: ${e.message}`);
        return;
      }
      ++done;
      if (measuring) latencies.push(nowUs() - t);
    }
  })();
  const w = await window("echo", () => done, (on) => (measuring = on));
  running = false;
  await loop;
  latencies.sort((a, b) => a - b);
  result.round_trips = w.ops;
  result.rt_per_s = w.ops / w.seconds;
  result.p50_us = percentile(latencies, 50);
  result.p99_us = percentile(latencies, 99);
  result.cpu_us_per_rt = w.ops ? w.cpuUs / w.ops : null;
  result.echo_cpu_pct = (100 * w.cpuUs) / (w.seconds * 1e6);
}

const limit = setTimeout(() => {
  result.errors.push("time limit");
  console.log(JSON.stringify(result));
  process.exit(2);
}, (2 * (warmup + duration) + 60) * 1000);

const socket = io(url, { transports: [transport], reconnection: false });
try {
  await new Promise((resolve, reject) => {
    socket.once("connect", resolve);
    socket.once("connect_error", reject);
  });
  if (mode === "both" || mode === "stream") await streamPhase(socket);
  if (mode === "both" || mode === "echo") await echoPhase(socket);
} catch (e) {
  result.errors.push(String(e?.message ?? e));
}
clearTimeout(limit);
socket.disconnect();
console.log(JSON.stringify(result));
process.exit(result.errors.length ? 1 : 0);
