"""The OpenAI-compatible gateway through the official OpenAI Python SDK, as an application would call it.

The loopback provider server answers with the last user message. The tests send only a system
message of their own, so the answer is the rendered prompt's user message, `v1 ticket: …` or
`v2 ticket: …`: it shows which version reached the provider.
"""
import concurrent.futures
import uuid

import openai

from harness import ARM_VERSIONS, ASSIGNMENT_ID, MODEL, ROLLOUT, errors, expected_arm, units, unit_in, wait_for

SYSTEM_ONLY = [{"role": "system", "content": "Answer with the queue's name."}]
TICKET = "Where is my parcel?"


def request(unit=None, ticket=TICKET, messages=None, model=MODEL, variables=None, **extra):
    """Keyword arguments of `chat.completions.create` for the rollout's prompt."""
    arguments = {
        "model": model,
        "messages": SYSTEM_ONLY if messages is None else messages,
        "extra_body": {"promptlab": {"variables": {"ticket": ticket} if variables is None else variables}},
    }
    if unit is not None:
        arguments["user"] = unit
    arguments.update(extra)
    return arguments


def answer_of(version, ticket=TICKET):
    return f"{version} ticket: {ticket}"


def refused(error_class, status, call):
    """Calls `call()` expecting the SDK to raise `error_class` for HTTP `status`; returns the error."""
    try:
        call()
    except error_class as error:
        assert error.status_code == status, f"expected {status}, got {error.status_code}: {error.message}"
        return error
    except openai.APIStatusError as error:
        raise AssertionError(f"expected {error_class.__name__} ({status}), got {type(error).__name__} "
                             f"{error.status_code}: {error.message}") from None
    raise AssertionError(f"expected {error_class.__name__} ({status}), but the request succeeded")


# MARK: - Answers and assignments


def test_completion_answers_with_the_arms_version(ctx):
    unit = "u-1"
    raw = ctx.client().chat.completions.with_raw_response.create(**request(unit))
    completion = raw.parse()
    arm = raw.headers.get("x-promptlab-arm")
    assert arm == expected_arm(unit), f"{unit} got arm {arm}; GrowthBook's hash says {expected_arm(unit)}"
    version = ARM_VERSIONS[arm]
    assert raw.headers.get("x-promptlab-version") == version, raw.headers
    assert raw.headers.get("x-promptlab-rollout") == ROLLOUT, raw.headers
    assignment = raw.headers.get("x-promptlab-assignment") or ""
    assert ASSIGNMENT_ID.match(assignment), f"X-PromptLab-Assignment is {assignment!r}"

    text = completion.choices[0].message.content
    assert text.strip() == answer_of(version), f"the answer {text!r} is not {version}'s rendered prompt"
    assert completion.object == "chat.completion" and completion.model == MODEL, completion
    assert completion.id == "chatcmpl-" + assignment, f"completion id {completion.id} vs assignment {assignment}"
    assert completion.choices[0].finish_reason == "stop" and completion.choices[0].message.role == "assistant"
    usage = completion.usage
    assert usage and usage.completion_tokens == len(text.split()), usage
    assert usage.total_tokens == usage.prompt_tokens + usage.completion_tokens, usage

    # The assignment is written by group commit, a moment after the answer.
    rows = wait_for(lambda: [row for row in ctx.gateway_assignments(unit) if row[0] == assignment], 10,
                    f"assignment {assignment} in rollout_assignments")
    assert rows[0][1:4] == (arm, int(version[1:]), "ok"), f"recorded as {rows[0]}"

    # The request's own messages follow the rendered prompt's: the provider sees the user's question last.
    completion = ctx.client().chat.completions.create(
        **request(unit, messages=[{"role": "user", "content": "Is this a billing question?"}]))
    assert completion.choices[0].message.content == "Is this a billing question?", completion


