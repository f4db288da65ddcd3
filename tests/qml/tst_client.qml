// SocketIOClient against the in-process SocketIOServer (EchoServer.qml) and against Node's
// socket.io 4.8 server (tests/interop/node/sio-server.mjs): every test runs once per row.
import QtQuick
import QtTest
import SocketIO
import "util.js" as Util

SocketTestCase {
    id: testCase
    name: "Client"

    EchoServer {
        id: server
    }

    function backends() {
        return [{ tag: "in-process", node: false }, { tag: "node", node: true }];
    }

    function urlOf(data) {
        if (data.node)
            return nodeUrl();
        waitFor(() => server.listening, 5000, () => "SocketIOServer: " + server.errorString);
        return server.url;
    }

    function test_connect_data() { return backends(); }
    function test_connect(data) {
        const client = newClient(urlOf(data), { active: false });
        compare(client.status, SocketIOClient.Disconnected);
        compare(client.connected, false);
        compare(client.id, "");
        const connected = spy(client, "connected");
        client.active = true;
        tryCompare(connected, "count", 1, 5000);
        compare(client.status, SocketIOClient.Connected);
        compare(client.connected, true);
        verify(client.id.length > 0, "empty id");
        verify(client.transport === "polling" || client.transport === "websocket",
               "transport " + client.transport);
        // polling, then the upgrade
        tryCompare(client, "transport", "websocket", 5000);
        if (!data.node) {
            const socket = server.socket(client.id);
            verify(socket, "the server does not know " + client.id);
            compare(socket.id, client.id);
        }
    }

    function test_websocketOnly_data() { return backends(); }
    function test_websocketOnly(data) {
        const client = connectedClient(urlOf(data), { transports: ["websocket"] });
        compare(client.transport, "websocket");
    }

    function test_invalidNamespace_data() { return backends(); }
    function test_invalidNamespace(data) {
        const client = newClient(urlOf(data), { namespace: "/nope", active: false });
        const errors = spy(client, "connectError");
        client.active = true;
        tryCompare(errors, "count", 1, 5000);
        compare(errors.signalArguments[0][0], "Invalid namespace");
        compare(client.connected, false);
        compare(client.status, SocketIOClient.Disconnected);
    }

    function test_emitAckCallback_data() { return backends(); }
    function test_emitAckCallback(data) {
        const client = connectedClient(urlOf(data));
        let reply = null;
        client.emit("echo", 1, "two", { three: [3] }, null, (...args) => { reply = args; });
        tryVerify(() => reply !== null, 5000, "no acknowledgement");
        compare(reply.length, 4);
        compare(reply[0], 1);
        compare(reply[1], "two");
        compare(reply[2], { three: [3] });
        compare(reply[3], null);
    }

    function test_emitWithAck_data() { return backends(); }
    function test_emitWithAck(data) {
        const client = connectedClient(urlOf(data));
        let result;
        let error = null;
        const promise = client.emitWithAck("echo", "hi", 2);
        verify(promise && typeof promise.then === "function", "emitWithAck returned no Promise");
        promise.then(value => { result = value; }, e => { error = e; });
        tryVerify(() => result !== undefined || error !== null, 5000, "the Promise did not settle");
        compare(error, null);
        compare(result, "hi"); // the first argument of the reply
    }

    function test_emitWithAckTimesOut_data() { return backends(); }
    function test_emitWithAckTimesOut(data) {
        const client = connectedClient(urlOf(data));
        let resolved = false;
        let error = null;
        client.timeout(200).emitWithAck("black-hole", 1).then(() => { resolved = true; },
                                                              e => { error = e; });
        tryVerify(() => resolved || error !== null, 3000, "the Promise did not settle");
        verify(!resolved, "resolved without an acknowledgement");
        verify(error instanceof Error, "rejected with " + error + ", not an Error");
        compare(error.message, "operation has timed out");
    }

    function test_ackTimeoutProperty_data() { return backends(); }
    function test_ackTimeoutProperty(data) {
        const client = connectedClient(urlOf(data), { ackTimeout: 200 });
        let error = null;
        client.emitWithAck("black-hole").then(() => {}, e => { error = e; });
        tryVerify(() => error !== null, 3000, "ackTimeout did not reject the Promise");
        compare(error.message, "operation has timed out");
    }

    function test_timeoutEmitCallback_data() { return backends(); }
    function test_timeoutEmitCallback(data) {
        const client = connectedClient(urlOf(data));
        let answered = null;
        let timedOut = null;
        client.timeout(3000).emit("echo", 7, "x", (...args) => { answered = args; });
        client.timeout(200).emit("black-hole", 1, (...args) => { timedOut = args; });
        tryVerify(() => answered !== null && timedOut !== null, 5000,
                  "callbacks: " + JSON.stringify([answered, timedOut]));
        // (err, ...reply): no error, then the reply
        compare(answered.length, 3);
        compare(answered[0], null);
        compare(answered[1], 7);
        compare(answered[2], "x");
        verify(timedOut[0] instanceof Error, "err is " + timedOut[0]);
        compare(timedOut[0].message, "operation has timed out");
    }

    function test_events_data() { return backends(); }
    function test_events(data) {
        const client = connectedClient(urlOf(data));
        const events = spy(client, "event");
        let handled = null;
        client.on("echo-back", (...args) => { handled = args; });
        client.emit("echo", "x", 5, { k: [true] });
        tryVerify(() => handled !== null, 5000, "the on() handler did not run");
        // no acknowledgement function: the sender did not ask for one
        compare(handled, ["x", 5, { k: [true] }]);
        tryVerify(() => Util.eventArgs(events, "echo-back").length === 1, 5000,
                  "no event signal for echo-back");
        compare(Util.eventArgs(events, "echo-back")[0], ["x", 5, { k: [true] }]);
    }

    function test_incomingAck_data() { return backends(); }
    function test_incomingAck(data) {
        const client = connectedClient(urlOf(data));
        let asked = null;
        let result = null;
        client.on("ask", (...args) => {
            asked = args;
            args[args.length - 1]("answer", Util.buffer([9, 8]));
        });
        client.on("ask-result", r => { result = r; });
        client.emit("please-ask");
        tryVerify(() => result !== null, 5000, "no ask-result");
        compare(asked.length, 2);
        compare(asked[0].q, "question");
        compare(Util.bytes(asked[0].bin), [1, 2, 3]);
        compare(typeof asked[1], "function");
        compare(result.error, null);
        compare(result.args.length, 2);
        compare(result.args[0], "answer");
        compare(Util.bytes(result.args[1]), [9, 8]);
    }

    function test_binarySent_data() { return backends(); }
    function test_binarySent(data) {
        const client = connectedClient(urlOf(data));
        let reply = null;
        let echoed = null;
        client.on("echo-back", (...args) => { echoed = args; });
        client.emit("echo", Util.buffer([1, 2, 3]),
                    { buf: Util.buffer([0, 255]), list: [Util.buffer("abc"), "s", { deep: new ArrayBuffer(0) }] },
                    (...args) => { reply = args; });
        tryVerify(() => reply !== null && echoed !== null, 5000, "no reply");
        for (const args of [reply, echoed]) {
            compare(args.length, 2);
            compare(Util.bytes(args[0]), [1, 2, 3]);
            compare(Util.bytes(args[1].buf), [0, 255]);
            compare(Util.bytes(args[1].list[0]), [97, 98, 99]);
            compare(args[1].list[1], "s");
            compare(Util.bytes(args[1].list[2].deep), []);
        }
    }

    function test_binaryReceived_data() { return backends(); }
    function test_binaryReceived(data) {
        const client = connectedClient(urlOf(data));
        let payload = null;
        client.on("payload", (...args) => { payload = args; });
        client.emit("please-emit");
        tryVerify(() => payload !== null, 5000, "no payload");
        compare(payload.length, 3);
        compare(payload[0].n, 1);
        compare(Util.bytes(payload[0].nested.bin), [0, 1, 2, 255]);
        compare(Util.bytes(payload[0].nested.list[0]), [97, 98, 99]);
        compare(payload[0].nested.list[1], "x");
        compare(Util.bytes(payload[1]), []);
        compare(Util.bytes(payload[2]), [7]);
    }

    function test_onceOffOnAny_data() { return backends(); }
    function test_onceOffOnAny(data) {
        const client = connectedClient(urlOf(data));
        const events = spy(client, "event");
        let once = 0;
        let removed = 0;
        let all = 0;
        let any = [];
        const removedHandler = () => { ++removed; };
        const anyHandler = (name, ...args) => { any.push([name, args]); };
        client.once("echo-back", () => { ++once; });
        client.on("echo-back", removedHandler);
        client.on("echo-back", () => { ++all; });
        client.off("echo-back", removedHandler);
        client.onAny(anyHandler);
        let acks = 0;
        client.emit("echo", 1, () => { ++acks; });
        client.emit("echo", 2, () => { ++acks; });
        tryVerify(() => acks === 2 && Util.eventArgs(events, "echo-back").length === 2, 5000);
        compare(once, 1);
        compare(removed, 0);
        compare(all, 2);
        const echoes = any.filter(e => e[0] === "echo-back");
        compare(echoes, [["echo-back", [1]], ["echo-back", [2]]]);

        // offAny(fn), and off(name) without a function: every handler of the event
        client.offAny(anyHandler);
        client.off("echo-back");
        client.emit("echo", 3, () => { ++acks; });
        tryVerify(() => acks === 3 && Util.eventArgs(events, "echo-back").length === 3, 5000);
        compare(all, 2);
        compare(any.filter(e => e[0] === "echo-back").length, 2);
    }

    // Emitter modifiers chain, each returning an Emitter. Volatile first, alone on an idle
    // WebSocket: behind another packet it may be dropped, as in the reference.
    function test_emitterChain_data() { return backends(); }
    function test_emitterChain(data) {
        const client = connectedClient(urlOf(data));
        tryCompare(client, "transport", "websocket", 5000);
        let viaVolatile = null;
        client.asVolatile().compress(true).emitWithAck("echo", "v").then(v => { viaVolatile = v; });
        tryVerify(() => viaVolatile !== null, 5000, "the volatile emit got no reply");
        compare(viaVolatile, "v");
        let chained = null;
        client.compress(false).timeout(3000).emit("echo", 1, (...args) => { chained = args; });
        tryVerify(() => chained !== null, 5000, "compress(false).timeout(3000): no reply");
        compare(chained, [null, 1]);
    }

    function test_reservedName_data() { return backends(); }
    function test_reservedName(data) {
        const client = connectedClient(urlOf(data));
        ignoreWarning(/emitEvent: "connect" is a reserved event name/);
        ignoreWarning(/emitEvent: "disconnect" is a reserved event name/);
        let error = null;
        try {
            client.emit("connect", 1);
        } catch (e) {
            error = e;
        }
        verify(error !== null, "emit(\"connect\") did not throw");
        verify(String(error.message).indexOf("reserved") >= 0, error.message);
        let rejected = null;
        client.emitWithAck("disconnect").then(() => {}, e => { rejected = e; });
        tryVerify(() => rejected !== null, 2000, "emitWithAck(\"disconnect\") did not reject");
        verify(String(rejected.message).indexOf("reserved") >= 0, rejected.message);
    }

    // An acknowledgement still awaited when the client disconnects.
    function test_pendingAckOnDisconnect_data() { return backends(); }
    function test_pendingAckOnDisconnect(data) {
        const client = connectedClient(urlOf(data));
        let rejected = null;
        client.emitWithAck("black-hole").then(() => {}, e => { rejected = e; });
        let callback = null;
        client.timeout(5000).emit("black-hole", (...args) => { callback = args; });
        client.close();
        tryVerify(() => callback !== null, 2000, "timeout(5000).emit: no callback after close()");
        compare(callback[0].message, "socket has been disconnected");
        // The reference's emitWithAck() rejects here even without a timeout (its callback is
        // withError).
        tryVerify(() => rejected !== null, 1000, "emitWithAck: not rejected after close()");
        compare(rejected.message, "socket has been disconnected");
    }

    function test_emitList_data() { return backends(); }
    function test_emitList(data) {
        const client = connectedClient(urlOf(data));
        let echoed = null;
        client.on("echo-back", (...args) => { echoed = args; });
        verify(client.emitList("echo", ["a", { b: 1 }, Util.buffer([5])]), "emitList failed");
        tryVerify(() => echoed !== null, 5000);
        compare(echoed[0], "a");
        compare(echoed[1], { b: 1 });
        compare(Util.bytes(echoed[2]), [5]);
    }

    function test_closeAndOpen_data() { return backends(); }
    function test_closeAndOpen(data) {
        const client = connectedClient(urlOf(data));
        const disconnected = spy(client, "disconnected");
        const firstId = client.id;
        client.close();
        tryCompare(disconnected, "count", 1, 5000);
        compare(disconnected.signalArguments[0][0], "io client disconnect");
        compare(client.active, false);
        compare(client.connected, false);
        compare(client.status, SocketIOClient.Disconnected);
        client.open();
        compare(client.active, true);
        tryVerify(() => client.connected, 5000);
        verify(client.id !== firstId, "same id after a new connection");
    }

    // A middleware refusal with data: the Node server's "/" refuses auth {token: "bad"}.
    function test_connectError() {
        const client = newClient(nodeUrl(), { auth: { token: "bad" }, active: false });
        const errors = spy(client, "connectError");
        client.active = true;
        tryCompare(errors, "count", 1, 5000);
        compare(errors.signalArguments[0][0], "not authorized");
        compare(errors.signalArguments[0][1].code, 42);
        compare(client.connected, false);
        verify(client.errorString.length > 0, "errorString stays empty");
    }
}
