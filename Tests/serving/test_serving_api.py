"""The rest of the serving API with plain curl: resolve, feedback, prompts by label, the readout."""
import contextlib
import uuid

from harness import (ARM_VERSIONS, ASSIGNMENT_ID, PROMPT, ROLLOUT, growthbook_bucket, expected_arm, metric_by_arm,
                     observations, unit_in, wait_for)


def event(assignment, metric, value, event_id=None):
    return {"assignment_id": assignment, "metric": metric, "value": value,
            "event_id": "event-" + uuid.uuid4().hex if event_id is None else event_id}


def stored_events(ctx, event_ids):
    """`{event_id: (assignment_id, arm, metric, value, source)}` of the ids found in rollout_metric_values."""
    with contextlib.closing(ctx.database()) as db:
        found = {}
        ids = list(event_ids)
        for start in range(0, len(ids), 500):
            part = ids[start:start + 500]
            rows = db.execute(
                "SELECT event_id, assignment_id, arm, metric, value, source FROM rollout_metric_values "
                f"WHERE event_id IN ({','.join('?' * len(part))})", part)
            found.update({row[0]: row[1:] for row in rows})
        return found


# MARK: - Resolve


def test_resolve_returns_an_assignment_and_the_arms_messages(ctx):
    unit = "r-1"
    document = ctx.resolve(unit, ticket="My invoice is wrong")
    arm = expected_arm(unit)
    assert ASSIGNMENT_ID.match(document.get("assignment_id") or ""), document
    assert (document["rollout"], document["arm"]) == (ROLLOUT, arm), document
    assert abs(document["bucket"] - growthbook_bucket(unit)) < 1e-9, f"bucket {document['bucket']} vs {growthbook_bucket(unit)}"
    version = ARM_VERSIONS[arm]
    assert document["version"]["number"] == int(version[1:]) and len(document["version"]["sha"]) == 40, document
    assert document["model"] == "openai/gpt-4o-mini", document
    roles = [message["role"] for message in document["messages"]]
    assert roles == ["system", "user"], roles
    assert document["messages"][-1]["content"].strip() == f"{version} ticket: My invoice is wrong", document["messages"]

    again = ctx.resolve(unit)
    assert again["arm"] == arm and again["assignment_id"] != document["assignment_id"], again
    with contextlib.closing(ctx.database()) as db:
        def recorded():
            return db.execute("SELECT unit, arm, kind FROM rollout_assignments WHERE id = ?",
                              (document["assignment_id"],)).fetchone()
        assert wait_for(recorded, 10, "the resolve's assignment in rollout_assignments") == (unit, arm, "resolve")

    # A label outside the rollout: no assignment, no arm.
    status, _, labelled = ctx.curl("POST", f"/v1/prompts/{PROMPT}/resolve",
                                   {"unit": unit, "label": "production", "variables": {"ticket": "x"}})
    assert status == 200 and labelled["assignment_id"] is None and labelled["arm"] is None, labelled
    assert labelled["version"]["number"] == 1, labelled

    status, _, refusal = ctx.curl("POST", f"/v1/prompts/{PROMPT}/resolve", {"variables": {"ticket": "x"}})
    assert status == 400 and "names no unit" in str(refusal), f"{status}: {refusal}"
    status, _, refusal = ctx.curl("POST", "/v1/prompts/support/unknown/resolve", {"unit": unit})
    assert status == 404, f"{status}: {refusal}"


# MARK: - Feedback


