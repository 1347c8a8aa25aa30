#!/usr/bin/env python3
"""Checks the test vectors against a reader written from the rules, not against the writers.

Reads every file listed in vectors.json and sync/vectors.json with the checks Protocol/SPEC.md
prescribes, in its order, stopping at the first failure: a bundle's length, magic, version,
checksum, store id, then the signed batch (the change batch of §6, then the checkpoint table),
no trailing bytes, and last the verification of the checkpoints (make_vectors.verify). Then:

- each valid bundle decodes to its `content` (runs included), re-encodes to the same bytes, and
  gives its `stateDigest`; each invalid one fails with its `error`;
- each equivocation pair, applied first then second to an empty replica, refuses the second with
  `equivocation` and keeps the first's state;
- each fork evidence of fork-evidence.json decodes to its `content`, re-encodes to the same bytes,
  and verifies (SPEC §6.7, checked here again from the rules) with its stated result;
- each sync frame and stream is read after the magic as one connection's bytes: valid ones decode
  to their `message` (and re-encode, unless `"canonical": false`), CHANGES batches verify for the
  vectors' store, HELLO heads carry their authors' valid signatures, successions and fork proofs
  verify; invalid ones fail with their `error`;
- each exchange's frames decode, its CHANGES verify for its store, and each HELLO's heads are the
  chains of the sender's changes, signed as its `checkpoints` say.

    python3 Protocol/test-vectors/check_vectors.py

Needs the Python standard library and the `cryptography` package. Prints one line per failure and
exits non-zero if there is any.
"""

import hashlib
import zlib
import json
import os
import sys

sys.dont_write_bytecode = True
HERE = os.path.dirname(os.path.abspath(__file__))
sys.path.insert(0, HERE)
sys.path.insert(0, os.path.join(HERE, "sync"))

import make_vectors as model  # noqa: E402  (encoder, chain hash, verification, state digest)
import make_sync_vectors as wire  # noqa: E402  (message encoder and JSON descriptions)

STORE = bytes.fromhex("5a1e5a1e000000000000000000000001")  # the store the sync frames are signed for
FIELDS = {1: "title", 2: "source", 3: "note", 4: "color", 5: "archived", 6: "revision", 7: "anchor"}


class Refused(Exception):
    """A reader's refusal, named by its error code."""


class Reader:
    """SPEC §5 primitives over data[at:end], with their checks."""

    def __init__(self, data, at=0, end=None):
        self.data, self.at, self.end = data, at, len(data) if end is None else end

    def left(self):
        return self.end - self.at

    def raw(self, count):
        if count > self.left():
            raise Refused("truncated")
        self.at += count
        return self.data[self.at - count:self.at]

    def u8(self):
        return self.raw(1)[0]

    def varint(self):
        value = 0
        for length in range(1, 11):
            byte = self.u8()
            if length == 10 and byte > 1:
                raise Refused("varintOverflow")
            value |= (byte & 0x7F) << (7 * (length - 1))
            if byte < 0x80:
                if byte == 0 and length > 1:
                    raise Refused("nonCanonicalVarint")
                return value

    def count(self, item_size):
        """A count, refused if that many items of at least `item_size` bytes cannot fit (§5.5)."""
        value = self.varint()
        if value * item_size > self.left():
            raise Refused("countTooLarge")
        return value

    def string(self):
        raw = self.raw(self.varint())
        try:
            return raw.decode("utf-8")  # strict: overlong forms, surrogates, > U+10FFFF refused
        except UnicodeDecodeError:
            raise Refused("invalidUTF8")

    def index(self, table):
        value = self.varint()
        if value >= len(table):
            raise Refused("badReplicaIndex")
        return value

    def finish(self):
        if self.left():
            raise Refused("trailingBytes")


