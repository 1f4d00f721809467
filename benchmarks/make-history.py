#!/usr/bin/env python3
"""Writes a git fast-import stream for a benchmark prompt repository.

The history has COMMITS commits on `main`. Every tenth commit edits
`support/triage.prompt` (so 10,000 commits give it 1,000 versions); the others
edit one of 60 other prompts, spread over a few folders.

Usage: make-history.py COMMITS | git fast-import --quiet
"""
import sys

commits = int(sys.argv[1]) if len(sys.argv) > 1 else 10_000
out = sys.stdout.buffer
mark = 0


def blob(text: str) -> int:
    global mark
    mark += 1
    data = text.encode()
    out.write(b"blob\nmark :%d\ndata %d\n" % (mark, len(data)))
    out.write(data + b"\n")
    return mark


def prompt(title: str, version: int) -> str:
    return (
        "---\n"
        f"description: {title}, revision {version}\n"
        "model: local/baseline\n"
        "config:\n"
        f"  temperature: {(version % 10) / 10}\n"
        "  maxOutputTokens: 5\n"
        "input:\n"
        "  schema:\n"
        "    ticket: string\n"
        "---\n"
        '{{role "system"}}\n'
        f"You route customer support tickets. Revision {version}.\n"
        "Answer with one of: billing, technical, shipping, general.\n"
        + "".join(f"Guideline {i}: keep answers short and precise ({version}).\n" for i in range(version % 7 + 3))
        + '{{role "user"}}\n'
        "Ticket: {{ticket}}\n"
    )


others = [f"team-{t}/prompt-{p}.prompt" for t in range(6) for p in range(10)]
config = blob("# PromptLab prompt root\nversion: 1\n")
time = 1_700_000_000
triage_version = 0
other_versions = {}
for number in range(1, commits + 1):
    if number % 10 == 1:
        triage_version += 1
        path, content = "support/triage.prompt", prompt("Ticket router", triage_version)
    else:
        path = others[number % len(others)]
        other_versions[path] = other_versions.get(path, 0) + 1
        content = prompt(f"Prompt {path}", other_versions[path])
    data = blob(content)
    mark += 1
    message = f"Edit {path[:-7]} (change {number})".encode()
    out.write(b"commit refs/heads/main\nmark :%d\n" % mark)
    out.write(b"author Bench Author <bench@example.com> %d +0000\n" % time)
    out.write(b"committer Bench Author <bench@example.com> %d +0000\n" % time)
    out.write(b"data %d\n%s\n" % (len(message), message))
    if number == 1:
        out.write(b"M 100644 :%d promptlab.yaml\n" % config)
    out.write(b"M 100644 :%d %s\n\n" % (data, path.encode()))
    time += 60
