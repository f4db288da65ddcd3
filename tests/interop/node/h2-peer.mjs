// HTTP/2 interop peer (tst_http2_interop): Node's own http2 client and socket.io-client against
// a Server listening on TLS with HTTP/2 (HttpLimits::setHttp2()). Certificates are not checked
// (a throwaway self-signed one).
//   node h2-peer.mjs --url https://127.0.0.1:PORT --mode MODE [--timeout 10000]
// Modes:
//   polling   http2.connect(): Engine.IO v4 polling over h2 streams of one connection: the
//             handshake, a Socket.IO connect ("40"), a held GET while a POST on another stream
//             is answered "ok" (the echo then completes the GET), and a ping answered by a pong.
//             With --hold, it waits for a line on stdin once connected.
//   sio       socket.io-client over https (it polls over HTTP/1.1 in Node) with the WebSocket
//             upgrade: an "echo" with ack before and after the upgrade.
//   http1     an HTTPS request that offers only --alpn (default "http/1.1"; "": no ALPN at
//             all): reports how it ended.
//   stalled   a POST whose body never ends gets 408 (requestTimeout); a GET follows on the
//             same connection.
//   garbage   a TLS connection that chooses "h2" and sends a broken preface: reports that the
//             server closed it.
// Prints one JSON object per line; the last is {"event":"pass",...} (exit 0) or
// {"event":"fail","why":...} (exit 1).
import { parseArgs } from "node:util";
import http2 from "node:http2";
import https from "node:https";
import tls from "node:tls";
import { io } from "socket.io-client";

const { values: opt } = parseArgs({
  options: {
    url: { type: "string", default: "https://127.0.0.1:3000" },
    mode: { type: "string", default: "polling" },
    timeout: { type: "string", default: "10000" },
    hold: { type: "boolean", default: false }, // polling: wait for a stdin line once connected
    alpn: { type: "string", default: "http/1.1" }, // http1: the ALPN offer, "" for none
  },
});
let finished = false;
const out = (obj) => finished || process.stdout.write(JSON.stringify(obj) + "\n");
function finish(code, why, extra = {}) {
  if (finished) return;
  out(code === 0 ? { event: "pass", ...extra } : { event: "fail", why });
  finished = true;
  setTimeout(() => process.exit(code), 50);
}
const fail = (why) => finish(1, String(why));
setTimeout(() => fail("timed out"), Number(opt.timeout)).unref();
const url = new URL(opt.url);

// One request on its own stream of `session`; resolves with status and body.
function request(session, method, path, body) {
  return new Promise((resolve, reject) => {
    const headers = { ":method": method, ":path": path };
    if (body !== undefined) headers["content-type"] = "text/plain;charset=UTF-8";
    const stream = session.request(headers, { endStream: body === undefined });
    let status = 0;
    const chunks = [];
    stream.on("response", (h) => (status = h[":status"]));
    stream.on("data", (c) => chunks.push(c));
    stream.on("end", () => resolve({ status, body: Buffer.concat(chunks).toString() }));
    stream.on("error", reject);
    if (body !== undefined) stream.end(body);
  });
}

