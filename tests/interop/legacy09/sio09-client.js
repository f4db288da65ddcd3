// socket.io-client 0.9.16 against our Server with ServerOptions::protocol09() on, for
// tst_legacy09_interop:
//   node sio09-client.js --url http://127.0.0.1:PORT --transport websocket|xhr-polling
//                        --scenario full|idle [--timeout 20000]
// Prints one JSON object per line; the last is {"event":"pass"} (exit 0) or
// {"event":"fail","why":...} (exit 1).
//   full: connect "/" and "/chat"; an event with an ack each way on both; "/chat" joins the
//         room the test's modern client is in, then each shouts and hears the other;
//         disconnects.
//   idle: stays connected for --idle ms (the server's heartbeats are answered), then checks
//         that it is still connected and disconnects.
"use strict";
const io = require("socket.io-client");

const opt = { url: "http://127.0.0.1:3000", transport: "websocket", scenario: "full",
              timeout: "20000", idle: "3000", name: "legacy" };
for (let i = 2; i + 1 < process.argv.length; i += 2)
  opt[process.argv[i].replace(/^--/, "")] = process.argv[i + 1];

let finished = false;
const out = (obj) => finished || process.stdout.write(JSON.stringify(obj) + "\n");
function finish(code, why) {
  if (finished) return;
  out(code === 0 ? { event: "pass" } : { event: "fail", why });
  finished = true;
  setTimeout(() => process.exit(code), 200);
}
const fail = (why) => finish(1, why);
setTimeout(() => fail(`timeout after ${opt.timeout} ms`), Number(opt.timeout));
process.on("uncaughtException", (e) => fail(`exception: ${e.stack || e}`));

// The client deep-merges a "transports" option into its defaults (io.transports) element by
// element, so a shorter list keeps the defaults' tail: the list is set in place instead.
io.transports.splice(0, io.transports.length, opt.transport);
const main = io.connect(opt.url, {
  "force new connection": true,
  reconnect: false,
  "try multiple transports": false,
});
const sock = main.socket;
main.on("error", (e) => fail(`error: ${e}`));
main.on("connect_failed", (e) => fail(`connect_failed: ${e}`));

function step(name, check) {
  return new Promise((resolve, reject) => {
    const t = setTimeout(() => reject(new Error(`no ${name}`)), 5000);
    check((value) => { clearTimeout(t); out({ event: name, value, transport: sock.transport.name });
                       resolve(value); });
  });
}
const same = (a, b) => JSON.stringify(a) === JSON.stringify(b);

async function full() {
  await step("connect", (done) => main.on("connect", () => done(true)));
  // Client -> server with an ack.
  const echoed = await step("echo", (done) => main.emit("echo", 1, "two", { three: [3] },
                                                      (...args) => done(args)));
  if (!same(echoed, [1, "two", { three: [3] }])) throw new Error(`echo: ${JSON.stringify(echoed)}`);
  // Server -> client with an ack: the server checks the answer and reports it.
  const asked = await step("asked", (done) => {
    main.on("ask", (question, ack) => { ack(question * 2); });
    main.on("answer-ok", (v) => done(v));
    main.emit("please-ask", 21);
  });
  if (asked !== 42) throw new Error(`the server got ${asked}`);
  // A plain 0.9 message: the server's "message" handler answers with an event.
  const back = await step("message-back", (done) => { main.on("message-back", (m) => done(m));
                                                      main.send("hello 0.9"); });
  if (back !== "hello 0.9") throw new Error(`message-back: ${back}`);

  const chat = sock.of("/chat");
  await step("chat-connect", (done) => chat.on("connect", () => done(true)));
  const chatEcho = await step("chat-echo", (done) => chat.emit("echo", "in chat", (...a) => done(a)));
  if (!same(chatEcho, ["in chat"])) throw new Error(`chat echo: ${JSON.stringify(chatEcho)}`);
  // The shared room: join, wait for the server's go (both clients in), shout, hear the other.
  // The handlers come first: "go" may arrive in the same read as the join's ack.
  const heardPromise = step("heard", (done) => {
    chat.on("shouted", (from, text) => { if (from !== opt.name) done([from, text]); });
    chat.on("go", () => chat.emit("shout", opt.name, "from 0.9"));
  });
  await step("joined", (done) => chat.emit("join", "shared", () => done(true)));
  const heard = await heardPromise;
  if (heard[1] !== "from v4") throw new Error(`heard ${JSON.stringify(heard)}`);
  const bye = await step("disconnect", (done) => { main.on("disconnect", (r) => done(r));
                                                  sock.disconnect(); });
  return bye;
}

async function idle() {
  await step("connect", (done) => main.on("connect", () => done(true)));
  await new Promise((r) => setTimeout(r, Number(opt.idle)));
  if (!sock.connected) throw new Error("disconnected while idle");
  const echoed = await step("echo", (done) => main.emit("echo", "still here", (...a) => done(a)));
  if (!same(echoed, ["still here"])) throw new Error(`echo: ${JSON.stringify(echoed)}`);
  sock.disconnect();
}

({ full, idle })[opt.scenario]().then(() => finish(0), (e) => fail(e.message || String(e)));
