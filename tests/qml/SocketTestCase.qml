// A TestCase with the helpers the tst_*.qml files share: clients and spies that are destroyed
// at the end of each test.
import QtQuick
import QtTest
import SocketIO

TestCase {
    id: testCase

    Component {
        id: clientComponent
        SocketIOClient {
            reconnection: false
        }
    }
    Component {
        id: spyComponent
        // A destroyed SignalSpy stays connected to its target's signal: let go of the
        // target, or a long-lived one (the servers) calls into dead spies.
        SignalSpy {
            Component.onDestruction: target = null
        }
    }

    // A SocketIOClient (no reconnection unless `properties` say so), active unless
    // `properties` say so.
    function newClient(url, properties) {
        const client = createTemporaryObject(clientComponent, testCase,
                                             Object.assign({ url: url }, properties || {}));
        verify(client, "SocketIOClient not created");
        return client;
    }

    // A client that has connected.
    function connectedClient(url, properties) {
        const client = newClient(url, properties);
        waitFor(() => client.connected, 5000,
                () => "the client did not connect to " + url + ": " + client.errorString);
        return client;
    }

    // tryVerify(condition, timeout) whose failure message, describe(), is read when it fails
    // (tryVerify's message is read before it waits).
    function waitFor(condition, timeout, describe) {
        const deadline = Date.now() + timeout;
        while (!condition() && Date.now() < deadline)
            wait(20);
        verify(condition(), describe());
    }

    function spy(target, signalName) {
        const result = createTemporaryObject(spyComponent, testCase,
                                             { target: target, signalName: signalName });
        verify(result && result.valid, "cannot spy on " + signalName);
        return result;
    }

    // The Node server's URL, failing the test when it does not run.
    function nodeUrl() {
        waitFor(() => nodeServer.running, 10000, () => "Node server: " + nodeServer.errorString);
        return nodeServer.url;
    }
}
