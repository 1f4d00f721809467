#!/usr/bin/env python3
"""Writes growthbook-assignment.json: reference values from GrowthBook's official Python SDK.

PromptLab's rollout assignment must put every unit in the same arm as a GrowthBook SDK evaluating
the same experiment. This script records what the SDK computes for hashing, bucket ranges,
variation choice and whole assignments, so the Swift tests can check PromptLab against it
without needing Python.

    python3 -m pip install 'growthbook>=4.0.0'
    python3 Tests/PromptRolloutsTests/Fixtures/make-growthbook-fixture.py

Version 4.0.0 or later is required: earlier Python SDKs hashed characters outside the Basic
Multilingual Plane as one code point, whereas the JavaScript SDK (the reference) hashes UTF-16
code units. The script checks this before writing anything.

Some inputs and expected values are GrowthBook's own SDK conformance cases, from the sections
"hash", "getBucketRange" and "chooseVariation" of packages/sdk-js/test/cases.json in
https://github.com/growthbook/growthbook (spec version 0.8.0, commit 05fe635c749b). The script
checks that the Python SDK reproduces each of them (cases.json rounds ranges, hence the tolerance).
"""

import json
import math
import uuid
from importlib.metadata import version
from pathlib import Path

from growthbook.core import chooseVariation, fnv1a32, gbhash, getBucketRanges

OUTPUT = Path(__file__).with_name("growthbook-assignment.json")
SDK_VERSION = version("growthbook")


def fnv1a32_utf16(text: str) -> int:
    """The JavaScript SDK's hashFnv32a: FNV-1a over UTF-16 code units (charCodeAt)."""
    value = 0x811C9DC5
    data = text.encode("utf-16-le", "surrogatepass")
    for i in range(0, len(data), 2):
        value = ((value ^ (data[i] | data[i + 1] << 8)) * 0x01000193) & 0xFFFFFFFF
    return value


def fnv1a32_code_points(text: str) -> int:
    """What Python SDKs before 4.0 computed: FNV-1a over Unicode code points."""
    value = 0x811C9DC5
    for ch in text:
        value = ((value ^ ord(ch)) * 0x01000193) & 0xFFFFFFFF
    return value


ASTRAL_PROBE = "\U0001F600"
if fnv1a32(ASTRAL_PROBE) != fnv1a32_utf16(ASTRAL_PROBE):
    raise SystemExit(
        f"growthbook {SDK_VERSION} hashes code points, not UTF-16 code units like the JavaScript SDK; "
        "install growthbook>=4.0.0"
    )


# MARK: - GrowthBook's conformance cases (packages/sdk-js/test/cases.json, see the module docstring)

CASES_HASH = [
    ["", "a", 1, 0.22],
    ["", "b", 1, 0.077],
    ["b", "a", 1, 0.946],
    ["ef", "d", 1, 0.652],
    ["asdf", "8952klfjas09ujk", 1, 0.549],
    ["", "123", 1, 0.011],
    ["", '___)((*":&', 1, 0.563],
    ["seed", "a", 2, 0.0505],
    ["seed", "b", 2, 0.2696],
    ["foo", "ab", 2, 0.2575],
    ["foo", "def", 2, 0.2019],
    ["89123klj", "8952klfjas09ujkasdf", 2, 0.124],
    ["90850943850283058242805", "123", 2, 0.7516],
    ["()**(%$##$%#$#", '___)((*":&', 2, 0.0128],
    ["abc", "def", 99, None],
]