def read_operation(r):
    kind = r.u8()
    if kind == 1:
        return {"kind": "createArticle", "id": r.raw(16), "body": r.string()}
    if kind in (2, 9):  # 9: on a revision, whose id follows the article's
        op = {"kind": "createAnnotation", "id": r.raw(16), "article": r.raw(16)}
        if kind == 9:
            op["revision"] = r.raw(16)
        op.update(exact=r.string(), prefix=r.string(), suffix=r.string(), start=r.varint(), end=r.varint())
        return op
    if kind == 3:
        entity, field = r.raw(16), r.u8()
        if field not in FIELDS:
            raise Refused("unknownField")
        return {"kind": "set", "entity": entity, "field": FIELDS[field], "value": r.string()}
    if kind in (4, 5):
        return {"kind": "addTag" if kind == 4 else "removeTag", "entity": r.raw(16), "tag": r.string()}
    if kind in (6, 7):
        return {"kind": "deleteAnnotation" if kind == 6 else "keepAnnotation", "id": r.raw(16)}
    if kind == 8:
        return {"kind": "addRevision", "article": r.raw(16), "revision": r.raw(16), "note": r.string(),
                "text": r.string()}
    raise Refused("unknownOperation")


def read_change(r, table, named):
    """§6.3, its checks in field order; for a dependency: index in range, not the author,
    ascending, then its seq."""
    author = r.index(table)
    seq = r.varint()
    if seq == 0:
        raise Refused("zeroSequence")
    time, dependencies, previous = r.varint(), {}, -1
    for _ in range(r.count(2)):
        index = r.index(table)
        if index == author:
            raise Refused("dependencyOnAuthor")
        if index <= previous:
            raise Refused("unsortedDependencies")
        dep_seq = r.varint()
        if dep_seq == 0:
            raise Refused("zeroSequence")
        dependencies[table[index]], previous = dep_seq, index
        named.add(index)
    operation_count = r.varint()
    if operation_count == 0:
        raise Refused("emptyChange")
    if operation_count * 17 > r.left():
        raise Refused("countTooLarge")
    named.add(author)
    return {"replica": table[author], "seq": seq, "time": time, "dependencies": dependencies,
            "operations": [read_operation(r) for _ in range(operation_count)]}


def read_runs(r, table):
    """The checkpoint table: runs of at least 131 bytes, checkpoints of at least 65."""
    runs, previous = [], -1
    for _ in range(r.count(131)):
        index = r.index(table)
        if index <= previous:
            raise Refused("unsortedRuns")
        key, base, count = r.raw(32), r.raw(32), r.varint()
        if count == 0:
            raise Refused("unsortedRuns")
        if count * 65 > r.left():
            raise Refused("countTooLarge")
        checkpoints = []
        for _ in range(count):
            seq = r.varint()
            if seq == 0:
                raise Refused("zeroSequence")
            if checkpoints and seq <= checkpoints[-1][0]:
                raise Refused("unsortedRuns")
            checkpoints.append((seq, r.raw(64)))
        runs.append({"replica": table[index], "key": key, "base": base, "checkpoints": checkpoints})
        previous = index
    return runs


def read_change_batch(r):
    """§6.1: replica table, change count, changes; returns the table and the changes."""
    table = []
    for _ in range(r.count(16)):
        replica = r.raw(16)
        if table and replica <= table[-1]:
            raise Refused("unsortedReplicaTable")
        table.append(replica)
    named = set()
    changes = [read_change(r, table, named) for _ in range(r.count(22))]
    if len(named) != len(table):
        raise Refused("unusedReplica")
    return table, changes


def read_signed_batch(r):
    table, changes = read_change_batch(r)
    return changes, read_runs(r, table)


# ---------------------------------------------------------------------------------------------
# Fork evidence (SPEC §6.7)

FORK_EVIDENCE_MINIMUM = 32 + 1 + 2 * (1 + 32 + 2 + 64)


def read_fork_evidence(r):
    """key, seq, then two histories: base, base chain, change batch, signature. Encoding only."""
    evidence = {"key": r.raw(32), "seq": r.varint()}
    for name in ("first", "second"):
        base, base_chain = r.varint(), r.raw(32)
        _, changes = read_change_batch(r)
        evidence[name] = {"base": base, "baseChain": base_chain, "changes": changes, "signature": r.raw(64)}
    return evidence


