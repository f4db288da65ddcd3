// The generator of bench/deflate.py: N raw `ws` clients speaking Engine.IO 4 / Socket.IO 5 by
// hand, each with one JSON-heavy "echo" (acknowledged) in flight, with or without
// permessage-deflate (ws's default offer, threshold 1024 as socket.io-client's).
//   node deflate-client.mjs --url ws://127.0.0.1:PORT --clients 20 --seconds 5 [--deflate]
//                           [--warmup 2]
// Prints {"event":"ready"} once every client is connected (the runner then samples the
// server's CPU), {"event":"measure"} when the measured window starts and, at the end,
// {"event":"done","roundTrips":N,"wireRead":B,"wireWritten":B,"extensions":"..."} with the
// TCP bytes of the measured window only.
import { parseArgs } from "node:util";
import WebSocket from "ws";

const { values: opt } = parseArgs({
  options: {
    url: { type: "string" },
    clients: { type: "string", default: "20" },
    seconds: { type: "string", default: "5" },
    warmup: { type: "string", default: "2" },
    deflate: { type: "boolean", default: false },
  },
});
// About 5 KB of JSON, as an application's state update would be: the same shape every time,
// new numbers in each (a payload repeated byte for byte would compress to nearly nothing with
// context takeover).
let seq = 0;
const event = () => JSON.stringify(["echo", {
  seq: ++seq,
  items: Array.from({ length: 60 }, (_, k) => ({
    id: k, name: `item-${k}`, price: Math.round(Math.random() * 1e6) / 100,
    stock: Math.floor(Math.random() * 1000), tags: ["red", "large"], inStock: k % 3 !== 0,
  })),
}]);
const text = event();

let measuring = false;
let roundTrips = 0;
const sockets = [];
function client() {
  return new Promise((resolve, reject) => {
    const ws = new WebSocket(`${opt.url}/socket.io/?EIO=4&transport=websocket`, {
      perMessageDeflate: opt.deflate ? { threshold: 1024 } : false,
    });
    let id = 0;
    const send = () => ws.send(`42${++id}${event()}`);
    ws.on("message", (data) => {
      const m = data.toString();
      if (m.startsWith("0")) ws.send("40");
      else if (m.startsWith("40")) { sockets.push(ws); resolve(); }
      else if (m === "2") ws.send("3");
      else if (m.startsWith(`43${id}[`)) {
        if (measuring) ++roundTrips;
        if (!stopped) send();
      }
    });
    ws.on("error", reject);
    ws.start = send;
  });
}
let stopped = false;
await Promise.all(Array.from({ length: Number(opt.clients) }, client));
console.log(JSON.stringify({ event: "ready" }));
for (const ws of sockets) ws.start();
await new Promise((r) => setTimeout(r, Number(opt.warmup) * 1000));
const bytes = () => sockets.reduce((a, ws) => [a[0] + ws._socket.bytesRead, a[1] + ws._socket.bytesWritten], [0, 0]);
const before = bytes();
measuring = true;
console.log(JSON.stringify({ event: "measure" }));
await new Promise((r) => setTimeout(r, Number(opt.seconds) * 1000));
measuring = false;
const after = bytes();
console.log(JSON.stringify({ event: "end" }));
stopped = true;
console.log(JSON.stringify({
  event: "done", roundTrips, wireRead: after[0] - before[0], wireWritten: after[1] - before[1],
  extensions: sockets[0].extensions, messageBytes: text.length + 3,
}));
for (const ws of sockets) ws.terminate();
process.exit(0);
