// The Node socket.io 4.8 reference server for the benchmarks, with the same handlers as
// bench/servers/qt: every socket joins "room"; "echo" and "echo-bin" acknowledge with their
// arguments; "bcast" sends "news" with its arguments to "room".
//
// usage: node server.mjs [--port N] [--ws-engine ws|eiows]
// prints {"port":N,"wsEngine":"ws",...} once listening.
import { createServer } from "node:http";
import { createRequire } from "node:module";
import { Server } from "socket.io";

const args = process.argv.slice(2);
const arg = (name, fallback) => {
  const i = args.indexOf(name);
  return i >= 0 && i + 1 < args.length ? args[i + 1] : fallback;
};
const port = Number(arg("--port", "0"));
const wsEngineName = arg("--ws-engine", "ws");

const options = {};
if (wsEngineName !== "ws") {
  // Only when installed: `npm install eiows` needs Node's sources and fails here.
  options.wsEngine = createRequire(import.meta.url)(wsEngineName).Server;
}

const httpServer = createServer();
const io = new Server(httpServer, options);

const echo = (...args) => {
  const ack = args.pop();
  if (typeof ack === "function") ack(...args);
};

io.on("connection", (socket) => {
  socket.join("room");
  socket.on("echo", echo);
  socket.on("echo-bin", echo);
  socket.on("bcast", (...args) => io.to("room").emit("news", ...args));
});

httpServer.listen(port, "127.0.0.1", () => {
  const { version } = createRequire(import.meta.url)("socket.io/package.json");
  console.log(
    JSON.stringify({
      port: httpServer.address().port,
      server: "node",
      socketio: version,
      wsEngine: wsEngineName,
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
