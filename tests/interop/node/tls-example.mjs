// Node's socket.io-client against examples/tls (ctest `tls_example_node`). Starts
// `tls-example server` with a new certificate directory, then runs the README's command: a
// socket.io-client that trusts the certificate through NODE_EXTRA_CA_CERTS, is upgraded to
// WebSocket (wss) and gets the acknowledgement of "hello".
// Usage: node tls-example.mjs PATH/TO/tls-example. Exit status 0 on success.
import { spawn } from "node:child_process";
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { dirname, join } from "node:path";
import { createInterface } from "node:readline";
import { fileURLToPath } from "node:url";

// The README's client, word for word.
const CLIENT = `
import { io } from 'socket.io-client';
const socket = io(process.argv[1]);
socket.io.on('open', () => socket.io.engine.on('upgrade', async (transport) => {
  console.log('upgraded to', transport.name);
  console.log('acknowledged:', JSON.stringify(await socket.emitWithAck('hello', 'Node')));
  socket.close();
}));`;
const EXPECTED = [
  "upgraded to websocket",
  'acknowledged: {"greeting":"hello, Node","secure":true,"transport":"websocket"}',
];

const dir = mkdtempSync(join(tmpdir(), "tls-example-"));
const server = spawn(process.argv[2], ["server", "--cert-dir", dir], {
  stdio: ["ignore", "pipe", "inherit"],
});
let finished = false;
const finish = (why) => {
  finished = true;
  clearTimeout(deadline);
  server.kill();
  rmSync(dir, { recursive: true, force: true });
  console.log(why ? `FAIL: ${why}` : "PASS");
  process.exitCode = why ? 1 : 0;
};
const deadline = setTimeout(() => finish("timed out"), 30_000);
server.on("error", (error) => finish(`cannot start the server: ${error.message}`));
server.on("exit", (code) => finished || finish(`the server exited with status ${code}`));

createInterface({ input: server.stdout }).on("line", (line) => {
  console.log(`server | ${line}`);
  const url = line.match(/listening on (https:\/\/\S+)/)?.[1];
  if (!url)
    return;
  const client = spawn(process.execPath, ["--input-type=module", "-e", CLIENT, url], {
    cwd: dirname(fileURLToPath(import.meta.url)), // where socket.io-client is installed
    env: { ...process.env, NODE_EXTRA_CA_CERTS: join(dir, "cert.pem") },
    stdio: ["ignore", "pipe", "inherit"],
  });
  const lines = [];
  createInterface({ input: client.stdout }).on("line", (line) => {
    console.log(`client | ${line}`);
    lines.push(line);
  });
  client.on("close", (code) => { // after its output was read
    if (code !== 0)
      return finish(`the client exited with status ${code}`);
    const missing = EXPECTED.filter((expected) => !lines.includes(expected));
    finish(missing.length ? `the client did not print: ${missing.join(" / ")}` : null);
  });
});