def test_the_same_user_gets_the_same_arm_every_time(ctx):
    unit = "u-1"
    client = ctx.client()
    seen = []
    for index in range(20):
        ticket = f"ticket number {index}"
        raw = client.chat.completions.with_raw_response.create(**request(unit, ticket=ticket))
        arm = raw.headers.get("x-promptlab-arm")
        seen.append((arm, raw.headers.get("x-promptlab-version"), raw.headers.get("x-promptlab-assignment")))
        assert raw.parse().choices[0].message.content.strip() == answer_of(ARM_VERSIONS.get(arm, "?"), ticket)
    arms = {arm for arm, _, _ in seen}
    assert arms == {expected_arm(unit)}, f"{unit} got arms {arms} over 20 requests"
    assert {version for _, version, _ in seen} == {ARM_VERSIONS[expected_arm(unit)]}, seen
    assignments = [assignment for _, _, assignment in seen]
    assert len(set(assignments)) == 20 and all(ASSIGNMENT_ID.match(a or "") for a in assignments), assignments


def test_200_users_split_about_evenly_as_growthbook_hashes_them(ctx):
    client = ctx.client()
    users = [f"split-{index}" for index in range(200)]
    before = units(ctx.status())

    def call(unit):
        raw = client.chat.completions.with_raw_response.create(**request(unit))
        return unit, raw.headers.get("x-promptlab-arm"), raw.parse().choices[0].message.content.strip()

    with concurrent.futures.ThreadPoolExecutor(8) as pool:
        results = list(pool.map(call, users))
    counts = {arm: sum(1 for _, got, _ in results if got == arm) for arm in ARM_VERSIONS}
    assert sum(counts.values()) == 200, f"arms other than control and v2: {results}"
    assert all(60 <= count <= 140 for count in counts.values()), f"200 users split {counts}"
    wrong = [(unit, arm) for unit, arm, _ in results if arm != expected_arm(unit)]
    assert not wrong, f"{len(wrong)} users got another arm than GrowthBook's hash gives, such as {wrong[:5]}"
    wrong_version = [(unit, arm, text) for unit, arm, text in results if text != answer_of(ARM_VERSIONS[arm])]
    assert not wrong_version, f"answers from another version than the arm's: {wrong_version[:3]}"

    # Each new user is one exposure, in the arm it was served.
    def exposed():
        after = units(ctx.status())
        delta = {arm: after.get(arm, 0) - before.get(arm, 0) for arm in ARM_VERSIONS}
        return delta if delta == counts else None

    try:
        wait_for(exposed, 10, f"the readout to count the 200 new units as {counts}", interval=0.5)
    except AssertionError:
        after = units(ctx.status())
        raise AssertionError(f"the readout's units went from {before} to {after}; expected {counts} more") from None
    ctx.note(f"200 users: control {counts['control']}, v2 {counts['v2']}, each as GrowthBook's hash says")


def test_the_unit_may_come_from_a_header_the_extension_or_attributes(ctx):
    client = ctx.client()
    # X-PromptLab-Unit when the request has no `user`.
    unit = unit_in("v2", "header")
    raw = client.chat.completions.with_raw_response.create(**request(extra_headers={"X-PromptLab-Unit": unit}))
    assert raw.headers.get("x-promptlab-arm") == "v2", raw.headers
    assert ASSIGNMENT_ID.match(raw.headers.get("x-promptlab-assignment") or ""), raw.headers
    assert raw.parse().choices[0].message.content.strip() == answer_of("v2")
    wait_for(lambda: ctx.gateway_assignments(unit), 10, f"an assignment recorded for unit {unit}")
    # The same unit gets the same arm from resolve: one assignment rule for every endpoint.
    assert ctx.resolve(unit)["arm"] == "v2"

    # `promptlab.unit` and `promptlab.attributes.user` (the rollout's unit field) in the body.
    for place, prefix in (("unit", "extension"), ("attributes", "attribute")):
        unit = unit_in("control", prefix)
        promptlab = {"variables": {"ticket": TICKET}}
        promptlab[place] = unit if place == "unit" else {"user": unit}
        raw = client.chat.completions.with_raw_response.create(
            model=MODEL, messages=SYSTEM_ONLY, extra_body={"promptlab": promptlab})
        assert raw.headers.get("x-promptlab-arm") == "control", f"promptlab.{place}: {raw.headers}"
        wait_for(lambda: ctx.gateway_assignments(unit), 10, f"an assignment recorded for unit {unit}")

    # `user` beats the header.
    user, header = unit_in("control", "precedence-user"), unit_in("v2", "precedence-header")
    raw = client.chat.completions.with_raw_response.create(**request(user, extra_headers={"X-PromptLab-Unit": header}))
    assert raw.headers.get("x-promptlab-arm") == "control", f"user {user} (control) and header {header} (v2): {raw.headers}"
    wait_for(lambda: ctx.gateway_assignments(user), 10, f"the assignment recorded for the user {user}")
    assert not ctx.gateway_assignments(header), f"the header's unit {header} was recorded although `user` was given"


