#!/usr/bin/env python3
"""Makes the seed corpora in corpus/ from the golden vectors in Protocol/test-vectors.

    python3 Tests/Fuzz/make_corpus.py && git status Tests/Fuzz/corpus

Deterministic: running it again gives the same files. Each corpus starts the fuzzer from inputs
that reach deep into its decoder (valid files) and from each way a file can be refused.
"""
import json
import pathlib
import shutil

HERE = pathlib.Path(__file__).resolve().parent
VECTORS = HERE.parent.parent / "Protocol" / "test-vectors"
SYNC = VECTORS / "sync"
CORPUS = HERE / "corpus"
MAGIC = b"GLOSSYNC"
BUNDLE_HEADER = 8 + 1 + 16  # GLOSSBDL, format version, store id
CHECKSUM = 32


def varint_length(data):
    n = 0
    while data[n] & 0x80:
        n += 1
    return n + 1


def exchange_streams(path):
    """The frames each side of a scripted exchange sends, in order, as that side's stream."""
    sides = {}
    for line in path.read_text().splitlines():
        if not line or line.startswith("#"):
            continue
        side, _, hex_frame = line.split()
        sides.setdefault(side, bytearray()).extend(bytes.fromhex(hex_frame))
    return sides


def main():
    if CORPUS.exists():
        shutil.rmtree(CORPUS)
    out = {}

    def write(target, name, data):
        folder = CORPUS / target
        folder.mkdir(parents=True, exist_ok=True)
        (folder / name).write_bytes(bytes(data))
        out[target] = out.get(target, 0) + 1

    frames = sorted(SYNC.glob("frame-*.bin"))
    # FuzzSyncFrameDecoder: control byte 0x00 (default maximum frame size), then the stream.
    for path in frames:
        write("FuzzSyncFrameDecoder", path.name, b"\x00" + MAGIC + path.read_bytes())
    for path in sorted(SYNC.glob("stream-*.bin")):
        write("FuzzSyncFrameDecoder", path.name, b"\x00" + path.read_bytes())
    for path in sorted(SYNC.glob("exchange-*.txt")):
        for side, stream in exchange_streams(path).items():
            # Each side's stream starts with its MAGIC line, so it is a whole connection.
            write("FuzzSyncFrameDecoder", f"{path.stem}-{side}.bin", b"\x00" + stream)
    # The same session with a 100-byte maximum frame (control 0x80 | 99): its CHANGES frames are too large.
    client = exchange_streams(SYNC / "exchange-two-replicas.txt")["client"]
    write("FuzzSyncFrameDecoder", "exchange-two-replicas-client-max100.bin", bytes([0x80 | 99]) + client)

    # FuzzSyncMessage: the type byte, then the body (the frame without its 4-byte length).
    for path in frames:
        data = path.read_bytes()
        if len(data) > 4:
            write("FuzzSyncMessage", path.name, data[4:])

    # FuzzChangeBundle: the bundle files as they are.
    bundles = sorted(VECTORS.glob("*.bin"))
    for path in bundles:
        write("FuzzChangeBundle", path.name, path.read_bytes())

    # FuzzChangeBatch: the batch inside each bundle that has one, and inside each CHANGES frame.
    for path in bundles:
        data = path.read_bytes()
        if data.startswith(b"GLOSSBDL") and len(data) >= BUNDLE_HEADER + 2 + CHECKSUM:
            write("FuzzChangeBatch", path.name, data[BUNDLE_HEADER:-CHECKSUM])
    for path in frames:
        data = path.read_bytes()
        if len(data) > 5 and data[4] == 0x02:
            body = data[5:]
            write("FuzzChangeBatch", path.name, body[varint_length(body):])

    # FuzzDeviceID: every text of device-ids.json, valid, typed and invalid.
    ids = json.loads((VECTORS / "device-ids" / "device-ids.json").read_text())
    texts = [entry["device"] for entry in ids["valid"]]
    texts += [entry["text"] for entry in ids["typed"] + ids["invalid"]]
    for index, text in enumerate(texts):
        write("FuzzDeviceID", f"device-id-{index:02}.txt", text.encode())

    for target, count in sorted(out.items()):
        print(f"{target}: {count} files")


if __name__ == "__main__":
    main()
