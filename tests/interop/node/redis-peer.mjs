// The Node half of the mixed Redis cluster tests (tests/interop/redis): a socket.io 4.8 server
// on the Redis at --redis-port with @socket.io/redis-adapter 8.3 (--adapter classic, the
// default), its createShardedAdapter (--adapter sharded, with --subscription-mode) or
// @socket.io/redis-streams-adapter 0.3.1 with connection state recovery (--adapter streams),
// and one socket.io-client of its own (auth {rooms}). Prints one JSON object per line:
// {"event":"listening","port"}, {"event":"connected","id"} for its client, what its client
// receives as {"event":"received","name","args"} (binary as {"$bin":hex}), its client's
// disconnection as {"event":"disconnected","reason"}, and the results of the commands it reads
// on stdin, one JSON object a line ("rooms" selects io.to(rooms), everyone when absent):
//   {"cmd":"emit","event","args","rooms"?}       -> io.to(rooms).emit(event, ...args)
//   {"cmd":"fetch","rooms"?}                     -> {"event":"fetched","sockets":[{id,rooms,data}]}
//   {"cmd":"sse","event","args"}                 -> {"event":"sseAck","error"?,"responses"}
//   {"cmd":"emitWithAck","event","args","timeout"} -> {"event":"acks","error"?,"responses"}
//   {"cmd":"count"}                              -> {"event":"count","servers"}
//   {"cmd":"emitter","key"?,"nsp"?,"chain"?,"op","event"?,"args"?,"rooms"?,"close"?}
//       -> @socket.io/redis-emitter 5.1 on this peer's Redis client: new Emitter(pub, {key})
//          .of(nsp), then each [name, arg?] of chain applied in order ("to", "except",
//          "volatile", "compress"), then op: "emit" (event, args), "socketsJoin"/"socketsLeave"
//          (rooms), "disconnectSockets" (close) or "serverSideEmit" (event, args; on the
//          emitter, as the reference has it); then {"event":"emitted"}
//   {"cmd":"join"|"leave","rooms"?,"room"}       -> io.in(rooms).socketsJoin/socketsLeave(room)
//   {"cmd":"disconnect","rooms"?,"close"?}       -> io.in(rooms).disconnectSockets(close ?? true)
//   {"cmd":"rooms","id"}                         -> {"event":"rooms","rooms"} of a local socket
// With --adapter streams, a second client "r" moves its session to another server:
//   {"cmd":"recoverStart"}   r connects here ({"event":"rStarted"}) and prints
//                            {"event":"rReady","id"} once it holds an offset (a "news")
//   {"cmd":"recoverDrop"}    r's transport closes; the server saves its session in Redis, then
//                            {"event":"rDropped","reason"}
//   {"cmd":"recoverOn","port"} r reconnects to the server at port, resuming its session, and
//                            prints {"event":"rConnected","id","recovered","news":[...]}
// --cluster: --redis-port is a seed node of a Redis Cluster (node-redis createCluster).
// Server-side events "ping" are answered with "pong-from-node"; its client answers "question"
// with "node-client".
import { parseArgs } from "node:util";
import { createInterface } from "node:readline";
import { createServer } from "node:http";
import { Server } from "socket.io";
import { io as connect } from "socket.io-client";
import { createAdapter, createShardedAdapter } from "@socket.io/redis-adapter";
import { createAdapter as createStreamsAdapter } from "@socket.io/redis-streams-adapter";
import { Emitter } from "@socket.io/redis-emitter";
import { createClient, createCluster } from "redis";

const { values: opt } = parseArgs({
  options: {
    "redis-port": { type: "string" },
    rooms: { type: "string", default: "" },
    adapter: { type: "string", default: "classic" },
    "subscription-mode": { type: "string", default: "dynamic" },
    cluster: { type: "boolean", default: false },
  },
});
const out = (obj) => process.stdout.write(JSON.stringify(obj) + "\n");
const plain = (value) => {
  if (Buffer.isBuffer(value)) return { $bin: value.toString("hex") };
  if (value instanceof ArrayBuffer) return { $bin: Buffer.from(value).toString("hex") };
  if (Array.isArray(value)) return value.map(plain);
  if (value && typeof value === "object")
    return Object.fromEntries(Object.entries(value).map(([k, v]) => [k, plain(v)]));
  return value;
};

const url = `redis://127.0.0.1:${opt["redis-port"]}`;
const pub = opt.cluster ? createCluster({ rootNodes: [{ url }] }) : createClient({ url });
const sub = pub.duplicate();
await Promise.all([pub.connect(), sub.connect()]);

const http = createServer();
const streams = opt.adapter === "streams";
const adapter = streams
  ? createStreamsAdapter(pub)
  : opt.adapter === "sharded"
    ? createShardedAdapter(pub, sub, { subscriptionMode: opt["subscription-mode"] })
    : createAdapter(pub, sub, { requestsTimeout: 3000 });
const io = new Server(http, {
  adapter,
  ...(streams ? { connectionStateRecovery: { maxDisconnectionDuration: 60000 } } : {}),
});
io.on("connection", (socket) => {
  if (socket.recovered) return; // rooms and data came back with the session
  socket.join(socket.handshake.auth.rooms ?? []);
  socket.data = { node: "node" };
});
io.on("ping", (...args) => args[args.length - 1]("pong-from-node"));

