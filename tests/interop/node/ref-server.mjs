// Reference Engine.IO echo server (Node engine.io 6.6), used only to self-check
// eio-client.mjs. It offers the same contract as the Qt server under test:
//   node ref-server.mjs [--eio3]
//   - listens on 127.0.0.1, port 0, path /engine.io/
//   - pingInterval 300, pingTimeout 200, maxHttpBufferSize 1e6, allowEIO3 per flag
//   - echoes every message unchanged; closes the socket on the text "close-me"
//   - stdout: {"port":N} first, then {"event":"server-close","reason":"..."} per closed socket
//   - exits on SIGTERM / SIGINT
import http from "node:http";
import { Server } from "engine.io";

const allowEIO3 = process.argv.includes("--eio3");
const out = (obj) => process.stdout.write(JSON.stringify(obj) + "\n");

const httpServer = http.createServer((req, res) => {
  res.writeHead(404).end();
});
const engine = new Server({
  path: "/engine.io/",
  pingInterval: 300,
  pingTimeout: 200,
  maxHttpBufferSize: 1e6,
  allowEIO3,
});
engine.attach(httpServer);

engine.on("connection", (socket) => {
  socket.on("message", (data) => {
    if (data === "close-me") socket.close();
    else socket.send(data);
  });
  socket.on("close", (reason) => out({ event: "server-close", reason }));
});

httpServer.listen(0, "127.0.0.1", () => out({ port: httpServer.address().port }));

const stop = () => {
  engine.close();
  httpServer.close();
  process.exit(0);
};
process.on("SIGTERM", stop);
process.on("SIGINT", stop);
