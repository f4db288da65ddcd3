// The Node socket.io 4.8 reference server for the benchmarks, with the same handlers as
// bench/servers/qt: every socket joins "room"; "echo" and "echo-bin" acknowledge with their
// arguments; "bcast" sends "news" with its arguments to "room".
//
// usage: node server.mjs [--port N] [--ws-engine ws|eiows] [--redis HOST:PORT]
//                        [--per-message-deflate]
// prints {"port":N,"wsEngine":"ws",...} once listening. With --redis the server joins a cluster
// through @socket.io/redis-adapter 8.3 (bench/redis.py), once its Redis clients are connected.
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
const redis = arg("--redis", "");

const options = {};
if (args.includes("--per-message-deflate")) options.perMessageDeflate = true; // threshold 1024
if (wsEngineName !== "ws") {
  // Only when installed: `npm install eiows` needs Node's sources and fails here.
  options.wsEngine = createRequire(import.meta.url)(wsEngineName).Server;
}

let redisClients = [];
if (redis) {
  const { createAdapter } = await import("@socket.io/redis-adapter");
  const { createClient } = await import("redis");
  const pub = createClient({ url: `redis://${redis}` });
  const sub = pub.duplicate();
  // Redis stopping first at the end of a run is no reason to crash.
  for (const client of [pub, sub]) client.on("error", (e) => console.error(`redis: ${e.message}`));
  await Promise.all([pub.connect(), sub.connect()]);
  options.adapter = createAdapter(pub, sub);
  redisClients = [pub, sub];
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

const requireHere = createRequire(import.meta.url);
httpServer.listen(port, "127.0.0.1", () => {
  const { version } = createRequire(import.meta.url)("socket.io/package.json");
  console.log(
    JSON.stringify({
      port: httpServer.address().port,
      server: "node",
      socketio: version,
      wsEngine: wsEngineName,
      perMessageDeflate: !!options.perMessageDeflate,
      ...(redis ? { adapter: "redis", redisAdapter: requireHere("@socket.io/redis-adapter/package.json").version } : {}),
      node: process.version,
    }),
  );
});

const stop = async () => {
  io.close();
  await Promise.allSettled(redisClients.map((c) => c.quit()));
  process.exit(0);
};
process.on("SIGTERM", stop);
process.on("SIGINT", stop);