def verify_fork(store, evidence):
    """The checks of §6.7, written again from the rules (the writer has its own, make_vectors.verify_fork):
    per history, the changes are the author's b + 1, b + 2, … (unsignedChange); the signature at
    e = b + their count verifies over the chain through them (badSignature); b <= seq <= e
    (badSignature); then the two chain hashes at seq differ (badSignature)."""
    author, seq, found = model.replica_id(evidence["key"]), evidence["seq"], []
    for history in (evidence["first"], evidence["second"]):
        value, at_seq, end = history["baseChain"], None, history["base"]
        if seq == end:
            at_seq = value
        for change in history["changes"]:
            end += 1
            if change["replica"] != author or change["seq"] != end:
                return "unsignedChange"
            value = model.next_chain(value, change)
            if seq == end:
                at_seq = value
        message = b"gloss-checkpoint-v1\x00" + store + author + end.to_bytes(8, "big") + value
        if not model.signature_is_valid(evidence["key"], history["signature"], message):
            return "badSignature"
        if at_seq is None:  # seq below the base or above the end
            return "badSignature"
        found.append(at_seq)
    return "badSignature" if found[0] == found[1] else None


def read_bundle(data):
    """Format 2, in the order of the rules; verification last."""
    if len(data) < 60:
        raise Refused("truncated")
    if data[:8] != model.MAGIC:
        raise Refused("badMagic")
    if data[8] != 2:
        raise Refused("unsupportedVersion")
    if hashlib.sha256(data[:-32]).digest() != data[-32:]:
        raise Refused("checksumMismatch")
    r = Reader(data, 9, len(data) - 32)
    store = r.raw(16)
    changes, runs = read_signed_batch(r)
    r.finish()
    error = model.verify(store, changes, runs)
    if error:
        raise Refused(error)
    return store, changes, runs


# ---------------------------------------------------------------------------------------------
# Sync (SPEC §11)


def read_clock(r):
    clock, previous = {}, None
    for _ in range(r.count(17)):
        replica = r.raw(16)
        if previous is not None and replica <= previous:
            raise Refused("unsortedReplicaTable")
        seq = r.varint()
        if seq == 0:
            raise Refused("zeroSequence")
        clock[replica], previous = seq, replica
    return clock


def read_deflated_changes(r):
    """§11.4.2a: the length checked before anything is inflated, then exactly that many bytes out
    of one raw DEFLATE stream with nothing after it; decodes to the CHANGES it carries."""
    start = r.at
    batch = r.varint()
    batch_bytes = r.at - start
    length = r.varint()
    if 1 + batch_bytes + length > wire.MAXIMUM_FRAME_SIZE - 16:
        raise Refused("frameTooLarge")
    inflater = zlib.decompressobj(-15)
    try:
        plain = inflater.decompress(r.raw(r.left()), length)
        more = inflater.decompress(inflater.unconsumed_tail, 1)
    except zlib.error:
        raise Refused("badCompression")
    if len(plain) != length or more or inflater.unused_data or inflater.unconsumed_tail:
        raise Refused("badCompression")
    batch_reader = Reader(plain)
    changes, runs = read_signed_batch(batch_reader)
    batch_reader.finish()
    return {"type": wire.CHANGES, "batch": batch, "changes": changes, "runs": runs}


def read_message(kind, body):
    r = Reader(body)
    if kind == wire.HELLO:
        low, high = r.varint(), r.varint()
        if low == 0 or low > high:
            raise Refused("unsupportedVersion")
        m = {"type": kind, "low": low, "high": high, "store": r.raw(16), "replica": r.raw(16), "name": r.string()}
        m.update(clock=read_clock(r), digest=r.raw(32), maximumFrameSize=r.varint())
        m["capabilities"] = [r.string() for _ in range(r.count(1))]
        if r.count(96) != len(m["clock"]):
            raise Refused("headsCount")  # not a named code: the rules do not say which
        m["heads"] = [{"replica": replica, "chain": r.raw(32), "signature": r.raw(64)}
                      for replica in sorted(m["clock"])]
        m["successions"] = [{"key": r.raw(32), "signature": r.raw(64)} for _ in range(r.count(96))]
        m["forks"] = [read_fork_evidence(r) for _ in range(r.count(FORK_EVIDENCE_MINIMUM))]
        return m  # later fields ignored
    if kind == wire.CHANGES:
        batch = r.varint()
        changes, runs = read_signed_batch(r)
        m = {"type": kind, "batch": batch, "changes": changes, "runs": runs}
    elif kind == wire.CHANGES_DEFLATED:
        m = read_deflated_changes(r)
    elif kind == wire.ACK:
        m = {"type": kind, "batch": r.varint()}
    elif kind in (wire.END, wire.PING):
        m = {"type": kind}
    elif kind == wire.SUMMARY:
        m = {"type": kind, "clock": read_clock(r), "digest": r.raw(32)}
    elif kind == wire.ERROR:
        code = r.varint()
        if code >= 65536:
            raise Refused("varintOverflow")
        m = {"type": kind, "code": code, "message": r.string()}
    else:
        raise Refused("unknownMessage")
    r.finish()
    return m


