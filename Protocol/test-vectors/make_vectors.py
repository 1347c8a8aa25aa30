#!/usr/bin/env python3
"""Writes the Gloss test vectors: the .bin files and vectors.json beside this script.

This is a second, independent implementation of the bundle encoding (format 2: a change batch and
its authors' signed checkpoints), of the chain hash and checkpoint signatures, and of the merge
rules needed for the state digest (revisions and their first adders included, with the shape and
state checks of SPEC §4.10, so every valid vector is known to pass them), written from
Protocol/SPEC.md rather than from the Swift code.
The committed files are the reference; this script only shows how they were made. Ed25519
signatures are deterministic (RFC 8032), so running it again must reproduce them byte for byte:

    python3 Protocol/test-vectors/make_vectors.py && git diff --exit-code Protocol/test-vectors

Needs the Python standard library and the `cryptography` package (for Ed25519).
"""

import copy
import hashlib
import json
import os
import re

from cryptography.exceptions import InvalidSignature
from cryptography.hazmat.primitives import serialization
from cryptography.hazmat.primitives.asymmetric import ed25519

HERE = os.path.dirname(os.path.abspath(__file__))

# ---------------------------------------------------------------------------------------------
# Ids (SPEC "Identifiers")


def derived_id(domain, payload):
    return hashlib.sha256(domain.encode() + payload).digest()[:16]


def replica_id(public_key):
    assert len(public_key) == 32
    return derived_id("gloss-replica", public_key)


def article_id(body):
    return derived_id("gloss-article", body.encode("utf-8"))


def annotation_id(replica, seq, index):
    return derived_id("gloss-annotation", replica + seq.to_bytes(8, "big") + index.to_bytes(8, "big"))


# ---------------------------------------------------------------------------------------------
# Replica keys (SPEC "Identifiers": a replica id is the hash of its Ed25519 public key)

KEYS = {}  # replica id -> Ed25519 private key, for every replica the vectors sign as


def raw_public_key(key):
    """The raw 32-byte Ed25519 public key (RFC 8032) of a private key."""
    return key.public_key().public_bytes(serialization.Encoding.Raw, serialization.PublicFormat.Raw)


def replica_from_seed(seed_byte):
    """The replica whose RFC 8032 private key is 32 bytes of `seed_byte`; remembers its key."""
    key = ed25519.Ed25519PrivateKey.from_private_bytes(bytes([seed_byte]) * 32)
    replica = replica_id(raw_public_key(key))
    KEYS[replica] = key
    return replica


def public_key(replica):
    return raw_public_key(KEYS[replica])


def seed_of(replica):
    """The replica's 32-byte RFC 8032 private key."""
    return KEYS[replica].private_bytes(serialization.Encoding.Raw, serialization.PrivateFormat.Raw,
                                       serialization.NoEncryption())


def signature_is_valid(key, signature, message):
    try:
        ed25519.Ed25519PublicKey.from_public_bytes(key).verify(signature, message)
        return True
    except (InvalidSignature, ValueError):
        return False


# ---------------------------------------------------------------------------------------------
# Primitive encodings (SPEC "Primitive encodings")


def varint(value):
    assert 0 <= value < 1 << 64
    out = bytearray()
    while value >= 0x80:
        out.append((value & 0x7F) | 0x80)
        value >>= 7
    out.append(value)
    return bytes(out)


def string(value):
    raw = value if isinstance(value, bytes) else value.encode("utf-8")
    return varint(len(raw)) + raw


FIELDS = {"title": 1, "source": 2, "note": 3, "color": 4, "archived": 5, "revision": 6, "anchor": 7}
KINDS = {
    "createArticle": 1, "createAnnotation": 2, "set": 3, "addTag": 4, "removeTag": 5,
    "deleteAnnotation": 6, "keepAnnotation": 7, "addRevision": 8,
}
CREATE_ANNOTATION_ON_REVISION = 9  # a createAnnotation whose anchor names a revision (SPEC §6.4)


def operation(op):
    """SPEC §6.4. A createAnnotation with a `revision` is written with kind 0x09, the revision id
    after the article id; without one, with kind 0x02."""
    kind = op["kind"]
    if kind == "createAnnotation" and op.get("revision") is not None:
        return (bytes([CREATE_ANNOTATION_ON_REVISION]) + op["id"] + op["article"] + op["revision"]
                + string(op["exact"]) + string(op["prefix"]) + string(op["suffix"])
                + varint(op["start"]) + varint(op["end"]))
    out = bytes([KINDS[kind]])
    if kind == "createArticle":
        return out + op["id"] + string(op["body"])
    if kind == "createAnnotation":
        return (out + op["id"] + op["article"] + string(op["exact"]) + string(op["prefix"])
                + string(op["suffix"]) + varint(op["start"]) + varint(op["end"]))
    if kind == "addRevision":
        return out + op["article"] + op["revision"] + string(op["note"]) + string(op["text"])
    if kind == "set":
        return out + op["entity"] + bytes([FIELDS[op["field"]]]) + string(op["value"])
    if kind in ("addTag", "removeTag"):
        return out + op["entity"] + string(op["tag"])
    return out + op["id"]


def raw_change(author_index, seq, time, dependencies, operations):
    """A change from raw parts: dependencies are (index, seq) pairs written as given."""
    out = varint(author_index) + varint(seq) + varint(time) + varint(len(dependencies))
    for index, dep_seq in dependencies:
        out += varint(index) + varint(dep_seq)
    out += varint(len(operations))
    for op in operations:
        out += op if isinstance(op, bytes) else operation(op)
    return out


def replica_table(changes):
    named = set()
    for change in changes:
        named.add(change["replica"])
        named.update(change["dependencies"].keys())
    return sorted(named)


def change_batch(changes):
    table = replica_table(changes)
    out = varint(len(table)) + b"".join(table) + varint(len(changes))
    for change in changes:
        deps = sorted((table.index(r), s) for r, s in change["dependencies"].items())
        out += raw_change(table.index(change["replica"]), change["seq"], change["time"], deps,
                          change["operations"])
    return out


# ---------------------------------------------------------------------------------------------
# Signed history: chain hashes, checkpoints, the checkpoint table


ZERO_CHAIN = bytes(32)  # chain(A, 0)


def next_chain(previous, change):
    """chain(A, s) = SHA-256("gloss-chain-v1" || 00 || chain(A, s - 1) || enc1(A:s)), where enc1 is
    the change encoded as a change batch of its own (a table of exactly the replicas it names)."""
    return hashlib.sha256(b"gloss-chain-v1\x00" + previous + change_batch([change])).digest()


def by_dot(changes):
    """The changes keyed by dot; one dot must not name two different changes."""
    held = {}
    for change in changes:
        assert held.setdefault(dot_of(change), change) is change or held[dot_of(change)] == change
    return held


