#!/usr/bin/env python3
"""Fill a PromptLab results database with one large graded run, for `benchmarks/report.sh`.

    benchmarks/make-report-db.py DB [--variants 10] [--cases 100000] [--repeats 1] [--seed 1]
                                    [--status completed] [--run-id r-20261130-000000-be9c]

Run it twice with different --run-id and --seed for two runs to `promptlab compare`.
DB must already exist with the current schema (any promptlab command that opens
the results database creates it, so the schema and its migrations always match
the binary under test). The script writes straight into the documented tables
(docs/results-schema.md) with Python's sqlite3 module: one run of experiment
`bench-report`, V variants (the first is the control), C cases, R repeats, and one
grade per response from grader `quality` (score 1-10, passed = score >= 7).
Variants differ by a small shift in quality, so some comparisons are significant
and some are not. Prints the run id.
"""

import argparse
import random
import sqlite3
import sys

parser = argparse.ArgumentParser()
parser.add_argument("db")
parser.add_argument("--variants", type=int, default=10)
parser.add_argument("--cases", type=int, default=100_000)
parser.add_argument("--repeats", type=int, default=1)
parser.add_argument("--seed", type=int, default=1)
parser.add_argument("--status", default="completed")
parser.add_argument("--run-id", default="r-20261130-000000-be9c")
args = parser.parse_args()

rng = random.Random(args.seed)
run_id = args.run_id
stamp = "2026-11-30T00:00:%02d.000Z" % (args.seed % 60)
db = sqlite3.connect(args.db)
db.execute("PRAGMA journal_mode = WAL")
db.execute("PRAGMA synchronous = OFF")
if db.execute("SELECT count(*) FROM sqlite_master WHERE name = 'responses'").fetchone()[0] != 1:
    sys.exit(f"{args.db} has no results schema; open it with promptlab first")

variants = ["control"] + [f"variant-{i}" for i in range(1, args.variants)]
cases = [f"case-{i:06d}" for i in range(args.cases)]
cells = len(variants) * len(cases) * args.repeats
graders = '[{"name":"quality","type":"rubric"}]'

with db:
    db.execute(
        "INSERT INTO runs VALUES (?, 'bench-report', 'experiments/bench-report.yaml', 'name: bench-report\n', "
        "'0', '0', ?, 'bench', ?, ?, ?, ?, NULL)",
        (run_id, '{"repeat":%d,"graders":%s}' % (args.repeats, graders), args.status, stamp,
         None if args.status == "running" else stamp, cells))
    db.executemany(
        "INSERT INTO run_variants VALUES (?, ?, ?, ?, 'bench/p', 'bench/p', 1, 'abc', 'def', 'local/echo', '{}')",
        [(run_id, name, i, 1 if i == 0 else 0) for i, name in enumerate(variants)])
    db.executemany(
        "INSERT INTO run_cases VALUES (?, ?, ?, '{}', NULL, NULL)",
        [(run_id, case, i) for i, case in enumerate(cases)])

difficulty = [rng.randint(0, 8) for _ in cases]
shift = [0.0] + [(i % 4) * 0.1 - 0.1 for i in range(1, len(variants))]


def responses():
    for v, name in enumerate(variants):
        for c, case in enumerate(cases):
            for r in range(args.repeats):
                key = f"{run_id}|{name}|{case}|{r}"
                cached = rng.random() < 0.01
                latency = 0.0 if cached else rng.lognormvariate(6.0, 0.4)
                out_tokens = rng.randint(20, 200)
                cost = 0.0 if cached else (120 * 0.15 + out_tokens * 0.6) / 1e6
                yield (run_id, name, case, r, key, "ok", "answer", None, None, 120, out_tokens, 0, latency, 1,
                       "stop", None, cost, "local", "local/echo", "h", 1 if cached else 0, stamp, stamp)


def grades():
    for v, name in enumerate(variants):
        for c, case in enumerate(cases):
            for r in range(args.repeats):
                noise = sum(rng.random() < 0.45 + shift[v] for _ in range(4)) - 2
                score = min(max(difficulty[c] + 1 + noise, 1), 10)
                yield (run_id, f"{run_id}|{name}|{case}|{r}", "quality", "cfg1", float(score),
                       1 if score >= 7 else 0, None, None, None, stamp)


with db:
    db.executemany(
        "INSERT INTO responses (run_id, variant, case_id, repeat_index, idempotency_key, status, output, "
        "error_kind, error_message, input_tokens, output_tokens, cached_tokens, latency_ms, attempts, "
        "finish_reason, request_id, cost_usd, provider, model, request_hash, from_cache, started_at, finished_at) "
        "VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)", responses())
with db:
    db.executemany(
        "INSERT INTO grades (run_id, response_key, grader, config_hash, score, passed, reason, raw_judge_output, "
        "pair_order, created_at) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?)", grades())
db.execute("PRAGMA wal_checkpoint(TRUNCATE)")
db.close()
print(run_id)
