// The Inspector: a live view of a Socket.IO server. For now a window that says what it will
// show; the views arrive with the admin protocol.
#include <QtWidgets/QApplication>
#include <QtWidgets/QLabel>
#include <QtWidgets/QMainWindow>

int main(int argc, char *argv[])
{
    QApplication app(argc, argv);
    QMainWindow window;
    window.setWindowTitle(QStringLiteral("Socket.IO Inspector"));
    auto *label = new QLabel(QStringLiteral("Sockets, namespaces, rooms and traffic of a "
                                            "Socket.IO server will show here."));
    label->setAlignment(Qt::AlignCenter);
    window.setCentralWidget(label);
    window.resize(640, 400);
    window.show();
    return app.exec();
}
