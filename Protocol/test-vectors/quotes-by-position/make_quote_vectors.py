#!/usr/bin/env python3
"""Writes quotes.json: quotes sent by position (SPEC §11.4.2b) and what a receiver rebuilds.

A separate implementation of the rule in Python's standard library: offsets count Unicode
scalars (Python's code points, for text without surrogates), and the context is up to 32 of
them on each side of the quote. Run from anywhere: python3 make_quote_vectors.py
"""
import json
import os

CONTEXT = 32

ARTICLE = (
    "The council voted on Tuesday to close the Harbour Road bridge for repairs until May. "
    "\u201cIt is not safe,\u201d said the engineer, Ana Ribe\u0301iro. "
    "Traffic will divert through Gda\u0144sk Street \U0001F6A7 for eleven weeks.\r\n"
    "Residents can comment until 3\u00a0March."
)


def rebuild(body, start, end):
    if not (0 <= start < end <= len(body)):
        return None
    return {
        "exact": body[start:end],
        "prefix": body[max(0, start - CONTEXT):start],
        "suffix": body[end:min(len(body), end + CONTEXT)],
    }


def find(body, text):
    start = body.index(text)
    return start, start + len(text)


def main():
    valid = []
    for why, text in [
        ("a quote in the middle: 32 scalars of context each side", "Harbour Road bridge"),
        ("a quote at the very start: no prefix", "The council"),
        ("a quote at the very end: no suffix", "3\u00a0March."),
        ("curly quotation marks are text like any other", "\u201cIt is not safe,\u201d"),
        ("a combining accent is its own scalar: \u00e9 here is e + U+0301", "Ribe\u0301iro"),
        ("a character outside the BMP counts once (UTF-16 would count it twice)", "Street \U0001F6A7 for"),
        ("context that crosses a CR LF", "eleven weeks."),
    ]:
        start, end = find(ARTICLE, text)
        valid.append({"why": why, "start": start, "end": end, **rebuild(ARTICLE, start, end)})
    invalid = [
        {"why": "an empty passage (start = end)", "start": 10, "end": 10},
        {"why": "start after end", "start": 12, "end": 10},
        {"why": "end past the text", "start": 200, "end": len(ARTICLE) + 1},
        {"why": "start past the text", "start": len(ARTICLE) + 5, "end": len(ARTICLE) + 9},
    ]
    for case in invalid:
        assert rebuild(ARTICLE, case["start"], case["end"]) is None
    document = {
        "about": "SPEC §11.4.2b: a receiver rebuilds exact, prefix and suffix from the article's text "
        "and the start and end offsets (Unicode scalars); 32 scalars of context each side",
        "article": ARTICLE,
        "valid": valid,
        "invalid": invalid,
    }
    path = os.path.join(os.path.dirname(os.path.abspath(__file__)), "quotes.json")
    with open(path, "w", encoding="utf-8") as f:
        json.dump(document, f, ensure_ascii=False, indent=2)
        f.write("\n")


if __name__ == "__main__":
    main()