def read_connection(data):
    """The magic, checked byte by byte, then frames until the bytes end; returns the messages."""
    for at, byte in enumerate(wire.MAGIC):
        if at >= len(data):
            raise Refused("truncated")
        if data[at] != byte:
            raise Refused("badMagic")
    r, messages = Reader(data, 8), []
    while r.left():
        length = int.from_bytes(r.raw(4), "big")
        if length == 0 or length > wire.MAXIMUM_FRAME_SIZE:
            raise Refused("frameTooLarge")
        body = r.raw(length)
        messages.append((read_message(body[0], body[1:]), body))
    return messages


# ---------------------------------------------------------------------------------------------
# The checks

failures = []


def check(condition, what):
    if not condition:
        failures.append(what)
        print("FAIL:", what)


def from_json(change):
    """A change of a vectors.json description, as make_vectors.py's dicts."""
    def ids(op):
        return {k: bytes.fromhex(v) if k in ("id", "article", "entity", "revision") else v for k, v in op.items()}
    return {"replica": bytes.fromhex(change["replica"]), "seq": change["seq"], "time": change["time"],
            "dependencies": {bytes.fromhex(r): s for r, s in change["dependencies"].items()},
            "operations": [ids(op) for op in change["operations"]]}


def check_bundles():
    document = json.load(open(os.path.join(HERE, "vectors.json"), encoding="utf-8"))
    keys = {}
    for vector in document["vectors"]:
        name, data = vector["file"], open(os.path.join(HERE, vector["file"]), "rb").read()
        try:
            store, changes, runs = read_bundle(data)
        except Refused as refusal:
            check(not vector["valid"] and vector["error"] == str(refusal),
                  f"{name}: refused with {refusal}, expected {vector.get('error', 'success')}")
            continue
        if not vector["valid"]:
            check(False, f"{name}: accepted, expected {vector['error']}")
            continue
        described = dict(model.content(store, changes), runs=model.runs_json(runs))
        check(described == vector["content"], f"{name}: decodes to other content")
        check(model.bundle(store, changes, runs) == data, f"{name}: does not re-encode to the same bytes")
        try:
            check(model.state_digest(changes) == vector["stateDigest"], f"{name}: other state digest")
        except model.ModelError as refusal:
            check(False, f"{name}: the model refuses a change: {refusal}")
        keys.update((run["replica"], run["key"]) for run in runs)
    for pair in document["equivocations"]:
        try:
            check_equivocation(document, pair)
        except Refused as refusal:
            check(False, f"equivocation {pair}: a bundle is refused with {refusal}")
    return keys


def check_equivocation(document, pair):
    """Applies the first bundle, then the second, to an empty replica."""
    held, state, error = {}, [], None
    for name in (pair["first"], pair["second"]):
        _, changes, _ = read_bundle(open(os.path.join(HERE, name), "rb").read())
        batch = []
        for change in changes:  # §4.10: skip what is held, refuse another change with a held dot
            dot, encoded = model.dot_of(change), model.change_batch([change])
            if dot in held and held[dot] != encoded:
                error = error or ("equivocation", name, dot)
                batch = None
                break
            if dot not in held:
                batch.append((dot, encoded, change))
        for dot, encoded, change in batch or []:  # all or nothing
            held[dot] = encoded
            state.append(change)
    first = next(v for v in document["vectors"] if v["file"] == pair["first"])
    check(error == (pair["error"], pair["second"], (bytes.fromhex(pair["author"]), pair["seq"])),
          f"equivocation {pair}: {error}")
    check(model.state_digest(state) == first["stateDigest"], f"equivocation {pair}: the first's state not kept")


def check_heads(hello, keys, where):
    for head in hello["heads"]:
        seq, key = hello["clock"][head["replica"]], keys.get(head["replica"])
        message = model.checkpoint_message(hello["store"], head["replica"], seq, head["chain"])
        check(key is not None and model.signature_is_valid(key, head["signature"], message),
              f"{where}: head of {head['replica'].hex()} does not verify")
    for succession in hello["successions"]:
        old = model.replica_id(succession["key"])
        message = b"gloss-succession-v1\x00" + hello["store"] + old + hello["replica"]
        check(model.signature_is_valid(succession["key"], succession["signature"], message),
              f"{where}: succession from {old.hex()} does not verify")
    for evidence in hello["forks"]:
        check(verify_fork(hello["store"], evidence) is None,
              f"{where}: fork proof of {model.replica_id(evidence['key']).hex()} does not verify")


