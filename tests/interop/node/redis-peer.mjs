// The Node half of the mixed Redis cluster test (tests/interop/redis): a socket.io 4.8 server
// with @socket.io/redis-adapter 8.3 on the Redis at --redis-port, and one socket.io-client of
// its own (auth {rooms}). Prints one JSON object per line: {"event":"listening","port"},
// {"event":"connected","id"} for its client, what its client receives as
// {"event":"received","name","args"} (binary as {"$bin":hex}), and the results of the commands
// it reads on stdin, one JSON object a line:
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
//   {"cmd":"disconnect","rooms"?}                -> io.in(rooms).disconnectSockets(true)
//   {"cmd":"rooms","id"}                         -> {"event":"rooms","rooms"} of a local socket
// Its client's disconnection prints {"event":"disconnected","reason"}.
// --adapter sharded uses createShardedAdapter (with --subscription-mode) instead.
// --cluster: --redis-port is a seed node of a Redis Cluster (node-redis createCluster).
// Server-side events "ping" are answered with "pong-from-node"; its client answers "question"
// with "node-client".
import { parseArgs } from "node:util";
import { createInterface } from "node:readline";
import { createServer } from "node:http";
import { Server } from "socket.io";
import { io as connect } from "socket.io-client";
import { createAdapter, createShardedAdapter } from "@socket.io/redis-adapter";
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
const adapter =
  opt.adapter === "sharded"
    ? createShardedAdapter(pub, sub, { subscriptionMode: opt["subscription-mode"] })
    : createAdapter(pub, sub, { requestsTimeout: 3000 });
const io = new Server(http, { adapter });
io.on("connection", (socket) => {
  socket.join(socket.handshake.auth.rooms ?? []);
  socket.data = { node: "node" };
});
io.on("ping", (...args) => args[args.length - 1]("pong-from-node"));

http.listen(0, "127.0.0.1", () => {
  const port = http.address().port;
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
      target.disconnectSockets(true);
      return;
    case "rooms":
      out({ event: "rooms", rooms: [...(io.of("/").adapter.sids.get(cmd.id) ?? [])] });
      return;
    case "count":
      out({ event: "count", servers: await io.of("/").adapter.serverCount() });
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
