#!/usr/bin/env python3
"""A sync client written from Protocol/SPEC.md §11 alone: an interoperability check.

Clones a running `gloss serve` into memory, as a new replica would: sends the magic and a HELLO
with the all-zero store id and an empty clock, applies every batch the server sends with the
merge rules of ../make_vectors.py (an independent implementation of SPEC §4), acknowledges each,
sends END and SUMMARY, and checks that the server's SUMMARY has the same clock and state digest
as its own. Prints what it did; exits non-zero on any disagreement.

    gloss serve --store desk.sqlite --listen 127.0.0.1:7456 &
    python3 Protocol/test-vectors/sync/spec_client.py 127.0.0.1:7456

Needs only the Python standard library. It writes nothing to the server's store: it has no
changes to send.
"""

import os
import socket
import sys

sys.dont_write_bytecode = True
HERE = os.path.dirname(os.path.abspath(__file__))
sys.path.insert(0, os.path.dirname(HERE))
sys.path.insert(0, HERE)

import make_vectors as model  # noqa: E402  (merge rules and state digest, SPEC §4 and §8)
import make_sync_vectors as wire  # noqa: E402  (the message encoder, SPEC §11.4)


class ProtocolFailure(Exception):
    pass


class Reader:
    """Reads SPEC §5 primitives from one message body."""

    def __init__(self, data):
        self.data, self.at = data, 0

    def u8(self):
        self.need(1)
        self.at += 1
        return self.data[self.at - 1]

    def varint(self):
        value = shift = 0
        for length in range(1, 11):
            byte = self.u8()
            if length == 10 and byte > 1:
                raise ProtocolFailure("varint over 64 bits")
            value |= (byte & 0x7F) << shift
            if byte & 0x80 == 0:
                if byte == 0 and length > 1:
                    raise ProtocolFailure("non-canonical varint")
                return value
            shift += 7

    def id16(self):
        return self.raw(16)

    def raw(self, count):
        self.need(count)
        self.at += count
        return self.data[self.at - count:self.at]

    def string(self):
        return self.raw(self.varint()).decode("utf-8")

    def clock(self):
        return {self.id16(): self.varint() for _ in range(self.varint())}

    def need(self, count):
        if self.at + count > len(self.data):
            raise ProtocolFailure("body ends early")

    def end(self):
        if self.at != len(self.data):
            raise ProtocolFailure(f"{len(self.data) - self.at} trailing bytes")


FIELDS = {1: "title", 2: "source", 3: "note", 4: "color"}


def read_operation(r):
    kind = r.u8()
    if kind == 1:
        return {"kind": "createArticle", "id": r.id16(), "body": r.string()}
    if kind == 2:
        op = {"kind": "createAnnotation", "id": r.id16(), "article": r.id16()}
        op.update(exact=r.string(), prefix=r.string(), suffix=r.string(), start=r.varint(), end=r.varint())
        return op
    if kind == 3:
        entity, field = r.id16(), FIELDS[r.u8()]
        return {"kind": "set", "entity": entity, "field": field, "value": r.string()}
    if kind in (4, 5):
        return {"kind": "addTag" if kind == 4 else "removeTag", "entity": r.id16(), "tag": r.string()}
    if kind in (6, 7):
        return {"kind": "deleteAnnotation" if kind == 6 else "keepAnnotation", "id": r.id16()}
    raise ProtocolFailure(f"unknown operation {kind}")


def read_batch(r):
    """A change batch (SPEC §6.1), as make_vectors.py's change dicts."""
    table = [r.id16() for _ in range(r.varint())]
    changes = []
    for _ in range(r.varint()):
        author, seq, time = table[r.varint()], r.varint(), r.varint()
        dependencies = {}
        for _ in range(r.varint()):
            index = r.varint()
            dependencies[table[index]] = r.varint()
        operations = [read_operation(r) for _ in range(r.varint())]
        changes.append({"replica": author, "seq": seq, "time": time, "dependencies": dependencies,
                        "operations": operations})
    return changes