async function polling() {
  const session = http2.connect(url, { rejectUnauthorized: false });
  session.on("error", (e) => fail("session error: " + e.message));
  await new Promise((resolve) => session.once("connect", resolve));
  out({ event: "alpn", protocol: session.alpnProtocol });
  if (session.alpnProtocol !== "h2") return fail("ALPN chose " + session.alpnProtocol);
  const base = "/socket.io/?EIO=4&transport=polling";
  const open = await request(session, "GET", base);
  if (open.status !== 200 || !open.body.startsWith("0{")) return fail("handshake: " + open.body);
  const handshake = JSON.parse(open.body.slice(1));
  out({ event: "open", sid: handshake.sid, upgrades: handshake.upgrades });
  const path = `${base}&sid=${handshake.sid}`;
  const connect = await request(session, "POST", path, "40");
  if (connect.body !== "ok") return fail("POST 40: " + connect.body);
  const connected = await request(session, "GET", path);
  if (!connected.body.startsWith("40{")) return fail("connect: " + connected.body);
  out({ event: "connected", packet: connected.body });
  if (opt.hold) {
    // Goes on once the driver writes a line (another client's turn came in between).
    await new Promise((resolve) => process.stdin.once("data", resolve));
    process.stdin.pause();
  }

  // A GET held open on one stream while POSTs on others are answered: the first carries an
  // event the server does not answer, the second one it echoes into the held GET. (Node
  // sends the GET's HEADERS first: the requests go out in the order they are made.) A ping
  // may come first at any time: it is answered and the GET made again.
  let pings = 0;
  const poll = async () => {
    for (;;) {
      const r = await request(session, "GET", path);
      const packets = r.body.split("\x1e");
      const others = packets.filter((p) => p !== "2");
      pings += packets.length - others.length;
      if (packets.length !== others.length) {
        const pong = await request(session, "POST", path, "3");
        if (pong.body !== "ok") throw new Error("pong: " + pong.body);
      }
      if (others.length) return others;
    }
  };
  let getDone = false;
  const held = poll().then((r) => ((getDone = true), r));
  const post = await request(session, "POST", path, '42["note","unanswered"]');
  out({ event: "post", status: post.status, body: post.body, getPendingMeanwhile: !getDone });
  if (post.body !== "ok") return fail("POST: " + post.body);
  if (getDone) return fail("the held GET was answered before the POST");
  const echo = await request(session, "POST", path, '42["echo","over h2"]');
  if (echo.body !== "ok") return fail("POST echo: " + echo.body);
  const echoed = await held;
  out({ event: "echo", packets: echoed });
  if (echoed.join() !== '42["echo","over h2"]') return fail("echo: " + echoed);

  // The server's heartbeat (every pingInterval), answered.
  const ping = await request(session, "GET", path);
  out({ event: "ping", body: ping.body, earlier: pings });
  if (ping.body !== "2") return fail("expected a ping, got " + ping.body);
  const pong = await request(session, "POST", path, "3");
  if (pong.body !== "ok") return fail("pong: " + pong.body);
  const close = await request(session, "POST", path, "1");
  if (close.body !== "ok") return fail("close: " + close.body);
  session.close();
  finish(0, "", { sid: handshake.sid });
}

async function sio() {
  const socket = io(opt.url, { rejectUnauthorized: false, transports: ["polling", "websocket"] });
  socket.on("connect_error", (e) => fail("connect_error: " + e.message));
  await new Promise((resolve) => socket.once("connect", resolve));
  const first = await socket.timeout(5000).emitWithAck("echo", "before");
  out({ event: "echo", transport: socket.io.engine.transport.name, reply: first });
  if (socket.io.engine.transport.name !== "websocket")
    await new Promise((resolve) => socket.io.engine.once("upgrade", resolve));
  const second = await socket.timeout(5000).emitWithAck("echo", "after");
  out({ event: "echo", transport: socket.io.engine.transport.name, reply: second });
  socket.close();
  finish(0, "", { transport: "websocket", replies: [first, second] });
}

function http1() {
  const req = https.get(
    { host: url.hostname, port: url.port, path: "/socket.io/?EIO=4&transport=polling",
      rejectUnauthorized: false, agent: false,
      ...(opt.alpn ? { ALPNProtocols: [opt.alpn] } : {}) },
    (res) => {
      let body = "";
      res.on("data", (c) => (body += c));
      res.on("end", () => finish(0, "", { outcome: "answered", status: res.statusCode, body }));
    });
  req.on("error", (e) => finish(0, "", { outcome: "refused", error: e.code || e.message }));
}

function garbage() {
  const socket = tls.connect({ host: url.hostname, port: Number(url.port),
                               rejectUnauthorized: false, ALPNProtocols: ["h2"] });
  let received = 0;
  socket.on("secureConnect", () => {
    out({ event: "alpn", protocol: socket.alpnProtocol });
    socket.write("GET / HTTP/1.1\r\nHost: x\r\n\r\nnot an HTTP/2 connection preface at all\r\n");
  });
  socket.on("data", (c) => (received += c.length));
  socket.on("error", () => {});
  socket.on("close", () => finish(0, "", { outcome: "closed", received }));
}

// A POST whose body never ends: the server answers 408 after its requestTimeout, and the
// connection serves the next request.
async function stalled() {
  const session = http2.connect(url, { rejectUnauthorized: false });
  session.on("error", (e) => fail("session error: " + e.message));
  const stream = session.request(
    { ":method": "POST", ":path": "/socket.io/?EIO=4&transport=polling" }, { endStream: false });
  stream.on("error", () => {});
  stream.write("4");
  const status = await new Promise((resolve) => stream.on("response", (h) => resolve(h[":status"])));
  out({ event: "stalled", status });
  if (status !== 408) return fail("expected 408, got " + status);
  const open = await request(session, "GET", "/socket.io/?EIO=4&transport=polling");
  if (!open.body.startsWith("0{")) return fail("handshake after the 408: " + open.body);
  session.close();
  finish(0, "", { status });
}

const modes = { polling, sio, http1, garbage, stalled };
if (!modes[opt.mode]) fail("unknown mode " + opt.mode);
else Promise.resolve(modes[opt.mode]()).catch((e) => fail(e.stack || e));
