// Reconnection after the server goes away and comes back on the same port: the in-process
// SocketIOServer (active false, then true with `port` set to the old serverPort) and Node's
// server (NodeServer.restart()).
import QtQuick
import QtTest
import SocketIO

SocketTestCase {
    id: testCase
    name: "Reconnect"

    EchoServer {
        id: server
    }

    function test_reconnect_data() {
        return [{ tag: "in-process", node: false }, { tag: "node", node: true }];
    }
    function test_reconnect(data) {
        let url;
        if (data.node) {
            url = nodeUrl();
        } else {
            waitFor(() => server.listening, 5000, () => server.errorString);
            url = server.url;
        }
        const client = connectedClient(url, { reconnection: true, reconnectionDelay: 100,
                                              reconnectionDelayMax: 300,
                                              randomizationFactor: 0 });
        const firstId = client.id;
        const disconnected = spy(client, "disconnected");
        const attempts = spy(client, "reconnectAttempt");
        const reconnected = spy(client, "reconnected");
        const connected = spy(client, "connected");

        if (data.node) {
            nodeServer.restart();
        } else {
            const port = server.serverPort;
            server.active = false;
            tryCompare(server, "listening", false);
            tryCompare(disconnected, "count", 1, 5000);
            // at least one attempt meets a closed port
            tryVerify(() => attempts.count > 0, 5000, "no reconnectAttempt while the server is down");
            server.port = port;
            server.active = true;
            tryCompare(server, "listening", true, 5000);
            compare(server.serverPort, port);
        }

        tryCompare(reconnected, "count", 1, 10000);
        compare(disconnected.count, 1);
        compare(disconnected.signalArguments[0][0], "transport close");
        verify(attempts.count >= 1, "no reconnectAttempt");
        // reconnectAttempt(n) counts up from 1; reconnected(n) carries the successful one
        compare(attempts.signalArguments[0][0], 1);
        compare(reconnected.signalArguments[0][0], attempts.signalArguments[attempts.count - 1][0]);
        // the Manager's reconnected comes first, when the connection opens; then the socket's
        tryCompare(connected, "count", 1, 5000);
        compare(client.connected, true);
        compare(client.status, SocketIOClient.Connected);
        verify(client.id.length > 0 && client.id !== firstId, "id after reconnecting: " + client.id);

        // and the new connection works
        let reply;
        client.emitWithAck("echo", "again").then(value => { reply = value; });
        tryVerify(() => reply === "again", 5000);
    }

    // A server that stays away: reconnectionAttempts attempts, reconnectError each, then
    // reconnectFailed.
    function test_reconnectFailed() {
        waitFor(() => server.listening, 5000, () => server.errorString);
        const client = connectedClient(server.url, { reconnection: true, reconnectionDelay: 50,
                                                     reconnectionDelayMax: 50,
                                                     randomizationFactor: 0,
                                                     reconnectionAttempts: 2 });
        const attempts = spy(client, "reconnectAttempt");
        const errors = spy(client, "reconnectError");
        const failed = spy(client, "reconnectFailed");
        server.active = false;
        tryCompare(failed, "count", 1, 5000);
        compare(attempts.count, 2);
        compare(errors.count, 2);
        verify(errors.signalArguments[0][0].length > 0, "empty reconnectError message");
        compare(client.connected, false);
        compare(client.status, SocketIOClient.Disconnected);
        server.active = true;
        tryCompare(server, "listening", true, 5000);
    }

    // Without reconnection, a refused connection ends in Disconnected.
    function test_refusedWithoutReconnection() {
        waitFor(() => server.listening, 5000, () => server.errorString);
        const url = server.url;
        server.active = false;
        tryCompare(server, "listening", false);
        const client = newClient(url, { active: false });
        const errors = spy(client, "connectError");
        client.active = true;
        tryCompare(errors, "count", 1, 5000);
        verify(errors.signalArguments[0][0].length > 0, "empty connectError message");
        compare(client.connected, false);
        tryCompare(client, "status", SocketIOClient.Disconnected, 1000);
    }

    function cleanup() {
        // the next test (and file) needs both servers up
        server.active = true;
        tryVerify(() => server.listening, 5000);
        waitFor(() => nodeServer.running, 10000, () => nodeServer.errorString);
    }
}
