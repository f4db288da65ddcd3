// examples/http-routes as a user runs it (ctest `http_routes_example`): the application's
// routes and Socket.IO on one port. Starts `http-routes-example --port 0`, connects Node's
// socket.io-client (polling, then the WebSocket upgrade, on the same port), then uses the
// routes with fetch(): GET /health, GET /api/sockets (answered after fetchSockets(); must list
// the client), POST /api/announce (the client must receive the announcement), and an unknown
// path (404). Usage: node http-routes-example.mjs PATH/TO/http-routes-example.
import { spawn } from "node:child_process";
import { createInterface } from "node:readline";
import { io } from "socket.io-client";

const server = spawn(process.argv[2], ["--port", "0"], { stdio: ["ignore", "pipe", "inherit"] });
let finished = false;
let socket;
const finish = (why) => {
  if (finished)
    return;
  finished = true;
  clearTimeout(deadline);
  socket?.close();
  server.kill();
  console.log(why ? `FAIL: ${why}` : "PASS");
  process.exitCode = why ? 1 : 0;
};
const deadline = setTimeout(() => finish("timed out"), 30_000);
server.on("error", (error) => finish(`cannot start the server: ${error.message}`));
server.on("exit", (code) => finish(`the server exited with status ${code}`));

const expect = (condition, what) => {
  if (!condition)
    throw new Error(what);
};

async function run(base) {
  socket = io(base, { transports: ["polling", "websocket"] });
  await new Promise((resolve, reject) => {
    socket.on("connect", resolve);
    socket.on("connect_error", reject);
  });
  if (socket.io.engine.transport.name !== "websocket")
    await new Promise((resolve) => socket.io.engine.once("upgrade", resolve));

  const health = await fetch(`${base}/health`);
  expect(health.status === 200 && (await health.text()) === "ok", "GET /health");

  const sockets = await fetch(`${base}/api/sockets`);
  const ids = await sockets.json();
  expect(sockets.status === 200 && ids.includes(socket.id),
         `GET /api/sockets: ${JSON.stringify(ids)} lacks ${socket.id}`);

  const announced = new Promise((resolve) => socket.once("announcement", resolve));
  const post = await fetch(`${base}/api/announce`, { method: "POST", body: "héllo" });
  expect(post.status === 202, `POST /api/announce: ${post.status}`);
  expect((await post.json()).sent === "héllo", "POST /api/announce: body");
  expect((await announced) === "héllo", "announcement");

  expect((await socket.emitWithAck("echo", 42)) === 42, "echo over the WebSocket");
  expect((await fetch(`${base}/nowhere`)).status === 404, "unknown path");
}

createInterface({ input: server.stdout }).on("line", (line) => {
  console.log(`server | ${line}`);
  const base = line.match(/listening on (http:\/\/\S+)/)?.[1];
  if (base)
    run(base).then(() => finish(null), (error) => finish(error.message));
});
