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

    // namespaces takes effect while listening.
    function test_namespacesWhileActive() {
        const server = newServer();
        tryCompare(server, "listening", true, 5000);
        const url = "http://127.0.0.1:" + server.serverPort;
        const refused = newClient(url, { namespace: "/late", active: false });
        const errors = spy(refused, "connectError");
        refused.active = true;
        tryCompare(errors, "count", 1, 5000);
        compare(errors.signalArguments[0][0], "Invalid namespace");
        server.namespaces = ["/", "/late"];
        const late = connectedClient(url, { namespace: "/late" });
        compare(server.sockets("/late").length, 1);
        compare(server.sockets("/late")[0].id, late.id);
    }

    // documentRoot: files over HTTP beside Socket.IO. (Escaping the folder needs a raw
    // request: XMLHttpRequest resolves "..". tst_scoreboard checks it.)
    function test_documentRoot() {
        const folder = Qt.resolvedUrl(".");
        const server = newServer({ documentRoot: folder });
        tryCompare(server, "listening", true, 5000);
        const base = "http://127.0.0.1:" + server.serverPort + "/";
        const results = {};
        for (const path of ["EchoServer.qml", "missing.txt"]) {
            const request = new XMLHttpRequest();
            request.onreadystatechange = () => {
                if (request.readyState === XMLHttpRequest.DONE)
                    results[path] = [request.status, request.responseText];
            };
            request.open("GET", base + path);
            request.send();
        }
        tryVerify(() => Object.keys(results).length === 2, 5000, "HTTP requests unanswered");
        compare(results["EchoServer.qml"][0], 200);
        verify(results["EchoServer.qml"][1].indexOf("SocketIOServer {") >= 0);
        compare(results["missing.txt"][0], 404);
        // and Socket.IO still answers
        connectedClient(base);
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
