// Node socket.io 4.8 server for the Qt CLIENT's interop test (tests/interop/tst_client_interop.cpp).
//   node sio-server.mjs [JSON config]
//   config: {"port":0, "path":"/socket.io", "cors":true, "recovery":false, "parser":"default"|"msgpack",
//            "eio3":false, "tls":{"cert":FILE,"key":FILE}, "pingInterval":N, "pingTimeout":N,
//            "perMessageDeflate":false|true|{...}}
//   - listens on 127.0.0.1 (port 0 unless given: a restart on the same port); http or https
//   - stdout: {"port":N} first, then one JSON line per server-side observation, "event" first:
//     http {method,url,headers}   every HTTP request / upgrade request the server receives
//     connection {nsp,id,query,headers,auth,url,transport,recovered,extensions}
//     upgrade {id,transport,extensions}  the engine session was upgraded
//                                 (extensions: the WebSocket's agreed extensions, "" for none)
//     event {id,name,args}        an incoming event (binary as {"$bin":hex}, an ack callback as "$ack")
//     ask-result {id,error,args}  the client's answer to "ask"
//     disconnect {id,reason}
//     ws-frame {binary,head}      a WebSocket frame from the client
//     ws-raw {opcode,rsv1,length} a data frame from the client as it came on the wire
//   - exits on SIGTERM / SIGINT (io.close(), then exit)
// Handlers: "echo" acks its arguments (and emits "echo-back" with them) · "please-emit" emits
// "payload" (nested binary) · "please-ask" emits "ask" with a 2 s ack timeout, then "ask-result"
// {error, args} · "kill-me" closes the connection (socket.conn.close()); with recovery, every
// disconnection then broadcasts "missed" 1, 2, 3 while the client is away · "black-hole": no ack.
// Middleware on "/": auth.token == "bad" is refused with Error("not authorized"), data {code:42}.
import fs from "node:fs";
import http from "node:http";
import https from "node:https";
import { Server } from "socket.io";
import msgpackParser from "socket.io-msgpack-parser";

const config = JSON.parse(process.argv[2] || "{}");
const out = (obj) => process.stdout.write(JSON.stringify(obj) + "\n");

function canon(v) {
  if (v instanceof ArrayBuffer) v = Buffer.from(new Uint8Array(v));
  if (ArrayBuffer.isView(v)) return { $bin: Buffer.from(v.buffer, v.byteOffset, v.byteLength).toString("hex") };
  if (typeof v === "function") return "$ack";
  if (Array.isArray(v)) return v.map(canon);
  if (v && typeof v === "object") {
    const o = {};
    for (const k of Object.keys(v).sort()) o[k] = canon(v[k]);
    return o;
  }
  return v;
}

const httpServer = config.tls
  ? https.createServer({ cert: fs.readFileSync(config.tls.cert), key: fs.readFileSync(config.tls.key) })
  : http.createServer();

const io = new Server(httpServer, {
  path: config.path ?? "/socket.io",
  pingInterval: config.pingInterval ?? 25000,
  pingTimeout: config.pingTimeout ?? 20000,
  allowEIO3: !!config.eio3,
  ...(config.cors ? { cors: { origin: true, credentials: true } } : {}),
  ...(config.parser === "msgpack" ? { parser: msgpackParser } : {}),
  ...(config.recovery ? { connectionStateRecovery: { maxDisconnectionDuration: 60000 } } : {}),
  ...(config.perMessageDeflate !== undefined ? { perMessageDeflate: config.perMessageDeflate } : {}),
});

// After the attach: engine.io takes over the "request" listeners it finds.
const logRequest = (req) => out({ event: "http", method: req.method, url: req.url, headers: req.headers });
httpServer.prependListener("request", logRequest);
httpServer.prependListener("upgrade", logRequest);

