#!/usr/bin/env python3
"""Re-anchoring (SPEC §4.12), written from the spec's text alone, checked against vectors.json.

    pip install regex        # for the Unicode properties Alphabetic and Numeric_Type
    python3 check_reanchoring.py [vectors.json]

Python strings are sequences of code points, which for these texts are the Unicode scalars the
spec counts in. Exits non-zero if any vector's state, range or score differs.
"""

import json
import os
import sys

import regex

WORD = regex.compile(r"[\p{Alphabetic}\P{Numeric_Type=None}]")
LARGEST_DIFF = 4000
LARGEST_DISTANCE = 4000000


def tokens(text):
    """Rule 3: (start, end) of each token."""
    found, i = [], 0
    while i < len(text):
        j = i + 1
        if WORD.match(text[i]):
            while j < len(text) and WORD.match(text[j]):
                j += 1
        found.append((i, j))
        i = j
    return found


def myers(a, b):
    """Rule 6: the kept pairs (x, y) of the middles a and b."""
    n, m = len(a), len(b)
    if n == 0 or m == 0:
        return []

    def snake(x, y):
        while x < n and y < m and a[x] == b[y]:
            x, y = x + 1, y + 1
        return x

    steps = [{0: snake(0, 0)}]
    D = 0 if steps[0][0] >= n and n == m else None
    d = 0
    while D is None:
        d += 1
        prev, cur = steps[d - 1], {}
        for k in range(-d, d + 1, 2):
            if k == -d or (k != d and prev[k - 1] < prev[k + 1]):
                x = prev[k + 1]
            else:
                x = prev[k - 1] + 1
            cur[k] = snake(x, x - k)
            if k == n - m and cur[k] >= n:
                D = d
                break
        steps.append(cur)
    kept, x, k = [], n, n - m
    for d in range(D, 0, -1):
        prev = steps[d - 1]
        if k == -d or (k != d and prev[k - 1] < prev[k + 1]):
            k2, x0 = k + 1, prev[k + 1]
        else:
            k2, x0 = k - 1, prev[k - 1] + 1
        kept += [(i, i - k) for i in range(x0, x)]
        x, k = prev[k2], k2
    kept += [(i, i) for i in range(0, x)]
    return sorted(kept)


def kept_tokens(old, new, O, N):
    """Rules 4-6: old token index -> new token index, or None when too large to follow."""
    ot = [old[s:e] for s, e in O]
    nt = [new[s:e] for s, e in N]
    p = 0
    while p < len(ot) and p < len(nt) and ot[p] == nt[p]:
        p += 1
    s = 0
    while p + s < len(ot) and p + s < len(nt) and ot[len(ot) - 1 - s] == nt[len(nt) - 1 - s]:
        s += 1
    a, b = ot[p:len(ot) - s], nt[p:len(nt) - s]
    if len(a) + len(b) > LARGEST_DIFF:
        return None
    kept = {i: i for i in range(p)}
    kept.update({i: i - len(ot) + len(nt) for i in range(len(ot) - s, len(ot))})
    kept.update({p + x: p + y for x, y in myers(a, b)})
    return kept


def carry(start, end, O, N, kept, new_len):
    """Rule 7: (s', e', edges kept, k_s) or None."""
    touched = [i for i, (s, e) in enumerate(O) if s < end and e > start]
    f, l = touched[0], touched[-1]
    if not any(i in kept for i in touched):
        if not (f > 0 and l + 1 < len(O) and f - 1 in kept and l + 1 in kept):
            return None
    if f in kept:
        s2 = N[kept[f]][0] + (start - O[f][0])
    else:
        before = [i for i in range(f) if i in kept]
        s2 = N[kept[before[-1]]][1] if before else 0
    if l in kept:
        e2 = N[kept[l]][0] + (end - O[l][0])
    else:
        after = [i for i in range(l + 1, len(O)) if i in kept]
        e2 = N[kept[after[0]]][0] if after else new_len
    if s2 >= e2:
        return None
    ks = sum(min(e, end) - max(s, start) for i in touched if i in kept for s, e in [O[i]])
    return s2, e2, f in kept and l in kept, ks