def chain(changes, author, seq):
    """chain(author, seq), from `changes`, which hold the author's changes 1 to seq."""
    held, value = by_dot(changes), ZERO_CHAIN
    for s in range(1, seq + 1):
        value = next_chain(value, held[(author, s)])
    return value


def checkpoint_message(store, author, seq, chain_value):
    """What a checkpoint signs: "gloss-checkpoint-v1" || 00 || store || author || u64be(seq) || chain."""
    return b"gloss-checkpoint-v1\x00" + store + author + u64(seq) + chain_value


def sign_checkpoint(store, author, seq, chain_value, signer=None):
    """The author's signature (or, for a forgery, `signer`'s) over chain(author, seq) in `store`."""
    return KEYS[signer or author].sign(checkpoint_message(store, author, seq, chain_value))


def runs_for(store, changes, history=()):
    """The runs a writer emits for a batch: one per author with a change in it, ascending by id;
    `base` is chain(author, s0) with s0 one below the author's lowest seq in the batch, and one
    checkpoint at the author's last seq. `history` holds the changes before the batch's."""
    known = list(history) + list(changes)
    runs = []
    for author in sorted({c["replica"] for c in changes}):
        seqs = sorted(c["seq"] for c in changes if c["replica"] == author)
        last = seqs[-1]
        runs.append({"replica": author, "key": public_key(author), "base": chain(known, author, seqs[0] - 1),
                     "checkpoints": [(last, sign_checkpoint(store, author, last, chain(known, author, last)))]})
    return runs


def raw_checkpoint_table(runs):
    """run count, then each run: author index, key (32), base (32), checkpoint count, then each
    checkpoint's seq and signature (64). `runs` are (index, key, base, checkpoints), written as given."""
    out = varint(len(runs))
    for index, key, base, checkpoints in runs:
        out += varint(index) + key + base + varint(len(checkpoints))
        for seq, signature in checkpoints:
            out += varint(seq) + signature
    return out


def checkpoint_table(table, runs):
    return raw_checkpoint_table([(table.index(r["replica"]), r["key"], r["base"], r["checkpoints"]) for r in runs])


def signed_batch(changes, runs):
    """A change batch (SPEC §6.1) immediately followed by its checkpoint table."""
    return change_batch(changes) + checkpoint_table(replica_table(changes), runs)


def verify(store, changes, runs):
    """Checks a decoded signed batch against its checkpoints, in this order, and returns the first
    error's name, or None:
    - each author's changes in the batch are consecutive seqs, no gap, no repeat (unsignedChange);
    - every change's author has a run, and every run has changes (unsignedChange);
    - then for each run in order: its key hashes to its author (badSignature); its checkpoints lie
      within its seqs and the last is its last seq (unsignedChange); each checkpoint's signature
      verifies over the chain computed from `base` through its changes in seq order (badSignature)."""
    seqs = {}
    for change in changes:
        seqs.setdefault(change["replica"], []).append(change["seq"])
    for author_seqs in seqs.values():
        ordered = sorted(author_seqs)
        if ordered != list(range(ordered[0], ordered[0] + len(ordered))):
            return "unsignedChange"
    if set(seqs) != {run["replica"] for run in runs}:
        return "unsignedChange"
    held = {dot_of(c): c for c in changes}
    for run in runs:
        author, points = run["replica"], run["checkpoints"]
        if replica_id(run["key"]) != author:
            return "badSignature"
        first, last = min(seqs[author]), max(seqs[author])
        if points[0][0] < first or points[-1][0] != last:
            return "unsignedChange"
        value, signatures = run["base"], dict(points)
        for seq in range(first, last + 1):
            value = next_chain(value, held[(author, seq)])
            if seq in signatures and not signature_is_valid(
                    run["key"], signatures[seq], checkpoint_message(store, author, seq, value)):
                return "badSignature"
    return None


# ---------------------------------------------------------------------------------------------
# Fork evidence (SPEC §6.7): two signed stretches of one author's history that differ at a seq


def signed_history(store, author, base, base_chain, changes, signer=None, signed_chain=None):
    """A history: base seq b, chain(author, b) as this history has it, the author's changes b + 1 … e
    (e = b + their count), and the signature at e over the chain from the base through them (or, for a
    forgery, `signer`'s signature, or a signature over `signed_chain` instead)."""
    value = base_chain
    for change in changes:
        value = next_chain(value, change)
    end = base + len(changes)
    return {"base": base, "baseChain": base_chain, "changes": list(changes),
            "signature": sign_checkpoint(store, author, end, signed_chain or value, signer)}


def fork_evidence(evidence):
    """key (32), seq, then each history: base, base chain (32), change batch (§6.1), signature (64)."""
    out = evidence["key"] + varint(evidence["seq"])
    for history in (evidence["first"], evidence["second"]):
        out += (varint(history["base"]) + history["baseChain"] + change_batch(history["changes"])
                + history["signature"])
    return out


def verify_fork(store, evidence):
    """Checks decoded evidence in `store` and returns the first error's name, or None. For each history,
    first then second: its changes are the author's consecutive changes b + 1 … e (unsignedChange); the
    chain from the base chain through them is signed at e (badSignature); b <= seq <= e (badSignature).
    Then the two chain hashes at seq (the base chain when seq = b) must differ (badSignature)."""
    key, seq = evidence["key"], evidence["seq"]
    author, at_seq = replica_id(key), []
    for history in (evidence["first"], evidence["second"]):
        base, changes = history["base"], history["changes"]
        end = base + len(changes)
        if [dot_of(c) for c in changes] != [(author, s) for s in range(base + 1, end + 1)]:
            return "unsignedChange"
        chains = [history["baseChain"]]
        for change in changes:
            chains.append(next_chain(chains[-1], change))
        if not signature_is_valid(key, history["signature"], checkpoint_message(store, author, end, chains[-1])):
            return "badSignature"
        if not base <= seq <= end:
            return "badSignature"
        at_seq.append(chains[seq - base])
    return "badSignature" if at_seq[0] == at_seq[1] else None


# ---------------------------------------------------------------------------------------------
# The bundle file (format 2)

MAGIC = b"GLOSSBDL"
FORMAT = 2


def with_checksum(body):
    return body + hashlib.sha256(body).digest()


def bundle(store, changes, runs):
    """magic, format version 2, store id, signed batch, SHA-256 of all the bytes before it."""
    return with_checksum(MAGIC + bytes([FORMAT]) + store + signed_batch(changes, runs))


# ---------------------------------------------------------------------------------------------
# Merge rules and the state digest (SPEC "Data model", "State digest")


def covers(change, dot):
    replica, seq = dot
    if replica == change["replica"]:
        return seq < change["seq"]
    return change["dependencies"].get(replica, 0) >= seq


def rank(change):
    return sum(change["dependencies"].values()) + change["seq"]


