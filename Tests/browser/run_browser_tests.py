#!/usr/bin/env python3
"""Runs PromptLab's browser tests against a running `promptlab serve`.

    python3 Tests/browser/run_browser_tests.py --url http://127.0.0.1:PORT --repo DIR/prompts \
        --bin-dir .build/debug --screenshots .build/browser-screenshots --work TMP [-k WORD]

scripts/browser-tests.sh prepares all of that (demo data, server, clean-up); use it. The tests
are the `test_*` functions of the `test_*.py` modules beside this file, run in the order of
``MODULES`` because some change the repository (labels, rollbacks, new runs) that later pages
show. A function with a `cases` attribute (a list of `(id, arguments)`) runs once per case.
Exit status 1 when any test fails.
"""
import argparse
import importlib
import pathlib
import signal
import sys
import time
import traceback

sys.path.insert(0, str(pathlib.Path(__file__).resolve().parent))

from harness import Context  # noqa: E402
from script_tests import failure_location  # noqa: E402

# Read-only pages first, then the tests that write: reviews, labels and rollbacks, new runs, a second server.
MODULES = ["test_pages", "test_grid", "test_review", "test_labels", "test_live_run", "test_xss", "test_auth"]


def collect(pattern):
    tests = []
    for module_name in MODULES:
        module = importlib.import_module(module_name)
        for name, function in vars(module).items():
            if not name.startswith("test_") or not callable(function):
                continue
            cases = getattr(function, "cases", None)
            if cases is None:
                tests.append((f"{module_name}.{name}", function, ()))
            else:
                tests.extend((f"{module_name}.{name}[{case_id}]", function, arguments) for case_id, arguments in cases)
    return [test for test in tests if not pattern or any(word in test[0] for word in pattern)]


def describe(error):
    """The failure's message and where in the tests it happened (the whole trace for a crash)."""
    where = failure_location(error, pathlib.Path(__file__).parent)
    if isinstance(error, AssertionError):
        return f"{str(error).strip() or 'assertion failed'} ({where})"
    if type(error).__name__ == "TimeoutException":  # selenium's own message, without chromedriver's stack
        return f"{getattr(error, 'msg', None) or error} ({where})"
    return "".join(traceback.format_exception(error)).strip()


def main():
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--url", required=True)
    parser.add_argument("--repo", required=True)
    parser.add_argument("--bin-dir", required=True)
    parser.add_argument("--screenshots", required=True)
    parser.add_argument("--work", required=True)
    parser.add_argument("-k", action="append", default=[], help="run only tests whose name contains this")
    options = parser.parse_args()

    # scripts/browser-tests.sh stops this runner with SIGTERM; unwind so the servers it started stop too.
    signal.signal(signal.SIGTERM, lambda *_: sys.exit(143))

    context = Context(options.url, options.repo, options.bin_dir, options.screenshots, options.work)
    failures = []
    tests = collect(options.k)
    started = time.monotonic()
    try:
        for name, function, arguments in tests:
            begun = time.monotonic()
            try:
                function(context, *arguments)
            except Exception as error:  # a failed assertion or anything else: report it and go on
                failures.append(name)
                print(f"FAIL {name} ({time.monotonic() - begun:.1f}s)", flush=True)
                print("     " + describe(error).replace("\n", "\n     "), flush=True)
            else:
                print(f"ok   {name} ({time.monotonic() - begun:.1f}s)", flush=True)
            finally:
                context.stop_all()
    finally:
        context.stop_all()
    print(f"\n{len(tests) - len(failures)} of {len(tests)} browser tests passed in {time.monotonic() - started:.0f}s")
    for name in failures:
        print(f"  failed: {name}")
    return 1 if failures or not tests else 0


if __name__ == "__main__":
    sys.exit(main())
