// The in-process twin of tests/interop/node/sio-server.mjs, for the rows that run against both:
// "echo" emits "echo-back" with its arguments and acks them, "please-emit" emits "payload"
// (nested binary), "please-ask" asks the client ("ask", 2 s ack timeout) and emits "ask-result"
// {error, args}, "black-hole" never acks.
import QtQml
import SocketIO
import "util.js" as Util

SocketIOServer {
    id: io
    host: "127.0.0.1"
    port: 0

    // "http://127.0.0.1:<serverPort>" while listening.
    readonly property string url: listening ? "http://127.0.0.1:" + serverPort : ""

    onConnection: socket => {
        socket.on("echo", (...args) => {
            const ack = args.length > 0 && typeof args[args.length - 1] === "function"
                    ? args.pop() : null;
            socket.emit("echo-back", ...args);
            if (ack)
                ack(...args);
        });
        socket.on("please-emit", () => {
            socket.emit("payload",
                        { n: 1, nested: { bin: Util.buffer([0, 1, 2, 255]),
                                          list: [Util.buffer("abc"), "x"] } },
                        new ArrayBuffer(0), Util.buffer([7]));
        });
        socket.on("please-ask", () => {
            socket.timeout(2000).emit("ask", { q: "question", bin: Util.buffer([1, 2, 3]) },
                                      (err, ...answer) => {
                socket.emit("ask-result", { error: err ? err.message : null,
                                            args: err ? [] : answer });
            });
        });
        // Takes the acknowledgement function and never calls it.
        socket.on("black-hole", () => {});
    }
}
