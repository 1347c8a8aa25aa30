#!/usr/bin/env python3
"""A sync client written from Protocol/SPEC.md §11 alone: an interoperability check.

Clones a running `gloss serve` into memory, as a new replica would, over protocol version 3 with
signed history: opens mutual TLS 1.3 with an Ed25519 device certificate made in memory, checks
that the server proved the device id given with --expect (SPEC §11.2), sends the magic and a
HELLO with the all-zero store id, an empty clock (so no heads), no successions and no fork proofs,
verifies the successions and fork proofs (SPEC §6.7) of the server's HELLO, verifies every signed
batch the server sends (each author's run: key, base, checkpoint signatures over the chain
hash) and applies it with the merge rules of ../make_vectors.py (an independent implementation of
SPEC §4), acknowledges each, then checks the heads of the server's HELLO against what it received.
With --import TEXT it then writes one change of its own (the article TEXT, titled by its first
line), signs it with its key and pushes it as CHANGES 1 before its END. It sends SUMMARY and
checks that the server's SUMMARY has the same clock and state digest as its own. Prints what it
did; exits non-zero on any disagreement.

    gloss serve --store desk.sqlite --listen 127.0.0.1:7456 &
    python3 Protocol/test-vectors/sync/spec_client.py 127.0.0.1:7456 --expect "$(gloss id --json --store desk.sqlite | ...)"
    # refused the first time (SPEC §11.13): run the 'gloss trust' line it prints, then again
    python3 Protocol/test-vectors/sync/spec_client.py 127.0.0.1:7456 --expect DEVICE --import "A title
    and a body"   # needs the role read-write

--seed HEX (64 hex digits) sets the client's Ed25519 private key (RFC 8032); by default it is d0 x 32,
so every run is the same device. With the same seed, a later run receives its own earlier changes
back in the clone and numbers its new change after them.

Needs Python's standard library and the `cryptography` package (for the key and certificate).
Python's ssl module has no verification callback, so unlike gloss this client checks the
server's key right after the handshake, not inside it. Without --import it writes nothing to the
server's store.
"""

import datetime
import os
import socket
import ssl
import sys
import tempfile
import time

from cryptography import x509
from cryptography.hazmat.primitives import serialization
from cryptography.hazmat.primitives.asymmetric import ed25519
from cryptography.x509.oid import NameOID

sys.dont_write_bytecode = True
HERE = os.path.dirname(os.path.abspath(__file__))
sys.path.insert(0, os.path.dirname(HERE))
sys.path.insert(0, HERE)

sys.path.insert(0, os.path.join(os.path.dirname(HERE), "device-ids"))

import make_vectors as model  # noqa: E402  (merge rules and state digest, SPEC §4 and §8)
import make_sync_vectors as wire  # noqa: E402  (the message encoder, SPEC §11.4)
import make_device_ids as devices  # noqa: E402  (device ids, SPEC §4.1.1)

SEED = bytes([0xD0]) * 32  # this client's default Ed25519 private key: the same device id every run
NO_SIGNATURE = bytes(64)  # a head for which the sender holds no checkpoint signature


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


def read_change_batch(r):
    """A change batch (SPEC §6.1): its replica table, and its changes as make_vectors.py's change dicts."""
    table = [r.id16() for _ in range(r.varint())]
    changes = []
    for _ in range(r.varint()):
        author, seq, written = table[r.varint()], r.varint(), r.varint()
        dependencies = {}
        for _ in range(r.varint()):
            index = r.varint()
            dependencies[table[index]] = r.varint()
        operations = [read_operation(r) for _ in range(r.varint())]
        changes.append({"replica": author, "seq": seq, "time": written, "dependencies": dependencies,
                        "operations": operations})
    return table, changes


