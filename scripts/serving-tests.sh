#!/usr/bin/env bash
# The serving API end to end, as applications use it:
#   1. makes a throwaway prompt repository: support/triage (model openai/gpt-4o-mini) with two
#      versions, production on v1, and rollout triage-v2 (50/50, thumbs_up and rating) started;
#   2. starts the loopback provider server (promptlab-test-server) as the OpenAI endpoint, and
#      `promptlab serve` with three API keys (resolve+feedback, admin, feedback only);
#   3. runs Tests/serving: the gateway through the official OpenAI Python SDK (answers, sticky arms,
#      the split, errors as the SDK raises them, upstream faults, streaming), resolve, feedback and
#      prompts by label with curl, and feedback durability across `kill -9` of the server.
# Arguments go to the test runner: `scripts/serving-tests.sh -k stream` runs the streaming tests only.
# Uses the binaries in $PROMPTLAB_BIN_DIR (default .build/debug: run `swift build` first).
# Needs python3 with the openai package (`pip install openai`) and curl.
# Exits 1 when any test fails; everything it started is stopped and its folder removed.
set -euo pipefail
root=$(cd "$(dirname "$0")/.." && pwd)
bin_dir=${PROMPTLAB_BIN_DIR:-$root/.build/debug}
started=$SECONDS

for program in promptlab promptlab-test-server; do
  if [ ! -x "$bin_dir/$program" ]; then
    echo "error: $bin_dir/$program is missing" >&2
    echo "hint: run 'swift build' first, or set PROMPTLAB_BIN_DIR to a folder holding promptlab and promptlab-test-server" >&2
    exit 2
  fi
done
bin_dir=$(cd "$bin_dir" && pwd)
python=${PYTHON:-python3}
# scripts/install-deps.sh --web-tests puts openai in a virtual environment where pip may not install.
if [ -z "${PYTHON:-}" ] && ! "$python" -c 'import openai' 2>/dev/null && [ -x "$root/.build/web-test-tools/bin/python" ]; then
  python="$root/.build/web-test-tools/bin/python"
fi
if ! "$python" -c 'import openai' 2>/dev/null; then
  echo "error: $python cannot import the openai package" >&2
  echo "hint: pip install openai (or set PYTHON to a Python that has it)" >&2
  exit 2
fi
for tool in curl git timeout; do
  if ! command -v "$tool" >/dev/null; then
    echo "error: $tool is missing" >&2
    exit 2
  fi
done

work=$(mktemp -d /tmp/promptlab-serving-tests.XXXXXX)
pids=()
# SIGTERM, then SIGKILL for whatever has not stopped within ten seconds.
# The runner lists the servers it starts in children.pids, so they stop even if it was killed itself.
# shellcheck disable=SC2317  # run by the EXIT trap
cleanup() {
  local pid tries=0 children=()
  for pid in "${pids[@]}"; do kill -TERM "$pid" 2>/dev/null || true; done
  for pid in "${pids[@]}"; do
    while kill -0 "$pid" 2>/dev/null && [ $((tries += 1)) -le 100 ]; do sleep 0.1; done
    kill -KILL "$pid" 2>/dev/null || true
    wait "$pid" 2>/dev/null || true
  done
  [ -f "$work/children.pids" ] && mapfile -t children <"$work/children.pids"
  for pid in "${children[@]}"; do kill -TERM "$pid" 2>/dev/null || true; done
  for pid in "${children[@]}"; do
    while kill -0 "$pid" 2>/dev/null && [ $((tries += 1)) -le 200 ]; do sleep 0.1; done
    kill -KILL "$pid" 2>/dev/null || true
  done
  rm -rf "$work"
}
trap cleanup EXIT
trap 'exit 130' INT
trap 'exit 143' TERM

# Runs a setup command with its output in a log, printing the log when it fails. The machine's own
# git configuration stays out of the throwaway repository (HOME and the system configuration).
step() {
  local log="$work/setup.log"
  if ! HOME="$work/home" XDG_CONFIG_HOME="$work/home/.config" GIT_CONFIG_NOSYSTEM=1 "$@" >>"$log" 2>&1; then
    cat "$log" >&2
    echo "error: setting up the prompt repository failed at: $*" >&2
    exit 1
  fi
}

# Waits for a line matching a sed expression in a program's output; prints the match.
await_line() {
  local pid=$1 file=$2 expression=$3 what=$4 tries=0 match=""
  until match=$(sed -n "$expression" "$file" 2>/dev/null | head -n 1) && [ -n "$match" ]; do
    if ! kill -0 "$pid" 2>/dev/null || [ $((tries += 1)) -gt 300 ]; then
      echo "error: $what did not start:" >&2
      cat "$file" "${file%.out}.err" >&2 2>/dev/null || true
      return 1
    fi
    sleep 0.1
  done
  printf '%s\n' "$match"
}

