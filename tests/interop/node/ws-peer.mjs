// WebSocket-level interop peer (tst_websocket_interop): what Node's `ws` and socket.io-client see
// of our WebSocket handshake.
//   node ws-peer.mjs --url http://127.0.0.1:PORT --mode MODE [--eio 3|4] [--protocols a,b]
//                    [--deflate] [--count 20] [--timeout 10000]
// Modes:
//   await-open  raw `ws` to /socket.io/?EIO=<eio>&transport=websocket, as the official
//               Engine.IO test suite does it: await the 'open' event, only then listen for
//               messages; the first message (the open packet) must arrive. --count connections.
//   sio         socket.io-client over WebSocket only, with --protocols and, with --deflate,
//               its default permessage-deflate offer (threshold 1024); JSON-heavy "echo"
//               events with acks must come back equal. Reports the subprotocol, the
//               extensions and the bytes read.
// Prints one JSON object per line; the last is {"event":"pass",...} (exit 0) or
// {"event":"fail","why":...} (exit 1).
import { parseArgs } from "node:util";
import WebSocket from "ws";
import { io } from "socket.io-client";

const { values: opt } = parseArgs({
  options: {
    url: { type: "string", default: "http://127.0.0.1:3000" },
    mode: { type: "string", default: "await-open" },
    eio: { type: "string", default: "4" },
    protocols: { type: "string", default: "" },
    deflate: { type: "boolean", default: false },
    survey: { type: "boolean", default: false }, // await-open: count the misses, do not stop
    count: { type: "string", default: "20" },
    timeout: { type: "string", default: "10000" },
  },
});
const protocols = opt.protocols.split(",").filter(Boolean);
let finished = false;
const out = (obj) => finished || process.stdout.write(JSON.stringify(obj) + "\n");
function finish(code, why, extra = {}) {
  if (finished) return;
  out(code === 0 ? { event: "pass", ...extra } : { event: "fail", why });
  finished = true;
  setTimeout(() => process.exit(code), 100);
}
const fail = (why) => finish(1, why);
setTimeout(() => fail(`global timeout after ${opt.timeout} ms`), Number(opt.timeout));
process.on("uncaughtException", (e) => fail(`exception: ${e.stack || e}`));

async function awaitOpenOnce(i) {
  const url = opt.url.replace(/^http/, "ws") + `/socket.io/?EIO=${opt.eio}&transport=websocket`;
  const ws = new WebSocket(url, { perMessageDeflate: false });
  await new Promise((resolve, reject) => {
    ws.once("open", resolve);
    ws.once("error", reject);
  });
  // The pattern of the Engine.IO test suite: the listener comes after the 'open' event.
  const first = await new Promise((resolve, reject) => {
    const timer = setTimeout(() => {
      ws.terminate();
      reject(new Error(`connection ${i}: no message after open`));
    }, opt.survey ? 200 : 2000);
    ws.once("message", (data) => {
      clearTimeout(timer);
      resolve(data.toString());
    });
  });
  ws.close();
  return first;
}

const json = (i) => ({
  i,
  items: Array.from({ length: 400 }, (_, k) => ({ id: k, name: `item-${k}`, tags: ["a", "b"], on: k % 2 === 0 })),
});

const canon = (v) => JSON.stringify(v, (k, x) =>
  x && typeof x === "object" && !Array.isArray(x)
    ? Object.fromEntries(Object.keys(x).sort().map((key) => [key, x[key]])) : x);

async function sio() {
  const socket = io(opt.url, {
    transports: ["websocket"],
    protocols: protocols.length ? protocols : undefined,
    perMessageDeflate: opt.deflate ? { threshold: 1024 } : false,
    reconnection: false,
  });
  await new Promise((resolve, reject) => {
    socket.once("connect", resolve);
    socket.once("connect_error", (e) => reject(new Error(`connect_error: ${e.message}`)));
  });
  const ws = socket.io.engine.transport.ws;
  for (let i = 0; i < 10; ++i) {
    const sent = i % 2 ? json(i) : { small: i };
    const back = await socket.timeout(5000).emitWithAck("echo", sent);
    // The server's objects come back with their keys sorted (QVariantMap).
    if (canon(back) !== canon(sent)) throw new Error(`echo ${i} differs: ${canon(back).slice(0, 200)}`);
  }
  const result = {
    protocol: ws.protocol,
    extensions: ws.extensions,
    bytesRead: ws._socket.bytesRead,
    bytesWritten: ws._socket.bytesWritten,
    jsonBytes: JSON.stringify(json(1)).length * 5,
  };
  socket.disconnect();
  return result;
}

try {
  if (opt.mode === "await-open") {
    const count = Number(opt.count);
    let missed = 0;
    for (let i = 0; i < count; ++i) {
      try {
        const first = await awaitOpenOnce(i);
        if (!first.startsWith("0{")) throw new Error(`connection ${i}: first message ${first}`);
      } catch (e) {
        ++missed;
        if (!opt.survey) throw e;
        if (missed <= 3) out({ event: "missed", why: e.message });
      }
    }
    finish(0, "", { connections: count, missed });
  } else if (opt.mode === "sio") {
    finish(0, "", await sio());
  } else {
    fail(`unknown mode ${opt.mode}`);
  }
} catch (e) {
  fail(e.message);
}