def dot_of(change):
    return (change["replica"], change["seq"])


def write_register(entries, change, payload):
    """Shared by multi-value and presence registers: drop covered entries, add this one."""
    entries[:] = [e for e in entries if not covers(change, e[0])]
    if not any(e[0] == dot_of(change) for e in entries):
        entries.append((dot_of(change),) + payload)
        entries.sort(key=lambda e: e[0])


class ModelError(Exception):
    """A change the model rules (SPEC §4.10, rules 4 and 5) refuse."""


ARTICLE_FIELDS = {"title", "source", "archived", "revision"}
ANNOTATION_FIELDS = {"note", "color", "anchor"}
REVISION_VALUE = re.compile(r"[0-9a-f]{32}")
# SPEC §4.3.2: a revision id, a space, start, a space, end; decimal without leading zeros.
ANCHOR_VALUE = re.compile(r"([0-9a-f]{32}) (0|[1-9][0-9]*) (0|[1-9][0-9]*)")


def placed_anchor(value):
    """The (revision id, start, end) an `anchor` value names, or None when it is not in the form of
    SPEC §4.3.2 (or start >= end, or an offset does not fit in 64 bits: see the report on ambiguities)."""
    match = ANCHOR_VALUE.fullmatch(value)
    if not match:
        return None
    revision, start, end = bytes.fromhex(match[1]), int(match[2]), int(match[3])
    if not start < end < 1 << 64:
        return None
    return revision, start, end


def texts_of(op):
    kind = op["kind"]
    if kind == "createArticle":
        return [op["body"]]
    if kind == "createAnnotation":
        return [op["exact"], op["prefix"], op["suffix"]]
    if kind == "addRevision":
        return [op["note"], op["text"]]
    if kind == "set":
        return [op["value"]]
    if kind in ("addTag", "removeTag"):
        return [op["tag"]]
    return []


def check_shape(change):
    """SPEC §4.10 rule 4: what a change must satisfy whatever state it meets."""
    def refuse(why):
        raise ModelError(f"change {change['replica'].hex()}:{change['seq']}: {why}")
    if change["seq"] < 1 or not change["operations"]:
        refuse("no seq or no operation")
    fields, tags, revisions, deleted, edited = set(), set(), set(), set(), set()
    for index, op in enumerate(change["operations"]):
        kind = op["kind"]
        if any("\0" in t for t in texts_of(op)):
            refuse("U+0000 in a text")
        if kind == "createArticle" and op["id"] != article_id(op["body"]):
            refuse("an article id that is not its body's")
        elif kind == "createAnnotation":
            if op["id"] != annotation_id(change["replica"], change["seq"], index):
                refuse("an annotation id not derived from the change and the operation's index")
            if not op["start"] <= op["end"] or not op["exact"]:
                refuse("a reversed anchor or an empty exact")
            if op.get("revision") == op["article"]:
                refuse("an anchor naming the article's first text as a revision")
            edited.add(op["id"])
        elif kind == "addRevision":
            if op["revision"] != article_id(op["text"]) or op["revision"] == op["article"]:
                refuse("a revision id that is not its text's, or is the article's own")
            if (op["article"], op["revision"]) in revisions:
                refuse("a revision added twice")
            revisions.add((op["article"], op["revision"]))
        elif kind == "set":
            if (op["entity"], op["field"]) in fields:
                refuse("a field written twice")
            fields.add((op["entity"], op["field"]))
            if op["field"] == "revision" and not REVISION_VALUE.fullmatch(op["value"]):
                refuse("a revision value that is not 32 lowercase hex digits")
            if op["field"] == "anchor" and placed_anchor(op["value"]) is None:
                refuse("an anchor value not in the form REVISION START END")
            edited.add(op["entity"])
        elif kind in ("addTag", "removeTag"):
            if not op["tag"] or (op["entity"], op["tag"]) in tags:
                refuse("an empty tag, or a tag touched twice")
            tags.add((op["entity"], op["tag"]))
            edited.add(op["entity"])
        elif kind == "deleteAnnotation":
            if op["id"] in deleted:
                refuse("an annotation deleted twice")
            deleted.add(op["id"])
        elif kind == "keepAnnotation":
            edited.add(op["id"])
    if deleted & edited:
        refuse("an annotation deleted and edited in one change")


def text_of(article, article_id_, revision):
    """The text an article holds under `revision` (its own id: the body), or None."""
    if revision is None or revision == article_id_:
        return article["body"]
    held = article["revisions"].get(revision)
    return held and held["text"]


def adder_key(adder):
    """SPEC §4.3.2: the first adder has the lowest rank, then the lowest replica id, then the lowest seq."""
    return (adder["rank"], adder["dot"][0], adder["dot"][1])


def apply_change(state, change):
    """SPEC §4.10 rules 4 and 5: the shape checks, then the operations in order, each checked against
    the state the earlier ones left; all or nothing (ModelError, state unchanged)."""
    check_shape(change)
    work = copy.deepcopy(state)
    for op in change["operations"]:
        apply_operation(work, change, op)
    state.clear()
    state.update(work)


def apply_operation(state, change, op):
    def refuse(why):
        raise ModelError(f"change {change['replica'].hex()}:{change['seq']}: {why}")
    articles, annotations, kind = state["articles"], state["annotations"], op["kind"]
    if kind == "createArticle":
        articles.setdefault(op["id"], {"body": op["body"], "registers": {}, "tags": {}, "revisions": {}})
    elif kind == "createAnnotation":
        article = articles.get(op["article"])
        if article is None or op["id"] in annotations:
            refuse("createAnnotation: no such article, or the annotation exists")
        text = text_of(article, op["article"], op.get("revision"))
        if text is None:
            refuse("createAnnotation: the article does not hold the anchor's revision")
        if not op["start"] < op["end"] <= len(text) or text[op["start"]:op["end"]] != op["exact"]:
            refuse("createAnnotation: the anchor does not fit its text")  # str indexes Unicode scalars
        annotation = {"article": op["article"], "anchor": op, "registers": {}, "tags": {}, "presence": []}
        write_register(annotation["presence"], change, ("alive", change["time"]))
        annotations[op["id"]] = annotation
    elif kind == "addRevision":
        article = articles.get(op["article"])
        if article is None:
            refuse("addRevision: no such article")
        adder = {"text": op["text"], "note": op["note"], "dot": dot_of(change), "time": change["time"],
                 "rank": rank(change)}
        held = article["revisions"].get(op["revision"])
        if held is None or adder_key(adder) < adder_key(held):
            article["revisions"][op["revision"]] = adder
    elif kind in ("set", "addTag", "removeTag"):
        entity = articles.get(op["entity"]) or annotations.get(op["entity"])
        if entity is None:
            refuse(f"{kind}: no such entity")
        if kind == "set":
            is_article = op["entity"] in articles
            if op["field"] not in (ARTICLE_FIELDS if is_article else ANNOTATION_FIELDS):
                refuse(f"set: {op['field']} is not a field of this entity")
            if op["field"] == "revision" and text_of(entity, op["entity"], bytes.fromhex(op["value"])) is None:
                refuse("set revision: the article does not hold that revision")
            if op["field"] == "anchor":
                revision, _, end = placed_anchor(op["value"])
                text = text_of(articles[entity["article"]], entity["article"], revision)
                if text is None or end > len(text):
                    refuse("set anchor: no such revision of the article, or end past its text")
            register = entity["registers"].setdefault(op["field"], [])
            write_register(register, change, (change["time"], op["value"], rank(change)))
        else:
            dots = {d for d in entity["tags"].get(op["tag"], set()) if not covers(change, d)}
            if kind == "addTag":
                dots.add(dot_of(change))
            if dots:
                entity["tags"][op["tag"]] = dots
            else:
                entity["tags"].pop(op["tag"], None)
        if "presence" in entity:
            write_register(entity["presence"], change, ("alive", change["time"]))
    elif kind in ("deleteAnnotation", "keepAnnotation"):
        if op["id"] not in annotations:
            refuse(f"{kind}: no such annotation")
        mark = "deleted" if kind == "deleteAnnotation" else "alive"
        write_register(annotations[op["id"]]["presence"], change, (mark, change["time"]))