echo "== A prompt repository with rollout triage-v2 in $work/prompts"
repo="$work/prompts"
mkdir -p "$work/home"
step git init -q -b main "$repo"
step git -C "$repo" config user.name "Sam Serving"
step git -C "$repo" config user.email sam@example.com
step "$bin_dir/promptlab" init "$repo"
step git -C "$repo" add promptlab.yaml .gitignore
step git -C "$repo" commit -q -m "Adopt the repository as a prompt root"
mkdir -p "$repo/support" "$repo/rollouts"
# The two versions differ in the user message, which the loopback provider echoes: an answer shows its version.
write_prompt() {
  cat >"$repo/support/triage.prompt" <<PROMPT
---
description: Route a support ticket to a queue.
model: openai/gpt-4o-mini
input:
  schema:
    ticket: string, the customer's message
---
{{role "system"}}
$1
{{role "user"}}
$2 ticket: {{ticket}}
PROMPT
}
write_prompt "Route the ticket to billing, technical, shipping or general." v1
step "$bin_dir/promptlab" commit -C "$repo" -m "Route tickets"
write_prompt "Route the support ticket to billing, technical, shipping or general; answer with the queue only." v2
step "$bin_dir/promptlab" commit -C "$repo" -m "Ask for the queue only"
step "$bin_dir/promptlab" label -C "$repo" support/triage@v1 production
cat >"$repo/rollouts/triage-v2.yaml" <<'YAML'
prompt: support/triage
unit: user
arms:
  - name: control
    ref: production
    weight: 50
  - name: v2
    ref: v2
    weight: 50
metrics:
  - name: thumbs_up
    type: binary
  - name: rating
    type: numeric
    min: 1
    max: 5
primary: thumbs_up
guardrails:
  - metric: latency_ms
    statistic: p95
    tolerance: 50%
  - metric: error_rate
    tolerance: 0.05
YAML
step "$bin_dir/promptlab" rollout start -C "$repo" triage-v2 --reason "v2 asks for the queue only"

echo "== The loopback provider server and promptlab serve"
"$bin_dir/promptlab-test-server" >"$work/provider.out" 2>"$work/provider.err" &
provider_pid=$!
pids+=("$provider_pid")
provider_url=$(await_line "$provider_pid" "$work/provider.out" 's|^\(http://[^ ]*\)$|\1|p' promptlab-test-server)

key() { od -An -tx1 -N16 /dev/urandom | tr -d ' \n'; }
resolve_key=$(key) admin_key=$(key) feedback_key=$(key)
env -u PROMPTLAB_TOKEN -u PROMPTLAB_DB \
  OPENAI_BASE_URL="$provider_url" OPENAI_API_KEY=sk-loopback-test \
  PROMPTLAB_API_KEYS="$resolve_key=resolve,feedback;$admin_key=admin;$feedback_key=feedback" \
  "$bin_dir/promptlab" serve --port 0 --guardrail-interval 0 -C "$repo" >"$work/serve.out" 2>"$work/serve.err" &
serve_pid=$!
pids+=("$serve_pid")
url=$(await_line "$serve_pid" "$work/serve.out" 's|^PromptLab is serving \(http://[^ ]*\)/$|\1|p' "promptlab serve")
echo "   provider $provider_url, server $url"

echo "== Tests/serving against $url"
status=0
# A bound on the whole run, so a hung request cannot hold the script forever; no __pycache__ in Tests/serving.
PYTHONDONTWRITEBYTECODE=1 timeout --kill-after=15 900 "$python" "$root/Tests/serving/run_serving_tests.py" --url "$url" --repo "$repo" \
  --bin-dir "$bin_dir" --work "$work" --provider-url "$provider_url" \
  --resolve-key "$resolve_key" --admin-key "$admin_key" --feedback-key "$feedback_key" "$@" &
pids+=($!)
wait $! || status=$?
if [ "$status" -eq 124 ]; then echo "error: the serving tests took longer than 15 minutes and were stopped" >&2; fi
[ "$status" -ne 0 ] && status=1
# A server that stopped under the tests is a finding of its own: say how it ended and what it logged.
for pair in "promptlab serve:$serve_pid:serve" "promptlab-test-server:$provider_pid:provider"; do
  IFS=: read -r name pid log <<<"$pair"
  if ! kill -0 "$pid" 2>/dev/null; then
    server_status=0
    wait "$pid" || server_status=$?
    echo "error: $name stopped during the tests (exit status $server_status); its output:" >&2
    cat "$work/$log.out" "$work/$log.err" >&2
    status=1
  fi
done

echo "serving-tests.sh took $((SECONDS - started))s"
exit $status
