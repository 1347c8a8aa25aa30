#!/usr/bin/env python3
"""Writes device-ids.json: device ids (SPEC §4.1.1) computed independently of the Swift code.

Run from this folder: python3 make_device_ids.py. Uses only the standard library.
"""
import base64
import hashlib
import json

ALPHABET = "ABCDEFGHIJKLMNOPQRSTUVWXYZ234567"


def luhn_mod32(group: str) -> str:
    """The Luhn mod N check character (N = 32) of a group, to be appended to it."""
    factor, total = 2, 0
    for char in reversed(group):
        addend = factor * ALPHABET.index(char)
        factor = 1 if factor == 2 else 2
        total += addend // 32 + addend % 32
    return ALPHABET[(32 - total % 32) % 32]


def device_id(replica_hex: str) -> str:
    digits = base64.b32encode(bytes.fromhex(replica_hex)).decode().rstrip("=")
    assert len(digits) == 26
    first, second = digits[:13], digits[13:]
    checked = first + luhn_mod32(first) + second + luhn_mod32(second)
    return "-".join(checked[i : i + 7] for i in range(0, 28, 7))


def replica_of_key(public_key_hex: str) -> str:
    """SPEC §4.1: the first 16 bytes of SHA-256("gloss-replica" || raw Ed25519 public key)."""
    return hashlib.sha256(b"gloss-replica" + bytes.fromhex(public_key_hex)).hexdigest()[:32]


def parse(text: str):
    """The replica id of a typed device id, or None (SPEC §4.1.1)."""
    cleaned = text.upper().replace("-", "").replace(" ", "").replace("0", "O").replace("1", "I").replace("8", "B")
    if len(cleaned) != 28 or any(c not in ALPHABET for c in cleaned):
        return None
    first, second = cleaned[:13], cleaned[14:27]
    if luhn_mod32(first) != cleaned[13] or luhn_mod32(second) != cleaned[27]:
        return None
    raw = base64.b32decode(first + second + "======")
    if ALPHABET.index(second[-1]) & 3:
        return None
    return raw.hex()


def swap(text: str, i: int) -> str:
    chars = list(text)
    chars[i], chars[i + 1] = chars[i + 1], chars[i]
    return "".join(chars)


def main() -> None:
    replicas = [
        "99c6f11e0ae78e59d25af866c1d8854f",
        "00000000000000000000000000000000",
        "ffffffffffffffffffffffffffffffff",
        "0123456789abcdef0123456789abcdef",
        replica_of_key("d75a980182b10ab7d54bfed3c964073a0ee172f3daa62325af021a68f707511a"),
    ]
    valid = [{"replica": r, "device": device_id(r)} for r in replicas]
    alice = valid[0]["device"]
    typed = [
        {"text": alice.lower(), "replica": replicas[0], "why": "lower case"},
        {"text": alice.replace("-", ""), "replica": replicas[0], "why": "no dashes"},
        {"text": alice.replace("-", " "), "replica": replicas[0], "why": "spaces for dashes"},
    ]
    typed.append(
        {"text": valid[4]["device"].replace("O", "0"), "replica": replicas[4], "why": "the digit 0 read as the letter O"}
    )
    flipped = alice[:3] + ("A" if alice[3] != "A" else "B") + alice[4:]
    invalid = [
        {"text": flipped, "why": "one character changed: the first check character fails"},
        {"text": swap(alice, 0), "why": "two neighbours swapped"},
        {"text": alice[:-1], "why": "27 characters"},
        {"text": alice + "A", "why": "29 characters"},
        {"text": "", "why": "empty"},
        {"text": alice.replace("T", "!", 1), "why": "a character outside base32"},
        {"text": replicas[0], "why": "a hex replica id is not a device id"},
    ]
    # The 26th base32 digit carries 3 bits of the id and 2 bits that must be zero.
    body = base64.b32encode(bytes.fromhex(replicas[0])).decode().rstrip("=")
    noncanonical = body[:25] + ALPHABET[ALPHABET.index(body[25]) | 1]
    checked = noncanonical[:13] + luhn_mod32(noncanonical[:13]) + noncanonical[13:] + luhn_mod32(noncanonical[13:])
    invalid.append({"text": "-".join(checked[i : i + 7] for i in range(0, 28, 7)), "why": "bits past the 128th are set"})
    for entry in valid + typed:
        assert parse(entry.get("text", entry.get("device"))) == entry["replica"], entry
    for entry in invalid:
        assert parse(entry["text"]) is None, entry
    with open("device-ids.json", "w") as out:
        json.dump({"valid": valid, "typed": typed, "invalid": invalid}, out, indent=2)
        out.write("\n")


if __name__ == "__main__":
    main()