def u64(value):
    return value.to_bytes(8, "big")


def text(value):
    raw = value.encode("utf-8")
    return u64(len(raw)) + raw


def dot_bytes(dot):
    return dot[0] + u64(dot[1])


def registers_bytes(registers):
    written = sorted((name, values) for name, values in registers.items() if values)
    out = u64(len(written))
    for name, values in written:
        out += text(name) + u64(len(values))
        for dot, time, value, _rank in values:
            out += dot_bytes(dot) + u64(time) + text(value)
    return out


def tags_bytes(tags):
    out = u64(len(tags))
    for tag in sorted(tags, key=lambda t: t.encode("utf-8")):
        dots = sorted(tags[tag])
        out += text(tag) + u64(len(dots)) + b"".join(dot_bytes(d) for d in dots)
    return out


def state_digest(changes):
    state = {"articles": {}, "annotations": {}}
    for change in changes:
        apply_change(state, change)
    # SPEC §8: each entity's canonical bytes are hashed on their own; each entity adds
    # SHA-256(kind || id || hash) as a 256-bit big-endian number to a sum modulo 2^256, and the
    # digest hashes the counts and the sum. Order does not matter, so a store can keep the sum.
    def entity(canonical):
        return hashlib.sha256(canonical).digest()
    def element(kind, id_, hash_):
        return int.from_bytes(hashlib.sha256(bytes([kind]) + id_ + hash_).digest(), "big")
    total = 0
    for id_, article in state["articles"].items():
        canonical = id_ + text(article["body"]) + registers_bytes(article["registers"]) + tags_bytes(article["tags"])
        if article["revisions"]:  # only when it has revisions, ascending by revision id
            canonical += u64(len(article["revisions"]))
            for revision_id, adder in sorted(article["revisions"].items()):
                canonical += (revision_id + text(adder["text"]) + text(adder["note"]) + dot_bytes(adder["dot"])
                              + u64(adder["time"]))
        total += element(1, id_, entity(canonical))
    for id_, annotation in state["annotations"].items():
        anchor = annotation["anchor"]
        canonical = (id_ + annotation["article"] + text(anchor["exact"]) + text(anchor["prefix"])
                     + text(anchor["suffix"]) + u64(anchor["start"]) + u64(anchor["end"])
                     + registers_bytes(annotation["registers"]) + tags_bytes(annotation["tags"]))
        canonical += u64(len(annotation["presence"]))
        for dot, mark, time in annotation["presence"]:
            canonical += dot_bytes(dot) + u64(1 if mark == "alive" else 2) + u64(time)
        if anchor.get("revision") is not None:  # only when its anchor names a revision
            canonical += anchor["revision"]
        total += element(2, id_, entity(canonical))
    out = (text("gloss-state-v3") + u64(len(state["articles"])) + u64(len(state["annotations"]))
           + (total % (1 << 256)).to_bytes(32, "big"))
    return hashlib.sha256(out).hexdigest()


# ---------------------------------------------------------------------------------------------
# The vectors


def anchor_of(body, exact, occurrence_start=None):
    """A quote anchor as QuoteAnchoring builds it: offsets and 32 scalars of context."""
    start = body.index(exact) if occurrence_start is None else occurrence_start
    end = start + len(exact)  # Python str indexes code points, which are Unicode scalars here
    return {"exact": exact, "prefix": body[max(0, start - 32):start], "suffix": body[end:end + 32],
            "start": start, "end": end}


STORE = bytes.fromhex("5a1e5a1e000000000000000000000001")
ALICE = replica_from_seed(0xA1)  # Ed25519 private keys: a1 x 32, b0 x 32
BOB = replica_from_seed(0xB0)
CAROL = replica_from_seed(0xC0)  # c0 x 32: the sync vectors' third replica, and the author of a fork
T0 = 1732540800000  # 2024-11-25T13:20:00Z

GLACIER = ("Swiss glaciers lost 4% of their volume in 2023.\n"
           "Scientists at GLAMOS call it the second-worst year on record, after 2022’s “extreme” melt.")
GLACIER_ID = article_id(GLACIER)

ONE_ARTICLE = [{
    "replica": ALICE, "seq": 1, "time": T0, "dependencies": {},
    "operations": [
        {"kind": "createArticle", "id": GLACIER_ID, "body": GLACIER},
        {"kind": "set", "entity": GLACIER_ID, "field": "title", "value": "Swiss glaciers lost 4% in 2023"},
        {"kind": "set", "entity": GLACIER_ID, "field": "source", "value": "https://example.org/glaciers-2023"},
        {"kind": "addTag", "entity": GLACIER_ID, "tag": "climate"},
    ],
}]

