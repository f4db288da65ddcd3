// Engine.IO interop client CLI (see README.md for the contract).
//   node eio-client.mjs --url http://127.0.0.1:PORT --path /engine.io/ --scenario NAME
//                       [--v3] [--transports polling,websocket] [--count 1000] [--timeout 20000]
//                       [--force-base64]
// Prints one JSON object per line on stdout; exit 0 = pass, 1 = fail (last line {"event":"fail",...}).
import { parseArgs } from "node:util";
import { createRequire } from "node:module";
import { Socket as Socket6 } from "engine.io-client";

const { values: opt } = parseArgs({
  options: {
    url: { type: "string", default: "http://127.0.0.1:3000" },
    path: { type: "string", default: "/engine.io/" },
    scenario: { type: "string", default: "echo" },
    v3: { type: "boolean", default: false },
    transports: { type: "string", default: "polling,websocket" },
    count: { type: "string", default: "1000" },
    timeout: { type: "string", default: "20000" },
    "force-base64": { type: "boolean", default: false }, // binary as base64 text (v3 polling: ?b64=1)
  },
});
const transports = opt.transports.split(",").map((s) => s.trim()).filter(Boolean);
const count = Number(opt.count);
const upgradeMode = transports.includes("polling") && transports.includes("websocket");
const t0 = Date.now();

let finished = false; // after the pass/fail line nothing else is printed
const out = (obj) => finished || process.stdout.write(JSON.stringify(obj) + "\n");
function finish(code, why) {
  if (finished) return;
  if (code !== 0) out({ event: "fail", why });
  else out({ event: "pass", scenario: opt.scenario, ms: Date.now() - t0 });
  finished = true;
  // Short grace period so a close packet / WebSocket close frame still reaches the server.
  setTimeout(() => process.exit(code), 100);
}
const fail = (why) => finish(1, why);
setTimeout(() => fail(`global timeout after ${opt.timeout} ms`), Number(opt.timeout));
process.on("uncaughtException", (e) => fail(`exception: ${e.stack || e}`));

// ---- connect -------------------------------------------------------------
const sockOpts = { path: opt.path, transports, upgrade: upgradeMode, forceBase64: opt["force-base64"] };
const socket = opt.v3
  ? createRequire(import.meta.url)("engine.io-client-v3")(opt.url, sockOpts)
  : new Socket6(opt.url, sockOpts);

let hs = null; // handshake data
let opened = false;
let upgraded = false;
let expectClose = null; // null: a close now is a failure; else function(reason) deciding the outcome
let onReady = null; // scenario entry, run once open (and, in upgrade mode, upgraded)

socket.on("handshake", (data) => {
  hs = data;
  out({
    event: "handshake", sid: data.sid, upgrades: data.upgrades, pingInterval: data.pingInterval,
    pingTimeout: data.pingTimeout, maxPayload: data.maxPayload ?? null,
  });
});
socket.on("open", () => {
  opened = true;
  out({ event: "open", transport: socket.transport.name, sid: socket.id });
  if (transports.length === 1 && socket.transport.name !== transports[0])
    return fail(`opened with ${socket.transport.name}, expected ${transports[0]}`);
  scenarioOnOpen?.();
  if (!upgradeMode) ready();
});
socket.on("upgrade", (t) => {
  upgraded = true;
  out({ event: "upgrade", transport: t.name });
  if (!upgradeMode) return fail("upgrade happened although only one transport was allowed");
  // Deferred: "upgrade" is emitted while the client still has upgrading === true, and a close()
  // issued synchronously from this handler would wait for an upgrade event that never comes.
  setImmediate(ready);
});
socket.on("error", (e) => out({ event: "error", message: String(e?.message ?? e) }));
socket.on("close", (reason, desc) => {
  const detail = desc?.message ?? desc?.description?.message;
  out({ event: "close", reason, ...(detail ? { detail: String(detail) } : {}), transport: socket.transport?.name });
  if (!opened) return fail(`connection failed: ${reason}${detail ? " / " + detail : ""}`);
  if (!expectClose) return fail(`unexpected close: ${reason}`);
  expectClose(reason);
});

let readyDone = false;
function ready() {
  if (readyDone) return;
  readyDone = true;
  onReady?.();
}

// Close from the client side and pass on the resulting "close" event.
function closeCleanly() {
  if (upgradeMode && !upgraded) return fail("no upgrade happened");
  if (!upgradeMode && socket.transport.name !== transports[0]) return fail(`transport is ${socket.transport.name}`);
  expectClose = () => finish(0);
  socket.close();
}

