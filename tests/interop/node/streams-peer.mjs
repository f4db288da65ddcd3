// The Node half of the mixed Redis streams cluster test (tests/interop/redis): a socket.io 4.8
// server with @socket.io/redis-streams-adapter 0.3.1 and connection state recovery, on the
// Redis at --redis-port, and one socket.io-client of its own (auth {rooms}). Prints one JSON
// object per line: {"event":"listening","port"}, {"event":"connected","id"} for its client,
// what its client receives as {"event":"received","name","args"} (binary as {"$bin":hex}),
// {"event":"clientDisconnected","reason"}, and the results of the commands it reads on stdin,
// one JSON object a line ("rooms" selects io.to(rooms), everyone when absent):
//   {"cmd":"emit","event","args","rooms"?}         -> io.to(rooms).emit(event, ...args)
//   {"cmd":"fetch","rooms"?}                       -> {"event":"fetched","sockets":[{id,rooms,data}]}
//   {"cmd":"sse","event","args"}                   -> {"event":"sseAck","error"?,"responses"}
//   {"cmd":"emitWithAck","event","args","timeout"} -> {"event":"acks","error"?,"responses"}
//   {"cmd":"join"|"leave","room","rooms"?}         -> socketsJoin/socketsLeave, then {"event":"done"}
//   {"cmd":"disconnect","rooms"?}                  -> disconnectSockets(), then {"event":"done"}
//   {"cmd":"rooms"}                                -> {"event":"rooms","rooms"} of its client's socket
//   {"cmd":"count"}                                -> {"event":"count","servers"}
//   {"cmd":"recoverStart"}   a second client, "r", connects here ({"event":"rStarted"}) and
//                            prints {"event":"rReady","id"} once it holds an offset (a "news")
//   {"cmd":"recoverDrop"}    r's transport closes; the server saves its session in Redis, then
//                            {"event":"rDropped","reason"}
//   {"cmd":"recoverOn","port"} r reconnects to the server at port, resuming its session, and
//                            prints {"event":"rConnected","id","recovered","news":[...]}
// Server-side events "ping" are answered with "pong-from-node"; its client answers "question"
// with "node-client".
import { parseArgs } from "node:util";
import { createInterface } from "node:readline";
import { createServer } from "node:http";
import { Server } from "socket.io";
import { io as connect } from "socket.io-client";
import { createAdapter } from "@socket.io/redis-streams-adapter";
import { createClient } from "redis";

const { values: opt } = parseArgs({
  options: {
    "redis-port": { type: "string" },
    rooms: { type: "string", default: "" },
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

const redis = createClient({ url: `redis://127.0.0.1:${opt["redis-port"]}` });
await redis.connect();

const http = createServer();
const io = new Server(http, {
  adapter: createAdapter(redis),
  connectionStateRecovery: { maxDisconnectionDuration: 60000 },
});
io.on("connection", (socket) => {
  if (!socket.recovered) {
    socket.join(socket.handshake.auth.rooms ?? []);
    socket.data = { node: "node" };
  }
});
io.on("ping", (...args) => args[args.length - 1]("pong-from-node"));

let client;
let port;
http.listen(0, "127.0.0.1", () => {
  port = http.address().port;
  out({ event: "listening", port });
  const rooms = opt.rooms ? opt.rooms.split(",") : [];
  client = connect(`http://127.0.0.1:${port}`, {
    transports: ["websocket"],
    reconnection: false,
    auth: { rooms },
  });
  client.on("connect", () => out({ event: "connected", id: client.id }));
  client.on("disconnect", (reason) => out({ event: "clientDisconnected", reason }));
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

const run = async (cmd) => {
  const target = cmd.rooms?.length ? io.to(cmd.rooms) : io;
  switch (cmd.cmd) {
    case "emit":
      target.emit(cmd.event, ...(cmd.args ?? []).map((a) => (a?.$bin ? Buffer.from(a.$bin, "hex") : a)));
      return;
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
      out({ event: "done", cmd: cmd.cmd });
      return;
    case "leave":
      target.socketsLeave(cmd.room);
      out({ event: "done", cmd: cmd.cmd });
      return;
    case "disconnect":
      target.disconnectSockets();
      out({ event: "done", cmd: cmd.cmd });
      return;
    case "rooms":
      out({ event: "rooms", rooms: [...(io.of("/").sockets.get(client.id)?.rooms ?? [])] });
      return;
    case "count":
      out({ event: "count", servers: await io.of("/").adapter.serverCount() });
      return;
    case "recoverStart":
      recoverStart();
      return;
    case "recoverDrop": {
      // Reported once Redis has the session: it was SET before "disconnect", on this client.
      io.of("/").sockets.get(r.id).once("disconnect", async (reason) => {
        await redis.ping();
        out({ event: "rDropped", reason });
      });
      r.io.engine.close();
      return;
    }
    case "recoverOn":
      recoverOn(cmd.port);
      return;
  }
};
const lines = createInterface({ input: process.stdin });
lines.on("line", (line) => run(JSON.parse(line)).catch((e) => out({ event: "error", message: String(e) })));
lines.on("close", async () => {
  io.close();
  await redis.quit().catch(() => {});
  process.exit(0);
});
