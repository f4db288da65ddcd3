// Every property of SocketIOServer notifies its change.
import QtQuick
import QtTest
import SocketIO

SocketTestCase {
    id: testCase
    name: "ServerProperties"

    Component {
        id: serverComponent
        SocketIOServer {
            host: "127.0.0.1"
            port: 0
        }
    }

    function newServer(properties) {
        const server = createTemporaryObject(serverComponent, testCase, properties || {});
        verify(server, "SocketIOServer not created");
        return server;
    }

    function test_writable_data() {
        return [
            { tag: "port", value: 1 },
            { tag: "host", value: "::1" },
            { tag: "options", value: { pingInterval: 10000, cors: { origin: "*" } } },
            { tag: "documentRoot", value: "file:///tmp/" },
            { tag: "namespaces", value: ["/", "/admin"] },
            { tag: "active", value: false },
        ];
    }
    function test_writable(data) {
        // active false: nothing listens while the values change (but the "active" row)
        const server = newServer({ active: data.tag === "active" });
        const changed = spy(server, data.tag + "Changed");
        server[data.tag] = data.value;
        compare(changed.count, 1, data.tag + "Changed");
        if (data.tag === "documentRoot")
            compare(String(server.documentRoot), data.value);
        else
            compare(server[data.tag], data.value);
        server[data.tag] = JSON.parse(JSON.stringify(data.value));
        compare(changed.count, 1, data.tag + "Changed for an unchanged value");
    }

    function test_listening() {
        const server = newServer({ active: false });
        compare(server.listening, false);
        const listening = spy(server, "listeningChanged");
        server.active = true;
        tryCompare(server, "listening", true, 5000);
        compare(listening.count, 1);
        verify(server.serverPort > 0, "serverPort " + server.serverPort);
        compare(server.port, 0); // the requested port stays as it was
        server.active = false;
        tryCompare(server, "listening", false, 5000);
        compare(listening.count, 2);
        compare(server.errorString, "");
    }

    function test_clientsCount() {
        const server = newServer();
        tryCompare(server, "listening", true, 5000);
        compare(server.clientsCount, 0);
        const count = spy(server, "clientsCountChanged");
        const first = connectedClient("http://127.0.0.1:" + server.serverPort);
        const second = connectedClient("http://127.0.0.1:" + server.serverPort);
        tryCompare(server, "clientsCount", 2, 5000);
        compare(count.count, 2);
        first.active = false;
        tryCompare(server, "clientsCount", 1, 5000);
        compare(count.count, 3);
        server.close();
        tryCompare(server, "clientsCount", 0, 5000);
        compare(server.listening, false);
        tryVerify(() => !second.connected, 5000);
    }

    function test_errorString() {
        const first = newServer();
        tryCompare(first, "listening", true, 5000);
        const second = newServer({ active: false, port: first.serverPort });
        const error = spy(second, "errorStringChanged");
        ignoreWarning(/SocketIOServer: The bound address is already in use/);
        second.active = true;
        tryVerify(() => error.count > 0, 5000, "no errorStringChanged for a port in use");
        verify(second.errorString.length > 0, "empty errorString");
        compare(second.listening, false);
    }
}