CASES_BUCKET_RANGES = [
    ["normal 50/50", [2, 1, None], [[0, 0.5], [0.5, 1]]],
    ["reduced coverage", [2, 0.5, None], [[0, 0.25], [0.5, 0.75]]],
    ["zero coverage", [2, 0, None], [[0, 0], [0.5, 0.5]]],
    ["4 variations", [4, 1, None], [[0, 0.25], [0.25, 0.5], [0.5, 0.75], [0.75, 1]]],
    ["uneven weights", [2, 1, [0.4, 0.6]], [[0, 0.4], [0.4, 1]]],
    ["uneven weights, 3 variations", [3, 1, [0.2, 0.3, 0.5]], [[0, 0.2], [0.2, 0.5], [0.5, 1]]],
    [
        "uneven weights, reduced coverage, 3 variations",
        [3, 0.2, [0.2, 0.3, 0.5]],
        [[0, 0.04], [0.2, 0.26], [0.5, 0.6]],
    ],
    ["negative coverage", [2, -0.2, None], [[0, 0], [0.5, 0.5]]],
    ["coverage above 1", [2, 1.5, None], [[0, 0.5], [0.5, 1]]],
    ["weights sum below 1", [2, 1, [0.4, 0.1]], [[0, 0.5], [0.5, 1]]],
    ["weights sum above 1", [2, 1, [0.7, 0.6]], [[0, 0.5], [0.5, 1]]],
    [
        "weights.length not equal to num variations",
        [4, 1, [0.4, 0.4, 0.2]],
        [[0, 0.25], [0.25, 0.5], [0.5, 0.75], [0.75, 1]],
    ],
    ["weights sum almost equals 1", [2, 1, [0.4, 0.5999]], [[0, 0.4], [0.4, 0.9999]]],
]

CASES_CHOOSE = [
    ["even range, 0.2", 0.2, [[0, 0.5], [0.5, 1]], 0],
    ["even range, 0.4", 0.4, [[0, 0.5], [0.5, 1]], 0],
    ["even range, 0.6", 0.6, [[0, 0.5], [0.5, 1]], 1],
    ["even range, 0.8", 0.8, [[0, 0.5], [0.5, 1]], 1],
    ["even range, 0", 0, [[0, 0.5], [0.5, 1]], 0],
    ["even range, 0.5", 0.5, [[0, 0.5], [0.5, 1]], 1],
    ["reduced range, 0.2", 0.2, [[0, 0.25], [0.5, 0.75]], 0],
    ["reduced range, 0.4", 0.4, [[0, 0.25], [0.5, 0.75]], -1],
    ["reduced range, 0.6", 0.6, [[0, 0.25], [0.5, 0.75]], 1],
    ["reduced range, 0.8", 0.8, [[0, 0.25], [0.5, 0.75]], -1],
    ["reduced range, 0.25", 0.25, [[0, 0.25], [0.5, 0.75]], -1],
    ["reduced range, 0.5", 0.5, [[0, 0.25], [0.5, 0.75]], 1],
    ["zero range", 0.5, [[0, 0.5], [0.5, 0.5], [0.5, 1]], 2],
]


# MARK: - Inputs of our own

FNV_TEXTS = [
    "",
    "a",
    "b",
    "user-0",
    "user-999999",
    "hello world",
    "123",
    "0",
    "4294967295",
    "greeting-prompt",
    "f47ac10b-58cc-4372-a567-0e02b2c3d479",
    "alice@example.com",
    " leading and trailing ",
    "tab\tand\nnewline",
    "\u0000nul",
    "café",  # é as one code point (U+00E9)
    "cafe\u0301",  # e + combining acute: hashed as given, no normalisation
    "Zürich",
    "日本語のユーザー",
    "Ωμέγα",
    "\u00ff\u0100\u07ff\u0800\uffff",  # the one-, two- and three-byte UTF-8 boundaries
    "a" * 1000,
]

# Characters outside the BMP: UTF-16 surrogate pairs in JavaScript and Swift.
ASTRAL_TEXTS = [
    "\U0001F600",
    "user-\U0001F680",
    "\U00010000",
    "\U0010FFFF",
    "mixed é 😀 日本",
]

