#!/usr/bin/env python3
"""Seeds the fuzz corpora (fuzz/corpus/<target>/) from real traffic.

Runs the Node interop clients of tests/interop/node (engine.io-client 6 and 3, socket.io-client
4 and 2, with the default and the msgpack parser) against the Node reference servers there,
through a recording TCP proxy, then cuts what was recorded into inputs for each target:

  frame           the WebSocket bytes a client sent after its upgrade (masked frames)
  http            the bytes a client sent on one connection before any upgrade
  engineio        polling payloads (both directions) and WebSocket messages, v4 and v3
  parser          Socket.IO default-parser messages: a text packet and its attachments
  json            the JSON of those packets
  msgpack         msgpack-parser messages (as MessagePack values)
  msgpack_parser  the same messages (as Socket.IO packets)

Usage: fuzz/capture-corpus.py [--node-dir tests/interop/node] [--out fuzz/corpus]
Needs `npm ci` in the node directory. Files are named by their SHA-1, as libFuzzer names them;
each target keeps at most --max-files inputs of at most --max-size bytes.
"""

import argparse
import asyncio
import base64
import hashlib
import json
import os
import re
import struct
import subprocess
import sys

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))


# --- recording proxy ------------------------------------------------------------------------

class Recorder:
    def __init__(self):
        self.connections = []  # per connection: [(direction, bytes)], direction 'c' or 's'

    async def start(self, upstream_port):
        self.upstream_port = upstream_port
        self.server = await asyncio.start_server(self.handle, "127.0.0.1", 0)
        return self.server.sockets[0].getsockname()[1]

    async def handle(self, client_reader, client_writer):
        log = []
        self.connections.append(log)
        try:
            up_reader, up_writer = await asyncio.open_connection("127.0.0.1", self.upstream_port)
        except OSError:
            client_writer.close()
            return

        async def pump(reader, writer, direction):
            try:
                while True:
                    data = await reader.read(65536)
                    if not data:
                        break
                    log.append((direction, data))
                    writer.write(data)
                    await writer.drain()
            except (ConnectionError, OSError):
                pass
            finally:
                try:
                    writer.close()
                except Exception:
                    pass

        await asyncio.gather(pump(client_reader, up_writer, "c"), pump(up_reader, client_writer, "s"))


async def run_scenario(node_dir, server_args, client_args):
    """Starts a reference server, runs one client through the proxy; returns the recording."""
    server = await asyncio.create_subprocess_exec(
        "node", *server_args, cwd=node_dir, stdout=asyncio.subprocess.PIPE,
        stderr=asyncio.subprocess.DEVNULL)
    try:
        line = await asyncio.wait_for(server.stdout.readline(), 10)
        port = json.loads(line)["port"]
        recorder = Recorder()
        proxy_port = await recorder.start(port)
        args = [a.replace("{url}", f"http://127.0.0.1:{proxy_port}") for a in client_args]
        client = await asyncio.create_subprocess_exec(
            "node", *args, cwd=node_dir, stdout=asyncio.subprocess.PIPE,
            stderr=asyncio.subprocess.DEVNULL)
        out, _ = await asyncio.wait_for(client.communicate(), 60)
        last = out.decode(errors="replace").strip().splitlines()[-1:] or ["(no output)"]
        print(f"  {' '.join(client_args[1:])}: {last[0][:100]}", file=sys.stderr)
        await asyncio.sleep(0.2)
        recorder.server.close()
        return recorder.connections
    finally:
        server.terminate()
        await server.wait()


# --- protocol cutting -------------------------------------------------------------------------

def split_http(stream):
    """Yields (head, body, rest_after) for each HTTP message at the start of `stream`; stops at
    an upgrade (101 or Upgrade request) with the remaining bytes as the last rest."""
    pos = 0
    while True:
        end = stream.find(b"\r\n\r\n", pos)
        if end < 0:
            return
        head = stream[pos:end + 4]
        pos = end + 4
        lower = head.lower()
        body = b""
        m = re.search(rb"\r\ncontent-length:\s*(\d+)", lower)
        if m:
            n = int(m.group(1))
            body = stream[pos:pos + n]
            pos += n
        elif b"transfer-encoding: chunked" in lower:
            while True:
                line_end = stream.find(b"\r\n", pos)
                if line_end < 0:
                    return
                size = int(stream[pos:line_end].split(b";")[0], 16)
                pos = line_end + 2
                body += stream[pos:pos + size]
                pos += size + 2
                if size == 0:
                    break
        yield head, body, stream[pos:]
        if head.startswith(b"HTTP/1.1 101") or b"\r\nupgrade: websocket" in lower:
            return