class Connection:
    def __init__(self, host, port):
        self.socket = socket.create_connection((host, port), timeout=30)
        self.buffer = b""

    def send(self, data):
        self.socket.sendall(data)

    def read(self, count):
        while len(self.buffer) < count:
            chunk = self.socket.recv(65536)
            if not chunk:
                raise ProtocolFailure("the server closed the connection")
            self.buffer += chunk
        data, self.buffer = self.buffer[:count], self.buffer[count:]
        return data

    def frame(self):
        length = int.from_bytes(self.read(4), "big")
        if not 1 <= length <= wire.MAXIMUM_FRAME_SIZE:
            raise ProtocolFailure(f"frame length {length}")
        data = self.read(length)
        return data[0], Reader(data[1:])


def main():
    host, _, port = sys.argv[1].rpartition(":") if len(sys.argv) == 2 else ("", "", "")
    if not host:
        sys.exit("usage: spec_client.py HOST:PORT")
    me = model.replica_id(bytes([0xD0]) * 32)
    log = []  # changes applied, in arrival order
    connection = Connection(host, int(port))
    connection.send(wire.MAGIC + wire.encode(wire.hello(wire.ANY_STORE, me, "spec-client", [])))
    if connection.read(8) != wire.MAGIC:
        raise ProtocolFailure("no GLOSSYNC magic")

    def expect(type_):
        got, body = connection.frame()
        if got == wire.ERROR:
            raise ProtocolFailure(f"server sent ERROR {body.varint()}: {body.string()}")
        if got != type_:
            raise ProtocolFailure(f"expected {wire.TYPE_NAMES[type_]}, got type {got}")
        return body

    hello = expect(wire.HELLO)
    low, high = hello.varint(), hello.varint()
    store, replica, name = hello.id16(), hello.id16(), hello.string()
    server_clock, server_digest = hello.clock(), hello.raw(32)
    hello.varint()
    capabilities = [hello.string() for _ in range(hello.varint())]
    if not low <= 1 <= high:
        raise ProtocolFailure(f"no common version with {low}–{high}")
    print(f"server {replica.hex()} ({name!r}) of store {store.hex()}: versions {low}–{high}, "
          f"{sum(server_clock.values())} changes, capabilities {capabilities}")
    if not server_clock:
        ok = server_digest == wire.digest_of([])
        print("in sync at once (empty store):", "digests agree" if ok else "DIGESTS DIFFER")
        return 0 if ok else 1

    connection.send(wire.encode({"type": wire.END}))  # nothing to send: END at once
    expected_batch = 1
    while True:
        type_, body = connection.frame()
        if type_ == wire.CHANGES:
            batch = body.varint()
            if batch != expected_batch:
                raise ProtocolFailure(f"batch {batch}, expected {expected_batch}")
            changes = read_batch(body)
            body.end()
            for change in changes:
                held = sum(1 for c in log if c["replica"] == change["replica"])
                if change["seq"] != held + 1:
                    raise ProtocolFailure(f"change {change['seq']} of {change['replica'].hex()} is not next")
                log.append(change)
            connection.send(wire.encode({"type": wire.ACK, "batch": batch}))
            print(f"batch {batch}: {len(changes)} changes, applied and acknowledged")
            expected_batch += 1
        elif type_ == wire.END:
            body.end()
            break
        else:
            raise ProtocolFailure(f"unexpected type {type_} while syncing")

    clock, digest = wire.clock_of(log), wire.digest_of(log)
    connection.send(wire.encode({"type": wire.SUMMARY, "clock": clock, "digest": digest}))
    summary = expect(wire.SUMMARY)
    their_clock, their_digest = summary.clock(), summary.raw(32)
    summary.end()
    print(f"SUMMARY: clocks {'agree' if their_clock == clock else 'DIFFER'}, "
          f"digests {'agree' if their_digest == digest else 'DIFFER'} ({digest.hex()})")
    return 0 if their_clock == clock and their_digest == digest else 1


if __name__ == "__main__":
    try:
        sys.exit(main())
    except ProtocolFailure as failure:
        sys.exit(f"spec_client: {failure}")
