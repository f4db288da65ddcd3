// Socket.IO interop client CLI (see README.md for the contract and the server it expects).
//   node sio-client.mjs --url http://127.0.0.1:PORT --scenario NAME [--nsp /custom]
//                       [--transports polling,websocket] [--parser default|msgpack] [--v2]
//                       [--timeout 15000]
// One run = one scenario. Prints one JSON object per line on stdout; the last line is
// {"event":"pass",...} (exit 0) or {"event":"fail","why":...} (exit 1).
import { parseArgs } from "node:util";
import { createRequire } from "node:module";
import { io as ioV4 } from "socket.io-client";
import msgpackParser from "socket.io-msgpack-parser";
import { fixedPayload, jsonSample, binarySample } from "./sio-payloads.mjs";

const require = createRequire(import.meta.url);

const { values: opt } = parseArgs({
  options: {
    url: { type: "string", default: "http://127.0.0.1:3000" },
    scenario: { type: "string", default: "connect" },
    nsp: { type: "string", default: "/" },
    transports: { type: "string", default: "polling,websocket" },
    parser: { type: "string", default: "default" },
    v2: { type: "boolean", default: false },
    timeout: { type: "string", default: "15000" },
  },
});
const transports = opt.transports.split(",").map((s) => s.trim()).filter(Boolean);
const upgradeMode = transports.includes("polling") && transports.includes("websocket");
const t0 = Date.now();

let finished = false;
const out = (obj) => finished || process.stdout.write(JSON.stringify(obj) + "\n");
const allSockets = [];
function finish(code, why) {
  if (finished) return;
  if (code !== 0) out({ event: "fail", why });
  else out({ event: "pass", scenario: opt.scenario, ms: Date.now() - t0 });
  finished = true;
  // Short grace period so that DISCONNECT packets / close frames still reach the server.
  setTimeout(() => process.exit(code), 150);
}
const fail = (why) => finish(1, why);
setTimeout(() => fail(`global timeout after ${opt.timeout} ms`), Number(opt.timeout));
process.on("uncaughtException", (e) => fail(`exception: ${e.stack || e}`));

// ---- values ----------------------------------------------------------------
// Canonical form for comparisons: binary as {$bin: hex}, object keys sorted (the server may
// reorder keys: a JSON object is unordered).
function canon(v) {
  if (v instanceof ArrayBuffer) v = Buffer.from(new Uint8Array(v));
  if (ArrayBuffer.isView(v)) return { $bin: Buffer.from(v.buffer, v.byteOffset, v.byteLength).toString("hex") };
  if (Array.isArray(v)) return v.map(canon);
  if (v && typeof v === "object") {
    const o = {};
    for (const k of Object.keys(v).sort()) o[k] = canon(v[k]);
    return o;
  }
  return v;
}
const show = (v) => {
  const s = JSON.stringify(canon(v));
  return s.length > 400 ? s.slice(0, 400) + "..." : s;
};
const same = (a, b) => JSON.stringify(canon(a)) === JSON.stringify(canon(b));
function expectSame(what, got, want) {
  if (same(got, want)) return true;
  fail(`${what}: got ${show(got)}, expected ${show(want)}`);
  return false;
}

// ---- connecting ------------------------------------------------------------
function connect(nsp = opt.nsp, extra = {}) {
  const base = { forceNew: true, transports, upgrade: upgradeMode, reconnection: false, ...extra };
  let socket;
  if (opt.v2) {
    // socket.io-client 2.x (EIO3): no auth, no connect_error for middleware refusals ("error").
    delete base.auth;
    socket = require("socket.io-client-v2")(opt.url + nsp, base);
  } else {
    if (opt.parser === "msgpack") base.parser = msgpackParser;
    socket = ioV4(opt.url + nsp, base);
  }
  allSockets.push(socket);
  return socket;
}
const engineOf = (socket) => socket.io.engine;
const transportOf = (socket) => engineOf(socket)?.transport?.name;

// Logs the usual events of the primary socket; a disconnect nobody expects fails the run.
let expectDisconnect = null;
function watch(socket, label = "socket") {
  socket.on("connect", () =>
    out({ event: "connect", socket: label, nsp: socket.nsp, id: socket.id, transport: transportOf(socket),
          recovered: socket.recovered ?? null }));
  socket.on("connect_error", (e) =>
    out({ event: "connect_error", socket: label, message: String(e?.message ?? e), data: e?.data ?? null }));
  socket.on("disconnect", (reason, details) => {
    out({ event: "disconnect", socket: label, reason, ...(details?.description ? { description: String(details.description?.message ?? details.description) } : {}) });
    if (finished) return;
    if (!expectDisconnect) return fail(`unexpected disconnect: ${reason}`);
    expectDisconnect(reason);
  });
  if (opt.v2) socket.on("error", (e) => out({ event: "error", socket: label, message: String(e?.message ?? e), data: e?.data ?? e }));
}

