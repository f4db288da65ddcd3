// The chat's Qt Quick client: the same chat as the Widgets client and the browser page, through
// `import SocketIO`. chat-qml sets serverUrl and nickname from its command line; the `qml` tool
// leaves the defaults and asks for a nickname:
//
//   QML_IMPORT_PATH=build/qml /usr/lib/qt6/bin/qml examples/chat/qml/Main.qml
import QtQuick
import QtQuick.Controls
import QtQuick.Layouts
import SocketIO

ApplicationWindow {
    id: window

    // The chat server, and the nickname to log in with as soon as connected ("" asks for one).
    property url serverUrl: "http://localhost:3000"
    property string nickname: ""
    // The nickname the server accepted; kept across reconnections to log in again.
    property string me: ""
    // Logged in on the current connection.
    property bool loggedIn: false
    property var rooms: []
    property string room: ""
    property string typing: ""

    width: 420
    height: 520
    visible: true
    title: me ? qsTr("Chat: %1").arg(me) : qsTr("Chat")

    function note(text) {
        messages.append({ user: "", message: text, notice: true })
    }

    function show(user, text) {
        messages.append({ user: user, message: text, notice: false })
    }

    function login(name) {
        client.emit("login", name, reply => {
            if (reply.error) {
                note(reply.error)
                return
            }
            me = name
            rooms = reply.rooms
            room = reply.room
            roomBox.currentIndex = rooms.indexOf(room)
            loggedIn = true
            note(qsTr("Welcome, %1: %2 in %3").arg(name).arg(reply.users).arg(reply.room))
        })
    }

    function switchRoom(name) {
        client.emit("switch room", name, reply => {
            room = reply.room
            roomBox.currentIndex = rooms.indexOf(room)
            note(qsTr("Now in %1 (%2 here)").arg(reply.room).arg(reply.users))
        })
    }

    function say() {
        const text = input.text.trim()
        if (!text)
            return
        input.clear()
        typingTimer.stop()
        client.emit("stop typing")
        client.emit("new message", text, reply => {
            if (reply && reply.ok)
                show(me, text)
            else
                note(qsTr("not sent: %1").arg(text))
        })
    }

    SocketIOClient {
        id: client
        url: window.serverUrl

        onConnected: {
            if (window.me || window.nickname)
                window.login(window.me || window.nickname)
        }
        onDisconnected: window.loggedIn = false

        Component.onCompleted: {
            client.on("new message", m => window.show(m.username, m.message))
            client.on("user joined", m => window.note(qsTr("%1 joined %2 (%3 here)")
                                                      .arg(m.username).arg(m.room).arg(m.users)))
            client.on("user left", m => window.note(qsTr("%1 left %2 (%3 here)")
                                                    .arg(m.username).arg(m.room).arg(m.users)))
            client.on("typing", m => window.typing = m.username)
            client.on("stop typing", () => window.typing = "")
        }
    }

    // "typing" when the first key is pressed, "stop typing" a second after the last one.
    Timer {
        id: typingTimer
        interval: 1000
        onTriggered: client.emit("stop typing")
    }

    header: ToolBar {
        RowLayout {
            anchors.fill: parent
            anchors.leftMargin: 8
            anchors.rightMargin: 8
            Label {
                text: qsTr("Room")
            }
            ComboBox {
                id: roomBox
                objectName: "roomBox"
                model: window.rooms
                enabled: window.loggedIn
                onActivated: index => window.switchRoom(textAt(index))
            }
            Item {
                Layout.fillWidth: true
            }
            Label {
                objectName: "status"
                text: {
                    switch (client.status) {
                    case SocketIOClient.Connected:
                        return qsTr("connected (%1)").arg(client.transport)
                    case SocketIOClient.Connecting:
                        return qsTr("connecting…")
                    default:
                        return client.errorString ? qsTr("disconnected: %1").arg(client.errorString)
                                                  : qsTr("disconnected")
                    }
                }
            }
        }
    }

    ColumnLayout {
        anchors.fill: parent
        anchors.margins: 8

        ListView {
            id: list
            objectName: "messageList"
            Layout.fillWidth: true
            Layout.fillHeight: true
            clip: true
            spacing: 2
            model: ListModel {
                id: messages
                objectName: "messages"
            }
            delegate: Label {
                required property string user
                required property string message
                required property bool notice
                width: ListView.view.width
                wrapMode: Text.Wrap
                textFormat: Text.PlainText
                text: notice ? message : qsTr("%1: %2").arg(user).arg(message)
                font.italic: notice
                color: notice ? "gray" : palette.windowText
            }
            onCountChanged: Qt.callLater(positionViewAtEnd)
            ScrollBar.vertical: ScrollBar {}
        }

        Label {
            objectName: "typingLabel"
            Layout.fillWidth: true
            text: window.typing ? qsTr("%1 is typing…").arg(window.typing) : ""
            color: "gray"
        }

        RowLayout {
            Layout.fillWidth: true
            TextField {
                id: input
                objectName: "messageInput"
                Layout.fillWidth: true
                placeholderText: qsTr("Say something")
                enabled: window.loggedIn
                onAccepted: window.say()
                onTextEdited: {
                    if (!typingTimer.running)
                        client.emit("typing")
                    typingTimer.restart()
                }
            }
            Button {
                objectName: "sendButton"
                text: qsTr("Send")
                enabled: window.loggedIn && input.text.trim() !== ""
                onClicked: window.say()
            }
        }
    }

    // Asks for a nickname when none was given; covers the chat until the server accepts one.
    Pane {
        anchors.fill: parent
        visible: !window.me
        ColumnLayout {
            anchors.centerIn: parent
            Label {
                text: qsTr("Your nickname")
            }
            RowLayout {
                TextField {
                    id: nameInput
                    objectName: "nameInput"
                    maximumLength: 32
                    text: window.nickname
                    focus: true
                    onAccepted: joinButton.clicked()
                }
                Button {
                    id: joinButton
                    objectName: "joinButton"
                    text: qsTr("Join")
                    enabled: client.connected && nameInput.text.trim() !== ""
                    onClicked: {
                        window.nickname = nameInput.text.trim()
                        window.login(window.nickname)
                    }
                }
            }
        }
    }
}
