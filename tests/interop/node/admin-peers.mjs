// Ordinary socket.io-client clients for the admin tests: --count clients connect to --url
// (namespace --nsp), print {"event":"connected","index":i,"id":...}, print what they receive
// as {"event":"received","index":i,"name":...,"args":[...]} and their disconnections, and
// emit what they read on stdin: a line `<index> ["event", ...args]`.
import { parseArgs } from "node:util";
import { createInterface } from "node:readline";
import { io } from "socket.io-client";

const { values: opt } = parseArgs({
  options: {
    url: { type: "string", default: "http://127.0.0.1:3000" },
    nsp: { type: "string", default: "/" },
    count: { type: "string", default: "2" },
    transports: { type: "string", default: "polling,websocket" },
  },
});
const out = (obj) => process.stdout.write(JSON.stringify(obj) + "\n");
const transports = opt.transports.split(",").map((s) => s.trim()).filter(Boolean);
const sockets = [];
for (let i = 0; i < Number(opt.count); ++i) {
  const socket = io(opt.url + opt.nsp, { forceNew: true, reconnection: false, transports });
  socket.io.on("open", () => {
    socket.io.engine.on("upgrade", (t) => out({ event: "upgraded", index: i, transport: t.name }));
  });
  socket.on("connect", () => {
    out({ event: "connected", index: i, id: socket.id, transport: socket.io.engine.transport.name });
  });
  socket.onAny((name, ...args) => out({ event: "received", index: i, name, args }));
  socket.on("disconnect", (reason) => out({ event: "disconnected", index: i, reason }));
  sockets.push(socket);
}
const lines = createInterface({ input: process.stdin });
lines.on("line", (line) => {
  const space = line.indexOf(" ");
  if (space < 0) return;
  const socket = sockets[Number(line.slice(0, space))];
  socket?.emit(...JSON.parse(line.slice(space + 1)));
});
// Stdin closed: the clients close their connections, then the process exits.
lines.on("close", () => {
  for (const socket of sockets) socket.close();
  setTimeout(() => process.exit(0), 100);
});