def read_signed_batch(r):
    """A signed batch: a change batch (SPEC §6.1), as make_vectors.py's change dicts, then its
    checkpoint table, as make_vectors.py's run dicts."""
    table, changes = read_change_batch(r)
    runs = []
    for _ in range(r.varint()):
        author, key, base = table[r.varint()], r.raw(32), r.raw(32)
        checkpoints = [(r.varint(), r.raw(64)) for _ in range(r.varint())]
        if not checkpoints or runs and author <= runs[-1]["replica"]:
            raise ProtocolFailure("runs not in order, or a run without checkpoints")
        runs.append({"replica": author, "key": key, "base": base, "checkpoints": checkpoints})
    return changes, runs


def read_fork_evidence(r):
    """Fork evidence (SPEC §6.7), as make_vectors.py's evidence dicts: key, seq, then two histories of
    base, base chain, change batch and signature."""
    evidence = {"key": r.raw(32), "seq": r.varint()}
    for name in ("first", "second"):
        base, base_chain = r.varint(), r.raw(32)
        _, changes = read_change_batch(r)
        evidence[name] = {"base": base, "baseChain": base_chain, "changes": changes, "signature": r.raw(64)}
    return evidence


def tls_context(key):
    """SPEC §11.2: TLS 1.3 only, this device's self-signed Ed25519 certificate, ALPN gloss/2."""
    name = x509.Name([x509.NameAttribute(NameOID.COMMON_NAME, "spec-client")])
    now = datetime.datetime.now(datetime.timezone.utc)
    certificate = (x509.CertificateBuilder().subject_name(name).issuer_name(name).public_key(key.public_key())
                   .serial_number(x509.random_serial_number()).not_valid_before(now - datetime.timedelta(days=1))
                   .not_valid_after(now + datetime.timedelta(days=1)).sign(key, None))
    folder = tempfile.mkdtemp()
    cert_path, key_path = os.path.join(folder, "cert.pem"), os.path.join(folder, "key.pem")
    with open(cert_path, "wb") as f:
        f.write(certificate.public_bytes(serialization.Encoding.PEM))
    with open(key_path, "wb") as f:
        f.write(key.private_bytes(serialization.Encoding.PEM, serialization.PrivateFormat.PKCS8,
                                  serialization.NoEncryption()))
    context = ssl.SSLContext(ssl.PROTOCOL_TLS_CLIENT)
    context.minimum_version = context.maximum_version = ssl.TLSVersion.TLSv1_3
    context.check_hostname = False
    context.verify_mode = ssl.CERT_NONE  # no CA: the server's key is checked below
    context.load_cert_chain(cert_path, key_path)
    context.set_alpn_protocols(["gloss/2"])
    os.remove(cert_path)
    os.remove(key_path)
    os.rmdir(folder)
    return context


def proven_replica(der):
    """The replica id whose Ed25519 key the server's certificate holds (SPEC §11.2, §4.1)."""
    public_key = x509.load_der_x509_certificate(der).public_key()
    if not isinstance(public_key, ed25519.Ed25519PublicKey):
        raise ProtocolFailure("the server's certificate is not for an Ed25519 key")
    return model.replica_id(public_key.public_bytes(serialization.Encoding.Raw, serialization.PublicFormat.Raw))


class Connection:
    def __init__(self, host, port, context, expected):
        raw = socket.create_connection((host, port), timeout=30)
        self.socket = context.wrap_socket(raw)  # no server name: SPEC §11.2
        found = proven_replica(self.socket.getpeercert(binary_form=True))
        if found != expected:
            self.socket.close()
            raise ProtocolFailure(f"the server is device {devices.device_id(found.hex())}, not the one expected")
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


def apply_signed(store, log, changes, runs, keys):
    """Verifies a received signed batch, then applies it: each run's key, base and signatures
    (make_vectors.verify), each base against the chain this client holds, and causal order."""
    error = model.verify(store, changes, runs)
    if error:
        raise ProtocolFailure(f"a received batch fails verification: {error}")
    for run in runs:
        author = run["replica"]
        first = min(c["seq"] for c in changes if c["replica"] == author)
        if first != 1 + sum(1 for c in log if c["replica"] == author):
            raise ProtocolFailure(f"change {first} of {author.hex()} is not next")
        if run["base"] != model.chain(log, author, first - 1):
            raise ProtocolFailure(f"the run of {author.hex()} does not continue the chain held (an equivocation)")
        keys[author] = run["key"]
    for change in changes:
        held = sum(1 for c in log if c["replica"] == change["replica"])
        if change["seq"] != held + 1:
            raise ProtocolFailure(f"change {change['seq']} of {change['replica'].hex()} is not next")
        log.append(change)