def read_frames(stream):
    """Complete WebSocket frames in `stream`: (fin, opcode, payload unmasked, raw frame bytes)."""
    pos = 0
    frames = []
    while len(stream) - pos >= 2:
        b0, b1 = stream[pos], stream[pos + 1]
        length = b1 & 0x7f
        header = 2
        if length == 126:
            length = struct.unpack(">H", stream[pos + 2:pos + 4])[0]
            header = 4
        elif length == 127:
            length = struct.unpack(">Q", stream[pos + 2:pos + 10])[0]
            header = 10
        masked = b1 & 0x80
        key = stream[pos + header:pos + header + 4] if masked else b""
        start = pos + header + len(key)
        if start + length > len(stream):
            break
        payload = stream[start:start + length]
        if masked:
            payload = bytes(c ^ key[i % 4] for i, c in enumerate(payload))
        frames.append((bool(b0 & 0x80), b0 & 0x0f, payload, stream[pos:start + length]))
        pos = start + length
    return frames


def messages_of(frames):
    """Reassembled (opcode, payload) data messages."""
    messages = []
    current = None
    for fin, opcode, payload, _ in frames:
        if opcode & 0x8:
            continue
        if opcode != 0:
            current = [opcode, payload]
        elif current is not None:
            current[1] += payload
        if fin and current is not None:
            messages.append((current[0] == 2, current[1]))
            current = None
    return messages


def v3_text_payload(body):
    packets = []
    text = body.decode("utf-8", errors="replace")
    pos = 0
    while pos < len(text):
        colon = text.find(":", pos)
        if colon < 0:
            break
        try:
            n = int(text[pos:colon])
        except ValueError:
            break
        # lengths count UTF-16 code units
        units = text[colon + 1:].encode("utf-16-le")[:2 * n].decode("utf-16-le", errors="replace")
        packets.append(units.encode())
        pos = colon + 1 + len(units)
    return packets


class Corpus:
    def __init__(self):
        self.inputs = {}  # target -> {sha1: bytes}

    def add(self, target, data, max_size):
        if not data or len(data) > max_size:
            return
        self.inputs.setdefault(target, {})[hashlib.sha1(data).hexdigest()] = data

    def write(self, out_dir, max_files):
        for target, inputs in sorted(self.inputs.items()):
            # Keep a spread: round-robin over size classes, distinct beginnings first.
            groups = {}
            for digest, data in sorted(inputs.items(), key=lambda kv: (len(kv[1]), kv[0])):
                groups.setdefault(len(data).bit_length(), []).append(digest)
            for size_class, group in groups.items():
                seen, firsts, rest = set(), [], []
                for digest in group:
                    (rest if inputs[digest][:3] in seen else firsts).append(digest)
                    seen.add(inputs[digest][:3])
                groups[size_class] = firsts + rest
            chosen = []
            while any(groups.values()):
                for size_class in sorted(groups):
                    if groups[size_class]:
                        chosen.append(groups[size_class].pop(0))
            directory = os.path.join(out_dir, target)
            os.makedirs(directory, exist_ok=True)
            for name in os.listdir(directory):
                os.remove(os.path.join(directory, name))
            for digest in chosen[:max_files]:
                with open(os.path.join(directory, digest), "wb") as f:
                    f.write(inputs[digest])
            size = sum(len(inputs[d]) for d in chosen[:max_files])
            print(f"{target}: {min(len(chosen), max_files)} files, {size} bytes", file=sys.stderr)


def cut(corpus, connections, protocol, parser, max_size):
    """Adds what one scenario's connections carried to the corpora."""
    sio_messages = []  # (binary, data) Socket.IO messages in order, both directions

    def engine_message(binary, data):
        corpus.add("engineio", data, max_size)
        if binary:
            if protocol == 3 and data[:1] == b"\x04":
                sio_messages.append((True, data[1:]))
            elif protocol == 4:
                sio_messages.append((True, data))
        elif data[:1] == b"4":
            sio_messages.append((False, data[1:]))
        elif data[:2] == b"b4" and protocol == 3:
            sio_messages.append((True, base64.b64decode(data[2:])))
        elif data[:1] == b"b" and protocol == 4:
            sio_messages.append((True, base64.b64decode(data[1:])))

    for log in connections:
        for direction in "cs":
            stream = b"".join(d for dirn, d in log if dirn == direction)
            if not stream:
                continue
            ws = b""
            upgraded = False
            for head, body, rest in split_http(stream):
                if direction == "c" and b"\r\nupgrade: websocket" in head.lower():
                    upgraded = True
                if head.startswith(b"HTTP/1.1 101"):
                    upgraded = True
                if body:
                    corpus.add("engineio", body, max_size)
                    packets = (v3_text_payload(body) if protocol == 3 else body.split(b"\x1e"))
                    for packet in packets:
                        engine_message(False, packet)
                if upgraded:
                    ws = rest
            if direction == "c":
                http_part = stream[:len(stream) - len(ws)] if upgraded else stream
                # One connection's requests, cut to a few at a time.
                requests = list(split_http(http_part))
                for i in range(len(requests)):
                    chunk = b"".join(h + b for h, b, _ in requests[i:i + 3])
                    corpus.add("http", chunk, max_size)
            if not ws:
                continue
            frames = read_frames(ws)
            if direction == "c":
                # A few frames at a time, from each point in the stream.
                for i in range(0, len(frames), 2):
                    corpus.add("frame", b"".join(f[3] for f in frames[i:i + 4]), max_size)
            for binary, payload in messages_of(frames):
                engine_message(binary, payload)

    # Socket.IO messages: a text packet with the binary messages that follow it.
    i = 0
    while i < len(sio_messages):
        binary, data = sio_messages[i]
        if parser == "msgpack":
            corpus.add("msgpack_parser", data, max_size)
            corpus.add("msgpack", data, max_size)
            i += 1
            continue
        if binary:
            i += 1
            continue
        record = data
        m = re.match(rb"^[56](\d+)-", data)
        count = int(m.group(1)) if m else 0
        for j in range(count):
            if i + 1 + j < len(sio_messages) and sio_messages[i + 1 + j][0]:
                record += b"\x1eb" + sio_messages[i + 1 + j][1]
        corpus.add("parser", record, max_size)
        j = re.search(rb"[\[{\"]", data)
        if j:
            corpus.add("json", data[j.start():], max_size)
        i += 1 + count