NOTE_ID = annotation_id(ALICE, 2, 0)
TWO_REPLICAS = [
    ONE_ARTICLE[0],
    {"replica": ALICE, "seq": 2, "time": T0 + 60_000, "dependencies": {}, "operations": [
        dict({"kind": "createAnnotation", "id": NOTE_ID, "article": GLACIER_ID},
             **anchor_of(GLACIER, "lost 4% of their volume")),
        {"kind": "set", "entity": NOTE_ID, "field": "note", "value": "Compare with the 2022 figure."},
        {"kind": "addTag", "entity": NOTE_ID, "tag": "to-check"},
    ]},
    # Bob has seen both of Alice's changes.
    {"replica": BOB, "seq": 1, "time": T0 + 120_000, "dependencies": {ALICE: 2}, "operations": [
        {"kind": "set", "entity": NOTE_ID, "field": "note", "value": "2022: −5.9%, a record (GLAMOS)."},
        {"kind": "removeTag", "entity": NOTE_ID, "tag": "to-check"},
        {"kind": "addTag", "entity": GLACIER_ID, "tag": "glaciology"},
    ]},
    {"replica": BOB, "seq": 2, "time": T0 + 180_000, "dependencies": {ALICE: 2}, "operations": [
        {"kind": "deleteAnnotation", "id": NOTE_ID},
    ]},
    # Alice, concurrently with Bob's delete (she has seen only Bob's first change), keeps it.
    {"replica": ALICE, "seq": 3, "time": T0 + 240_000, "dependencies": {BOB: 1}, "operations": [
        {"kind": "keepAnnotation", "id": NOTE_ID},
        {"kind": "set", "entity": NOTE_ID, "field": "color", "value": "yellow"},
    ]},
]


# Archiving (SPEC §4.6): Alice archives the article she imported while Bob, who saw only the
# import, unarchives it.
ARCHIVED = [
    ONE_ARTICLE[0],
    {"replica": ALICE, "seq": 2, "time": T0 + 60_000, "dependencies": {}, "operations": [
        {"kind": "set", "entity": GLACIER_ID, "field": "archived", "value": "yes"}]},
    {"replica": BOB, "seq": 1, "time": T0 + 90_000, "dependencies": {ALICE: 1}, "operations": [
        {"kind": "set", "entity": GLACIER_ID, "field": "archived", "value": ""}]},
]

# Revisions (SPEC §4.3.2): a news story updated twice after it was imported. Alice imports it and
# annotates the wind speed; she then records the update that moves the reopening time (R1), makes
# it current and annotates it in the same change (kind 0x09, the operation's index 2). Bob, who has
# seen only her import, records the same update R1 (a lower rank than Alice's adding of it, though
# it comes later in the file: he is its first adder), then the later one that corrects the wind
# speed (R2), and makes each current in turn; his last setting of `revision` and Alice's are
# siblings, a conflict. Having then seen Alice's annotation of the wind speed, he places it by hand
# on R2 (an `anchor` field). The storm's name puts a non-ASCII scalar before every offset.
STORM = ("Storm Ciarán closes Harbour Bridge\n"
         "The bridge was closed to traffic at 6 a.m. after gusts of 110 km/h. Police expect it to reopen by noon.")
STORM_R1 = ("Storm Ciarán closes Harbour Bridge\n"
            "The bridge was closed to traffic at 6 a.m. after gusts of 110 km/h. Police now expect it to reopen at 3 p.m.")
STORM_R2 = ("Storm Ciarán closes Harbour Bridge\n"
            "The bridge was closed to traffic at 6 a.m. after gusts of 130 km/h. Police now expect it to reopen at 3 p.m.")
STORM_ID, STORM_R1_ID, STORM_R2_ID = article_id(STORM), article_id(STORM_R1), article_id(STORM_R2)
WIND_NOTE_ID = annotation_id(ALICE, 2, 0)
REOPEN_NOTE_ID = annotation_id(ALICE, 3, 2)
WIND_ON_R2 = anchor_of(STORM_R2, "gusts of 130 km/h")


def add_revision(text, note):
    return {"kind": "addRevision", "article": STORM_ID, "revision": article_id(text), "note": note, "text": text}


REVISIONS = [
    {"replica": ALICE, "seq": 1, "time": T0, "dependencies": {}, "operations": [
        {"kind": "createArticle", "id": STORM_ID, "body": STORM},
        {"kind": "set", "entity": STORM_ID, "field": "title", "value": "Storm Ciarán closes Harbour Bridge"}]},
    {"replica": ALICE, "seq": 2, "time": T0 + 60_000, "dependencies": {}, "operations": [
        dict({"kind": "createAnnotation", "id": WIND_NOTE_ID, "article": STORM_ID},
             **anchor_of(STORM, "gusts of 110 km/h")),
        {"kind": "set", "entity": WIND_NOTE_ID, "field": "note", "value": "Check with the weather service."}]},
    # rank 3: Alice's adding of R1 is not the first adder.
    {"replica": ALICE, "seq": 3, "time": T0 + 3_600_000, "dependencies": {}, "operations": [
        add_revision(STORM_R1, "Police moved the reopening to 3 p.m."),
        {"kind": "set", "entity": STORM_ID, "field": "revision", "value": STORM_R1_ID.hex()},
        dict({"kind": "createAnnotation", "id": REOPEN_NOTE_ID, "article": STORM_ID, "revision": STORM_R1_ID},
             **anchor_of(STORM_R1, "reopen at 3 p.m."))]},
    # Bob has seen only Alice's change 1. Rank 2: the first adder of R1, though applied after Alice's.
    {"replica": BOB, "seq": 1, "time": T0 + 3_900_000, "dependencies": {ALICE: 1}, "operations": [
        add_revision(STORM_R1, "Reopening time updated"),
        {"kind": "set", "entity": STORM_ID, "field": "revision", "value": STORM_R1_ID.hex()}]},
    # Rank 3, like Alice's change 3: the provisional winner of revision is Bob's (the higher replica id).
    {"replica": BOB, "seq": 2, "time": T0 + 7_200_000, "dependencies": {ALICE: 1}, "operations": [
        add_revision(STORM_R2, "Gusts corrected to 130 km/h"),
        {"kind": "set", "entity": STORM_ID, "field": "revision", "value": STORM_R2_ID.hex()}]},
    {"replica": BOB, "seq": 3, "time": T0 + 7_500_000, "dependencies": {ALICE: 2}, "operations": [
        {"kind": "set", "entity": WIND_NOTE_ID, "field": "anchor",
         "value": f"{STORM_R2_ID.hex()} {WIND_ON_R2['start']} {WIND_ON_R2['end']}"}]},
]

# Alice's change 3 on her own, for a batch that skips her change 2.
ALICE_3 = {"replica": ALICE, "seq": 3, "time": T0 + 240_000, "dependencies": {}, "operations": [
    {"kind": "set", "entity": NOTE_ID, "field": "color", "value": "yellow"}]}

# Two different changes 2 of Alice's, after one change 1: an equivocation (SPEC §4.10), as when a
# store restored from a backup goes on writing under the id its original still uses.
EQUIVOCATION_FIRST = [ONE_ARTICLE[0], {
    "replica": ALICE, "seq": 2, "time": T0 + 60_000, "dependencies": {}, "operations": [
        {"kind": "set", "entity": GLACIER_ID, "field": "title", "value": "4% of Swiss glacier ice, gone in 2023"}]}]