def check_heads(store, log, clock, heads, keys):
    """Each head of the server's HELLO: its chain is the chain held, and its signature (unless the
    server holds none) is the author's checkpoint signature over it."""
    ok = True
    for replica, (value, signature) in heads.items():
        seq = clock[replica]
        if seq > sum(1 for c in log if c["replica"] == replica) or replica not in keys:
            print(f"head of {replica.hex()} at {seq}: NOT RECEIVED")
            ok = False
        elif value != model.chain(log, replica, seq):
            print(f"head of {replica.hex()} at {seq}: CHAIN DIFFERS")
            ok = False
        elif signature != NO_SIGNATURE and not model.signature_is_valid(
                keys[replica], signature, model.checkpoint_message(store, replica, seq, value)):
            print(f"head of {replica.hex()} at {seq}: SIGNATURE DOES NOT VERIFY")
            ok = False
    print(f"HELLO heads: {len(heads)}, {'all agree' if ok else 'NOT ALL AGREE'} with the changes received")
    return ok


def imported(me, log, text):
    """This client's next change: the article `text` (SPEC §4.2 normalization), titled by its first line."""
    body = text.lstrip("\ufeff").replace("\r\n", "\n").replace("\r", "\n").rstrip()
    article = model.article_id(body)
    if not body or any(op.get("id") == article for c in log for op in c["operations"]):
        raise ProtocolFailure("nothing to import: the text is empty, or the store holds it already")
    clock = wire.clock_of(log)
    seq = clock.pop(me, 0) + 1
    return {"replica": me, "seq": seq, "time": int(time.time() * 1000), "dependencies": clock, "operations": [
        {"kind": "createArticle", "id": article, "body": body},
        {"kind": "set", "entity": article, "field": "title", "value": body.split("\n")[0]}]}


