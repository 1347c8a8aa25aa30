#!/usr/bin/env python3
"""Writes the Gloss sync test vectors: frames, byte streams and scripted exchanges.

A second, independent implementation of the sync protocol's encoding (Protocol/SPEC.md §11),
in plain Python, written from the SPEC rather than from the Swift code. It reuses the change
encoding, signed batches (chain hashes, checkpoints) and state digest of ../make_vectors.py,
which were written the same way. The Swift tests replay every file against the real
SyncFrameDecoder, SyncMessage and SyncSession, so two implementations agree on each byte. The
committed files are the reference; Ed25519 signatures are deterministic (RFC 8032), so running
this again must reproduce them byte for byte:

    python3 Protocol/test-vectors/sync/make_sync_vectors.py && git diff --exit-code Protocol/test-vectors

Needs the Python standard library and the `cryptography` package (for Ed25519).
"""

import json
import os
import sys
import zlib

sys.dont_write_bytecode = True
HERE = os.path.dirname(os.path.abspath(__file__))
sys.path.insert(0, os.path.dirname(HERE))

import make_vectors as bundle  # noqa: E402  (the bundle vectors' encoder and merge rules)
from make_vectors import (varint, string, content, json_value, runs_for, runs_json,  # noqa: E402
                          signed_batch, chain, sign_checkpoint, public_key, replica_from_seed, seed_of, KEYS,
                          fork_evidence, fork_json)

# ---------------------------------------------------------------------------------------------
# The protocol (SPEC §11)

MAGIC = b"GLOSSYNC"
HELLO, CHANGES, ACK, END, SUMMARY, ERROR, CHANGES_DEFLATED, PING = 1, 2, 3, 4, 5, 6, 7, 8
TYPE_NAMES = {HELLO: "HELLO", CHANGES: "CHANGES", ACK: "ACK", END: "END", SUMMARY: "SUMMARY", ERROR: "ERROR",
              PING: "PING"}
MAXIMUM_FRAME_SIZE = 16 * 1024 * 1024
ANY_STORE = bytes(16)
FORK_EVIDENCE_MINIMUM = 32 + 1 + 2 * (1 + 32 + 2 + 64)  # key, seq, two histories of an empty batch
ERROR_CODES = {"unsupportedVersion": 3, "storeMismatch": 33, "busy": 40}


def frame(type_, body):
    """u32 big-endian length of the type byte and the body, the type byte, the body."""
    return (len(body) + 1).to_bytes(4, "big") + bytes([type_]) + body


def version_vector(clock):
    out = varint(len(clock))
    for replica in sorted(clock):
        out += replica + varint(clock[replica])
    return out


def hello_body(h):
    """The fields of SPEC §11.4.1, then heads (a count equal to the clock's, then chain and signature
    per clock entry, in clock order), successions (a count, then key and signature each) and forks
    (a count, then fork evidence each, SPEC §6.7)."""
    out = varint(h["low"]) + varint(h["high"]) + h["store"] + h["replica"] + string(h["name"])
    out += version_vector(h["clock"]) + h["digest"] + varint(h["maximumFrameSize"])
    out += varint(len(h["capabilities"])) + b"".join(string(c) for c in h["capabilities"])
    assert [head["replica"] for head in h["heads"]] == sorted(h["clock"])
    out += varint(len(h["heads"])) + b"".join(head["chain"] + head["signature"] for head in h["heads"])
    out += varint(len(h["successions"])) + b"".join(s["key"] + s["signature"] for s in h["successions"])
    out += varint(len(h["forks"])) + b"".join(fork_evidence(e) for e in h["forks"])
    return out


def encode(message):
    kind = message["type"]
    if kind == HELLO:
        return frame(HELLO, hello_body(message))
    if kind == CHANGES:
        return frame(CHANGES, varint(message["batch"]) + signed_batch(message["changes"], message["runs"]))
    if kind == ACK:
        return frame(ACK, varint(message["batch"]))
    if kind in (END, PING):
        return frame(kind, b"")
    if kind == SUMMARY:
        return frame(SUMMARY, version_vector(message["clock"]) + message["digest"])
    if kind == ERROR:
        return frame(ERROR, varint(message["code"]) + string(message["message"]))
    raise ValueError(kind)