EQUIVOCATION_SECOND = [ONE_ARTICLE[0], {
    "replica": ALICE, "seq": 2, "time": T0 + 90_000, "dependencies": {}, "operations": [
        {"kind": "addTag", "entity": GLACIER_ID, "tag": "glaciology"}]}]

# Carol forks at her change 1 (SPEC §6.7): two versions of it, each retitling the article Alice
# imported (so each depends on Alice's change 1), and a change 2 after version A.
CAROL_1A = {"replica": CAROL, "seq": 1, "time": T0 + 300_000, "dependencies": {ALICE: 1}, "operations": [
    {"kind": "set", "entity": GLACIER_ID, "field": "title", "value": "Glaciers: the second-worst year"}]}
CAROL_1B = {"replica": CAROL, "seq": 1, "time": T0 + 330_000, "dependencies": {ALICE: 1}, "operations": [
    {"kind": "set", "entity": GLACIER_ID, "field": "title", "value": "Swiss glaciers shrink again"}]}
CAROL_2A = {"replica": CAROL, "seq": 2, "time": T0 + 360_000, "dependencies": {ALICE: 1}, "operations": [
    {"kind": "addTag", "entity": GLACIER_ID, "tag": "glaciers"}]}
CHAIN_1A = next_chain(ZERO_CHAIN, CAROL_1A)  # chain(Carol, 1) in history A


def carol_fork(seq, first, second):
    return {"key": public_key(CAROL), "seq": seq, "first": first, "second": second}


# The proof frame-hello-fork.bin carries: Carol's signed head at 1 in history A (no changes), and
# history B from the start (version B of her change 1, signed at 1).
FORK_AT_HEAD = carol_fork(1, signed_history(STORE, CAROL, 1, CHAIN_1A, []),
                          signed_history(STORE, CAROL, 0, ZERO_CHAIN, [CAROL_1B]))


def json_value(value):
    if isinstance(value, bytes):
        return value.hex()
    if isinstance(value, dict):
        return {json_value(k): json_value(v) for k, v in value.items()}
    if isinstance(value, list):
        return [json_value(v) for v in value]
    return value


def content(store, changes):
    return {"store": store.hex(), "changes": [
        {"replica": c["replica"].hex(), "seq": c["seq"], "time": c["time"],
         "dependencies": json_value(c["dependencies"]), "operations": json_value(c["operations"])}
        for c in changes]}


def runs_json(runs):
    return [{"replica": r["replica"].hex(), "key": r["key"].hex(), "base": r["base"].hex(),
             "checkpoints": [{"seq": seq, "signature": signature.hex()} for seq, signature in r["checkpoints"]]}
            for r in runs]


def fork_json(evidence):
    """The JSON description of fork evidence: key, seq, and each history's base, baseChain, changes
    (as in content()) and signature."""
    def history(h):
        return {"base": h["base"], "baseChain": h["baseChain"].hex(),
                "changes": content(ZERO_CHAIN[:16], h["changes"])["changes"], "signature": h["signature"].hex()}
    return {"key": evidence["key"].hex(), "seq": evidence["seq"],
            "first": history(evidence["first"]), "second": history(evidence["second"])}


def fork_vectors():
    """Fork evidence, each with the result of verifying it in STORE: None, or the error's name."""
    head_a = FORK_AT_HEAD["first"]
    history_b = FORK_AT_HEAD["second"]
    return [
        ("fork-at-head", "Carol forked at her change 1. History one: base 1, chain(Carol, 1) of version A of her "
         "change 1, no changes, her checkpoint signature at 1 (a signed HELLO head). History two: base 0, the zero "
         "chain, version B of her change 1, her signature at 1. At seq 1 the chain hashes are history one's base "
         "chain and history two's chain after its change, and they differ. frame-hello-fork.bin carries it.",
         FORK_AT_HEAD, None),
        ("fork-mid-history", "The same fork shown by longer histories: history one from base 0 holds version A of "
         "change 1 and her change 2 after it, signed at 2; history two holds version B, signed at 1; seq 1 is "
         "inside history one, so its chain hash there is the one after its first change.",
         carol_fork(1, signed_history(STORE, CAROL, 0, ZERO_CHAIN, [CAROL_1A, CAROL_2A]), history_b), None),
        ("histories-agree", "Both histories are version A of Carol's change 1, each signed by her (one as a head at "
         "1, one from base 0 with the change): they agree at seq 1, so no fork is shown.",
         carol_fork(1, head_a, signed_history(STORE, CAROL, 0, ZERO_CHAIN, [CAROL_1A])), "badSignature"),
        ("bad-signature", "A fork Carol did not make: history two holds version B of her change 1 but carries her "
         "genuine signature at 1 from history one (over version A's chain), so it does not verify over history "
         "two's chain.",
         carol_fork(1, head_a, signed_history(STORE, CAROL, 0, ZERO_CHAIN, [CAROL_1B], signed_chain=CHAIN_1A)),
         "badSignature"),
        ("not-next-change", "History two has base 0 and holds Carol's change 2 (of history A), signed by her at 1 "
         "over the chain through it: the change after base 0 must be her change 1.",
         carol_fork(1, head_a, signed_history(STORE, CAROL, 0, ZERO_CHAIN, [CAROL_2A])), "unsignedChange"),
        ("seq-outside-history", "fork-at-head with seq 2: history one reaches only change 1 (b = e = 1), so it "
         "says nothing of change 2.",
         dict(FORK_AT_HEAD, seq=2), "badSignature"),
    ]


def replace_once(data, old, new):
    assert data.count(old) == 1, (old, data.count(old))
    return data.replace(old, new)


def rechecksum(data):
    return with_checksum(data[:-32])


def header(store=STORE, version=FORMAT):
    return MAGIC + bytes([version]) + store


def as_written(store, table, written):
    """The checkpoint table of a file refused while its changes are decoded (so never reached): one
    run per author, base chain(author, 0), one checkpoint at `seq` signed over the chain of the
    change's bytes as written, taken as a batch of its own with this file's replica table.
    `written` lists (author, seq, change bytes), ascending by author."""
    runs = []
    for author, seq, raw in written:
        enc = varint(len(table)) + b"".join(table) + varint(1) + raw
        value = hashlib.sha256(b"gloss-chain-v1\x00" + ZERO_CHAIN + enc).digest()
        runs.append((table.index(author), public_key(author), ZERO_CHAIN,
                     [(seq, sign_checkpoint(store, author, seq, value))]))
    return raw_checkpoint_table(runs)


