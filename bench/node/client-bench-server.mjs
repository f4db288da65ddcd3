// The server of the client benchmark (bench/client.py): Node socket.io 4.8, default `ws`
// engine, serving the Qt client (socketio-bench-client) and the Node one (client-bench.mjs)
// alike.
//
// - "stream" {count, size, chunk}: sends `count` "tick" events {i, s} (`s`: `size` characters)
//   in chunks of `chunk`; the last tick of a chunk asks for an acknowledgement, and a chunk is
//   sent only when the one two chunks before it was acknowledged. So at most two chunks are in
//   flight and each client is measured at the rate it takes the events, not at the rate the
//   server can queue them. "stop" ends the stream after the chunk in flight. The "stream"
//   event's own acknowledgement comes once the whole stream was acknowledged (or stopped).
// - "echo": acknowledges with its arguments.
//
// usage: node client-bench-server.mjs [--port N]
// prints {"port":N,"server":"node",...} once listening.
import { createServer } from "node:http";
import { createRequire } from "node:module";
import { Server } from "socket.io";

const args = process.argv.slice(2);
const arg = (name, fallback) => {
  const i = args.indexOf(name);
  return i >= 0 && i + 1 < args.length ? args[i + 1] : fallback;
};
const port = Number(arg("--port", "0"));

const httpServer = createServer();
const io = new Server(httpServer, { maxHttpBufferSize: 1e8 });

io.on("connection", (socket) => {
  let stream = null; // the stream in progress on this socket

  socket.on("echo", (...args) => {
    const ack = args.pop();
    if (typeof ack === "function") ack(...args);
  });

  socket.on("stream", (options, done) => {
    const count = Math.max(0, Number(options?.count) || 0);
    const chunk = Math.max(1, Number(options?.chunk) || 100);
    const s = "x".repeat(Math.max(0, Number(options?.size) || 0));
    const state = { sent: 0, acked: 0, stopped: false };
    stream = state;
    const finish = () => {
      if (stream === state) stream = null;
      if (typeof done === "function") done({ sent: state.sent });
    };
    const sendChunk = () => {
      const end = Math.min(count, state.sent + chunk);
      while (state.sent < end - 1) socket.emit("tick", { i: state.sent++, s });
      if (state.sent < end) {
        socket.emit("tick", { i: state.sent++, s }, () => {
          state.acked = end;
          if (!state.stopped && state.sent < count) sendChunk();
          else if (state.acked >= state.sent) finish();
        });
      }
    };
    if (count === 0) return finish();
    sendChunk();
    if (state.sent < count) sendChunk(); // two chunks in flight
  });

  socket.on("stop", () => {
    if (stream) stream.stopped = true;
  });
});

httpServer.listen(port, "127.0.0.1", () => {
  const { version } = createRequire(import.meta.url)("socket.io/package.json");
  console.log(
    JSON.stringify({
      port: httpServer.address().port,
      server: "node",
      socketio: version,
      wsEngine: "ws",
      node: process.version,
    }),
  );
});

const stop = () => {
  io.close();
  process.exit(0);
};
process.on("SIGTERM", stop);
process.on("SIGINT", stop);
