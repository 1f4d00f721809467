"""What the serving tests share: the server under test, its keys, the repository and the results database.

A test is a function `test_NAME(ctx)` taking a ``Context``. It talks to the server with the official
OpenAI SDK (``Context.client()``) or with curl (``Context.curl()``), reads the rollout's readout with
``Context.status()`` and the results database with ``Context.database()``, and starts its own servers
with ``Context.serve()`` and ``Context.provider()``, which are stopped when the test ends (also on
Ctrl-C or SIGTERM from scripts/serving-tests.sh).
"""
import contextlib
import json
import pathlib
import re
import sqlite3
import subprocess
import sys
import uuid

import openai

# The suites' shared helpers (Tests/harness/script_tests.py).
sys.path.insert(0, str(pathlib.Path(__file__).resolve().parent.parent / "harness"))
from script_tests import StartsProcesses, child_environment, parse_json, served_url, wait_for  # noqa: E402,F401


PROMPT = "support/triage"
MODEL = "promptlab/" + PROMPT
ROLLOUT = "triage-v2"
# The rollout file names no seed, so its name is the seed of the GrowthBook hash.
SEED = ROLLOUT
# The arms of rollouts/triage-v2.yaml, control first, with the version each serves.
ARM_VERSIONS = {"control": "v1", "v2": "v2"}
ASSIGNMENT_ID = re.compile(r"^asg_[0-9a-f]{32}$")


class Context(StartsProcesses):
    """The server under test and everything the tests need around it."""

    # scripts/serving-tests.sh stops these too, should this runner itself be killed.
    pids_file = "children.pids"

    def __init__(self, url, repo, bin_dir, work, provider_url, keys):
        self.url = url.rstrip("/")
        self.repo = pathlib.Path(repo)
        self.bin_dir = pathlib.Path(bin_dir)
        self.work = pathlib.Path(work)
        self.provider_url = provider_url.rstrip("/")
        # {"resolve": key with resolve and feedback, "admin": admin key, "feedback": key with feedback only}
        self.keys = keys
        self.processes = []
        self.started = 0
        self.notes = []

    def note(self, text):
        """A line the runner prints under the test's result (counts worth reading in the log)."""
        self.notes.append(text)

    # MARK: - The OpenAI SDK

    def client(self, key=None, base=None):
        """An OpenAI client on the gateway. The SDK's own retries are off, so each call is one request
        and an error status reaches the test as the SDK raises it."""
        return openai.OpenAI(
            base_url=(base or self.url) + "/v1", api_key=key or self.keys["resolve"], max_retries=0, timeout=60)

    # MARK: - curl

    def curl(self, method, path, body=None, key="resolve", headers=None, base=None):
        """One request with curl; returns `(status, headers, document)`. `key` names one of ``keys``
        (None: no Authorization header); headers come back with lowercase names."""
        self.started += 1
        header_file = self.work / f"curl-{self.started}.headers"
        body_file = self.work / f"curl-{self.started}.body"
        arguments = ["curl", "-sS", "--max-time", "60", "-X", method, "-D", str(header_file), "-o", str(body_file),
                     "-w", "%{http_code}"]
        if key is not None:
            arguments += ["-H", f"Authorization: Bearer {self.keys[key]}"]
        for name, value in (headers or {}).items():
            arguments += ["-H", f"{name}: {value}"]
        if body is not None:
            arguments += ["-H", "Content-Type: application/json", "--data-binary", "@-"]
        process = subprocess.run(arguments + [(base or self.url) + path], input=None if body is None else json.dumps(body),
                                 capture_output=True, text=True, timeout=90)
        assert process.returncode == 0, f"curl {method} {path} failed ({process.returncode}): {process.stderr.strip()}"
        status = int(process.stdout.strip())
        # The headers of the last response (curl writes a block per response, such as after `100 Continue`),
        # with the trailers of a chunked body, which curl writes after them.
        response_headers = {}
        for line in header_file.read_text().replace("\r\n", "\n").split("\n"):
            if line.startswith("HTTP/"):
                response_headers = {}
            elif ":" in line:
                name, _, value = line.partition(":")
                response_headers[name.strip().lower()] = value.strip()
        raw = body_file.read_bytes() if body_file.exists() else b""
        header_file.unlink(missing_ok=True)
        body_file.unlink(missing_ok=True)
        return status, response_headers, parse_json(raw)

    def resolve(self, unit, ticket="Where is my parcel?", base=None):
        """`POST /v1/prompts/support/triage/resolve` for a unit; asserts 200 and returns the document."""
        status, _, document = self.curl("POST", f"/v1/prompts/{PROMPT}/resolve",
                                         {"unit": unit, "variables": {"ticket": ticket}}, base=base)
        assert status == 200, f"resolve for {unit} answered {status}: {document}"
        return document

    def feedback(self, body, key="resolve", base=None):
        """`POST /v1/feedback`; returns `(status, document)`."""
        status, _, document = self.curl("POST", "/v1/feedback", body, key=key, base=base)
        return status, document

    # MARK: - The readout and the database

    def promptlab(self, *arguments, check=True):
        """Runs the `promptlab` under test in the repository; returns the finished process."""
        process = subprocess.run([str(self.bin_dir / "promptlab"), *arguments, "-C", str(self.repo)],
                                 env=child_environment(), capture_output=True, text=True, timeout=120)
        if check:
            assert process.returncode == 0, (
                f"promptlab {' '.join(arguments)} exited with {process.returncode}:\n{process.stdout}\n{process.stderr}")
        return process

    def status(self):
        """`promptlab rollout status triage-v2 --format json`, without pausing arms for breached guardrails
        (the upstream-fault tests breach them on purpose, and later tests need both arms)."""
        return json.loads(self.promptlab("rollout", "status", ROLLOUT, "--no-enforce", "--format", "json").stdout)

    def database(self):
        """The results database (`.promptlab/results.sqlite` at the prompt root), for reading."""
        path = self.repo / ".promptlab" / "results.sqlite"
        assert path.exists(), f"no results database at {path}"
        connection = sqlite3.connect(str(path), timeout=30)
        connection.execute("PRAGMA query_only = ON")
        return connection

    def gateway_assignments(self, unit):
        """`(id, arm, version, status, error_kind)` of a unit's gateway assignments, oldest first."""
        with contextlib.closing(self.database()) as db:
            return db.execute(
                "SELECT id, arm, version, status, error_kind FROM rollout_assignments "
                "WHERE rollout = ? AND unit = ? AND kind = 'gateway' ORDER BY created_at, id", (ROLLOUT, unit)).fetchall()

    # MARK: - Programs started for a test

    def provider(self, *flags):
        """Starts another loopback provider server (`promptlab-test-server FLAGS`); returns `(process, url)`."""
        url_file = self.work / f"provider-{uuid.uuid4().hex}.url"
        process = self.start([str(self.bin_dir / "promptlab-test-server"), "--url-file", str(url_file), *flags])

        def url():
            if process.poll() is not None:
                raise AssertionError(f"promptlab-test-server {' '.join(flags)} exited with {process.returncode}: "
                                     f"{process.log_path.read_text()}")
            return url_file.exists() and url_file.read_text().strip()

        return process, wait_for(url, 30, "promptlab-test-server to print its address")

    def serve(self, provider_url=None):
        """Starts another `promptlab serve` on the repository and its database, with the same keys and the
        given provider server; returns `(process, url)`."""
        self.started += 1
        output = self.work / f"serve-{self.started}.out"
        with open(output, "w") as sink:
            process = self.start(
                [str(self.bin_dir / "promptlab"), "serve", "--port", "0", "--guardrail-interval", "0", "-C", str(self.repo)],
                env=self.serve_environment(provider_url or self.provider_url), stdout=sink)
        url = wait_for(lambda: served_url(output, process), 30, "promptlab serve to print its address")
        return process, url

    def serve_environment(self, provider_url):
        return {
            "OPENAI_BASE_URL": provider_url,
            "OPENAI_API_KEY": "sk-loopback-test",
            "PROMPTLAB_API_KEYS": ";".join(
                [f"{self.keys['resolve']}=resolve,feedback", f"{self.keys['admin']}=admin",
                 f"{self.keys['feedback']}=feedback"]),
        }


