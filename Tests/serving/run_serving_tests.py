#!/usr/bin/env python3
"""Runs PromptLab's serving tests against a running `promptlab serve` with an active rollout.

    python3 Tests/serving/run_serving_tests.py --url http://127.0.0.1:PORT --repo DIR/prompts \
        --bin-dir .build/debug --work TMP --provider-url http://127.0.0.1:PORT2 \
        --resolve-key KEY --admin-key KEY --feedback-key KEY [-k WORD]

scripts/serving-tests.sh prepares all of that (a prompt repository with rollout triage-v2 running,
the loopback provider server, the server under test, clean-up); use it. The tests are the `test_*`
functions of the modules in ``MODULES``, in order: the OpenAI SDK against the gateway, curl against
the rest of /v1, then the crash test, which kills a server of its own. Exit status 1 when any test fails.
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

MODULES = ["test_openai_client", "test_serving_api", "test_kill_durability"]


def collect(pattern):
    tests = []
    for module_name in MODULES:
        module = importlib.import_module(module_name)
        for name, function in vars(module).items():
            if name.startswith("test_") and callable(function):
                tests.append((f"{module_name}.{name}", function))
    return [test for test in tests if not pattern or any(word in test[0] for word in pattern)]


def describe(error):
    """The failure's message and where in the tests it happened (the whole trace for a crash)."""
    where = failure_location(error, pathlib.Path(__file__).parent)
    if isinstance(error, AssertionError):
        return f"{str(error).strip() or 'assertion failed'} ({where})"
    # An error status the OpenAI SDK raised where the test expected an answer: its status and message.
    status = getattr(error, "status_code", None)
    if status is not None:
        return f"{type(error).__name__} {status}: {getattr(error, 'message', error)} ({where})"
    return "".join(traceback.format_exception(error)).strip()


def main():
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    for option in ("--url", "--repo", "--bin-dir", "--work", "--provider-url", "--resolve-key", "--admin-key",
                   "--feedback-key"):
        parser.add_argument(option, required=True)
    parser.add_argument("-k", action="append", default=[], help="run only tests whose name contains this")
    options = parser.parse_args()

    # scripts/serving-tests.sh stops this runner with SIGTERM; unwind so the servers it started stop too.
    signal.signal(signal.SIGTERM, lambda *_: sys.exit(143))

    keys = {"resolve": options.resolve_key, "admin": options.admin_key, "feedback": options.feedback_key}
    context = Context(options.url, options.repo, options.bin_dir, options.work, options.provider_url, keys)
    failures = []
    tests = collect(options.k)
    started = time.monotonic()
    try:
        for name, function in tests:
            begun = time.monotonic()
            context.notes = []
            try:
                function(context)
            except Exception as error:  # a failed assertion or anything else: report it and go on
                failures.append(name)
                print(f"FAIL {name} ({time.monotonic() - begun:.1f}s)", flush=True)
                print("     " + describe(error).replace("\n", "\n     "), flush=True)
            else:
                print(f"ok   {name} ({time.monotonic() - begun:.1f}s)", flush=True)
            finally:
                context.stop_all()
                for line in context.notes:
                    print(f"     {line}", flush=True)
    finally:
        context.stop_all()
    print(f"\n{len(tests) - len(failures)} of {len(tests)} serving tests passed in {time.monotonic() - started:.0f}s")
    for name in failures:
        print(f"  failed: {name}")
    return 1 if failures or not tests else 0


if __name__ == "__main__":
    sys.exit(main())