HASH_PAIRS = [
    ("", ""),
    ("", "a"),
    ("a", ""),
    ("seed", ""),
    ("", "user-1"),
    ("seed", "a"),
    ("seed", "b"),
    ("greeting-prompt", "user-0"),
    ("greeting-prompt", "user-1"),
    ("greeting-prompt", "user-42"),
    ("greeting-prompt", "user-999999"),
    ("summary@v3", "alice@example.com"),
    ("summary@v3", "bob@example.com"),
    ("exp-1", "f47ac10b-58cc-4372-a567-0e02b2c3d479"),
    ("exp-1", "00000000-0000-0000-0000-000000000000"),
    ("123", "456"),
    ("4294967295", "0"),
    ("a b", "c d"),
    ("café", "Zürich"),
    ("日本", "ユーザー"),
    ("seed", "x" * 500),
    ("\uffff", "\u0080"),
]


def hash_cases():
    cases = []
    for seed, value, version_, expected in CASES_HASH:
        got = gbhash(seed, value, version_)
        assert got == expected, (seed, value, version_, got, expected)
        cases.append({"source": "growthbook cases.json", "seed": seed, "value": value, "version": version_, "bucket": got})
    for seed, value in HASH_PAIRS:
        for version_ in (1, 2):
            cases.append({"source": "promptlab", "seed": seed, "value": value, "version": version_, "bucket": gbhash(seed, value, version_)})
    for version_ in (0, 3, -1):
        assert gbhash("seed", "a", version_) is None
        cases.append({"source": "promptlab", "seed": "seed", "value": "a", "version": version_, "bucket": None})
    return cases


def ranges_json(ranges):
    return [[float(start), float(end)] for start, end in ranges]


def bucket_range_cases():
    cases = []
    for name, (count, coverage, weights), expected in CASES_BUCKET_RANGES:
        got = getBucketRanges(count, coverage, weights)
        assert len(got) == len(expected), name
        for (s, e), (xs, xe) in zip(got, expected):
            assert math.isclose(s, xs, abs_tol=1e-9) and math.isclose(e, xe, abs_tol=1e-9), (name, got, expected)
        cases.append({"name": f"growthbook cases.json: {name}", "count": count, "coverage": coverage, "weights": weights, "ranges": ranges_json(got)})
    own = [
        ("90/10", 2, 1, [0.9, 0.1]),
        ("34/33/33, coverage 0.8", 3, 0.8, [0.34, 0.33, 0.33]),
        ("equal thirds from the fallback", 3, 1, None),
        ("weights summing to 0.99 are kept", 2, 1, [0.5, 0.49]),
        ("weights summing to 1.01 are kept", 2, 1, [0.5, 0.51]),
        ("weights summing to 0.98 fall back", 2, 1, [0.5, 0.48]),
        ("zero-weight arm", 3, 1, [0.5, 0.0, 0.5]),
        ("one arm, coverage 0.3", 1, 0.3, [1.0]),
        ("ten equal arms", 10, 0.75, None),
        ("no variations", 0, 1, None),
    ]
    for name, count, coverage, weights in own:
        cases.append({"name": name, "count": count, "coverage": coverage, "weights": weights, "ranges": ranges_json(getBucketRanges(count, coverage, weights))})
    return cases


def choose_cases():
    cases = []
    for name, bucket, ranges, expected in CASES_CHOOSE:
        got = chooseVariation(bucket, ranges)
        assert got == expected, name
        cases.append({"name": f"growthbook cases.json: {name}", "bucket": bucket, "ranges": ranges, "arm": None if got < 0 else got})
    # Buckets sitting exactly on the boundaries of the 34/33/33 split with coverage 0.8.
    thirds = getBucketRanges(3, 0.8, [0.34, 0.33, 0.33])
    for bucket in (0.0, 0.2719, 0.272, 0.34, 0.6039, 0.604, 0.67, 0.9339, 0.934, 0.9999):
        got = chooseVariation(bucket, thirds)
        cases.append({"name": f"34/33/33 at 0.8, bucket {bucket}", "bucket": bucket, "ranges": ranges_json(thirds), "arm": None if got < 0 else got})
    cases.append({"name": "no ranges", "bucket": 0.5, "ranges": [], "arm": None})
    return cases