def hello(store, replica, name, changes, low=3, high=3, capabilities=(), heads=None, successions=(), forks=()):
    """A HELLO from a replica holding `changes`; its heads are signed with the authors' keys unless given."""
    return {"type": HELLO, "low": low, "high": high, "store": store, "replica": replica, "name": name,
            "clock": clock_of(changes), "digest": digest_of(changes), "maximumFrameSize": MAXIMUM_FRAME_SIZE,
            "capabilities": list(capabilities),
            "heads": heads_of(store, changes) if heads is None else heads, "successions": list(successions),
            "forks": list(forks)}


def heads_of(store, changes):
    """For each clock entry r, in clock order: chain(r, clock[r]) and r's checkpoint signature there."""
    heads = []
    for replica, seq in sorted(clock_of(changes).items()):
        value = chain(changes, replica, seq)
        heads.append({"replica": replica, "chain": value, "signature": sign_checkpoint(store, replica, seq, value)})
    return heads


def succession(store, old, new):
    """The old replica hands over to the new: its public key, and its signature over
    "gloss-succession-v1" || 00 || store id || old replica id || new replica id."""
    return {"key": public_key(old), "signature": KEYS[old].sign(b"gloss-succession-v1\x00" + store + old + new)}


def changes_message(batch, changes, history=(), store=None):
    """CHANGES: a batch number and a signed batch, signed for `store` (by default the vectors' store);
    `history` holds the changes before the batch's, from which the runs' bases are computed."""
    return {"type": CHANGES, "batch": batch, "changes": list(changes),
            "runs": runs_for(store or STORE, changes, history)}


def clock_of(changes):
    clock = {}
    for change in changes:
        clock[change["replica"]] = max(clock.get(change["replica"], 0), change["seq"])
    return clock


def digest_of(changes):
    return bytes.fromhex(bundle.state_digest(changes))


def lacking(log, clock):
    """The changes of `log` (in arrival order) a replica holding `clock` lacks, in that order."""
    return [c for c in log if c["seq"] > clock.get(c["replica"], 0)]


def describe(message):
    """The JSON description of a message: its type and decoded fields."""
    kind = message["type"]
    out = {"type": TYPE_NAMES[kind], "code": kind}
    if kind == HELLO:
        out["fields"] = {
            "versions": {"low": message["low"], "high": message["high"]}, "store": message["store"].hex(),
            "replica": message["replica"].hex(), "name": message["name"], "clock": json_value(message["clock"]),
            "digest": message["digest"].hex(), "maximumFrameSize": message["maximumFrameSize"],
            "capabilities": message["capabilities"],
            "heads": [{"replica": h["replica"].hex(), "chain": h["chain"].hex(), "signature": h["signature"].hex()}
                      for h in message["heads"]],
            "successions": [{"key": s["key"].hex(), "signature": s["signature"].hex()} for s in message["successions"]],
            "forks": [fork_json(e) for e in message["forks"]]}
    elif kind == CHANGES:
        out["fields"] = {"batch": message["batch"], "changes": content(ANY_STORE, message["changes"])["changes"],
                         "runs": runs_json(message["runs"])}
    elif kind == ACK:
        out["fields"] = {"batch": message["batch"]}
    elif kind in (END, PING):
        out["fields"] = {}
    elif kind == SUMMARY:
        out["fields"] = {"clock": json_value(message["clock"]), "digest": message["digest"].hex()}
    else:
        out["fields"] = {"code": message["code"], "message": message["message"]}
    return out


# ---------------------------------------------------------------------------------------------
# The replicas and their changes

STORE, ALICE, BOB, T0 = bundle.STORE, bundle.ALICE, bundle.BOB, bundle.T0
CAROL = bundle.CAROL  # Ed25519 private key c0 x 32
ALICE_NEW = replica_from_seed(0xA2)  # the replica Alice's store hands over to (key a2 x 32)
OTHER_STORE = bytes.fromhex("0be1d5e0000000000000000000000002")
GLACIER_ID = bundle.GLACIER_ID

