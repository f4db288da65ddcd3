// Reference Socket.IO server (Node socket.io 4.8), used only to self-check sio-client.mjs. It
// offers the same contract as the C++ test's server (README.md, "Socket.IO server contract"):
//   node ref-sio-server.mjs [--eio3] [--recovery] [--parser msgpack]
//   - listens on 127.0.0.1, port 0, path /socket.io/; pingInterval 300, pingTimeout 200
//   - stdout: {"port":N} first, then one line per server-side happening:
//     {"event":"server-connection",...} {"event":"server-disconnect","id":...,"reason":...}
//   - exits on SIGTERM / SIGINT, and after io.close() ("please-shutdown")
import http from "node:http";
import { Server } from "socket.io";
import msgpackParser from "socket.io-msgpack-parser";
import { fixedPayload } from "./sio-payloads.mjs";

const args = process.argv.slice(2);
const flag = (name) => args.includes(name);
const parserName = args.includes("--parser") ? args[args.indexOf("--parser") + 1] : "default";
const out = (obj) => process.stdout.write(JSON.stringify(obj) + "\n");

const httpServer = http.createServer();
const io = new Server(httpServer, {
  pingInterval: 300,
  pingTimeout: 200,
  allowEIO3: flag("--eio3"),
  ...(parserName === "msgpack" ? { parser: msgpackParser } : {}),
  ...(flag("--recovery") ? { connectionStateRecovery: {} } : {}),
});

function onConnection(socket) {
  const nsp = socket.nsp;
  const auth = socket.handshake.auth;
  out({ event: "server-connection", nsp: nsp.name, id: socket.id, recovered: socket.recovered, auth });
  if (typeof auth?.index === "number") socket.join(auth.index % 2 === 0 ? "even" : "odd");
  if (typeof auth?.room === "string") socket.join(auth.room);
  socket.on("error", (e) => out({ event: "server-error", id: socket.id, message: String(e?.message ?? e) }));
  socket.on("disconnect", (reason, description) => {
    out({ event: "server-disconnect", nsp: nsp.name, id: socket.id, reason });
    if (flag("--recovery") && reason === "transport close") {
      // Broadcasts while the client is away: a recovered r1 member gets 1, 2, 3 in order.
      nsp.emit("missed", 1);
      nsp.to("r1").emit("missed", 2);
      nsp.except("r1").emit("not-for-you");
      nsp.emit("missed", 3);
    }
  });
  socket.emit("hello", { id: socket.id, nsp: nsp.name, auth, recovered: socket.recovered });

  socket.on("echo", (...a) => {
    const ack = typeof a[a.length - 1] === "function" ? a.pop() : null;
    socket.emit("echo-back", ...a);
    ack?.(...a);
  });
  socket.on("please-emit", () => socket.emit("payload", ...fixedPayload()));
  socket.on("please-ask", (mode) => {
    socket.timeout(mode === "timeout" ? 300 : 5000).emit(
      "ask", { q: "question", bin: Buffer.from([1, 2, 3]) },
      (err, ...answer) => {
        const result = { error: err ? err.message : null, args: err ? [] : answer };
        out({ event: "server-ask-result", id: socket.id, error: result.error });
        socket.emit("ask-result", result);
      });
  });
  socket.on("please-ask-all", () => {
    nsp.timeout(500).emit("ask-all", {}, (err, responses) => {
      out({ event: "server-ask-all-result", error: err ? err.message : null, responses });
      socket.emit("ask-all-result", { error: err ? err.message : null, responses });
    });
  });
  socket.on("fanout", () => {
    nsp.to("even").emit("to-even");
    socket.broadcast.emit("broadcast");
    nsp.except("even").emit("except-even");
    socket.to("even").emit("to-even-but-me");
    nsp.emit("fanout-done");
  });
  socket.on("please-volatile", () => {
    const namespaceEmit = nsp.volatile.emit("vol", 1);
    const socketEmit = socket.volatile.emit("vol", 2);
    socket.emit("control", { namespaceEmit, socketEmit });
  });
  socket.on("join", (room, ack) => {
    socket.join(room);
    ack?.();
  });
  socket.on("who-am-i", (ack) =>
    ack({ id: socket.id, recovered: socket.recovered, rooms: [...socket.rooms].filter((r) => r !== socket.id).sort() }));
  socket.on("please-disconnect", (close) => socket.disconnect(close === true));
  socket.on("please-close-conn", () => socket.conn.close());
  socket.on("please-shutdown", () => io.close(() => setTimeout(() => process.exit(0), 100)));
}

io.on("connection", onConnection);
io.of("/custom").on("connection", onConnection);
io.of(/^\/dyn-\d+$/).on("connection", onConnection);
io.of("/private").use((socket, next) => {
  const err = new Error("not authorized");
  err.data = { code: 42 };
  next(err);
});
io.of("/private").on("connection", onConnection);

httpServer.listen(0, "127.0.0.1", () => out({ port: httpServer.address().port }));
const stop = () => {
  io.close();
  process.exit(0);
};
process.on("SIGTERM", stop);
process.on("SIGINT", stop);