def test_feedback_single_and_batch_are_recorded_per_arm(ctx):
    control = ctx.resolve(unit_in("control", "feedback"))["assignment_id"]
    treatment = ctx.resolve(unit_in("v2", "feedback"))["assignment_id"]
    before = ctx.status()

    single = event(control, "thumbs_up", True)
    status, document = ctx.feedback(single)
    assert status == 200, f"{status}: {document}"
    assert (document["accepted"], document["refused"]) == (1, 0), document
    assert document["results"] == [{"event_id": single["event_id"], "status": "recorded", "error": None}], document

    batch = [event(treatment, "thumbs_up", False), event(treatment, "rating", 4), event(control, "rating", 5.0)]
    status, document = ctx.feedback({"events": batch})
    assert status == 200 and (document["accepted"], document["refused"]) == (3, 0), f"{status}: {document}"
    assert [result["status"] for result in document["results"]] == ["recorded"] * 3, document

    # A 2xx means committed: the readout sees the values at once.
    after = ctx.status()
    for metric, expected in (("thumbs_up", {"control": 1, "v2": 1}), ("rating", {"control": 1, "v2": 1})):
        counted = {arm: observations(after, metric)[arm] - observations(before, metric)[arm] for arm in ARM_VERSIONS}
        assert counted == expected, f"{metric}: the readout counted {counted} new values, expected {expected}"
    stored = stored_events(ctx, [item["event_id"] for item in [single, *batch]])
    assert stored[single["event_id"]] == (control, "control", "thumbs_up", 1.0, "feedback"), stored
    assert stored[batch[0]["event_id"]][1:4] == ("v2", "thumbs_up", 0.0), stored
    assert stored[batch[1]["event_id"]][1:4] == ("v2", "rating", 4.0), stored
    assert stored[batch[2]["event_id"]][1:4] == ("control", "rating", 5.0), stored


def test_feedback_is_idempotent_on_event_id(ctx):
    assignment = ctx.resolve(unit_in("v2", "idempotent"))["assignment_id"]
    first = event(assignment, "thumbs_up", 1)
    status, document = ctx.feedback(first)
    assert status == 200 and document["results"][0]["status"] == "recorded", f"{status}: {document}"
    counts = {metric: metric_by_arm(ctx.status(), metric) for metric in ("thumbs_up", "rating")}

    status, document = ctx.feedback(first)
    assert status == 200, f"{status}: {document}"
    assert document["results"] == [{"event_id": first["event_id"], "status": "duplicate", "error": None}], document
    assert {metric: metric_by_arm(ctx.status(), metric) for metric in counts} == counts, "a duplicate changed the readout"

    fresh = event(assignment, "rating", 3)
    status, document = ctx.feedback({"events": [first, fresh]})
    assert status == 200, f"{status}: {document}"
    assert [result["status"] for result in document["results"]] == ["duplicate", "recorded"], document
    after = {metric: metric_by_arm(ctx.status(), metric) for metric in counts}
    assert after["thumbs_up"] == counts["thumbs_up"], "a duplicate in a batch changed the readout"
    assert after["rating"]["v2"][1] == counts["rating"]["v2"][1] + 1, f"rating {counts['rating']} → {after['rating']}"

    # The same id for another value is a conflict, not a silent overwrite.
    status, document = ctx.feedback({**first, "value": 0})
    assert status == 409, f"{status}: {document}"
    assert stored_events(ctx, [first["event_id"]])[first["event_id"]][3] == 1.0, "the conflicting value replaced the first"


def test_feedback_for_an_unknown_assignment_is_404(ctx):
    status, document = ctx.feedback(event("asg_" + "0" * 32, "thumbs_up", 1))
    assert status == 404 and "asg_" in document.get("detail", ""), f"{status}: {document}"
    # In a batch, the other events are still recorded and each result says what happened.
    assignment = ctx.resolve("unknown-batch")["assignment_id"]
    batch = [event("asg_" + "1" * 32, "thumbs_up", 1), event(assignment, "thumbs_up", 0)]
    status, document = ctx.feedback({"events": batch})
    assert status == 422 and (document["accepted"], document["refused"]) == (1, 1), f"{status}: {document}"
    assert [result["status"] for result in document["results"]] == ["unknown_assignment", "recorded"], document
    assert list(stored_events(ctx, [item["event_id"] for item in batch])) == [batch[1]["event_id"]]


def test_feedback_with_an_unknown_metric_or_a_wrong_value_is_422(ctx):
    assignment = ctx.resolve("invalid-feedback")["assignment_id"]
    refused = {
        "unknown metric": event(assignment, "nope", 1),
        "binary metric given 3": event(assignment, "thumbs_up", 3),
        "binary metric given text": event(assignment, "thumbs_up", "yes"),
        "numeric metric above max": event(assignment, "rating", 9),
        "numeric metric below min": event(assignment, "rating", 0),
        "numeric metric given text": event(assignment, "rating", "5"),
        "empty event_id": event(assignment, "thumbs_up", 1, event_id=""),
    }
    for case, body in refused.items():
        status, document = ctx.feedback(body)
        assert status == 422, f"{case}: {status}: {document}"
        assert document.get("detail"), f"{case}: no detail in {document}"
    assert not stored_events(ctx, [body["event_id"] for body in refused.values()]), "a refused event was stored"
    # A refused event does not use up its id: sent again correctly, it is recorded.
    retry = {**refused["binary metric given 3"], "value": 1}
    status, document = ctx.feedback(retry)
    assert status == 200 and document["results"][0]["status"] == "recorded", f"{status}: {document}"
    # Not JSON of the expected shape: 400.
    status, _, document = ctx.curl("POST", "/v1/feedback", {"assignment_id": assignment, "metric": "thumbs_up"})
    assert status == 400, f"an event without value and event_id: {status}: {document}"


