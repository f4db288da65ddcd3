#!/usr/bin/python3
"""python-socketio client side of tst_python_interop.

Run with Debian's interpreter (/usr/bin/python3), which has python3-socketio,
python3-requests (polling) and python3-websocket (WebSocket).

    sio_client.py --url http://127.0.0.1:PORT --scenario NAME
                  [--transports polling|websocket|polling,websocket]
                  [--namespace /] [--auth '{"token":"..."}'] [--timeout 20]

Server contract (implemented by tst_python_interop.cpp), for "/" and "/custom":
  on connection    emit "auth" with the handshake auth object
  "echo"           emit "echo-back" with the same arguments
  "ack-me"         acknowledge with the same arguments
  "ask-me"         emit "question" [7, b"\\x00\\x01\\xfe\\xff"] with an ack callback; when the
                   answer arrives, emit "answer-seen" with the answer's arguments
  "disconnect-me"  socket.disconnect()
The "basic" scenario prints {"event":"left"} after leaving the namespace and then waits for
the line "close" on stdin before closing the connection.
"/private" refuses every connection in a middleware: next("not authorized", {"code": 42}).
Any other namespace is unknown.

stdout: one JSON object per line, "event" first; the last line is {"event":"pass",...} with
exit code 0 or {"event":"fail","why":...} with exit code 1. Bytes are printed as hex.
"""

import argparse
import json
import sys
import threading
import time

import socketio
from socketio import packet as sio_packet

BINARY = bytes([0, 1, 2, 0x7F, 0x80, 0xFE, 0xFF])
QUESTION = bytes([0, 1, 0xFE, 0xFF])


def printable(value):
    if isinstance(value, (bytes, bytearray)):
        return {"hex": bytes(value).hex()}
    if isinstance(value, (list, tuple)):
        return [printable(v) for v in value]
    if isinstance(value, dict):
        return {k: printable(v) for k, v in value.items()}
    return value


def report(event, **fields):
    line = {"event": event}
    line.update({k: printable(v) for k, v in fields.items()})
    print(json.dumps(line), flush=True)


class Failure(Exception):
    pass


def check(condition, why):
    if not condition:
        raise Failure(why)


def as_list(value):
    """call() returns a single value as it is and several as a tuple."""
    if isinstance(value, tuple):
        return list(value)
    return [value]


