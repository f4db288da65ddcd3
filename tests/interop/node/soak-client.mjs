// Soak and fault load for tst_soak: many socket.io-client connections in one process.
//   node soak-client.mjs --url http://127.0.0.1:PORT --mode acks|restart|recover
//        [--clients 1000] [--seconds 20] [--window 2] [--polling-share 0.1]
// acks:    every client keeps --window acked "work" events in flight for --seconds, then waits
//          for every ack. Pass: no ack lost, none twice, none with the wrong value.
// restart: as acks, with socket.io-client's retries (at-least-once); the server is restarted
//          meanwhile. Pass: every client reconnected, and every event was acked exactly once;
//          with --expect-recovery, every reconnection also recovered the client's id.
// recover: every client drops its connection once at a random moment and reconnects; the
//          server emits "tick" n to everyone every few ms. Pass: every client recovered its id,
//          and saw every tick from its first one on, in order, with no gap and no repeat. One
//          exception, as in the reference: a reconnection that reaches the server before it
//          has seen the old connection close finds no saved session. The auth of every
//          reconnection names the previous id; the server answers "raced" when that socket was
//          still connected, and such a client counts as raced, not as a failure.
// Prints one JSON object per line; the last is {"event":"pass",...} (exit 0) or
// {"event":"fail",...} (exit 1). Also prints {"event":"ready"} once every client is connected.
import { parseArgs } from "node:util";
import { io } from "socket.io-client";

const { values: opt } = parseArgs({
  options: {
    url: { type: "string" },
    mode: { type: "string", default: "acks" },
    clients: { type: "string", default: "1000" },
    seconds: { type: "string", default: "20" },
    window: { type: "string", default: "2" },
    "polling-share": { type: "string", default: "0.1" },
    "expect-recovery": { type: "boolean", default: false },
  },
});
const clients = Number(opt.clients);
const seconds = Number(opt.seconds);
const windowSize = Number(opt.window);
const pollingShare = Number(opt["polling-share"]);
const out = (o) => process.stdout.write(JSON.stringify(o) + "\n");
const totals = { sent: 0, acked: 0, duplicated: 0, mismatched: 0, connects: 0, recovered: 0,
                 raced: 0 };
const problems = [];
const problem = (why) => {
  if (problems.length < 20) problems.push(why);
};
let stopping = false;
let done = false;

function finish() {
  if (done) return;
  done = true;
  if (opt.mode === "restart") {
    states.forEach((s, i) => {
      if (s.connects < 2) {
        const e = s.socket.io.engine;
        problem(`client ${i} connected ${s.connects} times: connected=${s.socket.connected} ` +
                `manager=${s.socket.io._readyState} engine=${e && e.readyState} ` +
                `transport=${e && e.transport && e.transport.name} inFlight=${s.inFlight}`);
      }
    });
  }
  states.forEach((s, i) => {
    if (s.unrecovered) problem(`client ${i} not recovered, and the server had seen it leave`);
  });
  const lost = totals.sent - totals.acked;
  const ok = problems.length === 0 && lost === 0 && totals.duplicated === 0 &&
             totals.mismatched === 0;
  out({ event: ok ? "pass" : "fail", mode: opt.mode, clients, lost, ...totals, problems });
  for (const s of sockets) s.disconnect();
  setTimeout(() => process.exit(ok ? 0 : 1), 200);
}
process.on("uncaughtException", (e) => {
  problem(`exception: ${e.stack || e}`);
  finish();
});

const sockets = [];
let ready = 0;
let drained = 0;

