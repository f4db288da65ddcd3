// The Node node of the cluster example: socket.io 4.8 with @socket.io/redis-adapter 8.3, with
// the same handlers and page as the Qt nodes (examples/cluster/main.cpp), so that Qt and Node
// nodes form one cluster behind one Redis.
//
//   node node.mjs [--port 3000] [--redis 127.0.0.1:6379] [--name node-1]
//
// Prints "<name> listening: http://localhost:PORT/" once listening and "<name> joined the
// cluster" once its Redis connections are up.
import { readFileSync } from "node:fs";
import { createServer } from "node:http";
import { parseArgs } from "node:util";
import { createAdapter } from "@socket.io/redis-adapter";
import { createClient } from "redis";
import { Server } from "socket.io";

const { values: opt } = parseArgs({
  options: {
    port: { type: "string", default: "3000" },
    redis: { type: "string", default: "127.0.0.1:6379" },
    name: { type: "string", default: "node" },
  },
});
const node = opt.name;
const MaxMessageLength = 2000;
const MaxNameLength = 32;
const page = readFileSync(new URL("index.html", import.meta.url));

const pub = createClient({ url: `redis://${opt.redis}` });
const sub = pub.duplicate();
pub.on("error", (e) => console.error(`${node}: redis: ${e.message}`));
sub.on("error", (e) => console.error(`${node}: redis: ${e.message}`));
await Promise.all([pub.connect(), sub.connect()]);
console.log(`${node} joined the cluster`);

// The page; socket.io serves /socket.io/ (the client bundle included) itself.
const http = createServer((req, res) => {
  const path = new URL(req.url, "http://localhost").pathname;
  if (path === "/" || path === "/index.html") {
    res.writeHead(200, { "Content-Type": "text/html; charset=utf-8" });
    res.end(page);
  } else {
    res.writeHead(404).end();
  }
});
const io = new Server(http, { adapter: createAdapter(pub, sub), maxHttpBufferSize: 64 * 1024 });
const servers = () => io.of("/").adapter.serverCount();

io.on("connection", (socket) => {
  socket.on("chat message", (message, ack) => {
    const user = typeof message?.user === "string" ? message.user : "";
    const text = typeof message?.text === "string" ? message.text : "";
    const ok = user.length > 0 && user.length <= MaxNameLength && text.length > 0 && text.length <= MaxMessageLength;
    // To every client of every node: the adapter publishes it on Redis.
    if (ok) io.emit("chat message", { user, text, node });
    if (typeof ack === "function") ack({ ok, node });
  });
  socket.on("nodes", async (ack) => {
    if (typeof ack === "function") ack({ node, servers: await servers() });
  });
  servers().then((count) => socket.emit("welcome", { node, servers: count }));
});

http.listen(Number(opt.port), () => {
  console.log(`${node} listening: http://localhost:${http.address().port}/`);
});

const stop = async () => {
  io.close();
  await Promise.allSettled([pub.quit(), sub.quit()]);
  process.exit(0);
};
process.on("SIGTERM", stop);
process.on("SIGINT", stop);
