// examples/v3-mode as a user runs it (ctest `v3_mode_example`): each initialization form of
// the socket.io 3 documents (listen, attach, configure), reached by a socket.io-client 2.5
// (Engine.IO 3) over polling then WebSocket, whose "echo" is acknowledged. The example must
// report the v3 defaults (pingTimeout 5000) and the configure form's path (/ws).
// Usage: node v3-mode-example.mjs PATH/TO/v3-mode-example. Exit status 0 on success.
import { spawn } from "node:child_process";
import { createRequire } from "node:module";
import { createInterface } from "node:readline";

const ioV2 = createRequire(import.meta.url)("socket.io-client-v2");

function runForm(form) {
  return new Promise((resolve, reject) => {
    const server = spawn(process.argv[2], ["--port", "0", "--form", form],
                         { stdio: ["ignore", "pipe", "inherit"] });
    let socket;
    const done = (error) => {
      clearTimeout(deadline);
      socket?.close();
      server.kill();
      error ? reject(new Error(`${form}: ${error}`)) : resolve();
    };
    const deadline = setTimeout(() => done("timed out"), 20_000);
    server.on("error", (error) => done(`cannot start: ${error.message}`));
    createInterface({ input: server.stdout }).once("line", (line) => {
      console.log(`${form} | ${line}`);
      const info = JSON.parse(line);
      if (info.pingTimeout !== 5000)
        return done(`pingTimeout ${info.pingTimeout}, not the v3 default 5000`);
      if (info.path !== (form === "configure" ? "/ws" : "/socket.io"))
        return done(`path ${info.path}`);
      socket = ioV2(`http://127.0.0.1:${info.port}`, { path: info.path, reconnection: false });
      socket.on("connect_error", (error) => done(`connect_error: ${error.message || error}`));
      const echo = () => socket.emit("echo", { form }, (answer) =>
        answer?.form === form ? done(null) : done(`echo answered ${JSON.stringify(answer)}`));
      socket.on("connect", () => {
        if (socket.io.engine.transport.name === "websocket")
          echo();
        else
          socket.io.engine.once("upgrade", echo);
      });
    });
  });
}

try {
  for (const form of ["listen", "attach", "configure"])
    await runForm(form);
  console.log("PASS");
} catch (error) {
  console.log(`FAIL: ${error.message}`);
  process.exitCode = 1;
}