EIO = ["eio-client.mjs", "--url", "{url}", "--path", "/engine.io/", "--count", "2",
       "--timeout", "20000"]
SIO = ["sio-client.mjs", "--url", "{url}", "--timeout", "20000"]

SCENARIOS = [
    # (server arguments, client arguments, Engine.IO protocol, Socket.IO parser)
    (["ref-server.mjs"], EIO + ["--scenario", "echo", "--transports", "polling"], 4, None),
    (["ref-server.mjs"], EIO + ["--scenario", "echo", "--transports", "websocket"], 4, None),
    (["ref-server.mjs"], EIO + ["--scenario", "echo", "--transports", "polling",
                                "--force-base64"], 4, None),
    (["ref-server.mjs"], EIO + ["--scenario", "heartbeat"], 4, None),
    (["ref-server.mjs"], EIO + ["--scenario", "close-by-server"], 4, None),
    (["ref-server.mjs", "--eio3"], EIO + ["--scenario", "echo", "--v3",
                                          "--transports", "polling"], 3, None),
    (["ref-server.mjs", "--eio3"], EIO + ["--scenario", "echo", "--v3",
                                          "--transports", "websocket"], 3, None),
    (["ref-server.mjs", "--eio3"], EIO + ["--scenario", "heartbeat", "--v3"], 3, None),
    (["ref-sio-server.mjs"], SIO + ["--scenario", "events"], 4, "default"),
    (["ref-sio-server.mjs"], SIO + ["--scenario", "acks", "--transports", "polling"], 4, "default"),
    (["ref-sio-server.mjs"], SIO + ["--scenario", "acks", "--transports", "websocket"], 4,
     "default"),
    (["ref-sio-server.mjs"], SIO + ["--scenario", "connect", "--nsp", "/custom"], 4, "default"),
    (["ref-sio-server.mjs"], SIO + ["--scenario", "middleware"], 4, "default"),
    (["ref-sio-server.mjs"], SIO + ["--scenario", "disc-parse-error"], 4, "default"),
    (["ref-sio-server.mjs", "--eio3"], SIO + ["--scenario", "events", "--v2"], 3, "default"),
    (["ref-sio-server.mjs", "--parser", "msgpack"], SIO + ["--scenario", "events",
                                                          "--parser", "msgpack"], 4, "msgpack"),
    (["ref-sio-server.mjs", "--parser", "msgpack"], SIO + ["--scenario", "acks",
                                                          "--parser", "msgpack"], 4, "msgpack"),
]


def main():
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("--node-dir", default=os.path.join(ROOT, "tests", "interop", "node"))
    ap.add_argument("--out", default=os.path.join(ROOT, "fuzz", "corpus"))
    ap.add_argument("--max-files", type=int, default=40)
    ap.add_argument("--max-size", type=int, default=4096)
    args = ap.parse_args()
    if not os.path.isdir(os.path.join(args.node_dir, "node_modules")):
        sys.exit(f"run `npm ci` in {args.node_dir} first")
    corpus = Corpus()
    for server_args, client_args, protocol, parser in SCENARIOS:
        connections = asyncio.run(run_scenario(args.node_dir, server_args, client_args))
        cut(corpus, connections, protocol, parser, args.max_size)
    corpus.write(args.out, args.max_files)


if __name__ == "__main__":
    main()
