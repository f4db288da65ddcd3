// The modern side of tst_legacy09_interop's shared room: socket.io-client 4 in "/chat" joins
// the room a socket.io-client 0.9 peer is in, and each hears the other's broadcast.
//   node legacy09-room-peer.mjs --url http://127.0.0.1:PORT [--name modern]
// Prints one JSON object per line; the last is {"event":"pass"} or {"event":"fail",...}.
import { parseArgs } from "node:util";
import { io } from "socket.io-client";

const { values: opt } = parseArgs({
  options: {
    url: { type: "string", default: "http://127.0.0.1:3000" },
    name: { type: "string", default: "modern" },
    timeout: { type: "string", default: "20000" },
  },
});
const out = (obj) => process.stdout.write(JSON.stringify(obj) + "\n");
const finish = (code, why) => {
  out(code === 0 ? { event: "pass" } : { event: "fail", why });
  setTimeout(() => process.exit(code), 200);
};
setTimeout(() => finish(1, "timeout"), Number(opt.timeout));

const chat = io(`${opt.url}/chat`, { forceNew: true, reconnection: false });
chat.on("connect_error", (e) => finish(1, `connect_error: ${e.message}`));
// The ack of "join" may come after the broadcast it made possible (over polling while the
// broadcast takes the new WebSocket): "pass" waits for both.
let joined;
const join = new Promise((resolve) => (joined = resolve));
chat.on("connect", async () => {
  out({ event: "connect" });
  await chat.emitWithAck("join", "shared");
  out({ event: "joined" });
  joined();
});
chat.on("go", () => chat.emit("shout", opt.name, "from v4"));
chat.on("shouted", (from, text) => {
  if (from === opt.name) return;
  out({ event: "heard", value: [from, text] });
  if (text !== "from 0.9") return finish(1, `heard ${text}`);
  join.then(() => {
    chat.disconnect();
    finish(0);
  });
});