def main():
    usage = "usage: spec_client.py HOST:PORT --expect SERVER-DEVICE-ID [--seed HEX] [--import TEXT]"
    arguments = sys.argv[1:]
    if len(arguments) % 2 != 1 or arguments[1::2].count("--expect") != 1:
        sys.exit(usage)
    options = dict(zip(arguments[1::2], arguments[2::2]))
    host, _, port = arguments[0].rpartition(":")
    expected_hex = devices.parse(options.pop("--expect"))
    seed_hex, text = options.pop("--seed", SEED.hex()), options.pop("--import", None)
    if not host or expected_hex is None or options or len(seed_hex) != 64:
        sys.exit(usage)
    key = ed25519.Ed25519PrivateKey.from_private_bytes(bytes.fromhex(seed_hex))
    me = model.replica_id(model.raw_public_key(key))
    model.KEYS[me] = key  # so that model.runs_for can sign this client's changes
    print(f"this client is device {devices.device_id(me.hex())}")
    log = []  # changes applied, in arrival order
    connection = Connection(host, int(port), tls_context(key), bytes.fromhex(expected_hex))
    connection.send(wire.MAGIC + wire.encode(wire.hello(wire.ANY_STORE, me, "spec-client", [])))
    if connection.read(8) != wire.MAGIC:
        raise ProtocolFailure("no GLOSSYNC magic")

    def expect(type_):
        got, body = connection.frame()
        if got == wire.ERROR:
            code, message = body.varint(), body.string()
            if code == 42:  # notTrusted, SPEC §11.13
                raise ProtocolFailure(f"not trusted yet: on the server, run 'gloss trust {devices.device_id(me.hex())} "
                                      f"--role read-only' (or read-write), then run this again ({message})")
            raise ProtocolFailure(f"server sent ERROR {code}: {message}")
        if got != type_:
            raise ProtocolFailure(f"expected {wire.TYPE_NAMES[type_]}, got type {got}")
        return body

    hello = expect(wire.HELLO)
    low, high = hello.varint(), hello.varint()
    store, replica, name = hello.id16(), hello.id16(), hello.string()
    server_clock, server_digest = hello.clock(), hello.raw(32)
    hello.varint()
    capabilities = [hello.string() for _ in range(hello.varint())]
    if hello.varint() != len(server_clock):
        raise ProtocolFailure("the server's HELLO has not one head per clock entry")
    heads = {replica_: (hello.raw(32), hello.raw(64)) for replica_ in sorted(server_clock)}
    successions = [(hello.raw(32), hello.raw(64)) for _ in range(hello.varint())]
    forks = [read_fork_evidence(hello) for _ in range(hello.varint())]  # later fields ignored
    if replica != bytes.fromhex(expected_hex):
        raise ProtocolFailure("the server's HELLO names another replica than the key it proved")
    if not low <= 3 <= high:
        raise ProtocolFailure(f"no common version with {low}–{high}")
    print(f"server {replica.hex()} ({name!r}) of store {store.hex()}: versions {low}–{high}, "
          f"{sum(server_clock.values())} changes, capabilities {capabilities}")
    for old_key, signature in successions:
        old = model.replica_id(old_key)
        ok = model.signature_is_valid(old_key, signature, b"gloss-succession-v1\x00" + store + old + replica)
        print(f"succession from {old.hex()}: {'signature verifies' if ok else 'SIGNATURE DOES NOT VERIFY'}")
        if not ok:
            return 1
    for evidence in forks:  # SPEC §11.4.1: a proof that does not verify is ignored
        error = model.verify_fork(store, evidence)
        print(f"fork proof: {model.replica_id(evidence['key']).hex()} forked at change {evidence['seq']}: "
              + ("verifies" if error is None else f"DOES NOT VERIFY ({error}), ignored"))
    if not server_clock:
        ok = server_digest == wire.digest_of([])
        print("in sync at once (empty store):", "digests agree" if ok else "DIGESTS DIFFER")
        if text is not None:
            print("nothing imported: a clone of an empty store ends at the HELLOs; import with gloss, then clone")
        return 0 if ok else 1
    if text is not None and "pull-only" in capabilities:
        raise ProtocolFailure("the server lets this device only pull: trust it read-write to --import")

    if text is None:
        connection.send(wire.encode({"type": wire.END}))  # nothing to send: END at once
    keys = {}  # author -> public key, from the runs received
    expected_batch = 1
    while True:
        type_, body = connection.frame()
        if type_ == wire.CHANGES:
            batch = body.varint()
            if batch != expected_batch:
                raise ProtocolFailure(f"batch {batch}, expected {expected_batch}")
            changes, runs = read_signed_batch(body)
            body.end()
            apply_signed(store, log, changes, runs, keys)
            connection.send(wire.encode({"type": wire.ACK, "batch": batch}))
            print(f"batch {batch}: {len(changes)} changes, signatures verified, applied and acknowledged")
            expected_batch += 1
        elif type_ == wire.END:
            body.end()
            break
        else:
            raise ProtocolFailure(f"unexpected type {type_} while syncing")
    if not check_heads(store, log, server_clock, heads, keys):
        return 1

    if text is not None:
        change = imported(me, log, text)
        log.append(change)
        connection.send(wire.encode(wire.changes_message(1, [change], history=log, store=store)))
        connection.send(wire.encode({"type": wire.END}))
        acknowledged = expect(wire.ACK)
        if acknowledged.varint() != 1:
            raise ProtocolFailure("the server acknowledged another batch than 1")
        acknowledged.end()
        print(f"pushed change {change['seq']} (signed, checkpoint at {change['seq']}): acknowledged")

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