// Resolves with the "hello" the server sends on every connection, checked against this socket.
function hello(socket) {
  return new Promise((resolve) => {
    socket.once("hello", (h) => {
      out({ event: "hello", ...h });
      if (h?.id !== socket.id) return fail(`server socket id ${h?.id} != client socket.id ${socket.id}`);
      if (h?.nsp !== socket.nsp) return fail(`server nsp ${h?.nsp} != ${socket.nsp}`);
      resolve(h);
    });
  });
}

const once = (socket, event) => new Promise((resolve) => socket.once(event, (...args) => resolve(args)));
const emitAck = (socket, event, ...args) => new Promise((resolve) => socket.emit(event, ...args, (...r) => resolve(r)));
const sleep = (ms) => new Promise((r) => setTimeout(r, ms));

// Ends with every socket disconnected by the client (the server sees
// "client namespace disconnect"), after the upgrade when one is expected.
async function closeAndPass(socket) {
  if (upgradeMode && socket && transportOf(socket) !== "websocket") {
    await Promise.race([once(engineOf(socket), "upgrade"), sleep(3000)]);
    if (transportOf(socket) !== "websocket") return fail(`no upgrade happened (transport ${transportOf(socket)})`);
  }
  if (!upgradeMode && socket && transportOf(socket) !== transports[0])
    return fail(`transport is ${transportOf(socket)}, expected ${transports[0]}`);
  if (socket) out({ event: "transport", name: transportOf(socket) });
  expectDisconnect = () => {};
  for (const s of allSockets) s.disconnect();
  finish(0);
}

const AUTH = { token: "abc" };