// ---- scenarios -------------------------------------------------------------
let scenarioOnOpen = null;
const scenarios = {
  handshake() {
    onReady = () => {
      const bad = [];
      if (typeof hs?.sid !== "string" || !hs.sid) bad.push("sid");
      if (!Array.isArray(hs?.upgrades)) bad.push("upgrades");
      if (!(hs?.pingInterval > 0)) bad.push("pingInterval");
      if (!(hs?.pingTimeout > 0)) bad.push("pingTimeout");
      if (!opt.v3 && !(hs?.maxPayload > 0)) bad.push("maxPayload");
      if (transports[0] === "polling" && !hs?.upgrades?.includes("websocket")) bad.push("upgrades lacks websocket");
      if (bad.length) return fail(`bad handshake fields: ${bad.join(", ")}`);
      closeCleanly();
    };
  },

  // Text and binary messages interleaved, at most WINDOW unacknowledged at once (keeps polling
  // payloads under maxHttpBufferSize for the v3 client, which ignores maxPayload). Sending starts
  // at "open", so in upgrade mode messages are in flight while the upgrade happens.
  echo() {
    const WINDOW = 50;
    const text = (i) => {
      if (i === 1) return ""; // empty text message ("4" on the wire)
      let s = `msg-${i}`;
      if (i % 10 === 0) s += " é€😀";
      if (i % 333 === 0) s += "x".repeat(5000);
      return s;
    };
    const binary = (i) => {
      const n = i % 250 === 0 ? 70000 : i % 200; // includes 0-byte and >64 KiB payloads
      const b = Buffer.alloc(n);
      for (let j = 0; j < n; j++) b[j] = (i * 31 + j) & 0xff;
      return b;
    };
    const expected = [];
    for (let i = 0; i < count; i++) expected.push(text(i), binary(i));
    let sent = 0, got = 0, texts = 0, binaries = 0;
    const pump = () => {
      while (sent < expected.length && sent - got < WINDOW) socket.send(expected[sent++]);
    };
    socket.on("message", (m) => {
      if (m === undefined) m = ""; // engine.io parsers decode "4" to data === undefined
      const want = expected[got];
      if (want === undefined) return fail(`unexpected extra message #${got}`);
      if (typeof want === "string") {
        if (m !== want) return fail(`text #${got} mismatch: got ${JSON.stringify(String(m).slice(0, 80))}`);
        texts++;
      } else {
        if (typeof m === "string") return fail(`binary #${got} came back as text`);
        const b = Buffer.from(m instanceof ArrayBuffer ? new Uint8Array(m) : m);
        if (!b.equals(want)) return fail(`binary #${got} mismatch: len ${b.length} vs ${want.length}`);
        binaries++;
      }
      got++;
      if (got === expected.length) {
        out({ event: "echo-done", text: texts, binary: binaries, transport: socket.transport.name });
        if (upgradeMode && !upgraded) socket.once("upgrade", () => setImmediate(closeCleanly));
        else closeCleanly();
      } else pump();
    });
    scenarioOnOpen = pump;
  },

  // v4: server pings, client answers ("ping" event). v3: client pings, server answers ("pong" event).
  heartbeat() {
    const evt = opt.v3 ? "pong" : "ping";
    let n = 0, last = null;
    onReady = () => {
      last = Date.now();
      socket.on(evt, () => {
        const now = Date.now();
        out({ event: evt, n: ++n, sinceLastMs: now - last, transport: socket.transport.name });
        last = now;
        if (n === 3) closeCleanly();
      });
    };
  },

  // The client goes silent after the first heartbeat; the server must close the session.
  // v4 (engine.io-client 6.6): Socket#_onPacket answers a "ping" packet by calling
  // this._sendPacket("pong") and then (re)arms the client's own timer via this._resetPingTimeout().
  // Both are looked up on the instance, so per-instance overrides are enough: drop outgoing "pong"
  // packets and disable the client-side ping timeout (otherwise the client could close itself with
  // "ping timeout" and we would not be testing the server). The upgrade probe ping/pong bypasses
  // _sendPacket (transport.send), so upgrades are unaffected.
  // v3 (engine.io-client 3.5): Socket#setPing schedules the client's next ping and
  // Socket#onHeartbeat arms the client-side timeout; both are overridden on the instance too.
  // Expected server behaviour: v4 closes ~pingTimeout after the unanswered ping; v3 closes
  // ~pingInterval+pingTimeout after the last ping it received.
  "ping-timeout"() {
    let silent = false, lastBeat = null;
    if (opt.v3) {
      const setPing = socket.setPing.bind(socket);
      socket.setPing = () => { if (!silent) setPing(); };
      const onHeartbeat = socket.onHeartbeat;
      socket.onHeartbeat = function (t) { if (!silent) onHeartbeat.call(this, t); else clearTimeout(this.pingTimeoutTimer); };
      socket.on("ping", () => { lastBeat = Date.now(); }); // emitted when our ping was written
    } else {
      const sendPacket = socket._sendPacket.bind(socket);
      socket._sendPacket = (type, ...rest) => { if (!(silent && type === "pong")) sendPacket(type, ...rest); };
      const resetPingTimeout = socket._resetPingTimeout.bind(socket);
      socket._resetPingTimeout = () => { if (!silent) resetPingTimeout(); else socket.clearTimeoutFn(socket._pingTimeoutTimer); };
      socket.on("ping", () => {
        lastBeat = Date.now();
        out({ event: "ping", answered: !silent, transport: socket.transport.name });
      });
    }
    onReady = () => {
      // Answer one heartbeat normally, then go silent.
      socket.once(opt.v3 ? "pong" : "ping", () => {
        silent = true;
        out({ event: "silent", transport: socket.transport.name });
        const expectedMs = opt.v3 ? hs.pingInterval + hs.pingTimeout : hs.pingTimeout;
        expectClose = (reason) => {
          const ms = Date.now() - lastBeat;
          out({ event: "server-timeout", reason, sinceLastPingMs: ms, expectedMs });
          if (ms < expectedMs * 0.8) return fail(`server closed too early (${ms} ms < ${expectedMs} ms)`);
          if (ms > expectedMs + 1500) return fail(`server closed too late (${ms} ms)`);
          finish(0);
        };
      });
    };
  },

  "close-by-server"() {
    onReady = () => {
      expectClose = (reason) => (reason === "transport close" ? finish(0) : fail(`close reason ${reason}`));
      socket.send("close-me");
    };
  },
};

if (!scenarios[opt.scenario]) fail(`unknown scenario ${opt.scenario}`);
else if (!(count >= 1)) fail("--count must be >= 1");
else scenarios[opt.scenario]();
