// A scoreboard hosted by a QML app: the SocketIOServer serves a page that phones open (web/),
// each phone joins a team and scores points, and the board shows the score and the players
// live. "Ready?" asks every phone and waits for their answers (a broadcast with acks).
//
// Runs from the `scoreboard` program (which loads it from its resources), or with the qml tool:
//     QML_IMPORT_PATH=build/qml /usr/lib/qt6/bin/qml examples/scoreboard/Main.qml [-- --port N]
import QtQuick
import QtQuick.Controls
import QtQuick.Layouts
import SocketIO

ApplicationWindow {
    id: window

    // Set by the scoreboard program; the defaults fit the qml tool run from the source tree,
    // where `-- --port N` picks the port.
    property int port: {
        const args = Qt.application.arguments
        const at = args.indexOf("--port")
        return at >= 0 && at + 1 < args.length ? Number(args[at + 1]) : 3000
    }
    property url clientDirectory: Qt.resolvedUrl("web/node_modules/socket.io-client/dist")
    property var scores: ({ red: 0, blue: 0 })
    property string readiness: ""

    width: 720
    height: 480
    visible: true
    title: qsTr("Scoreboard")

    function publish() {
        io.emit("scores", scores)
    }

    function score(team) {
        const next = Object.assign({}, scores)
        next[team] += 1
        scores = next
        publish()
    }

    SocketIOServer {
        id: io
        objectName: "server"
        port: window.port
        documentRoot: Qt.resolvedUrl("web/")
        options: ({ clientDirectory: String(window.clientDirectory).replace(/^file:\/\//, "") })

        onListeningChanged: {
            if (listening)
                console.info("scoreboard: open http://<this machine>:" + serverPort + "/ on your phones")
        }
        onErrorStringChanged: if (errorString) console.warn("scoreboard:", errorString)

        onConnection: socket => {
            socket.emit("scores", window.scores)
            socket.on("join", (team, ack) => {
                if (team !== "red" && team !== "blue") {
                    if (ack) ack({ error: "pick red or blue" })
                    return
                }
                socket.leave(socket.data.team || "")
                socket.join(team)
                socket.data = { team: team }
                if (ack) ack({ team: team })
            })
            socket.on("point", ack => {
                const team = socket.data.team
                if (team)
                    window.score(team)
                if (typeof ack === "function") ack(window.scores)
            })
        }
    }

    ColumnLayout {
        anchors.fill: parent
        anchors.margins: 16
        spacing: 12

        RowLayout {
            Layout.fillWidth: true
            Repeater {
                model: ["red", "blue"]
                delegate: Pane {
                    required property string modelData
                    Layout.fillWidth: true
                    Layout.preferredHeight: 160
                    background: Rectangle { color: modelData === "red" ? "#c0392b" : "#2c6fbb"; radius: 8 }
                    ColumnLayout {
                        anchors.centerIn: parent
                        Label {
                            objectName: modelData + "Score"
                            Layout.alignment: Qt.AlignHCenter
                            text: window.scores[modelData]
                            font.pixelSize: 72
                            color: "white"
                        }
                        Label {
                            Layout.alignment: Qt.AlignHCenter
                            text: qsTr("%1 · %2 players").arg(modelData).arg(teamModel.count)
                            color: "white"
                        }
                    }
                    SocketModel { id: teamModel; server: io; room: modelData }
                }
            }
        }

        RowLayout {
            Label {
                objectName: "status"
                Layout.fillWidth: true
                text: io.listening ? qsTr("Phones: open port %1 · %2 connected %3").arg(io.serverPort)
                                         .arg(players.count).arg(window.readiness)
                                   : qsTr("Not listening: %1").arg(io.errorString)
            }
            Button {
                objectName: "readyButton"
                text: qsTr("Ready?")
                // Every phone answers within 5 s, or counts as not ready.
                onClicked: io.timeout(5000).emit("ready?", (err, responses) => {
                    window.readiness = qsTr("· %1 of %2 ready").arg(responses.filter(r => r === true).length)
                                                               .arg(players.count)
                })
            }
            Button {
                objectName: "resetButton"
                text: qsTr("Reset")
                onClicked: { window.scores = { red: 0, blue: 0 }; window.publish() }
            }
        }

        ListView {
            objectName: "players"
            Layout.fillWidth: true
            Layout.fillHeight: true
            clip: true
            model: SocketModel { id: players; server: io }
            delegate: Label {
                required property string socketId
                required property var socketData
                required property string transport
                text: socketId + " · " + (socketData.team || qsTr("no team")) + " · " + transport
            }
        }
    }
}