def levenshtein(a, b):
    row = list(range(len(b) + 1))
    for i in range(1, len(a) + 1):
        cur = [i] + [0] * len(b)
        for j in range(1, len(b) + 1):
            cur[j] = min(row[j] + 1, cur[j - 1] + 1, row[j - 1] + (a[i - 1] != b[j - 1]))
        row = cur
    return row[len(b)]


def search(quote, prefix, suffix, new):
    """Rule 10."""
    C = len(prefix) + len(suffix)
    scored = []
    for o in range(0, len(new) - len(quote) + 1):
        if new[o:o + len(quote)] != quote:
            continue
        before = max(i for i in range(len(prefix) + 1) if i <= o and new[o - i:o] == prefix[len(prefix) - i:])
        q = o + len(quote)
        after = max(j for j in range(len(suffix) + 1) if q + j <= len(new) and new[q:q + j] == suffix[:j])
        whole = C == 0 or (prefix and before == len(prefix)) or (suffix and after == len(suffix))
        scored.append((before + after if whole else 0, o))
    if not scored:
        return ("orphaned", None, None, 0.0)
    A = max(agreement for agreement, _ in scored)
    best = [o for agreement, o in scored if agreement == A]
    if len(best) == 1 and 2 * A >= C:
        return ("moved", best[0], best[0] + len(quote), 1.0)
    return ("orphaned", None, None, 0.0)


def reanchor(old, new, anchor):
    quote, start, end = anchor["exact"], anchor["start"], anchor["end"]
    if not quote or start >= end or end > len(old):
        return ("orphaned", None, None, 0.0)
    if old == new:
        return ("exact", start, end, 1.0)
    O, N = tokens(old), tokens(new)
    kept = kept_tokens(old, new, O, N)
    carried = carry(start, end, O, N, kept, len(new)) if kept is not None else None
    if carried:
        s2, e2, edges, ks = carried
        t = new[s2:e2]
        if t == quote:
            return ("exact" if (s2, e2) == (start, end) else "moved", s2, e2, 1.0)
        L = max(len(quote), len(t))
        measured = len(quote) * len(t) <= LARGEST_DISTANCE
        dist = levenshtein(quote, t) if measured else None
        similar = measured and 4 * (L - dist) >= 3 * L
        touched = [i for i, (s, e) in enumerate(O) if s < end and e > start]
        letters = lambda text: all(regex.match(r"\p{Alphabetic}", c) for c in text)
        one_for_one = (
            len(touched) == 1 and touched[0] not in kept and O[touched[0]] == (start, end) and letters(old[start:end])
            and len(tokens(t)) == 1 and letters(t))
        if similar or (edges and 2 * ks >= len(quote)) or (one_for_one and measured and 2 * (L - dist) >= L):
            return ("fuzzy", s2, e2, 1 - dist / L if measured else 0.0)
    return search(quote, anchor["prefix"], anchor["suffix"], new)


def main():
    path = sys.argv[1] if len(sys.argv) > 1 else os.path.join(os.path.dirname(os.path.abspath(__file__)), "vectors.json")
    with open(path, encoding="utf-8") as file:
        vectors = json.load(file)["vectors"]
    failures = 0
    for vector in vectors:
        state, start, end, score = reanchor(vector["old"], vector["new"], vector["anchor"])
        want = vector["expected"]
        if (state, start, end) != (want["state"], want["start"], want["end"]) or abs(score - want["score"]) > 0.00005:
            failures += 1
            print(f"FAIL {vector['name']}: got {state} {start}..{end} {score:.4f}, want {want}")
    print(f"{len(vectors) - failures} of {len(vectors)} vectors pass")
    sys.exit(1 if failures else 0)


if __name__ == "__main__":
    main()
