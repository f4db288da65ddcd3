// The QML module's cost per event, with no network in the way: a SocketIOServer and a
// SocketIOClient in one process over WebSocket on loopback. Prints events per second for
// acknowledged round trips one at a time, for a burst of acknowledged emits, and for a burst
// of server broadcasts received in a client's on() handler. A benchmark prints figures; it
// never fails on a time.
//
//     QML_IMPORT_PATH=build/qml /usr/lib/qt6/bin/qml bench/qml/emit.qml [-- --events N]
import QtQuick
import SocketIO

Item {
    id: bench

    readonly property int events: {
        const args = Qt.application.arguments
        const at = args.indexOf("--events")
        return at >= 0 && at + 1 < args.length ? Number(args[at + 1]) : 20000
    }
    property double started: 0

    function rate(count) {
        return Math.round(count * 1000 / (Date.now() - started))
    }

    function sequential(left) {
        if (left === 0) {
            console.info("qml-bench: acked round trips, one at a time:", rate(events), "events/s")
            burst()
            return
        }
        client.emit("echo", left, { payload: "x" }, () => sequential(left - 1))
    }

    function burst() {
        started = Date.now()
        let acked = 0
        for (let i = 0; i < events; ++i) {
            client.emit("echo", i, { payload: "x" }, () => {
                if (++acked === events) {
                    console.info("qml-bench: acked emits in a burst:", rate(events), "events/s")
                    broadcasts()
                }
            })
        }
    }

    function broadcasts() {
        started = Date.now()
        let received = 0
        client.on("tick", () => {
            if (++received === events) {
                console.info("qml-bench: broadcasts received in on():", rate(events), "events/s")
                Qt.exit(0)
            }
        })
        for (let i = 0; i < events; ++i)
            server.emit("tick", i, { payload: "x" })
    }

    SocketIOServer {
        id: server
        host: "127.0.0.1"
        onConnection: socket => socket.on("echo", (n, payload, ack) => ack(n))
        onListeningChanged: if (listening) client.url = "http://127.0.0.1:" + serverPort
    }

    SocketIOClient {
        id: client
        transports: ["websocket"]
        onConnected: {
            bench.started = Date.now()
            bench.sequential(bench.events)
        }
    }
}
