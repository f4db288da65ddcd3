// Exercises socketio-loadgen against a hostile WebSocket server built on `ws`: every message
// is fragmented at random points, WebSocket pings and Engine.IO pings ("2") come between
// fragments, a 1 MiB text frame (64-bit length) arrives now and then, and after a while the
// server closes every connection. The loadgen must keep echoing, answer the pings, report no
// protocol error and count each connection as closed by the server.
//
// usage: node loadgen-selftest.mjs PATH/TO/socketio-loadgen
import { spawn } from "node:child_process";
import { WebSocketServer } from "ws";

const loadgen = process.argv[2];
const clients = 20;
let pongs = 0;
const wss = new WebSocketServer({ host: "127.0.0.1", port: 0 });

const sendFragmented = (ws, text) => {
  const buf = Buffer.from(text);
  let at = 0;
  while (at < buf.length) {
    const n = 1 + Math.floor(Math.random() * Math.min(buf.length - at, 7));
    const last = at + n >= buf.length;
    ws.send(buf.subarray(at, at + n), { fin: last, binary: false });
    if (!last && Math.random() < 0.2) ws.ping("x");
    at += n;
  }
};

wss.on("connection", (ws) => {
  ws.on("pong", () => pongs++);
  sendFragmented(ws, '0{"sid":"s","upgrades":[],"pingInterval":25000,"pingTimeout":20000}');
  let count = 0;
  ws.on("message", (data) => {
    const text = data.toString();
    if (text === "40") sendFragmented(ws, '40{"sid":"x"}');
    else if (text === "3") pongs++;
    else if (text.startsWith("42")) {
      if (++count % 50 === 0) ws.send("2");
      if (count % 200 === 0) ws.send('42["noise","' + "n".repeat(1 << 20) + '"]');
      sendFragmented(ws, "43" + text.slice(2));
    }
  });
});

wss.on("listening", () => {
  const { port } = wss.address();
  setTimeout(() => wss.clients.forEach((ws) => ws.close(1000, "bye")), 2500);
  const child = spawn(loadgen, ["--mode", "echo", "--url", `127.0.0.1:${port}`,
    "--clients", String(clients), "--warmup", "0.5", "--duration", "3"]);
  let out = "";
  child.stdout.on("data", (d) => (out += d));
  child.on("exit", () => {
    wss.close();
    const r = JSON.parse(out.trim().split("\n").pop());
    const ok = r.ops > 0 && r.protocol_errors === 0 && r.closed_by_server === clients &&
      r.failed === 0 && pongs > 0;
    console.log(JSON.stringify({ ok, pongs, result: r }));
    console.log(ok ? "1 passed, 0 failed" : "0 passed, 1 failed");
    process.exit(ok ? 0 : 1);
  });
});