class Run:
    def __init__(self, args):
        self.args = args
        self.timeout = args.timeout
        self.namespace = args.namespace
        self.sio = socketio.Client(reconnection=False)
        self.lock = threading.Lock()
        self.received = {}  # event -> list of argument lists
        self.signals = {}  # event -> threading.Event
        self.connect_error = None
        for name in ("connect", "connect_error", "disconnect", "auth", "echo-back",
                     "answer-seen"):
            self.signals[name] = threading.Event()

        ns = self.namespace
        self.sio.on("connect", self.on_connect, namespace=ns)
        self.sio.on("connect_error", self.on_connect_error, namespace=ns)
        self.sio.on("disconnect", self.on_disconnect, namespace=ns)
        self.sio.on("question", self.on_question, namespace=ns)
        for name in ("auth", "echo-back", "answer-seen"):
            self.sio.on(name, self.recorder(name), namespace=ns)

    # Handlers run on the client's threads.
    def on_connect(self):
        self.signals["connect"].set()

    def on_connect_error(self, data=None):
        self.connect_error = data
        self.signals["connect_error"].set()

    def on_disconnect(self):
        self.signals["disconnect"].set()

    def on_question(self, *args):
        self.record("question", args)
        check(len(args) == 2, "question: expected 2 arguments, got %r" % (args,))
        number, data = args
        # Several return values become the acknowledgement's arguments.
        return number + 1, bytes(reversed(data)), {"seen": len(data)}

    def recorder(self, name):
        def handler(*args):
            self.record(name, args)
            self.signals[name].set()
        return handler

    def record(self, name, args):
        with self.lock:
            self.received.setdefault(name, []).append(list(args))

    def wait(self, name, what):
        check(self.signals[name].wait(self.timeout), "timed out waiting for " + what)

    def first(self, name):
        with self.lock:
            return self.received[name][0]

    def connect(self, expect_success=True):
        transports = self.args.transports.split(",")
        auth = json.loads(self.args.auth) if self.args.auth else None
        # wait=False: the client's own wait gives up after wait_timeout and hides the
        # CONNECT_ERROR; the handlers above say which one came.
        self.sio.connect(self.args.url, transports=transports, namespaces=[self.namespace],
                         auth=auth, wait=False)
        deadline = time.monotonic() + self.timeout
        while time.monotonic() < deadline:
            if self.signals["connect"].is_set() or self.signals["connect_error"].is_set():
                break
            time.sleep(0.01)
        if not expect_success:
            check(self.signals["connect_error"].is_set(),
                  "expected connect_error, connected=%r" % self.signals["connect"].is_set())
            return
        check(self.signals["connect"].is_set(),
              "no connect (connect_error=%r)" % (self.connect_error,))
        report("connect", sid=self.sio.get_sid(self.namespace), transport=self.sio.transport(),
               namespace=self.namespace)

    # Scenarios.
    def basic(self):
        self.connect()
        auth = json.loads(self.args.auth) if self.args.auth else {}
        self.wait("auth", "the auth event")
        check(self.first("auth") == [auth],
              "auth event %r, expected [%r]" % (self.first("auth"), auth))

        # Event with text, numbers, nested objects, unicode and binary at two depths.
        sent = ["text é€😀", 42, 1.5, True, None, {"nested": [1, "two", {"three": 3}]},
                BINARY, {"bin": BINARY, "list": [BINARY[:2], "x"]}, b""]
        self.sio.emit("echo", tuple(sent), namespace=self.namespace)
        self.wait("echo-back", "echo-back")
        back = self.first("echo-back")
        check(back == sent, "echo-back %r, expected %r" % (back, sent))
        report("echo", args=back)

        # Acknowledgement of a client emit (call() waits for it), binary included.
        reply = as_list(self.sio.call("ack-me", ("a", BINARY, {"k": [BINARY]}),
                                      namespace=self.namespace, timeout=self.timeout))
        check(reply == ["a", BINARY, {"k": [BINARY]}], "ack-me answered %r" % (reply,))
        report("ack", args=reply)

        # Acknowledgement of a server emit: the handler's return value is the answer.
        self.sio.emit("ask-me", namespace=self.namespace)
        self.wait("answer-seen", "answer-seen")
        question = self.first("question")
        check(question == [7, QUESTION], "question %r" % (question,))
        seen = self.first("answer-seen")
        expected = [8, bytes(reversed(QUESTION)), {"seen": len(QUESTION)}]
        check(seen == expected, "answer-seen %r, expected %r" % (seen, expected))
        report("server-ack", args=seen)

        report("transport", transport=self.sio.transport())

        # Leave the namespace with a DISCONNECT packet, then wait for the test driver to
        # confirm the server saw it before closing the connection. (The client's own
        # disconnect() queues that packet and closes a WebSocket at once, so the packet is
        # usually lost on the wire: python-socketio 5.7 races itself there.)
        self.sio._send_packet(self.sio.packet_class(sio_packet.DISCONNECT,
                                                    namespace=self.namespace))
        report("left")
        line = sys.stdin.readline()
        check(line.strip() == "close", "expected 'close' on stdin, got %r" % (line,))
        self.close_engine()

    def close_engine(self):
        # Close the Engine.IO session (a CLOSE packet over polling) and wait until the
        # client's threads are done with the wire.
        eio = self.sio.eio
        writer = eio.write_loop_task
        eio.disconnect(abort=False)
        if writer is not None:
            writer.join(self.timeout)

    def server_disconnect(self):
        self.connect()
        self.sio.emit("disconnect-me", namespace=self.namespace)
        self.wait("disconnect", "the server's disconnect")
        report("disconnect")

    def transport_close(self):
        self.connect()
        self.wait("auth", "the auth event")
        # Close the Engine.IO session without leaving the namespace first.
        self.close_engine()
        report("closed")

    def refused(self):
        self.connect(expect_success=False)
        report("connect_error", data=self.connect_error)
        check(isinstance(self.connect_error, dict), "connect_error data %r" % (self.connect_error,))
        expected = {
            "/private": {"message": "not authorized", "data": {"code": 42}},
        }.get(self.namespace, {"message": "Invalid namespace"})
        check(self.connect_error == expected,
              "connect_error %r, expected %r" % (self.connect_error, expected))
        self.sio.disconnect()


def main():
    parser = argparse.ArgumentParser()
    parser.add_argument("--url", required=True)
    parser.add_argument("--scenario", required=True,
                        choices=["basic", "server-disconnect", "transport-close", "refused"])
    parser.add_argument("--transports", default="polling,websocket")
    parser.add_argument("--namespace", default="/")
    parser.add_argument("--auth", default="")
    parser.add_argument("--timeout", type=float, default=20)
    args = parser.parse_args()

    run = Run(args)
    started = time.monotonic()
    try:
        getattr(run, args.scenario.replace("-", "_"))()
    except Failure as failure:
        report("fail", why=str(failure))
        return 1
    except Exception as error:  # the client library raised
        report("fail", why="%s: %s" % (type(error).__name__, error))
        return 1
    report("pass", scenario=args.scenario, ms=int((time.monotonic() - started) * 1000))
    return 0


if __name__ == "__main__":
    code = main()
    sys.stdout.flush()
    # Do not wait for the client's background threads (a refused or closed client can
    # leave one sleeping).
    import os
    os._exit(code)
