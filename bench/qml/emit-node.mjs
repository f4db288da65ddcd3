// The reference for bench/qml/emit.qml: the same three runs with Node's socket.io 4.8 server and
// socket.io-client in one process over WebSocket on loopback, so that the QML module's figures
// have a same-machine, same-run comparison (both are JavaScript calling into a Socket.IO stack).
//
//     node bench/qml/emit-node.mjs [--events N]      (uses tests/interop/node's packages)
import { createRequire } from "node:module";
import { createServer } from "node:http";
import path from "node:path";
import { fileURLToPath } from "node:url";

const here = path.dirname(fileURLToPath(import.meta.url));
const require = createRequire(path.join(here, "../../tests/interop/node/package.json"));
const { Server } = require("socket.io");
const { io } = require("socket.io-client");

const at = process.argv.indexOf("--events");
const events = at >= 0 ? Number(process.argv[at + 1]) : 20000;
let started = 0;
const rate = (count) => Math.round((count * 1000) / (Date.now() - started));

const http = createServer();
const server = new Server(http);
server.on("connection", (socket) => socket.on("echo", (n, payload, ack) => ack(n)));
http.listen(0, "127.0.0.1", () => {
  const client = io(`http://127.0.0.1:${http.address().port}`, { transports: ["websocket"] });
  client.on("connect", () => {
    started = Date.now();
    sequential(events);
  });

  function sequential(left) {
    if (left === 0) {
      console.info("node-bench: acked round trips, one at a time:", rate(events), "events/s");
      burst();
      return;
    }
    client.emit("echo", left, { payload: "x" }, () => sequential(left - 1));
  }

  function burst() {
    started = Date.now();
    let acked = 0;
    for (let i = 0; i < events; ++i) {
      client.emit("echo", i, { payload: "x" }, () => {
        if (++acked === events) {
          console.info("node-bench: acked emits in a burst:", rate(events), "events/s");
          broadcasts();
        }
      });
    }
  }

  function broadcasts() {
    started = Date.now();
    let received = 0;
    client.on("tick", () => {
      if (++received === events) {
        console.info("node-bench: broadcasts received in on():", rate(events), "events/s");
        process.exit(0);
      }
    });
    for (let i = 0; i < events; ++i) server.emit("tick", i, { payload: "x" });
  }
});