def check_forks():
    """fork-evidence.json: each entry's bytes decode (nothing after them) to its content, re-encode to
    the same bytes, and verify in its store with its result."""
    document = json.load(open(os.path.join(HERE, "fork-evidence.json"), encoding="utf-8"))
    check(any(v["valid"] for v in document["vectors"]) and not all(v["valid"] for v in document["vectors"]),
          "fork-evidence.json: not both valid and invalid evidence")
    for vector in document["vectors"]:
        name, data = "fork-evidence.json " + vector["name"], bytes.fromhex(vector["bytes"])
        try:
            r = Reader(data)
            evidence = read_fork_evidence(r)
            r.finish()
        except Refused as refusal:
            check(False, f"{name}: refused with {refusal} while decoding")
            continue
        check(model.fork_json(evidence) == vector["content"], f"{name}: decodes to other content")
        check(model.fork_evidence(evidence) == data, f"{name}: does not re-encode to the same bytes")
        result = verify_fork(bytes.fromhex(vector["store"]), evidence)
        check(result == (None if vector["valid"] else vector["error"]),
              f"{name}: verifies with {result or 'success'}, expected {vector.get('error', 'success')}")


def check_sync(keys):
    folder = os.path.join(HERE, "sync")
    document = json.load(open(os.path.join(folder, "vectors.json"), encoding="utf-8"))
    for vector in document["vectors"]:
        name, data = vector["file"], open(os.path.join(folder, vector["file"]), "rb").read()
        try:
            messages = read_connection(data if vector.get("stream") else wire.MAGIC + data)
            check(len(messages) == 1 or not vector["valid"], f"{name}: not one frame")
        except Refused as refusal:
            check(not vector["valid"] and vector["error"] == str(refusal),
                  f"{name}: refused with {refusal}, expected {vector.get('error', 'success')}")
            continue
        if not vector["valid"]:
            check(False, f"{name}: accepted, expected {vector['error']}")
            continue
        message = messages[0][0]
        check(wire.describe(message) == vector["message"], f"{name}: decodes to another message")
        if vector.get("canonical", True) and not vector.get("deflated"):
            check(wire.encode(message) == data, f"{name}: does not re-encode to the same bytes")
        if message["type"] == wire.CHANGES:
            check(model.verify(STORE, message["changes"], message["runs"]) is None, f"{name}: does not verify")
            keys.update((run["replica"], run["key"]) for run in message["runs"])
        if message["type"] == wire.HELLO:
            check_heads(message, keys, name)
    for exchange in document["exchanges"]:
        name = exchange["file"]
        store = bytes.fromhex(exchange["server"]["store"])
        sides = {side: [from_json(c) for c in exchange[side]["changes"]] for side in ("client", "server")}
        for line in open(os.path.join(folder, name), encoding="utf-8"):
            if line.startswith("#") or " MAGIC " in line:
                continue
            side, _, frame = line.split()
            (message, _), = read_connection(wire.MAGIC + bytes.fromhex(frame))
            if message["type"] == wire.CHANGES:
                check(model.verify(store, message["changes"], message["runs"]) is None,
                      f"{name}: a batch does not verify")
            if message["type"] == wire.HELLO:
                check_heads(message, keys, name)
                held = {c["replica"]: (c["seq"], c["signature"]) for c in exchange[side]["checkpoints"]}
                for head in message["heads"]:
                    seq = message["clock"][head["replica"]]
                    check(head["chain"] == model.chain(sides[side], head["replica"], seq),
                          f"{name}: {side}'s head of {head['replica'].hex()} is not the chain of its changes")
                    check(held.get(head["replica"].hex()) == (seq, head["signature"].hex()),
                          f"{name}: {side}'s head is not the checkpoint it holds")


def main():
    keys = check_bundles()
    check_forks()
    check_sync(keys)
    print(f"{len(failures)} failures" if failures else "all vectors check")
    return 1 if failures else 0


if __name__ == "__main__":
    sys.exit(main())