let port;
http.listen(0, "127.0.0.1", () => {
  port = http.address().port;
  out({ event: "listening", port });
  const rooms = opt.rooms ? opt.rooms.split(",") : [];
  const client = connect(`http://127.0.0.1:${port}`, {
    transports: ["websocket"],
    reconnection: false,
    auth: { rooms },
  });
  client.on("connect", () => out({ event: "connected", id: client.id }));
  client.on("disconnect", (reason) => out({ event: "disconnected", reason }));
  client.onAny((name, ...args) => {
    const last = args[args.length - 1];
    if (typeof last === "function") {
      args.pop();
      last("node-client");
    }
    out({ event: "received", name, args: plain(args) });
  });
});

// The recovering client: its news, and its session (pid, last offset) carried to a new
// connection elsewhere, as its Manager would do against a load balancer.
let r;
const rNews = [];
const recoverStart = () => {
  r = connect(`http://127.0.0.1:${port}`, { transports: ["websocket"], reconnection: false, forceNew: true });
  r.once("connect", () => out({ event: "rStarted", id: r.id }));
  r.on("news", (...args) => {
    rNews.push(args[0]);
    if (args[0] === "before") out({ event: "rReady", id: r.id });
  });
};
const recoverOn = (target) => {
  const next = connect(`http://127.0.0.1:${target}`, {
    transports: ["websocket"],
    reconnection: false,
    autoConnect: false,
    forceNew: true,
  });
  next._pid = r._pid;
  next._lastOffset = r._lastOffset;
  next.on("news", (...args) => rNews.push(args[0]));
  // The missed packets, buffered until the CONNECT, are handled before "connect".
  next.on("connect", () => out({ event: "rConnected", id: next.id, recovered: next.recovered, news: rNews }));
  next.connect();
  r = next;
};

const binary = (value) => {
  if (value && typeof value === "object" && typeof value.$bin === "string") return Buffer.from(value.$bin, "hex");
  if (Array.isArray(value)) return value.map(binary);
  if (value && typeof value === "object")
    return Object.fromEntries(Object.entries(value).map(([k, v]) => [k, binary(v)]));
  return value;
};

const run = async (cmd) => {
  const target = cmd.rooms?.length ? io.to(cmd.rooms) : io;
  switch (cmd.cmd) {
    case "emit":
      target.emit(cmd.event, ...(cmd.args ?? []).map((a) => (a?.$bin ? Buffer.from(a.$bin, "hex") : a)));
      return;
    case "emitter": {
      let emitter = new Emitter(pub, cmd.key ? { key: cmd.key } : undefined);
      if (cmd.nsp !== undefined) emitter = emitter.of(cmd.nsp);
      let op = emitter;
      for (const [name, arg] of cmd.chain ?? []) op = name === "volatile" ? op.volatile : op[name](arg);
      const args = binary(cmd.args ?? []);
      if (cmd.op === "emit") op.emit(cmd.event, ...args);
      else if (cmd.op === "socketsJoin") op.socketsJoin(cmd.rooms);
      else if (cmd.op === "socketsLeave") op.socketsLeave(cmd.rooms);
      else if (cmd.op === "disconnectSockets") op.disconnectSockets(cmd.close);
      else if (cmd.op === "serverSideEmit") emitter.serverSideEmit(cmd.event, ...args);
      out({ event: "emitted" });
      return;
    }
    case "fetch": {
      const sockets = await target.fetchSockets();
      out({
        event: "fetched",
        sockets: sockets.map((s) => ({ id: s.id, rooms: [...s.rooms], data: s.data, address: s.handshake.address })),
      });
      return;
    }
    case "sse":
      try {
        out({ event: "sseAck", responses: await io.serverSideEmitWithAck(cmd.event, ...(cmd.args ?? [])) });
      } catch (e) {
        out({ event: "sseAck", error: String(e) });
      }
      return;
    case "emitWithAck":
      try {
        out({ event: "acks", responses: await io.timeout(cmd.timeout).emitWithAck(cmd.event, ...(cmd.args ?? [])) });
      } catch (e) {
        out({ event: "acks", error: String(e) });
      }
      return;
    case "join":
      target.socketsJoin(cmd.room);
      return;
    case "leave":
      target.socketsLeave(cmd.room);
      return;
    case "disconnect":
      target.disconnectSockets(cmd.close ?? true);
      return;
    case "rooms":
      out({ event: "rooms", rooms: [...(io.of("/").adapter.sids.get(cmd.id) ?? [])] });
      return;
    case "count":
      out({ event: "count", servers: await io.of("/").adapter.serverCount() });
      return;
    case "recoverStart":
      recoverStart();
      return;
    case "recoverDrop":
      // Reported once Redis has the session: it was SET before "disconnect", on this client.
      io.of("/").sockets.get(r.id).once("disconnect", async (reason) => {
        await pub.ping();
        out({ event: "rDropped", reason });
      });
      r.io.engine.close();
      return;
    case "recoverOn":
      recoverOn(cmd.port);
      return;
  }
};
const lines = createInterface({ input: process.stdin });
lines.on("line", (line) => run(JSON.parse(line)).catch((e) => out({ event: "error", message: String(e) })));
lines.on("close", async () => {
  io.close();
  await Promise.allSettled([pub.quit(), sub.quit()]);
  process.exit(0);
});
