// Node's own instrumented server (socket.io 4.8 + @socket.io/admin-ui 0.5.1), the reference the
// Admin UI tests compare ours with, and a peer the Inspector is tested against.
//   node admin-server.mjs [--mode development|production] [--readonly]
//        [--username U --password-hash BCRYPT] [--server-id ID] [--namespace /admin]
//        [--clients N] [--nsp /chat]
//   - listens on 127.0.0.1, port 0, path /socket.io/; every namespace is allowed
//   - with --clients N, N socket.io-client sockets connect to --nsp (default "/"), the even ones
//     on polling only, the odd ones upgrading to WebSocket; each client i joins room "room-<i%3>"
//     and emits "hello" i once connected; the server echoes "hello" back to the sender
//   - stdout: {"event":"listening","port":N}, then {"event":"ready","clients":N} once every
//     client is connected; per command a {"event":"done","command":...} line
//   - stdin, one command per line: "connect N" more clients, "disconnect" the last client,
//     "quit" (also SIGTERM) to stop
import http from "node:http";
import readline from "node:readline";
import { parseArgs } from "node:util";
import { Server } from "socket.io";
import { io as connect } from "socket.io-client";
import { instrument } from "@socket.io/admin-ui";

const { values: opt } = parseArgs({
  options: {
    mode: { type: "string", default: "development" },
    readonly: { type: "boolean", default: false },
    username: { type: "string" },
    "password-hash": { type: "string" },
    "server-id": { type: "string" },
    namespace: { type: "string", default: "/admin" },
    clients: { type: "string", default: "0" },
    nsp: { type: "string", default: "/" },
  },
});
const out = (o) => process.stdout.write(JSON.stringify(o) + "\n");

const httpServer = http.createServer();
const io = new Server(httpServer, { cors: { origin: true, credentials: true } });
io.of(/.*/).on("connection", (socket) => {
  socket.on("hello", (...args) => socket.emit("hello", ...args));
});
instrument(io, {
  namespaceName: opt.namespace,
  mode: opt.mode,
  readonly: opt.readonly,
  ...(opt["server-id"] ? { serverId: opt["server-id"] } : {}),
  auth: opt.username ? { type: "basic", username: opt.username, password: opt["password-hash"] }
                     : false,
});

const clients = [];
let port = 0;
function addClients(count, onReady) {
  let pending = count;
  if (pending === 0) return onReady();
  for (let n = 0; n < count; ++n) {
    const i = clients.length;
    const socket = connect(`http://127.0.0.1:${port}${opt.nsp}`, {
      forceNew: true,
      transports: i % 2 === 0 ? ["polling"] : ["polling", "websocket"],
      query: { index: String(i) },
    });
    clients.push(socket);
    socket.once("connect", () => {
      socket.emit("hello", i);
      if (--pending === 0) onReady();
    });
  }
}
// Rooms are joined server-side, as an application would.
io.of(opt.nsp).on("connection", (socket) => {
  const index = Number(socket.handshake.query.index);
  if (Number.isInteger(index)) socket.join(`room-${index % 3}`);
});

httpServer.listen(0, "127.0.0.1", () => {
  port = httpServer.address().port;
  out({ event: "listening", port });
  const initial = Number(opt.clients);
  if (initial > 0) addClients(initial, () => out({ event: "ready", clients: clients.length }));
});

const stop = () => {
  for (const c of clients) c.disconnect();
  io.close();
  process.exit(0);
};
readline.createInterface({ input: process.stdin }).on("line", (line) => {
  const [command, arg] = line.trim().split(/\s+/);
  if (command === "connect") {
    addClients(Number(arg || 1), () => out({ event: "done", command, clients: clients.length }));
  } else if (command === "disconnect") {
    const socket = clients.pop();
    if (socket) socket.disconnect();
    out({ event: "done", command, clients: clients.length });
  } else if (command === "quit") {
    stop();
  }
});
process.on("SIGTERM", stop);
process.on("SIGINT", stop);