# MARK: - GrowthBook's assignment, computed independently


def fnv1a32(text):
    """FNV-1a, 32-bit, over UTF-16 code units, as GrowthBook's JavaScript SDK hashes strings."""
    value = 0x811C9DC5
    data = text.encode("utf-16-le")
    for index in range(0, len(data), 2):
        value ^= data[index] | (data[index + 1] << 8)
        value = (value * 0x01000193) & 0xFFFFFFFF
    return value


def growthbook_bucket(unit, seed=SEED):
    """GrowthBook's hash version 2: `fnv1a32(str(fnv1a32(seed + unit))) % 10000 / 10000`."""
    return fnv1a32(str(fnv1a32(seed + unit))) % 10000 / 10000


def expected_arm(unit):
    """The arm of rollouts/triage-v2.yaml (50/50, full coverage) for a unit: buckets [0, 0.5) and [0.5, 1)."""
    return "control" if growthbook_bucket(unit) < 0.5 else "v2"


def unit_in(arm, prefix):
    """A fresh unit that the rollout puts in `arm`."""
    for index in range(1000):
        unit = f"{prefix}-{index}"
        if expected_arm(unit) == arm:
            return unit
    raise AssertionError(f"no unit with prefix {prefix} falls in {arm}")


# MARK: - The readout


def metric_by_arm(status, name):
    """`{arm: (mean, observations, units)}` of one metric of a readout."""
    for metric in status["metrics"]:
        if metric["name"] == name:
            return {arm["arm"]: (arm["mean"], arm["observations"], arm["units"]) for arm in metric["arms"]}
    raise AssertionError(f"the readout has no metric {name}: {[metric['name'] for metric in status['metrics']]}")


def observations(status, name):
    return {arm: count for arm, (_, count, _) in metric_by_arm(status, name).items()}


def errors(status):
    """`{arm: (failed requests, requests)}` from the error_rate metric (a mean over requests)."""
    return {arm: (round((mean or 0) * count), count) for arm, (mean, count, _) in metric_by_arm(status, "error_rate").items()}


def units(status):
    return {arm["arm"]["name"]: arm["units"] for arm in status["arms"]}


# MARK: - Small helpers
