// SocketIOServer as a server: its signals, ServerSocket rooms, broadcasts to rooms, broadcasts
// with acknowledgements, SocketModel, and a broadcast reaching Node's socket.io-client.
import QtQuick
import QtTest
import SocketIO
import SocketIOTest
import "util.js" as Util

SocketTestCase {
    id: testCase
    name: "Server"

    SocketIOServer {
        id: io
        host: "127.0.0.1"
        port: 0
        namespaces: ["/", "/admin"]
        readonly property string url: listening ? "http://127.0.0.1:" + serverPort : ""
    }

    Component {
        id: modelComponent
        SocketModel {
            server: io
        }
    }
    Component {
        id: nodeClientComponent
        NodeClient {}
    }

    function init() {
        waitFor(() => io.listening, 5000, () => io.errorString);
        // the clients of the test before are gone (they are destroyed after cleanup())
        tryCompare(io, "clientsCount", 0, 5000);
    }

    // `n` connected clients and their ServerSockets.
    function clients(n, properties) {
        const result = [];
        for (let i = 0; i < n; ++i)
            result.push(newClient(io.url, properties));
        for (const client of result)
            waitFor(() => client.connected, 5000, () => "client did not connect: " + client.errorString);
        return result;
    }
    function serverSocket(client, nsp) {
        const socket = io.socket(client.id, nsp || "/");
        verify(socket, "no ServerSocket for " + client.id);
        return socket;
    }

    function test_signals() {
        const connection = spy(io, "connection");
        const disconnection = spy(io, "disconnection");
        const events = spy(io, "event");
        const client = clients(1)[0];
        tryCompare(connection, "count", 1, 5000);
        const socket = connection.signalArguments[0][0];
        compare(socket.id, client.id);
        compare(socket.namespace, "/");
        compare(socket.connected, true);
        compare(socket.address.indexOf("127.0.0.1") >= 0, true, socket.address);
        compare(io.clientsCount, 1);
        compare(io.sockets().length, 1);
        compare(io.sockets()[0].id, client.id);
        compare(io.socket(client.id).id, client.id);

        const socketEvents = spy(socket, "event");
        client.emit("hello", 1, { a: [Util.buffer([3])] });
        tryCompare(events, "count", 1, 5000);
        compare(events.signalArguments[0][0].id, client.id);
        compare(events.signalArguments[0][1], "hello");
        compare(events.signalArguments[0][2][0], 1);
        compare(Util.bytes(events.signalArguments[0][2][1].a[0]), [3]);
        compare(socketEvents.count, 1);
        compare(socketEvents.signalArguments[0][0], "hello");

        const socketDisconnected = spy(socket, "disconnected");
        // the ServerSocket is deleted soon after: read its id when the signal comes
        let left = null;
        const onDisconnection = (s, reason) => { left = [s.id, reason]; };
        io.disconnection.connect(onDisconnection);
        const id = client.id;
        client.active = false;
        tryCompare(disconnection, "count", 1, 5000);
        io.disconnection.disconnect(onDisconnection);
        compare(left, [id, "client namespace disconnect"]);
        compare(disconnection.signalArguments[0][1], "client namespace disconnect");
        compare(socketDisconnected.count, 1);
        compare(socketDisconnected.signalArguments[0][0], "client namespace disconnect");
    }

    // ServerSocket's transportChanged (the upgrade) and connectedChanged.
    function test_serverSocketSignals() {
        let transports = [];
        let socket = null;
        const onConnection = s => {
            socket = s;
            transports.push(s.transport);
            s.transportChanged.connect(() => transports.push(s.transport));
        };
        io.connection.connect(onConnection);
        const client = clients(1)[0];
        waitFor(() => transports[transports.length - 1] === "websocket", 5000,
                () => JSON.stringify(transports));
        io.connection.disconnect(onConnection);
        compare(transports, ["polling", "websocket"]);
        compare(socket.transport, "websocket");
        compare(client.transport, "websocket");

        let states = [];
        socket.connectedChanged.connect(() => states.push(socket.connected));
        client.active = false;
        tryCompare(io, "clientsCount", 0, 5000);
        compare(states, [false]);
    }

    function test_otherNamespace() {
        const connection = spy(io, "connection");
        const client = connectedClient(io.url, { namespace: "/admin" });
        tryCompare(connection, "count", 1, 5000);
        const socket = connection.signalArguments[0][0];
        compare(socket.namespace, "/admin");
        compare(io.sockets("/admin").length, 1);
        compare(io.sockets("/").length, 0);
        let got = null;
        client.on("only-admin", v => { got = v; });
        io.of("/admin").emit("only-admin", 4);
        tryVerify(() => got === 4, 5000);
    }

    function test_serverSocketHandlers() {
        const connection = spy(io, "connection");
        const client = clients(1)[0];
        tryCompare(connection, "count", 1, 5000);
        const socket = connection.signalArguments[0][0];
        // server-side on() with the client's acknowledgement
        socket.on("add", (a, b, ack) => ack(a + b));
        let sum = null;
        client.emit("add", 2, 3, r => { sum = r; });
        waitFor(() => sum === 5, 5000, () => "sum " + sum);
        // emitWithAck from the server to the client
        client.on("name?", ack => ack("qml-client"));
        let name = null;
        socket.emitWithAck("name?").then(v => { name = v; });
        waitFor(() => name === "qml-client", 5000, () => "name " + name);
        // timeout(ms).emit to a client that does not answer
        client.on("silent", () => {});
        let err = null;
        socket.timeout(200).emit("silent", e => { err = e; });
        tryVerify(() => err !== null, 3000);
        compare(err.message, "operation has timed out");
        // data
        const dataChanged = spy(socket, "dataChanged");
        socket.data = { score: 3 };
        compare(dataChanged.count, 1);
        compare(socket.data.score, 3);
        // disconnect from the server side
        const disconnected = spy(client, "disconnected");
        socket.disconnect();
        tryCompare(disconnected, "count", 1, 5000);
        compare(disconnected.signalArguments[0][0], "io server disconnect");
    }

    function test_rooms() {
        const client = clients(1)[0];
        const socket = serverSocket(client);
        const roomsChanged = spy(socket, "roomsChanged");
        const serverRooms = spy(io, "roomsChanged");
        compare(socket.rooms, [client.id]);
        socket.join("a");
        compare(roomsChanged.count, 1);
        verify(serverRooms.count >= 1, "no SocketIOServer.roomsChanged");
        compare(serverRooms.signalArguments[0][0], "/");
        compare(socket.rooms.slice().sort(), ["a", client.id].sort());
        socket.join(["b", "c"]);
        compare(socket.rooms.slice().sort(), ["a", "b", "c", client.id].sort());
        verify(io.rooms().indexOf("b") >= 0, "io.rooms(): " + io.rooms());
        socket.leave("a");
        compare(socket.rooms.slice().sort(), ["b", "c", client.id].sort());
        verify(io.rooms().indexOf("a") < 0, "a is left empty: " + io.rooms());
        compare(io.in("b").allSockets(), [client.id]);
    }

    function test_broadcastToRooms() {
        const all = clients(3);
        const received = all.map(() => []);
        all.forEach((client, i) => client.onAny(name => received[i].push(name)));
        const sockets = all.map(c => serverSocket(c));
        sockets[0].join("a");
        sockets[1].join("a");

        io.to("a").emit("to-a");
        sockets[0].to("a").emit("to-a-but-0");
        sockets[0].broadcast.emit("all-but-0");
        io.except("a").emit("except-a");
        io.to(["a", sockets[2].id]).emit("to-a-or-2");
        io.to("a").compress(false).local().emit("chained");
        io.emit("marker"); // last: once every client has it, nothing else is on its way
        waitFor(() => received.every(r => r.indexOf("marker") >= 0), 5000,
                () => JSON.stringify(received));
        compare(received[0], ["to-a", "to-a-or-2", "chained", "marker"]);
        compare(received[1], ["to-a", "to-a-but-0", "all-but-0", "to-a-or-2", "chained", "marker"]);
        compare(received[2], ["all-but-0", "except-a", "to-a-or-2", "marker"]);

        // Broadcast's socketsJoin / socketsLeave / disconnectSockets
        io.in("a").socketsJoin("b");
        compare(io.in("b").allSockets().sort(), [all[0].id, all[1].id].sort());
        io.in("b").socketsLeave("b");
        compare(io.in("b").allSockets(), []);
        io.to("a").disconnectSockets();
        tryVerify(() => !all[0].connected && !all[1].connected, 5000);
        compare(all[2].connected, true);
    }

    function test_broadcastAcks() {
        const all = clients(2);
        all.forEach((client, i) => client.on("vote", (n, ack) => ack(n * 10 + i)));
        let result = null;
        io.timeout(2000).emit("vote", 1, (err, responses) => { result = [err, responses]; });
        tryVerify(() => result !== null, 5000, "no broadcast acknowledgement");
        compare(result[0], null);
        compare(result[1].slice().sort(), [10, 11]);

        // emitWithAck resolves with the responses
        let responses = null;
        io.timeout(2000).emitWithAck("vote", 2).then(r => { responses = r; });
        tryVerify(() => responses !== null, 5000, "emitWithAck did not resolve");
        compare(responses.slice().sort(), [20, 21]);

        // one silent client: the error, and the responses that came
        const silent = newClient(io.url);
        tryVerify(() => silent.connected, 5000);
        silent.on("vote", () => {});
        let late = null;
        io.timeout(300).emit("vote", 3, (err, responses) => { late = [err, responses]; });
        tryVerify(() => late !== null, 3000);
        verify(late[0] instanceof Error, "err: " + late[0]);
        compare(late[0].message, "operation has timed out");
        compare(late[1].slice().sort(), [30, 31]);
        let rejected = null;
        io.timeout(300).emitWithAck("vote", 4).then(() => {}, e => { rejected = e; });
        tryVerify(() => rejected !== null, 3000);
        compare(rejected.message, "operation has timed out");
    }

    function test_socketModel() {
        const model = createTemporaryObject(modelComponent, testCase);
        const redModel = createTemporaryObject(modelComponent, testCase, { room: "red" });
        verify(model && redModel);
        compare(model.count, 0);
        const all = clients(2);
        tryCompare(model, "count", 2, 5000);
        compare(model.rowCount(), 2);
        const ids = [model.get(0).id, model.get(1).id].sort();
        compare(ids, [all[0].id, all[1].id].sort());
        const row = model.get(0).id === all[0].id ? 0 : 1;
        compare(model.data(model.index(row, 0), SocketModel.SocketIdRole), all[0].id);
        compare(model.data(model.index(row, 0), SocketModel.SocketRole).id, all[0].id);
        verify(["polling", "websocket"].indexOf(
                   model.data(model.index(row, 0), SocketModel.TransportRole)) >= 0);

        compare(redModel.count, 0);
        const socket = serverSocket(all[1]);
        socket.join("red");
        tryCompare(redModel, "count", 1, 5000);
        compare(redModel.get(0).id, all[1].id);
        verify(redModel.data(redModel.index(0, 0), SocketModel.RoomsRole).indexOf("red") >= 0);
        socket.leave("red");
        tryCompare(redModel, "count", 0, 5000);
        socket.join("red");
        tryCompare(redModel, "count", 1, 5000);

        all[1].active = false;
        tryCompare(model, "count", 1, 5000);
        compare(model.get(0).id, all[0].id);
        tryCompare(redModel, "count", 0, 5000);
        all[0].active = false;
        tryCompare(model, "count", 0, 5000);
    }

    function test_socketModelProperties() {
        const model = createTemporaryObject(modelComponent, testCase, { namespace: "/admin" });
        for (const [name, value] of [["namespace", "/"], ["room", "r"], ["server", null]]) {
            const changed = spy(model, name + "Changed");
            model[name] = value;
            compare(changed.count, 1, name + "Changed");
            model[name] = value;
            compare(changed.count, 1, name + "Changed for an unchanged value");
        }
        // a namespace's model
        model.server = io;
        model.room = "";
        model.namespace = "/admin";
        const count = spy(model, "countChanged");
        const root = newClient(io.url);
        const admin = newClient(io.url, { namespace: "/admin" });
        tryVerify(() => root.connected && admin.connected, 5000);
        tryCompare(model, "count", 1, 5000);
        compare(model.get(0).id, admin.id);
        compare(model.get(0).namespace, "/admin");
        compare(count.count, 1);
    }

    function test_nodeClient() {
        const peer = createTemporaryObject(nodeClientComponent, testCase,
                                           { url: io.url, count: 2 });
        const connections = spy(io, "connection");
        const received = spy(peer, "received");
        const failed = spy(peer, "failed");
        peer.start();
        waitFor(() => peer.connectedCount === 2 || failed.count > 0, 10000, () => peer.log);
        compare(failed.count, 0);
        tryCompare(connections, "count", 2, 5000);

        io.emit("news", { headline: "qml" }, 5, Util.buffer([1, 2]));
        tryCompare(received, "count", 2, 5000);
        for (let i = 0; i < 2; ++i) {
            compare(received.signalArguments[i][1], "news");
            const args = received.signalArguments[i][2];
            compare(args[0], { headline: "qml" });
            compare(args[1], 5);
            // a Node Buffer in JSON
            compare(args[2], { type: "Buffer", data: [1, 2] });
        }
        // a room with one Node socket
        const first = connections.signalArguments[0][0];
        first.join("n");
        io.to("n").emit("room-news", "only");
        io.emit("marker");
        const named = name => received.signalArguments.filter(a => a[1] === name);
        waitFor(() => named("marker").length === 2, 5000, () => peer.log);
        const roomNews = named("room-news");
        compare(roomNews.length, 1);
        compare(roomNews[0][2], ["only"]);

        // and the other way
        const events = spy(io, "event");
        peer.emitFrom(1, "from-node", [{ x: 1 }]);
        tryCompare(events, "count", 1, 5000);
        compare(events.signalArguments[0][1], "from-node");
        compare(events.signalArguments[0][2], [{ x: 1 }]);
    }
}
