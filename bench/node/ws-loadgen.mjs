// A second load generator, written apart from socketio-loadgen so that the figures do not rest
// on one generator's habits. It speaks Engine.IO v4 / Socket.IO v5 over the `ws` package (the
// WebSocket client most Node programs use): one send per frame, no batching, every client
// driven from Node's event loop, as browsers and Node clients are.
//
// usage: node ws-loadgen.mjs --url HOST:PORT --mode echo|broadcast [--clients N]
//          [--duration S] [--warmup S] [--rate R] [--window N] [--path P]
//   echo       each client emits "echo" with an ack; closed loop (one in flight per client),
//              or with --rate R an open loop: R emits per second over all clients, latency
//              counted from when each emit was due
//   broadcast  one more client emits "bcast" ({"t": due time}); the server sends "news" to
//              every client; latency is from the emit to the last delivery. --window N in
//              flight (closed loop), or --rate R per second
//
// Same protocol markers and result as socketio-loadgen (bench/run.py reads both): "# phase
// measure" and "# phase end" on stderr, one JSON object on stdout.
import { WebSocket } from "ws";

const args = process.argv.slice(2);
const arg = (name, fallback) => {
  const i = args.indexOf(name);
  return i >= 0 && i + 1 < args.length ? args[i + 1] : fallback;
};
const url = arg("--url", "127.0.0.1:3000").replace(/^(ws|http):\/\//, "").split("/")[0];
const mode = arg("--mode", "echo");
const clients = Number(arg("--clients", "100"));
const duration = Number(arg("--duration", "10")) * 1e3;
const warmup = Number(arg("--warmup", "2")) * 1e3;
const rate = Number(arg("--rate", "0"));
const window = Number(arg("--window", "4"));
const path = arg("--path", "/socket.io/");
const connectWaitMs = 60e3;
if (!["echo", "broadcast"].includes(mode)) {
  console.error(`ws-loadgen: unknown mode ${mode}`);
  process.exit(2);
}

const now = () => performance.now(); // ms, sub-microsecond resolution
const stats = { ops: 0, deliveries: 0, broadcasts: 0, incomplete: 0, failed: 0, closedByServer: 0, protocolErrors: 0 };
const latencies = []; // us
let phase = "connecting";
let measureStart = 0;
let measureEnd = 0;
let cpuStart = null;
let cpuEnd = null;
let connectSeconds = 0;
const measuring = () => phase === "measure";
const loaded = () => phase === "warmup" || phase === "measure";

// One Socket.IO client on a raw WebSocket: open -> "40" -> CONNECT -> ready.
class Client {
  constructor(onReady) {
    this.ready = false;
    this.nextId = 1;
    this.inFlight = new Map(); // ack id -> due time (ms)
    this.ws = new WebSocket(`ws://${url}${path}?EIO=4&transport=websocket`, { perMessageDeflate: false });
    this.ws.on("message", (data, isBinary) => this.onMessage(isBinary ? null : data.toString()));
    this.ws.on("error", () => {});
    this.ws.on("close", () => {
      if (this.ready && phase !== "done") ++stats.closedByServer;
      if (!this.ready) ++stats.failed;
      this.ready = false;
    });
    this.onReady = onReady;
  }

  onMessage(text) {
    if (text === null || text.length === 0) {
      ++stats.protocolErrors;
      return;
    }
    switch (text[0]) {
      case "0":
        this.ws.send("40");
        return;
      case "2":
        this.ws.send("3");
        return;
      case "4":
        break;
      default:
        return;
    }
    const type = text[1];
    if (type === "0") {
      this.ready = true;
      this.onReady(this);
    } else if (type === "3") {
      const bracket = text.indexOf("[");
      const id = Number(text.slice(2, bracket));
      const due = this.inFlight.get(id);
      if (due === undefined) {
        ++stats.protocolErrors;
        return;
      }
      this.inFlight.delete(id);
      if (measuring()) {
        ++stats.ops;
        latencies.push((now() - due) * 1e3);
      }
      if (mode === "echo" && !rate && loaded()) this.echo(now());
    } else if (type === "2") {
      if (text.startsWith('42["news"')) onNews(text);
    } else {
      ++stats.protocolErrors;
    }
  }

  echo(due) {
    const id = this.nextId++;
    this.inFlight.set(id, due);
    this.ws.send(`42${id}["echo",{"n":${id},"s":"hello"}]`);
  }
}

// broadcast: t (the due time in whole microseconds, unique: an integer survives any JSON
// encoder) -> { received, expected, last }
const broadcasts = new Map();
let receivers = 0;
let trigger = null;
let lastT = 0;

function sendBroadcast(due) {
  const t = Math.max(Math.round(due * 1e3), lastT + 1);
  lastT = t;
  broadcasts.set(t, { received: 0, expected: receivers, last: 0 });
  trigger.ws.send(`42["bcast",{"t":${t}}]`);
}

function onNews(text) {
  const m = /"t":([0-9]+)/.exec(text);
  if (!m) {
    ++stats.protocolErrors;
    return;
  }
  const t = Number(m[1]);
  if (measuring()) ++stats.deliveries;
  const b = broadcasts.get(t);
  if (!b) return; // the trigger's own copy after completion, or a dropped one
  b.last = now();
  if (++b.received < b.expected) return;
  broadcasts.delete(t);
  if (measuring()) {
    ++stats.broadcasts;
    latencies.push(b.last * 1e3 - t);
  }
  if (!rate && loaded()) sendBroadcast(now());
}

const all = [];
let ready = 0;
const startedAt = now();
await new Promise((resolve) => {
  const done = () => {
    if (ready === all.length) resolve();
  };
  // At most 100 handshakes in flight, as socketio-loadgen.
  let started = 0;
  const startMore = () => {
    while (started < clients + (mode === "broadcast" ? 1 : 0) && started - ready < 100) {
      all.push(
        new Client(() => {
          ++ready;
          startMore();
          done();
        }),
      );
      ++started;
    }
  };
  startMore();
  setTimeout(resolve, connectWaitMs).unref();
});
connectSeconds = (now() - startedAt) / 1e3;
console.error(`# connected ${ready} of ${all.length} in ${connectSeconds.toFixed(2)} s`);
const live = all.filter((c) => c.ready);
if (mode === "broadcast") {
  trigger = live.pop();
  receivers = live.length + 1; // the trigger is in the room too
}

// The load.
phase = "warmup";
const loadStart = now();
let sent = 0;
let next = 0;
let ticker = null;
if (rate) {
  // Open loop: whatever is due since the start leaves now, each at its own due time.
  ticker = setInterval(() => {
    const t = now();
    const due = Math.floor(((t - loadStart) * rate) / 1e3);
    for (; sent < due; ++sent) {
      const at = loadStart + (sent * 1e3) / rate;
      if (mode === "echo") {
        live[next].echo(at);
        next = (next + 1) % live.length;
      } else {
        sendBroadcast(at);
      }
    }
  }, 1);
} else if (mode === "echo") {
  for (const c of live) c.echo(now());
} else {
  for (let i = 0; i < window; ++i) sendBroadcast(now());
}

// A broadcast some receiver never got must not stall the closed loop: dropped after 5 s.
const reaper =
  mode === "broadcast" &&
  setInterval(() => {
    for (const [bt] of broadcasts) {
      if (now() * 1e3 - bt <= 5e6) continue;
      broadcasts.delete(bt);
      if (measuring()) ++stats.incomplete;
      if (!rate && loaded()) sendBroadcast(now());
    }
  }, 100);

await new Promise((r) => setTimeout(r, warmup));
phase = "measure";
measureStart = now();
cpuStart = process.cpuUsage();
console.error("# phase measure");
await new Promise((r) => setTimeout(r, duration));
measureEnd = now();
cpuEnd = process.cpuUsage(cpuStart);
phase = "done";
console.error("# phase end");
if (ticker) clearInterval(ticker);
if (reaper) clearInterval(reaper);

const elapsed = (measureEnd - measureStart) / 1e3;
latencies.sort((a, b) => a - b);
const pct = (q) => (latencies.length ? latencies[Math.min(latencies.length - 1, Math.floor(q * latencies.length))] : null);
const ops = mode === "broadcast" ? stats.deliveries : stats.ops;
const round = (v) => (v === null ? null : Math.round(v * 10) / 10);
console.log(
  JSON.stringify({
    mode,
    transport: "websocket",
    generator: "node-ws",
    clients,
    connected: ready,
    failed: stats.failed,
    closed_by_server: stats.closedByServer,
    protocol_errors: stats.protocolErrors,
    connect_s: connectSeconds,
    elapsed_s: elapsed,
    ops,
    ops_per_s: ops / elapsed,
    offered_per_s: rate || null,
    p50_us: round(pct(0.5)),
    p99_us: round(pct(0.99)),
    p999_us: round(pct(0.999)),
    max_us: round(latencies.length ? latencies[latencies.length - 1] : null),
    deliveries: stats.deliveries,
    broadcasts: stats.broadcasts,
    incomplete_broadcasts: stats.incomplete,
    gen_cpu_pct: (100 * (cpuEnd.user + cpuEnd.system)) / 1e6 / elapsed,
  }),
);
for (const c of all) c.ws.terminate();
process.exit(0);
