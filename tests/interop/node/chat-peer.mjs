// One user of the chat example (examples/chat) through the official socket.io-client, for the
// chat tests:
//   node chat-peer.mjs --url http://localhost:PORT --name NAME [--room ROOM]
// Logs in (and switches to ROOM), then prints {"event":"ready","args":[reply]}, and every event
// it receives as {"event":NAME,"args":[...]}, one JSON object a line. Reads commands on stdin,
// one JSON object a line: {"emit":"new message","args":["hi"],"ack":true} emits, and with "ack"
// prints {"event":"ack","for":"new message","args":[reply]}. Exits when stdin closes.
import { createInterface } from "node:readline";
import { parseArgs } from "node:util";
import { io } from "socket.io-client";

const { values: opt } = parseArgs({
  options: {
    url: { type: "string", default: "http://localhost:3000" },
    name: { type: "string", default: "node" },
    room: { type: "string", default: "" },
  },
});
const out = (obj) => process.stdout.write(JSON.stringify(obj) + "\n");
const fail = (why) => {
  out({ event: "fail", why });
  process.exit(1);
};

const socket = io(opt.url, { forceNew: true, reconnection: false });
socket.onAny((event, ...args) => out({ event, args }));
socket.on("connect_error", (e) => fail(`connect_error: ${e.message}`));
socket.on("disconnect", (reason) => out({ event: "disconnect", args: [reason] }));
socket.once("connect", async () => {
  let reply = await socket.emitWithAck("login", opt.name);
  if (reply.error) fail(`login: ${reply.error}`);
  if (opt.room && opt.room !== reply.room) reply = await socket.emitWithAck("switch room", opt.room);
  out({ event: "ready", args: [reply] });
});

createInterface({ input: process.stdin })
  .on("line", async (line) => {
    const { emit, args = [], ack = false } = JSON.parse(line);
    if (!ack) return socket.emit(emit, ...args);
    out({ event: "ack", for: emit, args: [await socket.emitWithAck(emit, ...args)] });
  })
  .on("close", () => {
    socket.close();
    setTimeout(() => process.exit(0), 100);
  });