// Client-to-server WebSocket frames: binary or text (forceBase64 sends binary as base64 text).
// The raw data frames (their headers) as they arrive, RSV1 (compressed) included.
const watchRaw = (tcp) => {
  let pending = Buffer.alloc(0);
  tcp.on("data", (chunk) => {
    pending = Buffer.concat([pending, chunk]);
    for (;;) {
      if (pending.length < 2) return;
      const opcode = pending[0] & 0x0f;
      let length = pending[1] & 0x7f;
      let offset = 2;
      if (length === 126) {
        if (pending.length < 4) return;
        length = pending.readUInt16BE(2);
        offset = 4;
      } else if (length === 127) {
        if (pending.length < 10) return;
        length = Number(pending.readBigUInt64BE(2));
        offset = 10;
      }
      if (pending[1] & 0x80) offset += 4;
      if (pending.length < offset + length) return;
      if (opcode < 8) out({ event: "ws-raw", opcode, rsv1: !!(pending[0] & 0x40), length });
      pending = pending.subarray(offset + length);
    }
  });
};
const extensionsOf = (transport) => (transport.name === "websocket" && transport.socket ? transport.socket.extensions : "");
const watchFrames = (transport) => {
  if (transport.name === "websocket" && transport.socket) {
    transport.socket.on("message", (data, isBinary) =>
      out({ event: "ws-frame", binary: isBinary, head: isBinary ? "" : data.toString().slice(0, 16) }));
    if (transport.socket._socket) watchRaw(transport.socket._socket);
  }
};
io.engine.on("connection", (conn) => {
  watchFrames(conn.transport);
  conn.on("upgrade", watchFrames);
});

io.use((socket, next) => {
  if (socket.handshake.auth?.token === "bad") {
    const err = new Error("not authorized");
    err.data = { code: 42 };
    next(err);
    return;
  }
  next();
});

io.on("connection", (socket) => {
  const { query, headers, auth, url } = socket.handshake;
  out({
    event: "connection", nsp: socket.nsp.name, id: socket.id, query, headers, auth, url,
    transport: socket.conn.transport.name, recovered: socket.recovered,
    extensions: extensionsOf(socket.conn.transport),
  });
  socket.conn.on("upgrade", (transport) =>
    out({ event: "upgrade", id: socket.id, transport: transport.name, extensions: extensionsOf(transport) }));
  socket.onAny((name, ...args) => out({ event: "event", id: socket.id, name, args: canon(args) }));
  socket.on("disconnect", (reason) => {
    out({ event: "disconnect", id: socket.id, reason });
    if (config.recovery) {
      // While the client is away: a recovered session gets these in order.
      io.emit("missed", 1);
      io.emit("missed", 2);
      io.emit("missed", 3);
    }
  });
  // Through the adapter, so that with recovery the client learns an offset.
  io.to(socket.id).emit("hello", { id: socket.id, recovered: socket.recovered });

  socket.on("echo", (...a) => {
    const ack = typeof a[a.length - 1] === "function" ? a.pop() : null;
    socket.emit("echo-back", ...a);
    ack?.(...a);
  });
  socket.on("please-emit", () =>
    socket.emit("payload", { n: 1, nested: { bin: Buffer.from([0, 1, 2, 255]), list: [Buffer.from("abc"), "x"] } },
      Buffer.alloc(0), Buffer.from([7])));
  socket.on("please-ask", () => {
    socket.timeout(2000).emit("ask", { q: "question", bin: Buffer.from([1, 2, 3]) }, (err, ...answer) => {
      const result = { error: err ? err.message : null, args: err ? [] : answer };
      out({ event: "ask-result", id: socket.id, error: result.error, args: canon(result.args) });
      socket.emit("ask-result", result);
    });
  });
  socket.on("kill-me", () => socket.conn.close());
});

httpServer.listen(config.port ?? 0, "127.0.0.1", () => out({ port: httpServer.address().port }));
const stop = () => {
  io.close(() => process.exit(0));
  setTimeout(() => process.exit(0), 500);
};
process.on("SIGTERM", stop);
process.on("SIGINT", stop);