# Both replicas hold Alice's import of the article (the first change of bundle-one-article.bin).
A1 = bundle.ONE_ARTICLE[0]
# Then, apart: Alice retitles it; Bob, having seen only A1, tags it.
A2 = {"replica": ALICE, "seq": 2, "time": T0 + 60_000, "dependencies": {}, "operations": [
    {"kind": "set", "entity": GLACIER_ID, "field": "title", "value": "4% of Swiss glacier ice, gone in 2023"}]}
B1 = {"replica": BOB, "seq": 1, "time": T0 + 120_000, "dependencies": {ALICE: 1}, "operations": [
    {"kind": "addTag", "entity": GLACIER_ID, "tag": "glaciology"}]}

ALICE_LOG = [A1, A2]
BOB_LOG = [A1, B1]
UNION = [A1, A2, B1]


# ---------------------------------------------------------------------------------------------
# Writing the files


def main():
    vectors = []
    files = []

    def write(name, data):
        files.append(name)
        with open(os.path.join(HERE, name), "wb") as f:
            f.write(data)

    def valid(name, description, message, extra=b""):
        write(name, encode(message) if not extra else with_extra(message, extra))
        entry = {"file": name, "description": description, "valid": True, "message": describe(message)}
        if extra:
            entry["canonical"] = False
        vectors.append(entry)

    def with_extra(message, extra):
        data = encode(message)
        body = data[4:] + extra
        return len(body).to_bytes(4, "big") + body

    def deflated(message, length=None, tail=b"", data=None):
        """A type 7 frame: the batch number, the inflated length, the batch deflated (raw DEFLATE,
        RFC 1951, level 9: any valid stream is accepted, the bytes are not canonical)."""
        plain = signed_batch(message["changes"], message["runs"])
        if data is None:
            packer = zlib.compressobj(9, zlib.DEFLATED, -15)
            data = packer.compress(plain) + packer.flush()
        return frame(CHANGES_DEFLATED, varint(message["batch"]) + varint(len(plain) if length is None else length)
                     + data + tail)

    def valid_deflated(name, description, message):
        write(name, deflated(message))
        vectors.append({"file": name, "description": description, "valid": True, "message": describe(message),
                        "deflated": True})

    def invalid(name, description, error, data, stream=False):
        write(name, data)
        vectors.append({"file": name, "description": description, "valid": False,
                        "stream": stream, "error": error})

    alice_hello = hello(STORE, ALICE, "alice", ALICE_LOG)

    # Valid frames, one or more of every type.
    valid("frame-hello.bin", "Alice's HELLO: version 3 only, her store, id and name, her clock {Alice: 2}, "
          "the digest of her state, the default maximum frame size (16 MiB), no capabilities; one head (chain(Alice, "
          "2) and her checkpoint signature at 2 in this store) and no successions.", alice_hello)
    valid("frame-hello-cloning.bin", "A cloning client's HELLO: the all-zero store id, an empty clock, the digest "
          "of the empty state, no name; no heads, no successions.", hello(ANY_STORE, CAROL, "", []))
    valid("frame-hello-succession.bin", "The HELLO of the replica Alice's store handed over to (a new key, a2 x 32): "
          "its own replica id, name \"alice\", Alice's changes 1 and 2 (clock {Alice: 2}, with her head), and one "
          "succession: Alice's old public key and her signature over \"gloss-succession-v1\" 00, the store id, "
          "her old replica id and the new one.",
          hello(STORE, ALICE_NEW, "alice", ALICE_LOG, successions=[succession(STORE, ALICE, ALICE_NEW)]))
    valid("frame-hello-extended.bin", "A HELLO from a later version: versions 3 to 5, an unknown capability, and "
          "5 bytes of a field this version does not know (07 03 66 6f 6f) after the forks (count 0). A reader "
          "decodes it to the fields shown and ignores the rest, so it does not re-encode to the same bytes.",
          hello(STORE, BOB, "bob", BOB_LOG, high=5, capabilities=["x-example"]), extra=bytes.fromhex("0703666f6f"))
    valid("frame-hello-fork.bin", "Bob's HELLO (as in exchange-two-replicas.txt) carrying one fork proof: Carol "
          "(c0 x 32) forked at her change 1. History one: base 1, chain(Carol, 1) of one version of her change 1, no "
          "changes, her checkpoint signature at 1; history two: base 0, the zero chain, another version of her "
          "change 1 (a change batch of one change), her signature at 1. It is fork-at-head of ../fork-evidence.json, "
          "and verifies in this store.", hello(STORE, BOB, "bob", BOB_LOG, forks=[bundle.FORK_AT_HEAD]))
    valid("frame-changes.bin", "CHANGES batch 1 from Alice: her retitling of the article (her change 2), "
          "signed: one run, base chain(Alice, 1), a checkpoint at 2.",
          changes_message(1, [A2], history=ALICE_LOG))
    valid("frame-changes-two-replicas.bin", "CHANGES batch 3 holding the five changes of "
          "bundle-two-replicas.bin, in the same causal order: a replica table of two, dependencies, and the "
          "same two runs as the bundle.",
          changes_message(3, bundle.TWO_REPLICAS))
    valid_deflated("frame-changes-deflated.bin", "The CHANGES of frame-changes-two-replicas.bin as type 7: batch "
                   "3, the length of its signed batch, then that batch compressed with raw DEFLATE. It decodes "
                   "to the same message.", changes_message(3, bundle.TWO_REPLICAS))
    valid("frame-ack.bin", "ACK of batch 300 (a two-byte varint, ac 02).", {"type": ACK, "batch": 300})
    valid("frame-end.bin", "END: no body, so the length is 1.", {"type": END})
    valid("frame-ping.bin", "PING: no body, so the length is 1.", {"type": PING})
    valid("frame-summary.bin", "SUMMARY after Alice and Bob synced: the clock {Alice: 2, Bob: 1} and the digest of "
          "the state both then hold.", {"type": SUMMARY, "clock": clock_of(UNION), "digest": digest_of(UNION)})
    valid("frame-error.bin", "ERROR busy (40) from a server at its session limit.",
          {"type": ERROR, "code": ERROR_CODES["busy"], "message": "the server is serving 64 sessions; try again later"})

    # Invalid byte streams and frames, one reason each.
    invalid("stream-bad-magic-http.bin", "An HTTP request sent to a sync port. The stream starts with G, as the "
            "magic does, so a reader fails on the second byte, E.", "badMagic",
            b"GET / HTTP/1.1\r\nHost: localhost:7456\r\n\r\n", stream=True)
    invalid("stream-bad-magic-bundle.bin", "A bundle file (bundle-empty.bin) sent to a sync port: GLOSS matches, "
            "the 6th byte B does not.", "badMagic",
            open(os.path.join(HERE, "..", "bundle-empty.bin"), "rb").read(), stream=True)
    invalid("frame-length-zero.bin", "A length prefix of 0: a frame holds at least its type byte.",
            "frameTooLarge", bytes(4) + bytes([END]))
    invalid("frame-length-over-maximum.bin", "A length prefix of 16 MiB + 1 (01 00 00 01) and one byte: a reader "
            "with the default maximum refuses on reading the length, before buffering any of the body.",
            "frameTooLarge", (MAXIMUM_FRAME_SIZE + 1).to_bytes(4, "big") + bytes([CHANGES]))
    invalid("frame-truncated.bin", "The first 40 bytes of frame-hello.bin, then the connection closes.",
            "truncated", encode(alice_hello)[:40])
    invalid("frame-unknown-type.bin", "A frame of type 9, which version 3 does not define.", "unknownMessage",
            frame(9, b""))
    invalid("frame-ping-trailing-bytes.bin", "A PING with one byte of body.", "trailingBytes", frame(PING, b"\x00"))
    two = changes_message(3, bundle.TWO_REPLICAS)
    plain_two = signed_batch(two["changes"], two["runs"])
    invalid("frame-changes-deflated-short-length.bin", "frame-changes-deflated.bin declaring one byte less than "
            "its batch inflates to.", "badCompression", deflated(two, length=len(plain_two) - 1))
    invalid("frame-changes-deflated-long-length.bin", "frame-changes-deflated.bin declaring one byte more than "
            "its batch inflates to.", "badCompression", deflated(two, length=len(plain_two) + 1))
    invalid("frame-changes-deflated-trailing.bin", "frame-changes-deflated.bin with a 00 byte after the end of "
            "its DEFLATE stream.", "badCompression", deflated(two, tail=b"\x00"))
    invalid("frame-changes-deflated-not-deflate.bin", "A type 7 frame whose data (ff ff ff) is not a DEFLATE "
            "stream (ff starts a block of the reserved type 3).", "badCompression",
            deflated(two, data=b"\xff\xff\xff"))
    invalid("frame-changes-deflated-too-large.bin", "A type 7 frame declaring an inflated length of 16 MiB - 15 "
            "(one byte more than a CHANGES frame may carry): refused before anything is inflated.", "frameTooLarge",
            deflated(two, length=MAXIMUM_FRAME_SIZE - 15))
    invalid("frame-ack-noncanonical-varint.bin", "An ACK whose batch number 1 is written 81 00.",
            "nonCanonicalVarint", frame(ACK, b"\x81\x00"))
    invalid("frame-ack-varint-overflow.bin", "An ACK whose batch number is ff ff ff ff ff ff ff ff ff 02: more "
            "than 64 bits.", "varintOverflow", frame(ACK, b"\xff" * 9 + b"\x02"))
    invalid("frame-error-code-too-large.bin", "An ERROR with code 65536: codes are below 65536.",
            "varintOverflow", frame(ERROR, varint(65536) + string("")))
    invalid("frame-error-invalid-utf8.bin", "An ERROR whose message is the bytes 63 c3 28, not UTF-8.",
            "invalidUTF8", frame(ERROR, varint(40) + string(b"c\xc3(")))
    invalid("frame-summary-count-too-large.bin", "A SUMMARY whose clock count is 3, with one entry and the "
            "digest after it: the 49 bytes left cannot hold 3 entries of at least 17 bytes.", "countTooLarge",
            frame(SUMMARY, varint(3) + ALICE + varint(2) + digest_of(UNION)))
    proof = fork_evidence(bundle.FORK_AT_HEAD)
    one_proof = encode(hello(STORE, BOB, "bob", BOB_LOG, forks=[bundle.FORK_AT_HEAD]))
    assert one_proof.endswith(b"\x01" + proof) and len(proof) < 2 * FORK_EVIDENCE_MINIMUM
    invalid("frame-hello-forks-count-too-large.bin", f"frame-hello-fork.bin with its forks count 1 changed to 2: the "
            f"{len(proof)} bytes left (one proof) cannot hold 2 proofs of at least {FORK_EVIDENCE_MINIMUM} bytes.",
            "countTooLarge", one_proof[:-len(proof) - 1] + b"\x02" + proof)
    invalid("frame-summary-unsorted-clock.bin", "A SUMMARY whose clock lists Bob before Alice (ids descending).",
            "unsortedReplicaTable",
            frame(SUMMARY, varint(2) + max(ALICE, BOB) + varint(1) + min(ALICE, BOB) + varint(1) + digest_of(UNION)))
    invalid("frame-end-trailing-bytes.bin", "An END with one byte of body: only HELLO may carry more than its "
            "fields.", "trailingBytes", frame(END, b"\x00"))
    invalid("frame-ack-trailing-bytes.bin", "An ACK of batch 1 followed by a 00 byte.", "trailingBytes",
            frame(ACK, b"\x01\x00"))
    reversed_hello = dict(alice_hello, low=3, high=2)
    invalid("frame-hello-reversed-versions.bin", "Alice's HELLO with versions from 3 to 2: the lowest is above "
            "the highest.", "unsupportedVersion", encode(reversed_hello))
    invalid("frame-hello-version-zero.bin", "Alice's HELLO with versions from 0 to 3: versions start at 1.",
            "unsupportedVersion", encode(dict(alice_hello, low=0)))
    invalid("frame-changes-bad-replica-index.bin", "CHANGES batch 1 whose one change names author index 1 in a "
            "replica table of one: the change batch's own rules apply inside CHANGES.", "badReplicaIndex",
            frame(CHANGES, varint(1) + replace_once(signed_batch([A2], runs_for(STORE, [A2], ALICE_LOG)),
                                                    varint(1) + ALICE + varint(1) + b"\x00",
                                                    varint(1) + ALICE + varint(1) + b"\x01")))

    # Scripted exchanges: the frames each side sends, in one order they can be sent in.
    exchanges = []

    def exchange(name, description, client, server, lines, reference, outcome):
        text = ["# " + line for line in wrap(description)]
        text.append("# side    message   frame (hex): one order the frames can go in; each side's own order is fixed")
        for side, message in lines:
            data = MAGIC if message == "MAGIC" else encode(message)
            label = "MAGIC" if message == "MAGIC" else TYPE_NAMES[message["type"]]
            text.append(f"{side:<7} {label:<8} {data.hex()}")
        files.append(name)
        with open(os.path.join(HERE, name), "w", encoding="utf-8") as f:
            f.write("\n".join(text) + "\n")
        exchanges.append({"file": name, "description": description, "client": client, "server": server,
                          "reference": reference, "outcome": outcome})

    def replica(store, replica_, name, log):
        """A side of an exchange: what it holds, its private key (seed), and the checkpoint signature it
        holds at each of its clock's entries (the ones its HELLO's heads and the runs it relays carry)."""
        held = [{"replica": h["replica"].hex(), "seq": clock_of(log)[h["replica"]], "signature": h["signature"].hex()}
                for h in heads_of(store, log)]
        return {"store": store.hex(), "replica": replica_.hex(), "name": name,
                "seed": seed_of(replica_).hex(), "changes": content(store, log)["changes"],
                "checkpoints": held}

    def synced(changes):
        return {"clock": json_value(clock_of(changes)), "digest": digest_of(changes).hex()}

    bob_hello = hello(STORE, BOB, "bob", BOB_LOG)
    summary = {"type": SUMMARY, "clock": clock_of(UNION), "digest": digest_of(UNION)}
    exchange(
        "exchange-two-replicas.txt",
        "Alice (client) and Bob (server) both hold A1, Alice's import of an article. Apart, Alice retitled it (A2) "
        "and Bob tagged it (B1). Their HELLOs differ (each carries a head, chain and signature, per clock entry), "
        "so each sends the other what its clock lacks, one signed batch each (base: the chain just below the "
        "batch's first change of each author), then END; each ACKs the other's batch once applied; both then "
        "send SUMMARY with equal clocks and digests.",
        replica(STORE, ALICE, "alice", ALICE_LOG), replica(STORE, BOB, "bob", BOB_LOG),
        [("client", "MAGIC"), ("server", "MAGIC"),
         ("client", alice_hello),
         ("server", bob_hello),
         ("server", changes_message(1, lacking(BOB_LOG, alice_hello["clock"]), history=BOB_LOG)),
         ("server", {"type": END}),
         ("client", changes_message(1, lacking(ALICE_LOG, bob_hello["clock"]), history=ALICE_LOG)),
         ("client", {"type": END}),
         ("client", {"type": ACK, "batch": 1}),
         ("server", {"type": ACK, "batch": 1}),
         ("server", summary),
         ("client", summary)],
        ["client", "server"], synced(UNION))

    exchange(
        "exchange-in-sync.txt",
        "Alice and Bob both hold exactly A1: their HELLOs carry equal clocks, so the session ends after one round "
        "trip, and the HELLO digests (equal) are the summary.",
        replica(STORE, ALICE, "alice", [A1]), replica(STORE, BOB, "bob", [A1]),
        [("client", "MAGIC"), ("server", "MAGIC"),
         ("client", hello(STORE, ALICE, "alice", [A1])),
         ("server", hello(STORE, BOB, "bob", [A1]))],
        ["client", "server"], synced([A1]))

    carol_hello = hello(ANY_STORE, CAROL, "laptop", [])
    clone_summary = {"type": SUMMARY, "clock": clock_of(BOB_LOG), "digest": digest_of(BOB_LOG)}
    exchange(
        "exchange-clone.txt",
        "Carol clones Bob's store: her HELLO names the all-zero store, so she joins the store Bob's HELLO names. "
        "Her clock is empty, so Bob sends everything he holds; she has nothing to send and ends at once.",
        replica(ANY_STORE, CAROL, "laptop", []), replica(STORE, BOB, "bob", BOB_LOG),
        [("client", "MAGIC"), ("server", "MAGIC"),
         ("client", carol_hello),
         ("server", bob_hello),
         ("server", changes_message(1, BOB_LOG)),
         ("server", {"type": END}),
         ("client", {"type": END}),
         ("client", {"type": ACK, "batch": 1}),
         ("client", clone_summary),
         ("server", clone_summary)],
        ["client", "server"], synced(BOB_LOG))

    exchange(
        "exchange-version-mismatch.txt",
        "A later client that speaks only versions 4 and 5 meets a version 3 server: no common version, so the "
        "server answers ERROR unsupportedVersion (naming both ranges; the text is informative) instead of HELLO, "
        "and closes. Only the server's side is version 3 behaviour.",
        replica(STORE, ALICE, "alice", ALICE_LOG), replica(STORE, BOB, "bob", BOB_LOG),
        [("client", "MAGIC"), ("server", "MAGIC"),
         ("client", hello(STORE, ALICE, "alice", ALICE_LOG, low=4, high=5)),
         ("server", {"type": ERROR, "code": ERROR_CODES["unsupportedVersion"],
                     "message": "no common protocol version: this side speaks 3–3, the peer 4–5"})],
        ["server"], {"error": "unsupportedVersion"})

    exchange(
        "exchange-store-mismatch.txt",
        "Alice, a replica of another store, connects to Bob: Bob answers ERROR storeMismatch instead of HELLO, "
        "and closes.",
        replica(OTHER_STORE, ALICE, "alice", ALICE_LOG), replica(STORE, BOB, "bob", BOB_LOG),
        [("client", "MAGIC"), ("server", "MAGIC"),
         ("client", hello(OTHER_STORE, ALICE, "alice", ALICE_LOG)),
         ("server", {"type": ERROR, "code": ERROR_CODES["storeMismatch"],
                     "message": f"this is store {STORE.hex()}; the peer belongs to store {OTHER_STORE.hex()}"})],
        ["client", "server"], {"error": "storeMismatch"})

    document = {
        "description": "Gloss sync protocol test vectors, version 3 with signed history and the summed state digest (HELLO heads and successions, signed CHANGES batches; inside mutual TLS, the vectors are what travels inside it). See README.md and Protocol/SPEC.md §11.",
        "vectors": vectors,
        "exchanges": exchanges,
    }
    with open(os.path.join(HERE, "vectors.json"), "w", encoding="utf-8") as f:
        json.dump(document, f, ensure_ascii=False, indent=2)
        f.write("\n")
    stale = set(os.listdir(HERE)) - set(files) - {"vectors.json", os.path.basename(__file__), "spec_client.py", "__pycache__"}
    assert not stale, f"files this script no longer writes: {sorted(stale)}"


def replace_once(data, old, new):
    assert data.count(old) == 1, (old, data.count(old))
    return data.replace(old, new)


def wrap(text, width=96):
    lines, line = [], ""
    for word in text.split():
        if line and len(line) + 1 + len(word) > width:
            lines.append(line)
            line = word
        else:
            line = f"{line} {word}" if line else word
    return lines + [line]


if __name__ == "__main__":
    main()
