// An Admin UI stand-in: connects to an instrumented server's admin namespace the way the
// official UI (@socket.io/admin-ui 0.5.1, ui/src/App.vue) does, records every event it
// receives, and sends the commands it is given.
//   node admin-client.mjs --url http://127.0.0.1:PORT [--nsp /admin] [--path /socket.io]
//        [--transports polling,websocket] [--auth '{"username":"u","password":"p"}']
//        [--duration 3000] [--command '["join","/","room9","<socket id>"]' ...]
//        [--command-delay 300]
// Prints one JSON object per line: {"event":"connect"} or {"event":"connect_error",...},
// then {"event":<name>,"args":[...],"t":<ms since start>} for each event, {"event":"sent",
// "command":[...]} for each command, and {"event":"done"} after --duration ms. Binary values
// are printed as {"$bin": hex}.
import { parseArgs } from "node:util";
import { io } from "socket.io-client";

const { values: opt } = parseArgs({
  options: {
    url: { type: "string", default: "http://127.0.0.1:3000" },
    nsp: { type: "string", default: "/admin" },
    path: { type: "string", default: "/socket.io" },
    transports: { type: "string", default: "polling,websocket" },
    auth: { type: "string" },
    duration: { type: "string", default: "3000" },
    command: { type: "string", multiple: true, default: [] },
    "command-delay": { type: "string", default: "300" },
  },
});
const t0 = Date.now();
const out = (obj) => process.stdout.write(JSON.stringify(obj) + "\n");

function canon(v) {
  if (v instanceof ArrayBuffer) v = Buffer.from(new Uint8Array(v));
  if (ArrayBuffer.isView(v)) return { $bin: Buffer.from(v.buffer, v.byteOffset, v.byteLength).toString("hex") };
  if (Array.isArray(v)) return v.map(canon);
  if (v && typeof v === "object") return Object.fromEntries(Object.entries(v).map(([k, x]) => [k, canon(x)]));
  return v;
}

const socket = io(opt.url + opt.nsp, {
  forceNew: true,
  reconnection: false,
  withCredentials: true,
  path: opt.path,
  transports: opt.transports.split(",").map((s) => s.trim()).filter(Boolean),
  auth: opt.auth ? JSON.parse(opt.auth) : undefined,
});

const finish = (code) => {
  out({ event: "done", t: Date.now() - t0 });
  socket.close();
  setTimeout(() => process.exit(code), 100);
};

// As the UI: listeners from "connect" on (events before the CONNECT ack would be lost).
socket.once("connect", () => {
  out({ event: "connect", id: socket.id, transport: socket.io.engine.transport.name, t: Date.now() - t0 });
  socket.onAny((event, ...args) => out({ event, args: canon(args), t: Date.now() - t0 }));
  const commands = opt.command.map((c) => JSON.parse(c));
  const delay = Number(opt["command-delay"]);
  commands.forEach((command, i) => {
    setTimeout(() => {
      socket.emit(...command);
      out({ event: "sent", command, t: Date.now() - t0 });
    }, delay * (i + 1));
  });
  setTimeout(() => finish(0), Number(opt.duration));
});
socket.on("connect_error", (err) => {
  out({ event: "connect_error", message: err.message, t: Date.now() - t0 });
  finish(0);
});
socket.on("disconnect", (reason) => out({ event: "disconnect", reason, t: Date.now() - t0 }));