function makeClient(index) {
  const polling = index < clients * pollingShare;
  const socket = io(opt.url, {
    forceNew: true,
    transports: polling ? ["polling"] : ["polling", "websocket"],
    reconnectionDelay: 100,
    reconnectionDelayMax: 500,
    auth: (cb) => cb(state.lastId ? { previous: state.lastId } : {}),
    ...(opt.mode === "restart" ? { retries: 1000, ackTimeout: 3000 } : {}),
  });
  sockets.push(socket);
  const state = { seq: 0, inFlight: 0, acked: new Set(), firstId: null, nextTick: null,
                  dropped: false, drained: false, connects: 0, socket, lastId: null,
                  unrecovered: false };

  // Every ACK packet the client receives: one whose id it is not waiting for is a duplicate.
  const onack = socket.onack.bind(socket);
  socket.onack = (packet) => {
    if (!(packet.id in socket.acks)) totals.duplicated++;
    onack(packet);
  };

  const pump = () => {
    while (!stopping && state.inFlight < windowSize) {
      const seq = ++state.seq;
      state.inFlight++;
      totals.sent++;
      const onReply = (...args) => {
        // With retries the first argument is the error (null here: retries never give up).
        const value = opt.mode === "restart" ? args[1] : args[0];
        if (opt.mode === "restart" && args[0]) problem(`client ${index} seq ${seq}: ${args[0]}`);
        state.inFlight--;
        if (state.acked.has(seq)) totals.duplicated++;
        state.acked.add(seq);
        totals.acked++;
        if (!value || value.c !== index || value.seq !== seq) totals.mismatched++;
        if (stopping && state.inFlight === 0 && !state.drained) {
          state.drained = true;
          if (++drained === clients) finish();
        }
        pump();
      };
      socket.emit("work", { c: index, seq }, onReply);
    }
  };

  socket.on("connect", () => {
    totals.connects++;
    state.connects++;
    if (state.firstId === null) {
      state.firstId = socket.id;
      if (++ready === clients) start();
    } else if (opt.mode === "recover") {
      if (socket.recovered && socket.id === state.firstId) {
        totals.recovered++;
      } else {
        // A new session: its ticks start afresh. Failed unless "raced" follows.
        state.unrecovered = true;
        state.nextTick = null;
      }
    } else if (opt["expect-recovery"]) {
      if (!socket.recovered || socket.id !== state.firstId)
        problem(`client ${index} not recovered (recovered=${socket.recovered})`);
      else totals.recovered++;
    }
    state.lastId = socket.id;
    if (opt.mode !== "recover" && started) pump();
  });
  socket.on("connect_error", (e) => {
    if (!started) problem(`client ${index} connect_error: ${e.message}`);
  });
  socket.on("raced", () => {
    if (!state.unrecovered) return problem(`client ${index}: "raced" without a new session`);
    state.unrecovered = false;
    totals.raced++;
  });
  socket.on("tick", (n) => {
    if (state.nextTick !== null && n !== state.nextTick) {
      problem(`client ${index}: tick ${n} where ${state.nextTick} was due`);
      totals.mismatched++;
    }
    state.nextTick = n + 1;
  });
  state.dropLater = () => {
    // An abrupt loss of the connection: the server sees "transport close".
    const drop = () => {
      state.dropped = true;
      socket.io.engine.close();
    };
    setTimeout(() => {
      // Recovery resumes from the offset of the last broadcast received; a client that has
      // received none yet sends no offset and gets a new session (the reference's rule).
      if (state.nextTick !== null) drop();
      else socket.once("tick", () => setTimeout(drop));
    }, Math.random() * seconds * 1000 * 0.8);
  };
  state.pump = pump;
  return state;
}

let started = false;
const states = [];
function start() {
  started = true;
  out({ event: "ready", clients });
  if (opt.mode === "recover") {
    for (const s of states) s.dropLater();
    setTimeout(() => {
      stopping = true;
      // The drops are over by now; give the last reconnections a moment.
      const check = setInterval(() => {
        if (totals.recovered + totals.raced >= clients) {
          clearInterval(check);
          finish();
        }
      }, 100);
      setTimeout(() => {
        problem(`only ${totals.recovered} of ${clients} clients recovered ` +
                `(${totals.raced} raced)`);
        finish();
      }, 10000);
    }, seconds * 1000);
    return;
  }
  for (const s of states) s.pump();
  setTimeout(() => {
    stopping = true;
    out({ event: "stopping", sent: totals.sent, acked: totals.acked });
    for (const s of states) {
      if (s.inFlight === 0 && !s.drained) {
        s.drained = true;
        if (++drained === clients) finish();
      }
    }
    setTimeout(() => {
      problem(`acks still missing 30 s after the load stopped`);
      finish();
    }, 30000);
  }, seconds * 1000);
}

// Connect in batches, as a fleet of devices would, not all in one tick.
let created = 0;
const batch = setInterval(() => {
  for (let i = 0; i < 50 && created < clients; ++i) states.push(makeClient(created++));
  if (created >= clients) clearInterval(batch);
}, 10);
setTimeout(() => {
  if (!started) {
    problem(`only ${ready} of ${clients} clients connected in 60 s`);
    finish();
  }
}, 60000);
