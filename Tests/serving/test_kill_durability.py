"""A 2xx for feedback means the event is on disk: `kill -9` the server under load, then look.

Eight threads send feedback with unique event ids to a server of the test's own (on the same
repository and database) for about three seconds; the server is killed with SIGKILL halfway. Every
event acknowledged with a 2xx and `recorded` or `duplicate` must be in `rollout_metric_values` after
a restart; events whose request failed may or may not be there, and sending them again to the
restarted server records each at most once.
"""
import contextlib
import http.client
import json
import os
import signal
import threading
import time
import urllib.parse
import uuid

from test_serving_api import stored_events

THREADS = 8
SECONDS = 3.0
KILL_AFTER = 1.5
BATCH = 20


def send(connection, key, body):
    """One `POST /v1/feedback` on a kept-alive connection; returns `(status, document)`."""
    connection.request("POST", "/v1/feedback", body=json.dumps(body),
                       headers={"Authorization": f"Bearer {key}", "Content-Type": "application/json"})
    response = connection.getresponse()
    return response.status, json.loads(response.read() or b"null")


def test_acknowledged_feedback_survives_kill_9(ctx):
    server, url = ctx.serve()
    assignments = [ctx.resolve(f"durable-{index}", base=url)["assignment_id"] for index in range(32)]
    run = uuid.uuid4().hex[:8]
    acknowledged, attempted, failures, lock = set(), [], [], threading.Lock()
    stop_at = time.monotonic() + SECONDS
    address = urllib.parse.urlsplit(url)

    def load(thread):
        connection = http.client.HTTPConnection(address.hostname, address.port, timeout=10)
        number = 0
        while time.monotonic() < stop_at:
            # Half the threads send single events, half batches: both go through the group commit.
            size = 1 if thread % 2 == 0 else BATCH
            events = []
            for _ in range(size):
                number += 1
                assignment = assignments[(thread * 7 + number) % len(assignments)]
                metric, value = ("thumbs_up", number % 2) if number % 3 else ("rating", 1 + number % 5)
                events.append({"assignment_id": assignment, "metric": metric, "value": value,
                               "event_id": f"kill-{run}-{thread}-{number}"})
            with lock:
                attempted.extend(events)
            try:
                status, document = send(connection, ctx.keys["resolve"], events[0] if size == 1 else {"events": events})
            except (OSError, http.client.HTTPException) as error:
                with lock:
                    failures.append(type(error).__name__)
                connection.close()
                connection = http.client.HTTPConnection(address.hostname, address.port, timeout=10)
                time.sleep(0.02)
                continue
            if 200 <= status < 300:
                ids = [result["event_id"] for result in document["results"] if result["status"] in ("recorded", "duplicate")]
                assert len(ids) == len(events), f"a 2xx with results {document['results']}"
                with lock:
                    acknowledged.update(ids)
            else:
                with lock:
                    failures.append(f"HTTP {status}: {document}")
        connection.close()

    errors = []

    def guarded(thread):
        try:
            load(thread)
        except Exception as error:  # reported after the threads end
            errors.append(f"thread {thread}: {error!r}")

    threads = [threading.Thread(target=guarded, args=(thread,), daemon=True) for thread in range(THREADS)]
    for thread in threads:
        thread.start()
    time.sleep(KILL_AFTER)
    with lock:
        acknowledged_before_kill = len(acknowledged)
    os.kill(server.pid, signal.SIGKILL)
    server.wait(timeout=10)
    for thread in threads:
        thread.join(timeout=SECONDS + 30)
    assert not any(thread.is_alive() for thread in threads), "a load thread did not finish"
    assert not errors, "\n".join(errors)
    assert server.returncode == -signal.SIGKILL, f"the server ended with {server.returncode}, not by SIGKILL"
    assert acknowledged_before_kill > 0, "no feedback was acknowledged before the kill: the load did not reach the server"
    assert failures, "no request failed after the kill: the server was not killed under load"
    unexpected = [failure for failure in failures if failure.startswith("HTTP")]
    assert not unexpected, f"the server refused feedback before it was killed: {unexpected[:3]}"

    # A new server on the same repository and database: it starts, and serves.
    _, url = ctx.serve()
    assert ctx.resolve("durable-0", base=url)["assignment_id"], "the restarted server does not resolve"
    with contextlib.closing(ctx.database()) as db:
        assert db.execute("PRAGMA integrity_check").fetchone() == ("ok",), "the database is damaged after the kill"

    found = stored_events(ctx, acknowledged)
    lost = sorted(acknowledged - set(found))
    attempted_ids = {item["event_id"] for item in attempted}
    unacknowledged = attempted_ids - acknowledged
    committed_anyway = len(stored_events(ctx, unacknowledged))
    ctx.note(f"acknowledged {len(acknowledged)} ({acknowledged_before_kill} counted as the kill was sent), "
             f"found {len(found)}, lost {len(lost)}; {len(unacknowledged)} unacknowledged, of which "
             f"{committed_anyway} were committed anyway; {len(failures)} failed requests")
    assert not lost, f"{len(lost)} acknowledged events are not in rollout_metric_values, such as {lost[:5]}"

    # A client retrying what was not acknowledged: each event is recorded once, whether or not it got in before the kill.
    retry = [item for item in attempted if item["event_id"] in unacknowledged]
    connection = http.client.HTTPConnection(urllib.parse.urlsplit(url).hostname, urllib.parse.urlsplit(url).port,
                                            timeout=30)
    try:
        for start in range(0, len(retry), 500):
            status, document = send(connection, ctx.keys["resolve"], {"events": retry[start:start + 500]})
            assert status == 200, f"sending the unacknowledged events again: {status}: {document}"
            statuses = {result["status"] for result in document["results"]}
            assert statuses <= {"recorded", "duplicate"}, f"unacknowledged events sent again: {statuses}"
    finally:
        connection.close()
    every = stored_events(ctx, attempted_ids)
    assert set(every) == attempted_ids, f"{len(attempted_ids - set(every))} events missing after sending them again"
    with contextlib.closing(ctx.database()) as db:
        stored = db.execute("SELECT count(*) FROM rollout_metric_values WHERE event_id LIKE ?", (f"kill-{run}-%",)).fetchone()[0]
    assert stored == len(attempted_ids), f"{stored} rows for {len(attempted_ids)} distinct events"