def test_a_label_in_the_model_name_bypasses_the_rollout(ctx):
    unit = unit_in("v2", "bypass")
    client = ctx.client()
    for arguments in (request(unit, model=MODEL + "@production"), request(model=MODEL + "@production")):
        raw = client.chat.completions.with_raw_response.create(**arguments)
        for header in ("x-promptlab-assignment", "x-promptlab-arm", "x-promptlab-rollout"):
            assert header not in raw.headers, f"{header} on a request for a label: {raw.headers}"
        assert raw.headers.get("x-promptlab-version") == "v1", raw.headers
        completion = raw.parse()
        assert completion.choices[0].message.content.strip() == answer_of("v1"), completion
        assert completion.model == MODEL + "@production", completion.model
    assert not ctx.gateway_assignments(unit), f"a request for a label was recorded in the rollout for {unit}"


# MARK: - Refusals


def test_unknown_model_names_are_refused_as_openai_does(ctx):
    client = ctx.client()
    for model in ("promptlab/support/unknown", MODEL + "@canary"):
        error = refused(openai.NotFoundError, 404, lambda: client.chat.completions.create(**request("u-1", model=model)))
        assert error.type == "not_found_error", error.body
    for model in ("gpt-4o-mini", "promptlab/", MODEL + "@"):
        error = refused(openai.BadRequestError, 400, lambda: client.chat.completions.create(**request("u-1", model=model)))
        assert error.type == "invalid_request_error", error.body


def test_a_request_without_a_key_or_with_an_unknown_key_is_refused(ctx):
    # `omit` removes the SDK's Authorization header: the request carries no key at all.
    without = refused(openai.AuthenticationError, 401, lambda: ctx.client().chat.completions.create(
        **request("u-1", extra_headers={"Authorization": openai.Omit()})))
    assert "authorization" not in without.response.request.headers, "the request still carried a key"
    assert without.response.headers.get("www-authenticate") == "Bearer", without.response.headers
    assert without.type == "authentication_error", without.body
    refused(openai.AuthenticationError, 401, lambda: ctx.client(key="unknown-key-" + uuid.uuid4().hex).chat.completions.create(
        **request("u-1")))


def test_a_key_without_the_resolve_scope_is_refused(ctx):
    error = refused(openai.PermissionDeniedError, 403,
                    lambda: ctx.client(key=ctx.keys["feedback"]).chat.completions.create(**request("u-1")))
    assert "resolve" in error.message and error.type == "permission_error", error.body


def test_a_request_without_a_unit_is_refused_while_the_rollout_runs(ctx):
    error = refused(openai.BadRequestError, 400, lambda: ctx.client().chat.completions.create(**request()))
    assert "names no unit" in error.message, error.message


def test_a_missing_prompt_variable_is_refused(ctx):
    error = refused(openai.UnprocessableEntityError, 422,
                    lambda: ctx.client().chat.completions.create(**request("u-1", variables={})))
    assert "ticket" in error.message, error.message


# MARK: - Upstream faults