// ---- scenarios -----------------------------------------------------------------
const scenarios = {
  // Connects to --nsp; the server's hello carries its socket.id (must equal ours), the
  // namespace, and the auth it saw (must be ours).
  async connect() {
    const socket = connect(opt.nsp, { auth: AUTH });
    watch(socket);
    const h = await hello(socket);
    if (!opt.v2 && !expectSame("auth seen by the server", h.auth, AUTH)) return;
    if (h.recovered !== false) return fail(`recovered ${h.recovered} on a first connection`);
    closeAndPass(socket);
  },

  async "invalid-namespace"() {
    const socket = connect("/nope", { auth: AUTH });
    watch(socket);
    socket.on("connect", () => fail("connected to an unknown namespace"));
    const [err] = await once(socket, opt.v2 ? "error" : "connect_error");
    // socket.io-client 2 gets the CONNECT_ERROR payload itself in its "error" event.
    if (opt.v2) {
      if (!expectSame("connect error (v2)", err, { message: "Invalid namespace" })) return;
    } else if (err.message !== "Invalid namespace") return fail(`connect_error message ${show(err.message)}`);
    finish(0);
  },

  async middleware() {
    const socket = connect("/private", { auth: AUTH });
    watch(socket);
    socket.on("connect", () => fail("the middleware let the socket in"));
    const [err] = await once(socket, opt.v2 ? "error" : "connect_error");
    if (opt.v2) {
      // For an EIO3 client the reference sends err.data (or err.message when there is none).
      if (!expectSame("connect error (v2)", err, { code: 42 })) return;
    } else {
      if (err.message !== "not authorized") return fail(`connect_error message ${show(err.message)}`);
      if (!expectSame("connect_error data", err.data, { code: 42 })) return;
    }
    finish(0);
  },

  // Events both ways: JSON, binary at depth with several attachments, and the server's fixed payload.
  async events() {
    const socket = connect(opt.nsp, { auth: AUTH });
    watch(socket);
    await hello(socket);
    for (const [label, args] of [["json", jsonSample()], ["binary", binarySample()]]) {
      const back = once(socket, "echo-back");
      socket.emit("echo", ...args);
      const got = await back;
      if (!expectSame(`echo-back (${label})`, got, args)) return;
      out({ event: "echoed", kind: label, args: args.length });
    }
    const payload = once(socket, "payload");
    socket.emit("please-emit");
    if (!expectSame("server payload", await payload, fixedPayload())) return;
    out({ event: "payload-ok" });
    closeAndPass(socket);
  },

  // Acks both ways, with binary; then a server-side ack timeout (we never answer).
  async acks() {
    const socket = connect(opt.nsp, { auth: AUTH });
    watch(socket);
    await hello(socket);
    for (const [label, args] of [["json", jsonSample()], ["binary", binarySample()]]) {
      const got = await emitAck(socket, "echo", ...args);
      if (!expectSame(`ack of echo (${label})`, got, args)) return;
      out({ event: "acked", kind: label });
    }
    // Server → client with ack: we answer with text and binary.
    const answer = ["answer", Buffer.from([9, 8, 7, 0, 255])];
    socket.once("ask", (...args) => {
      const ack = args.pop();
      out({ event: "ask", args: canon(args) });
      if (!expectSame("ask payload", args, [{ q: "question", bin: Buffer.from([1, 2, 3]) }])) return;
      if (typeof ack !== "function") return fail("ask came without an ack callback");
      ack(...answer);
    });
    const result = once(socket, "ask-result");
    socket.emit("please-ask", "answer");
    const [r] = await result;
    if (!expectSame("ask-result", r, { error: null, args: answer })) return;
    out({ event: "server-ack-ok" });
    // Server → client with a 300 ms timeout that we let expire.
    socket.once("ask", () => out({ event: "ask-ignored" }));
    const timedOut = once(socket, "ask-result");
    socket.emit("please-ask", "timeout");
    const [t] = await timedOut;
    if (!expectSame("ask-result after timeout", t, { error: "operation has timed out", args: [] })) return;
    out({ event: "server-ack-timeout-ok" });
    closeAndPass(socket);
  },

  // 50 sockets (auth {index}), put in "even"/"odd" by the server; socket 0 asks for a fan-out.
  async rooms() {
    const N = 50;
    const got = [];
    const sockets = [];
    for (let i = 0; i < N; i++) {
      const s = connect("/", { auth: { index: i } });
      s.on("connect_error", (e) => fail(`socket ${i}: connect_error ${e.message}`));
      s.on("disconnect", (r) => expectDisconnect || fail(`socket ${i}: disconnect ${r}`));
      got.push({});
      for (const e of ["to-even", "broadcast", "except-even", "to-even-but-me", "fanout-done"])
        s.on(e, () => (got[i][e] = (got[i][e] ?? 0) + 1));
      sockets.push(s);
    }
    await Promise.all(sockets.map((s) => hello(s)));
    out({ event: "all-connected", count: N });
    const done = Promise.all(sockets.map((s) => once(s, "fanout-done")));
    sockets[0].emit("fanout");
    await done;
    await sleep(50); // anything wrongly sent after fanout-done would show up
    const expected = (i) => {
      const even = i % 2 === 0;
      const e = { "fanout-done": 1 };
      if (even) e["to-even"] = 1;
      if (i !== 0) e.broadcast = 1;
      if (!even) e["except-even"] = 1;
      if (even && i !== 0) e["to-even-but-me"] = 1;
      return e;
    };
    const counts = {};
    for (let i = 0; i < N; i++) {
      for (const [k, v] of Object.entries(got[i])) counts[k] = (counts[k] ?? 0) + v;
      if (!expectSame(`events of socket ${i}`, got[i], expected(i))) return;
    }
    out({ event: "fanout", counts });
    closeAndPass(null);
  },

  // Volatile emits are accepted; a normal emit after them arrives.
  async volatile() {
    const socket = connect(opt.nsp, { auth: AUTH });
    watch(socket);
    await hello(socket);
    const vol = [];
    socket.on("vol", (n) => vol.push(n));
    const control = once(socket, "control");
    socket.emit("please-volatile");
    const [c] = await control;
    out({ event: "control", data: c, volatileReceived: vol });
    if (!expectSame("control", c, { namespaceEmit: true, socketEmit: true })) return;
    closeAndPass(socket);
  },

  // emitWithAck to everyone with a timeout: 3 sockets, the third never answers.
  async "broadcast-ack"() {
    const roles = ["answer", "answer", "silent"];
    const sockets = roles.map((role, i) => {
      const s = connect("/", { auth: { role, n: i } });
      watch(s, `socket${i}`);
      s.on("ask-all", (...args) => {
        const ack = args.pop();
        out({ event: "ask-all", socket: i, args: canon(args), answering: role === "answer" });
        if (role === "answer") ack({ from: i });
      });
      return s;
    });
    await Promise.all(sockets.map((s) => hello(s)));
    const result = once(sockets[0], "ask-all-result");
    const asked = Date.now();
    sockets[0].emit("please-ask-all");
    const [r] = await result;
    const ms = Date.now() - asked;
    out({ event: "ask-all-result", ms, ...r });
    if (r?.error !== "operation has timed out") return fail(`error ${show(r?.error)}`);
    const responses = (r.responses ?? []).map((x) => x?.from).sort();
    if (!expectSame("responses", responses, [0, 1])) return;
    if (ms < 400) return fail(`timed out after ${ms} ms, the timeout is 500 ms`);
    closeAndPass(sockets[0]);
  },

  // Connection state recovery: join r1, lose the transport, the server broadcasts meanwhile.
  async recovery() {
    const socket = connect(opt.nsp, { auth: AUTH, reconnection: true, reconnectionDelay: 200, reconnectionDelayMax: 200 });
    watch(socket);
    const first = await hello(socket);
    if (first.recovered !== false) return fail("first connection already recovered");
    const firstId = socket.id;
    await emitAck(socket, "join", "r1");
    const missed = [];
    socket.on("missed", (n) => missed.push(n));
    socket.on("not-for-you", () => fail("got an event broadcast to sockets outside r1"));
    let lost = null;
    expectDisconnect = (reason) => (lost = reason);
    const second = hello(socket);
    // Drop the connection without a DISCONNECT packet, as a network failure would (this is how
    // socket.io's own tests simulate it).
    engineOf(socket).close();
    const h = await second;
    out({ event: "reconnected", lostReason: lost, recovered: socket.recovered, id: socket.id, missed });
    if (lost !== "forced close" && lost !== "transport close") return fail(`disconnect reason ${lost}`);
    if (socket.recovered !== true) return fail("socket.recovered is not true after reconnecting");
    if (h.recovered !== true) return fail("the server says it did not recover the session");
    if (socket.id !== firstId) return fail(`id changed: ${firstId} -> ${socket.id}`);
    await sleep(100);
    if (!expectSame("missed events", missed, [1, 2, 3])) return;
    const [me] = await emitAck(socket, "who-am-i");
    out({ event: "who-am-i", ...me });
    if (!expectSame("who-am-i", me, { id: firstId, recovered: true, rooms: ["r1"] })) return;
    expectDisconnect = null;
    closeAndPass(socket);
  },
};