def main():
    vectors = []
    equivocations = []

    def valid(name, description, store, changes):
        runs = runs_for(store, changes)
        data = bundle(store, changes, runs)
        assert verify(store, changes, runs) is None
        write(name, data)
        vectors.append({"file": name, "description": description, "valid": True,
                        "content": dict(content(store, changes), runs=runs_json(runs)),
                        "stateDigest": state_digest(changes)})
        return data

    def invalid(name, description, code, data):
        write(name, data)
        vectors.append({"file": name, "description": description, "valid": False, "error": code})

    def write(name, data):
        with open(os.path.join(HERE, name), "wb") as f:
            f.write(data)

    one = valid("bundle-one-article.bin",
                "One replica imports an article: createArticle, set title, set source, addTag. One run: "
                "Alice's key, base chain(Alice, 0) (zero), a checkpoint at seq 1.",
                STORE, ONE_ARTICLE)
    two = valid("bundle-two-replicas.bin",
                "Two replicas: Alice imports and annotates an article (createAnnotation, set note, addTag); "
                "Bob, having seen that, edits the note, removes the tag and tags the article, then deletes "
                "the annotation; Alice, concurrently with the delete, keeps it and sets its color. "
                "Dependencies on the other replica appear in Bob's changes and Alice's third. Two runs, "
                "one per author, each with one checkpoint at the author's last seq (Alice 3, Bob 2).",
                STORE, TWO_REPLICAS)
    valid("bundle-archived.bin",
          "Alice imports the article of bundle-one-article.bin, then archives it (set archived \"yes\"); "
          "Bob, having seen only her import, writes archived \"\" (unarchives) concurrently: the "
          "state holds both values of archived, a conflict, and its provisional winner decides whether "
          "the article is shown archived. Two runs, one per author.",
          STORE, ARCHIVED)
    valid("bundle-revisions.bin",
          "An article updated after publication (SPEC §4.3.2), between two replicas. Alice imports it (its "
          "title holds the one non-ASCII word, Ciarán, which every text starts with, so scalar offsets differ "
          "from byte offsets) and annotates \"gusts of 110 km/h\" on its first text (kind 0x02, a note). In her "
          "change 3 she adds revision R1 (the reopening moved to 3 p.m.) with a note, sets revision to it and "
          "annotates \"reopen at 3 p.m.\" on R1 (kind 0x09, operation index 2: the anchor is checked against R1, "
          "added earlier in the same change). Bob, having seen only her import, adds the same R1 with another "
          "note (rank 2, below her rank 3, though his change comes later in the file: his adding is R1's first "
          "adder, and the note the digest holds) and sets revision to it, then adds R2 (the gusts corrected to "
          "130 km/h) and sets revision to R2: his and Alice's values of revision are siblings, a conflict "
          "(provisional winner Bob's R2, equal ranks, higher replica id). Having seen Alice's first annotation, he "
          "places it by hand on R2 (set anchor \"<R2> START END\", offsets in scalars). Two runs, one per author.",
          STORE, REVISIONS)
    empty = valid("bundle-empty.bin", "A bundle with no changes: an empty replica table, a change "
                  "count of 0 and a run count of 0. At 60 bytes it is the smallest valid bundle.", STORE, [])

    invalid("invalid-truncated.bin",
            "The first 40 bytes of bundle-one-article.bin: shorter than the 60-byte minimum.",
            "truncated", one[:40])
    invalid("invalid-bad-magic.bin",
            "bundle-empty.bin starting with \"GLOSSBDX\" instead of \"GLOSSBDL\": not a Gloss bundle.",
            "badMagic", b"GLOSSBDX" + empty[8:])
    invalid("invalid-newer-version.bin",
            "bundle-one-article.bin with format version 3 (checksum recomputed): newer than format 2.",
            "unsupportedVersion", rechecksum(one[:8] + bytes([3]) + one[9:]))
    invalid("invalid-format-1.bin",
            "The change of bundle-one-article.bin in a format-1 bundle (version byte 1, the bare change "
            "batch, no checkpoint table; checksum correct): a format-2 reader refuses the version.",
            "unsupportedVersion", with_checksum(header(version=1) + change_batch(ONE_ARTICLE)))
    invalid("invalid-checksum-mismatch.bin",
            "bundle-one-article.bin with one byte of the article body changed and the old checksum.",
            "checksumMismatch", replace_once(one, b"their volume", b"THEIR volume"))

    article_op = operation(ONE_ARTICLE[0]["operations"][0])
    tag_op = operation(ONE_ARTICLE[0]["operations"][3])

    def one_change_bundle(change_bytes, table=(ALICE,), count=1, seq=1):
        """A bundle of Alice's one change as written, and a checkpoint table for it (as_written)."""
        table = list(table)
        batch = varint(len(table)) + b"".join(table) + varint(count) + change_bytes
        return with_checksum(header() + batch + as_written(STORE, table, [(ALICE, seq, change_bytes)]))

    invalid("invalid-noncanonical-varint.bin",
            "One change whose sequence number 1 is written 81 00 instead of 01 (checksum recomputed).",
            "nonCanonicalVarint",
            one_change_bundle(varint(0) + b"\x81\x00" + varint(T0) + varint(0) + varint(1) + article_op))
    invalid("invalid-varint-overflow.bin",
            "One change whose time is ff ff ff ff ff ff ff ff ff 02: a 10th byte above 01 means more "
            "than 64 bits.",
            "varintOverflow",
            one_change_bundle(varint(0) + varint(1) + b"\xff" * 9 + b"\x02" + varint(0) + varint(1) + article_op))
    invalid("invalid-utf8.bin",
            "An addTag whose tag is the bytes 63 c3 28 (0xc3 starts a 2-byte sequence, 0x28 cannot "
            "continue it).",
            "invalidUTF8",
            one_change_bundle(raw_change(0, 1, T0, [], [article_op, bytes([4]) + GLACIER_ID + string(b"c\xc3(")])))
    invalid("invalid-unknown-operation.bin",
            "bundle-one-article.bin with the addTag kind byte 0x04 changed to 0x0a (checksum recomputed): the "
            "change encoding (format 1) defines kinds 0x01 to 0x09.",
            "unknownOperation",
            rechecksum(replace_once(one, tag_op, bytes([0x0A]) + tag_op[1:])))
    invalid("invalid-unknown-field.bin",
            "A set operation with field byte 8; the change encoding (format 1) defines 1 to 7.",
            "unknownField",
            one_change_bundle(raw_change(0, 1, T0, [], [article_op, bytes([3]) + GLACIER_ID + b"\x08" + string("x")])))
    invalid("invalid-bad-replica-index.bin",
            "A change whose author index is 1 in a replica table of one entry.",
            "badReplicaIndex", one_change_bundle(raw_change(1, 1, T0, [], [article_op])))
    table = replica_table(TWO_REPLICAS)
    swapped = varint(2) + table[1] + table[0]
    invalid("invalid-unsorted-replica-table.bin",
            "bundle-two-replicas.bin with its two replica ids swapped (checksum recomputed).",
            "unsortedReplicaTable",
            rechecksum(replace_once(two, varint(2) + table[0] + table[1], swapped)))
    alice, bob = table.index(ALICE), table.index(BOB)

    def two_change_bundle(alice_change, bob_change):
        batch = varint(2) + b"".join(table) + varint(2) + alice_change + bob_change
        written = sorted([(ALICE, 1, alice_change), (BOB, 1, bob_change)], key=lambda w: w[0])
        return with_checksum(header() + batch + as_written(STORE, table, written))

    invalid("invalid-unsorted-dependencies.bin",
            "Two replicas; the second change lists a dependency on the same replica index twice.",
            "unsortedDependencies",
            two_change_bundle(raw_change(alice, 1, T0, [], [article_op]),
                              raw_change(bob, 1, T0, [(alice, 1), (alice, 1)], [tag_op])))
    invalid("invalid-dependency-on-author.bin",
            "A change that lists its own author among its dependencies.",
            "dependencyOnAuthor",
            two_change_bundle(raw_change(alice, 1, T0, [], [article_op]),
                              raw_change(bob, 1, T0, [(bob, 1)], [tag_op])))
    invalid("invalid-zero-sequence.bin", "A change with sequence number 0 (its run's checkpoint is at 1).",
            "zeroSequence", one_change_bundle(raw_change(0, 0, T0, [], [article_op])))
    invalid("invalid-empty-change.bin",
            "A change with an operation count of 0. The checkpoint table after it leaves enough bytes that "
            "the change count of 1 is not too large.", "emptyChange",
            one_change_bundle(raw_change(0, 1, T0, [], [])))
    invalid("invalid-count-too-large.bin",
            "A change count of 1000000 followed by a single change and its checkpoint table: the bytes left "
            "cannot hold that many changes, so a reader refuses before allocating.",
            "countTooLarge", one_change_bundle(raw_change(0, 1, T0, [], [article_op]), count=1_000_000))
    invalid("invalid-unused-replica.bin",
            "A replica table of two ids where only the first is named by a change: not canonical.",
            "unusedReplica", one_change_bundle(raw_change(alice, 1, T0, [], [article_op]), table=table))
    invalid("invalid-trailing-bytes.bin",
            "bundle-empty.bin with one 00 byte between the run count and the checksum "
            "(checksum recomputed).",
            "trailingBytes", with_checksum(empty[:-32] + b"\x00"))

    # Signed history: one reason each, in the checkpoint table or in verification.
    two_runs = runs_for(STORE, TWO_REPLICAS)
    invalid("invalid-unsorted-runs.bin",
            "bundle-two-replicas.bin with its two runs in the opposite order (checksum recomputed): run "
            "author indices must be strictly ascending.",
            "unsortedRuns",
            with_checksum(header() + change_batch(TWO_REPLICAS) + checkpoint_table(table, two_runs[::-1])))
    invalid("invalid-bad-signature.bin",
            "A forged change: bundle-one-article.bin with the title \"Swiss glaciers lost 4% in 2023\" "
            "altered to \"… 9% …\" after signing (checksum recomputed). It decodes, but Alice's checkpoint "
            "does not verify over the altered change's chain.",
            "badSignature", rechecksum(replace_once(one, b"lost 4% in 2023", b"lost 9% in 2023")))
    forged = [{"replica": ALICE, "seq": 1, "time": T0, "dependencies": {}, "operations": [
        {"kind": "createArticle", "id": GLACIER_ID, "body": GLACIER},
        {"kind": "set", "entity": GLACIER_ID, "field": "title", "value": "Glaciers are growing"}]}]
    forged_chain = chain(forged, ALICE, 1)
    wrong_key = [{"replica": ALICE, "key": public_key(BOB), "base": ZERO_CHAIN,
                  "checkpoints": [(1, sign_checkpoint(STORE, ALICE, 1, forged_chain, signer=BOB))]}]
    invalid("invalid-wrong-key.bin",
            "Bob writes a change under Alice's replica id and signs its checkpoint with his own key, giving "
            "his own public key in the run: the key does not hash to Alice's id.",
            "badSignature", bundle(STORE, forged, wrong_key))
    invalid("invalid-unsigned-change.bin",
            "The changes of bundle-two-replicas.bin with only Alice's run: Bob's changes have no run.",
            "unsignedChange", bundle(STORE, TWO_REPLICAS, [r for r in two_runs if r["replica"] == ALICE]))
    gap = [TWO_REPLICAS[0], ALICE_3]
    invalid("invalid-gap-in-run.bin",
            "Alice's changes 1 and 3 in one batch, without her change 2 (base chain(Alice, 0), checkpoint "
            "at 3 signed over her true chain): an author's changes in a batch must be consecutive.",
            "unsignedChange", bundle(STORE, gap, runs_for(STORE, gap, history=[TWO_REPLICAS[1]])))

    # An equivocation: two valid bundles whose changes 2 of Alice's differ.
    valid("equivocation-first.bin", "Alice's changes 1 and 2, her change 2 retitling the article. Valid on "
          "its own; see \"equivocations\".", STORE, EQUIVOCATION_FIRST)
    valid("equivocation-second.bin", "Alice's changes 1 and 2, her change 2 (another one, signed by her too) "
          "tagging the article. Valid on its own; see \"equivocations\".", STORE, EQUIVOCATION_SECOND)
    equivocations.append({"first": "equivocation-first.bin", "second": "equivocation-second.bin",
                          "author": ALICE.hex(), "seq": 2, "error": "equivocation"})

    document = {
        "description": "Gloss bundle test vectors, format 2 (signed batches). See README.md and Protocol/SPEC.md.",
        "vectors": vectors,
        "equivocations": equivocations,
    }
    with open(os.path.join(HERE, "vectors.json"), "w", encoding="utf-8") as f:
        json.dump(document, f, ensure_ascii=False, indent=2)
        f.write("\n")

    forks = []
    for name, description, evidence, error in fork_vectors():
        assert verify_fork(STORE, evidence) == error, (name, verify_fork(STORE, evidence))
        entry = {"name": name, "description": description, "store": STORE.hex(),
                 "bytes": fork_evidence(evidence).hex(), "content": fork_json(evidence), "valid": error is None}
        if error:
            entry["error"] = error
        forks.append(entry)
    with open(os.path.join(HERE, "fork-evidence.json"), "w", encoding="utf-8") as f:
        json.dump({"description": "Gloss fork evidence (SPEC §6.7): each entry's bytes decode to its content "
                                  "and re-encode to the same bytes; verified with its store, it succeeds or fails "
                                  "with its error. See README.md.", "vectors": forks},
                  f, ensure_ascii=False, indent=2)
        f.write("\n")
    stale = {n for n in os.listdir(HERE) if n.endswith(".bin")} - {v["file"] for v in vectors}
    assert not stale, f"files this script no longer writes: {sorted(stale)}"


if __name__ == "__main__":
    main()