def test_upstream_errors_become_502_after_retries_and_count_in_error_rate(ctx):
    provider, provider_url = ctx.provider("--error-rate", "1", "--seed", "1")
    _, url = ctx.serve(provider_url)
    client = ctx.client(base=url)
    before = errors(ctx.status())
    users = [f"fault-{index}" for index in range(8)]

    def call(unit):
        try:
            client.chat.completions.create(**request(unit))
        except openai.APIStatusError as error:
            return unit, error
        raise AssertionError(f"{unit}: the gateway answered although every upstream request fails")

    with concurrent.futures.ThreadPoolExecutor(8) as pool:
        results = list(pool.map(call, users))
    for unit, error in results:
        assert error.status_code == 502, f"{unit}: {type(error).__name__} {error.status_code}: {error.message}"
        assert error.type == "upstream_error" and error.code == "http_500", error.body
        headers = error.response.headers
        assert headers.get("x-promptlab-arm") == expected_arm(unit), headers
        assert ASSIGNMENT_ID.match(headers.get("x-promptlab-assignment") or ""), headers
    failed = {arm: sum(1 for unit in users if expected_arm(unit) == arm) for arm in ARM_VERSIONS}
    expected = {arm: (before[arm][0] + failed[arm], before[arm][1] + failed[arm]) for arm in ARM_VERSIONS}
    try:
        wait_for(lambda: errors(ctx.status()) == expected, 10, "the readout's error_rate to count the failures",
                 interval=0.5)
    except AssertionError:
        raise AssertionError(f"error_rate (failed, requests) per arm went from {before} to {errors(ctx.status())}; "
                             f"expected {expected}") from None
    for unit in users:
        rows = ctx.gateway_assignments(unit)
        assert [row[3:] for row in rows] == [("error", "http_500")], f"{unit} recorded as {rows}"

    # Each request was tried as often as the provider layer's retry policy allows (4 attempts by default).
    ctx.stop(provider)
    served = provider.log_path.read_text()
    assert f"served {4 * len(users)} requests" in served, f"the provider server says: {served.strip()}"
    ctx.note(f"8 requests, every upstream answer a 500: 8 × 502, 32 upstream attempts; error_rate {before} → {expected}")


def test_transient_upstream_errors_are_retried_and_only_failures_count(ctx):
    provider, provider_url = ctx.provider("--error-rate", "0.2", "--seed", "1")
    _, url = ctx.serve(provider_url)
    client = ctx.client(base=url)
    before = errors(ctx.status())
    outcomes = {}
    for index in range(30):
        unit = f"flaky-{index}"
        try:
            completion = client.chat.completions.create(**request(unit))
            assert completion.choices[0].message.content.strip() == answer_of(ARM_VERSIONS[expected_arm(unit)])
            outcomes[unit] = 200
        except openai.APIStatusError as error:
            assert error.status_code == 502, f"{unit}: {type(error).__name__} {error.status_code}: {error.message}"
            outcomes[unit] = 502
    answered = sum(1 for status in outcomes.values() if status == 200)
    # One upstream request in five fails; four attempts make a failed answer about 1 in 600.
    assert answered >= 28, f"only {answered} of 30 requests were answered: {outcomes}"
    expected = {arm: (before[arm][0] + sum(1 for unit, status in outcomes.items() if status == 502 and expected_arm(unit) == arm),
                      before[arm][1] + sum(1 for unit in outcomes if expected_arm(unit) == arm)) for arm in ARM_VERSIONS}
    try:
        wait_for(lambda: errors(ctx.status()) == expected, 10, "the readout's error_rate to count the requests",
                 interval=0.5)
    except AssertionError:
        raise AssertionError(f"error_rate (failed, requests) per arm went from {before} to {errors(ctx.status())}; "
                             f"expected {expected}") from None
    ctx.stop(provider)
    log = provider.log_path.read_text()
    served = int(log.split("served ")[1].split()[0]) if "served " in log else 0
    assert served > 30, f"the provider server saw {served} requests for 30 answers: no upstream error was retried"
    ctx.note(f"30 requests, 20% upstream 500s: {answered} answered, {30 - answered} × 502, {served} upstream attempts")