// Disconnections: [what the client does, the reason the client must see].
// Reasons verified against the Node reference (ref-sio-server.mjs, socket.io 4.8).
const disconnects = {
  "disc-server": [(s) => s.emit("please-disconnect", false), "io server disconnect"],
  "disc-server-close": [(s) => s.emit("please-disconnect", true), "io server disconnect"],
  "disc-conn-close": [(s) => s.emit("please-close-conn"), "transport close"],
  "disc-client": [(s) => s.disconnect(), "io client disconnect"],
  "disc-transport": [(s) => engineOf(s).close(), "forced close"],
  "disc-shutdown": [(s) => s.emit("please-shutdown"), "transport close"],
  "disc-parse-error": [(s) => engineOf(s).send("abc"), "transport close"],
  // Stop answering pings (engine.io-client 6.6: Socket#_onPacket answers a ping through
  // this._sendPacket("pong") and rearms its own timer with this._resetPingTimeout(); both are
  // looked up on the instance). The client-side timer is disabled so the server must act.
  "disc-ping-timeout": [
    (s) => {
      const engine = engineOf(s);
      const sendPacket = engine._sendPacket.bind(engine);
      engine._sendPacket = (type, ...rest) => { if (type !== "pong") sendPacket(type, ...rest); };
      engine._resetPingTimeout = () => engine.clearTimeoutFn(engine._pingTimeoutTimer);
      engine._resetPingTimeout();
      out({ event: "silent" });
    },
    "transport close",
  ],
};
for (const [name, [action, reason]] of Object.entries(disconnects)) {
  scenarios[name] = async () => {
    const socket = connect(opt.nsp, { auth: AUTH });
    watch(socket);
    await hello(socket);
    await sleep(50);
    if (upgradeMode && transportOf(socket) !== "websocket")
      await Promise.race([once(engineOf(socket), "upgrade"), sleep(2000)]);
    const t = Date.now();
    expectDisconnect = (r) => {
      out({ event: "disconnected", reason: r, ms: Date.now() - t });
      if (r !== reason) return fail(`disconnect reason "${r}", expected "${reason}"`);
      finish(0);
    };
    action(socket);
  };
}

if (opt.v2 && opt.parser !== "default") fail("--v2 supports only the default parser");
else if (!scenarios[opt.scenario]) fail(`unknown scenario ${opt.scenario}`);
else scenarios[opt.scenario]().catch((e) => fail(`exception: ${e.stack || e}`));
