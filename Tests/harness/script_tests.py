"""What the script-driven test suites share (Tests/browser, Tests/serving): starting and stopping the
programs a test needs, polling, reading `promptlab serve`'s address, and saying where a test failed.

Each suite's harness adds this folder to `sys.path` and builds on it.
"""

import json
import os
import pathlib
import re
import signal
import subprocess
import time
import traceback

# Settings that would change what a started `promptlab` serves or reads; tests set what they need.
ISOLATED_VARIABLES = ("PROMPTLAB_TOKEN", "PROMPTLAB_DB", "PROMPTLAB_API_KEYS", "OPENAI_BASE_URL", "OPENAI_API_KEY")


class StartsProcesses:
    """Starts programs that are stopped when the test run ends.

    Expects `self.work` (where logs go), `self.repo` (the default working folder), `self.processes`
    (a list) and `self.started` (a count). With `pids_file` set, each pid is also appended to
    `self.work / pids_file`, so that the suite's shell script can stop them should the runner be killed.
    """

    pids_file = None

    def start(self, arguments, env=None, stdout=None, cwd=None):
        self.started += 1
        log_path = self.work / f"process-{self.started}.log"
        with open(log_path, "w") as log:
            process = subprocess.Popen(
                arguments, cwd=cwd or self.repo, env=child_environment(env), stdout=stdout or log, stderr=log,
                stdin=subprocess.DEVNULL)
        process.log_path = log_path
        self.processes.append(process)
        if self.pids_file:
            with open(self.work / self.pids_file, "a") as pids:
                pids.write(f"{process.pid}\n")
        return process

    def stop(self, process):
        """Stops a program started with ``start``: SIGTERM, then SIGKILL after 10 seconds."""
        if process.poll() is None:
            process.send_signal(signal.SIGTERM)
            try:
                process.wait(timeout=10)
            except subprocess.TimeoutExpired:
                process.kill()
                process.wait()

    def stop_all(self):
        for process in reversed(self.processes):
            self.stop(process)
        self.processes.clear()


def child_environment(extra=None):
    """This environment without the settings in ``ISOLATED_VARIABLES``, plus `extra`."""
    environment = dict(os.environ)
    for name in ISOLATED_VARIABLES:
        environment.pop(name, None)
    environment.update(extra or {})
    return environment


def wait_for(condition, seconds, what, interval=0.1):
    """Polls `condition()` until it returns something truthy; fails saying what was awaited."""
    deadline = time.monotonic() + seconds
    while True:
        value = condition()
        if value:
            return value
        if time.monotonic() > deadline:
            raise AssertionError(f"timed out after {seconds}s waiting for {what}")
        time.sleep(interval)


def parse_json(body):
    """A response body as JSON, or as text when it is not JSON."""
    try:
        return json.loads(body.decode("utf-8")) if body else None
    except (UnicodeDecodeError, json.JSONDecodeError):
        return body.decode("utf-8", "replace")


def served_url(output, process):
    """The address `promptlab serve` printed to `output`, or None before it has; fails if it exited."""
    if process.poll() is not None:
        raise AssertionError(f"promptlab serve exited with {process.returncode}: {process.log_path.read_text()}")
    match = re.search(r"PromptLab is serving (http://\S+?)/?$", output.read_text(), re.MULTILINE)
    return match and match.group(1)


def failure_location(error, tests_folder):
    """Where in the suite's files `error` happened: the last test frame, and the helper below it if any."""
    here = str(pathlib.Path(tests_folder).resolve())
    frames = [f"{pathlib.Path(frame.filename).name}:{frame.lineno}"
              for frame in traceback.extract_tb(error.__traceback__) if frame.filename.startswith(here)]
    in_tests = [frame for frame in frames if frame.startswith("test_")]
    where = in_tests[-1] if in_tests else "?"
    if frames and frames[-1] != where:
        where += " via " + frames[-1]
    return where