# MARK: - Streaming


def test_stream_chunks_join_to_the_non_streamed_answer(ctx):
    unit = "stream-1"
    client = ctx.client()
    plain = client.chat.completions.create(**request(unit))
    raw = client.chat.completions.with_raw_response.create(**request(unit, stream=True))
    assert raw.headers.get("content-type", "").startswith("text/event-stream"), raw.headers
    assert raw.headers.get("x-promptlab-arm") == expected_arm(unit), raw.headers
    assert raw.headers.get("x-promptlab-version") == ARM_VERSIONS[expected_arm(unit)], raw.headers
    chunks = list(raw.parse())  # ends only when the SDK has read `data: [DONE]` or the stream closed
    assert len(chunks) >= 2, f"{len(chunks)} chunks: {chunks}"
    assert {chunk.object for chunk in chunks} == {"chat.completion.chunk"}, chunks
    assert len({chunk.id for chunk in chunks}) == 1 and {chunk.model for chunk in chunks} == {MODEL}, chunks
    with_choices = [chunk for chunk in chunks if chunk.choices]
    text = "".join(chunk.choices[0].delta.content or "" for chunk in with_choices)
    assert text == plain.choices[0].message.content, f"streamed {text!r}, answered {plain.choices[0].message.content!r}"
    assert with_choices[-1].choices[0].finish_reason == "stop", with_choices[-1]
    assert all(chunk.choices[0].finish_reason is None for chunk in with_choices[:-1]), with_choices
    assert all(chunk.usage is None for chunk in chunks), "usage was sent without stream_options.include_usage"
    # The streamed answer is an assignment too, recorded when the stream ends.
    wait_for(lambda: [row[3] for row in ctx.gateway_assignments(unit)] == ["ok", "ok"], 10,
             f"two successful gateway assignments for {unit}")


def test_stream_with_include_usage_ends_with_a_usage_chunk(ctx):
    unit = "stream-2"
    client = ctx.client()
    plain = client.chat.completions.create(**request(unit))
    chunks = list(client.chat.completions.create(
        **request(unit, stream=True, stream_options={"include_usage": True})))
    last = chunks[-1]
    assert last.choices == [] and last.usage is not None, f"the last chunk is {last}"
    assert (last.usage.prompt_tokens, last.usage.completion_tokens) == (
        plain.usage.prompt_tokens, plain.usage.completion_tokens), f"stream usage {last.usage}, answer usage {plain.usage}"
    assert last.usage.total_tokens == last.usage.prompt_tokens + last.usage.completion_tokens, last.usage
    assert all(chunk.usage is None for chunk in chunks[:-1]), "usage before the last chunk"


def test_stream_ends_with_done_on_the_wire(ctx):
    body = request("stream-3", stream=True)
    body = {"model": body["model"], "messages": body["messages"], "user": "stream-3", "stream": True,
            **body["extra_body"]}
    status, headers, text = ctx.curl("POST", "/v1/chat/completions", body)
    assert status == 200 and isinstance(text, str), f"{status}: {text}"
    assert headers.get("content-type", "").startswith("text/event-stream"), headers
    events = [event for event in text.split("\n\n") if event.strip()]
    assert events and events[-1] == "data: [DONE]", f"the stream ends with {events[-1:]!r}"
    assert text.endswith("data: [DONE]\n\n"), repr(text[-40:])
    assert all(event.startswith("data: {") for event in events[:-1]), events


def test_stream_upstream_failure_is_an_http_error(ctx):
    _, provider_url = ctx.provider("--error-rate", "1", "--seed", "1")
    _, url = ctx.serve(provider_url)
    unit = "stream-fault"
    error = refused(openai.APIStatusError, 502,
                    lambda: list(ctx.client(base=url).chat.completions.create(**request(unit, stream=True))))
    assert error.code == "http_500", error.body
    wait_for(lambda: [row[3:] for row in ctx.gateway_assignments(unit)] == [("error", "http_500")], 10,
             f"the failed stream of {unit} recorded as an error")
