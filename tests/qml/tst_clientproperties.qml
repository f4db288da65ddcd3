// Every property of SocketIOClient notifies its change: the writable ones once per change and
// not when set to the value they hold; the read-only ones through a connection cycle.
import QtQuick
import QtTest
import SocketIO
import SocketIOTest
import "util.js" as Util

SocketTestCase {
    id: testCase
    name: "ClientProperties"

    EchoServer {
        id: server
    }
    Component {
        id: recoveryServerComponent
        NodeServer {
            config: ({ recovery: true })
        }
    }

    function test_writable_data() {
        return [
            { tag: "url", value: "http://127.0.0.1:1/" },
            { tag: "path", value: "/custom/" },
            { tag: "namespace", value: "/admin" },
            { tag: "auth", value: { token: "t", n: 1 } },
            { tag: "query", value: { room: "r1" } },
            { tag: "extraHeaders", value: { "x-test": "1" } },
            { tag: "transports", value: ["websocket"] },
            { tag: "reconnection", value: false },
            { tag: "reconnectionAttempts", value: 3 },
            { tag: "reconnectionDelay", value: 250 },
            { tag: "reconnectionDelayMax", value: 900 },
            { tag: "randomizationFactor", value: 0.25 },
            { tag: "connectionTimeout", value: 1234 },
            { tag: "ackTimeout", value: 500 },
            { tag: "retries", value: 2 },
            { tag: "parser", value: "msgpack" },
            { tag: "options", value: { forceBase64: true } },
            { tag: "active", value: true },
        ];
    }
    function test_writable(data) {
        // inactive, so that nothing connects; the component's default for reconnection is
        // false, so start from true for that row
        const client = newClient("", { active: false, reconnection: true });
        const changed = spy(client, data.tag + "Changed");
        client[data.tag] = data.value;
        compare(changed.count, 1, data.tag + "Changed");
        if (data.tag === "url")
            compare(String(client.url), data.value);
        else
            compare(client[data.tag], data.value);
        // the same value again: no signal
        client[data.tag] = JSON.parse(JSON.stringify(data.value));
        compare(changed.count, 1, data.tag + "Changed for an unchanged value");
    }

    // The options named by properties reach the server.
    function test_optionsReachServer() {
        waitFor(() => server.listening, 5000, () => server.errorString);
        const connections = spy(server, "connection");
        const client = connectedClient(server.url, { auth: { name: "qml" },
                                                     query: { room: "r1" },
                                                     extraHeaders: { "x-qml": "yes" },
                                                     transports: ["polling"] });
        tryCompare(connections, "count", 1, 5000);
        const socket = connections.signalArguments[0][0];
        compare(socket.id, client.id);
        compare(socket.auth.name, "qml");
        compare(socket.handshake.query.room, "r1");
        compare(socket.handshake.headers["x-qml"], "yes");
        compare(socket.transport, "polling");
        compare(client.transport, "polling");
    }

    function test_readOnly() {
        waitFor(() => server.listening, 5000, () => server.errorString);
        const client = newClient(server.url, { active: false });
        const status = spy(client, "statusChanged");
        const connectedChanged = spy(client, "connectedChanged");
        const id = spy(client, "idChanged");
        const transport = spy(client, "transportChanged");
        const active = spy(client, "activeChanged");
        let statuses = [];
        client.statusChanged.connect(() => statuses.push(client.status));

        client.active = true;
        compare(active.count, 1);
        tryVerify(() => client.connected, 5000);
        tryCompare(client, "transport", "websocket", 5000);
        compare(statuses, [SocketIOClient.Connecting, SocketIOClient.Connected]);
        compare(connectedChanged.count, 1);
        compare(id.count, 1);
        verify(transport.count >= 2, "polling, then websocket: " + transport.count);
        const transportChanges = transport.count;

        client.active = false;
        compare(active.count, 2);
        tryVerify(() => !client.connected, 5000);
        compare(client.status, SocketIOClient.Disconnected);
        compare(statuses[statuses.length - 1], SocketIOClient.Disconnected);
        compare(connectedChanged.count, 2);
        compare(id.count, 2);
        compare(client.id, "");
        compare(client.transport, "");
        compare(transport.count, transportChanges + 1);
    }

    // manager and socket: the library's objects, through their registered types.
    function test_managerAndSocket() {
        tryVerify(() => server.listening, 5000);
        const client = newClient(server.url, { active: false });
        verify(client.manager, "no manager with a url");
        verify(client.socket, "no socket with a url");
        compare(client.manager.state, Manager.Closed);
        compare(client.socket.state, ClientSocket.Disconnected);
        const managerChanged = spy(client, "managerChanged");
        client.active = true;
        tryVerify(() => client.connected, 5000);
        compare(client.manager.state, Manager.Open);
        compare(client.socket.state, ClientSocket.Connected);
        compare(client.socket.id, client.id);
        compare(managerChanged.count, 0);
        // another url: another Manager
        const before = client.manager;
        client.url = server.url + "/";
        tryVerify(() => managerChanged.count > 0, 5000, "no managerChanged for a new url");
        verify(client.manager !== before, "the same Manager after a url change");
        tryVerify(() => client.connected, 5000);
    }

    // Changing connection options while active reconnects once for changes made together;
    // auth is sent with the next CONNECT and does not reconnect.
    function test_optionChangeReconnects() {
        tryVerify(() => server.listening, 5000);
        const connections = spy(server, "connection");
        const client = connectedClient(server.url, { query: { v: "1" } });
        tryCompare(connections, "count", 1, 5000);
        const connected = spy(client, "connected");
        const disconnected = spy(client, "disconnected");
        client.query = { v: "2" };
        client.extraHeaders = { "x-v": "2" };
        tryCompare(connected, "count", 1, 5000);
        compare(disconnected.count, 1);
        tryCompare(connections, "count", 2, 5000);
        const socket = connections.signalArguments[1][0];
        compare(socket.handshake.query.v, "2");
        compare(socket.handshake.headers["x-v"], "2");
        // one reconnection: an acked round trip, and still two connections
        let reply = null;
        client.emitWithAck("echo", "after").then(v => { reply = v; });
        tryVerify(() => reply === "after", 5000);
        compare(connections.count, 2);
        compare(connected.count, 1);

        client.auth = { token: "later" };
        client.emitWithAck("echo", "same").then(v => { reply = v; });
        tryVerify(() => reply === "same", 5000);
        compare(disconnected.count, 1);
        compare(connections.count, 2);
    }

    // recovered: Node's server with connection state recovery closes the connection on
    // "kill-me"; the client comes back with the same id, and what it missed.
    function test_recovered() {
        const recovery = createTemporaryObject(recoveryServerComponent, testCase);
        recovery.start();
        waitFor(() => recovery.running, 10000, () => recovery.errorString);
        const client = newClient(recovery.url, { active: false, reconnection: true,
                                                 reconnectionDelay: 100,
                                                 randomizationFactor: 0 });
        const recoveredChanged = spy(client, "recoveredChanged");
        const events = spy(client, "event");
        let missed = [];
        client.on("missed", n => missed.push(n));
        client.active = true;
        // "hello" comes with the offset the recovery needs
        tryVerify(() => Util.eventArgs(events, "hello").length === 1, 5000, "no hello");
        compare(client.recovered, false);
        compare(recoveredChanged.count, 0);
        const id = client.id;
        const disconnected = spy(client, "disconnected");
        client.emit("kill-me");
        tryCompare(disconnected, "count", 1, 5000);
        compare(disconnected.signalArguments[0][0], "transport close");
        waitFor(() => client.connected, 5000, () => "not reconnected: " + client.errorString);
        compare(client.recovered, true);
        compare(recoveredChanged.count, 1);
        compare(client.id, id);
        waitFor(() => missed.length === 3, 5000, () => "missed: " + JSON.stringify(missed));
        compare(missed, [1, 2, 3]);
    }

    function test_errorString() {
        waitFor(() => server.listening, 5000, () => server.errorString);
        const client = newClient(server.url, { active: false, namespace: "/nope" });
        compare(client.errorString, "");
        const changed = spy(client, "errorStringChanged");
        client.active = true;
        tryVerify(() => changed.count > 0, 5000, "no errorStringChanged");
        verify(client.errorString.indexOf("Invalid namespace") >= 0,
               "errorString: " + client.errorString);
    }
}