def test_feedback_true_or_false_for_a_numeric_metric_is_422(ctx):
    # true/false are for binary metrics (FeedbackEvent.value); a rating of `true` is a client's mistake.
    assignment = ctx.resolve("boolean-rating")["assignment_id"]
    body = event(assignment, "rating", True)
    status, document = ctx.feedback(body)
    assert status == 422, f"rating (numeric, 1..5) given true: {status}: {document}"


def test_feedback_needs_the_feedback_scope_and_resolve_the_resolve_scope(ctx):
    assignment = ctx.resolve("scopes")["assignment_id"]
    status, document = ctx.feedback(event(assignment, "thumbs_up", 1), key="feedback")
    assert status == 200, f"a feedback-only key sending feedback: {status}: {document}"
    status, headers, document = ctx.curl("POST", "/v1/feedback", event(assignment, "thumbs_up", 1), key=None)
    assert status == 401 and headers.get("www-authenticate") == "Bearer", f"{status}: {headers} {document}"
    status, _, refusal = ctx.curl("POST", f"/v1/prompts/{PROMPT}/resolve", {"unit": "scopes"}, key="feedback")
    assert status == 403, f"resolve with a feedback-only key: {status}: {refusal}"
    # The refusal says which scope the key lacks, as the gateway's does.
    assert "lacks the 'resolve' scope" in refusal.get("detail", ""), f"the 403 does not name the missing scope: {refusal}"


# MARK: - Prompts by label


def test_prompt_by_label_has_an_etag_and_answers_304_when_unchanged(ctx):
    path = f"/v1/prompts/{PROMPT}?label=production"
    status, headers, document = ctx.curl("GET", path)
    assert status == 200, f"{status}: {document}"
    sha = document["version"]["sha"]
    assert document["version"]["number"] == 1 and "production" in document["labels"], document
    assert "v1 ticket: {{ticket}}" in document["template"], document["template"]
    assert headers.get("etag") == f'"{sha}"', headers
    assert headers.get("cache-control") == "no-cache", headers

    status, headers, body = ctx.curl("GET", path, headers={"If-None-Match": f'"{sha}"'})
    assert status == 304 and body is None and headers.get("etag") == f'"{sha}"', f"{status}: {headers} {body!r}"
    status, _, body = ctx.curl("GET", path, headers={"If-None-Match": f'"other", "{sha}"'})
    assert status == 304, f"If-None-Match with a list holding the ETag: {status}"
    status, _, body = ctx.curl("GET", path, headers={"If-None-Match": '"0000"'})
    assert status == 200 and body["version"]["sha"] == sha, f"If-None-Match of another version: {status}"

    # Another version has another ETag; the default label is production; unknown labels are 404.
    status, headers, document = ctx.curl("GET", f"/v1/prompts/{PROMPT}?version=2")
    assert status == 200 and document["version"]["number"] == 2 and headers.get("etag") != f'"{sha}"', document
    status, _, document = ctx.curl("GET", f"/v1/prompts/{PROMPT}")
    assert status == 200 and document["version"]["sha"] == sha, f"no label: {status}: {document}"
    status, _, document = ctx.curl("GET", f"/v1/prompts/{PROMPT}?label=canary")
    assert status == 404, f"an unknown label: {status}: {document}"


def test_the_readout_under_v1_needs_an_admin_key(ctx):
    status, _, document = ctx.curl("GET", f"/v1/rollouts/{ROLLOUT}", key="admin")
    assert status == 200 and document["rollout"] == ROLLOUT and document["status"] == "running", f"{status}: {document}"
    status, _, document = ctx.curl("GET", f"/v1/rollouts/{ROLLOUT}")
    assert status == 403, f"the readout with a resolve key: {status}: {document}"