def assignment_units():
    units = [f"user-{i}" for i in range(120)]
    units += [str(uuid.uuid5(uuid.NAMESPACE_URL, f"https://promptlab.example/users/{i}")) for i in range(50)]
    units += [f"person{i}@example.com" for i in range(20)]
    units += ["Zoë", "José", "日本語", "Ωμέγα", "ünïcödé-user", "session:9f86d081", "42", "0", "-1", " "]
    return units


def assignments():
    splits = [
        # name, weights as given to TrafficSplit, the shares GrowthBook is configured with, coverage, seed
        ("50/50", [50, 50], [0.5, 0.5], 1, "greeting-prompt"),
        ("90/10", [90, 10], [0.9, 0.1], 1, "summary@v3"),
        ("34/33/33, coverage 0.8", [34, 33, 33], [0.34, 0.33, 0.33], 0.8, "support-bot-tone"),
    ]
    units = assignment_units()
    result = []
    for name, weights, shares, coverage, seed in splits:
        ranges = getBucketRanges(len(shares), coverage, shares)
        rows = []
        for unit in units:
            bucket = gbhash(seed, unit, 2)
            arm = chooseVariation(bucket, ranges)
            rows.append({"unit": unit, "bucket": bucket, "arm": None if arm < 0 else arm})
        result.append({
            "name": name,
            "weights": weights,
            "shares": shares,
            "coverage": coverage,
            "seed": seed,
            "ranges": ranges_json(ranges),
            "units": rows,
        })
    return result


def boundary_splits():
    """Every bucket next to a range boundary, for splits whose decimal shares do not add up to exactly 1 in
    binary (0.06 + 0.57 + 0.37 is 0.9999999999999999): dividing such shares by their sum would move buckets
    0.06 and 0.63 to another arm than GrowthBook gives them."""
    splits = [
        # weights as given to TrafficSplit, the shares GrowthBook is configured with, coverage
        ([0.06, 0.57, 0.37], [0.06, 0.57, 0.37], 1),
        ([6, 57, 37], [0.06, 0.57, 0.37], 1),
        ([0.1] * 10, [0.1] * 10, 1),
        ([1] * 10, [0.1] * 10, 0.9),
        ([34, 33, 33], [0.34, 0.33, 0.33], 0.8),
        ([90, 10], [0.9, 0.1], 0.5),
    ]
    cases = []
    for weights, shares, coverage in splits:
        ranges = getBucketRanges(len(shares), coverage, shares)
        keys = sorted({k for r in ranges for x in r for k in range(round(x * 10000) - 1, round(x * 10000) + 2) if 0 <= k < 10000})
        buckets = []
        for k in keys:
            arm = chooseVariation(k / 10000, ranges)
            buckets.append({"bucket": k / 10000, "arm": None if arm < 0 else arm})
        cases.append({"weights": weights, "shares": shares, "coverage": coverage, "ranges": ranges_json(ranges), "buckets": buckets})
    return cases


def main():
    fixture = {
        "generator": "Tests/PromptRolloutsTests/Fixtures/make-growthbook-fixture.py",
        "growthbook_python_sdk": SDK_VERSION,
        "fnv1a32": [{"text": t, "hash": fnv1a32(t)} for t in FNV_TEXTS],
        "fnv1a32_astral": [
            {"text": t, "hash": fnv1a32(t), "code_point_hash": fnv1a32_code_points(t)} for t in ASTRAL_TEXTS
        ],
        "hash": hash_cases(),
        "bucket_ranges": bucket_range_cases(),
        "choose_variation": choose_cases(),
        "assignments": assignments(),
        "boundary_splits": boundary_splits(),
    }
    for case in fixture["fnv1a32"] + fixture["fnv1a32_astral"]:
        assert case["hash"] == fnv1a32_utf16(case["text"]), case["text"]
    OUTPUT.write_text(json.dumps(fixture, ensure_ascii=False, indent=1) + "\n", encoding="utf-8")
    print(f"wrote {OUTPUT} with growthbook {SDK_VERSION}")


if __name__ == "__main__":
    main()
