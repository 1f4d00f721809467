#!/usr/bin/env bash
# The PromptLab main job, end to end and offline: installs missing system
# packages, builds, then on a throwaway repository made from prompt-repo/
#   1. commits a zero-shot and a few-shot version of the ticket router,
#   2. runs the A/B experiment with the built-in local model,
#   3. reports which version wins, with statistics, and shows failing cases,
#   4. labels the winner production,
#   5. catches a bad edit with the regression gate and rolls it back,
#   6. A/B tests the bad edit on (simulated) live traffic through the OpenAI-compatible gateway of
#      `promptlab serve`, with feedback and the always-valid readout, and stops it.
# Every command is printed with its real output.
set -euo pipefail
root=$(cd "$(dirname "$0")/.." && pwd)
"$root/scripts/install-deps.sh"
# PROMPTLAB_BIN_DIR names a folder with a built promptlab (and its resource bundles) to use instead
# of building one, as the browser tests do with the build CI just made.
if [ -n "${PROMPTLAB_BIN_DIR:-}" ]; then
  bin="$(cd "$PROMPTLAB_BIN_DIR" && pwd)"
else
  swift build --package-path "$root" --product promptlab >&2
  bin="$(swift build --package-path "$root" --show-bin-path)"
fi
export PATH="$bin:$PATH"

# PROMPTLAB_DEMO_DIR keeps the repository and results (to open them with `promptlab serve`);
# otherwise they go in a temporary folder removed at the end.
if [ -n "${PROMPTLAB_DEMO_DIR:-}" ]; then
  work="$PROMPTLAB_DEMO_DIR"
  if [ -e "$work" ] && [ -n "$(ls -A "$work")" ]; then
    echo "error: $work is not empty" >&2
    echo "hint: choose a new folder for PROMPTLAB_DEMO_DIR" >&2
    exit 2
  fi
  mkdir -p "$work"
else
  work=$(mktemp -d /tmp/promptlab-demo.XXXXXX)
  trap 'rm -rf "$work"' EXIT
fi
cd "$work"

if [ -t 1 ] && [ -z "${NO_COLOR:-}" ]; then bold=$'\033[1m' cyan=$'\033[36m' reset=$'\033[0m'; else bold="" cyan="" reset=""; fi
say() { printf '\n%s## %s%s\n' "$bold" "$*" "$reset"; }
# Prints a command (shell-quoted) and then runs it.
run() {
  show_command "$@"
  "$@"
}
# Like run, but shows only the first N lines of the output.
run_head() {
  local lines=$1
  shift
  show_command "$@"
  local output
  output=$("$@")
  head -n "$lines" <<<"$output"
  local total
  total=$(printf '%s\n' "$output" | wc -l)
  [ "$total" -gt "$lines" ] && echo "… ($((total - lines)) more lines)"
  return 0
}
show_command() {
  local shown=""
  for argument in "$@"; do
    if [[ "$argument" =~ ^[A-Za-z0-9_./@:=,+-]+$ ]]; then shown+="$argument "; else shown+="$(printf '%q' "$argument") "; fi
  done
  printf '%s$ %s%s\n' "$cyan" "${shown% }" "$reset"
}

say "1. A prompt repository (git, through libgit2) with the example prompts; support/triage v1 is zero-shot"
run promptlab init prompts --author "Dana Demo <dana@example.com>"
# A fresh machine may have no git identity; give this throwaway repository one.
git -C prompts config user.name "Dana Demo"
git -C prompts config user.email dana@example.com
cp -R "$root/prompt-repo/." prompts/
cp -R "$root/experiments" prompts/
cd prompts
run promptlab commit -m "Add example prompts"
run promptlab render support/triage --var ticket="I was charged twice for my March invoice."

say "   Edit the router into a few-shot prompt (40 labelled examples) and commit it as v2"
cp support/triage-few-shot.prompt support/triage.prompt
run_head 16 promptlab diff support/triage
run promptlab commit support/triage -m "Few-shot: add 40 labelled example tickets"
run promptlab log support/triage

say "2. Run the A/B experiment: v1 against v2 on 128 labelled tickets, with the built-in offline model"
run promptlab run experiments/triage-versions.yaml

say "3. The report: which version wins, by how much, and how sure we are"
run promptlab report triage-versions

say "   Why a case failed: each version's answer and grade side by side, for the cases v1 gets right and v2 wrong"
run_head 24 promptlab cases triage-versions --newly-failing-vs zero-shot

say "4. Label the winner production"
run promptlab label support/triage@v2 production

say "5. A bad edit: someone trims the prompt to a one-liner and commits it as v3"
cat > support/triage.prompt <<'PROMPT'
---
description: Route a customer support ticket (trimmed).
model: local/baseline
config: {temperature: 0, maxOutputTokens: 5}
input:
  schema:
    ticket: string
---
Classify this ticket as one of: billing, technical, shipping, general.
Ticket: {{ticket}}
PROMPT
run_head 14 promptlab diff support/triage@production support/triage@working
run promptlab commit support/triage -m "Shorter triage prompt"

say "   The release check compares the candidate with production and gates on regressions (exit 10)"
status=0
run promptlab run experiments/triage-release-check.yaml --fail-on-regression || status=$?
echo "exit status: $status"

say "   Roll back to production: a new commit with v2's content; history is kept"
run promptlab rollback support/triage --to production --label production
run promptlab log support/triage
run promptlab label --list support/triage

say "6. A/B test on live traffic: the trimmed v3 against production, sticky per user, through the gateway"
mkdir -p rollouts
cat > rollouts/triage-trim.yaml <<'ROLLOUT'
prompt: support/triage
unit: user
arms:
  - {name: production, ref: production, weight: 50}
  - {name: trimmed, ref: v3, weight: 50}
metrics:
  - {name: routed_right, type: binary}
primary: routed_right
guardrails:
  - {metric: error_rate, tolerance: 0}
expected_units: 500
ROLLOUT
run promptlab rollout start rollouts/triage-trim.yaml --reason "does the short prompt hold up with real tickets?"
promptlab serve --port 0 --guardrail-interval 0 >"$work/serve.log" 2>&1 &
server=$!
url=""
for _ in $(seq 1 200); do
  url=$(sed -n 's/^PromptLab is serving \(.*\)$/\1/p' "$work/serve.log")
  [ -n "$url" ] && break
  sleep 0.05
done
[ -n "$url" ] || { cat "$work/serve.log" >&2; exit 1; }
echo "promptlab serve is up at $url; 800 simulated users each send one ticket through POST /v1/chat/completions"
echo "(model \"promptlab/support/triage\") and report whether the ticket was routed right (POST /v1/feedback)."
users_status=0
python3 - "$url" experiments/data/support-tickets.jsonl <<'USERS' || users_status=$?
import json, sys, urllib.request
url, path = sys.argv[1].rstrip("/"), sys.argv[2]
tickets = [json.loads(line) for line in open(path) if line.strip()]
def post(address, body):
    request = urllib.request.Request(url + address, json.dumps(body).encode(), {"Content-Type": "application/json"})
    with urllib.request.urlopen(request) as response:
        return response.headers, json.load(response)
served = {}
for user in range(800):
    ticket = tickets[user % len(tickets)]
    headers, answer = post("/v1/chat/completions", {
        "model": "promptlab/support/triage", "user": f"user-{user}", "messages": [],
        "promptlab": {"variables": {"ticket": ticket["ticket"]}}})
    arm = headers["X-PromptLab-Arm"]
    right = answer["choices"][0]["message"]["content"].strip().lower() == ticket["expected"].strip().lower()
    post("/v1/feedback", {"assignment_id": headers["X-PromptLab-Assignment"], "metric": "routed_right",
                          "value": right, "event_id": f"user-{user}-routed"})
    served.setdefault(arm, []).append(right)
for arm, results in sorted(served.items()):
    print(f"  {arm}: {len(results)} users, routed right {sum(results)}")
USERS
kill "$server"
wait "$server" 2>/dev/null || true
[ "$users_status" -eq 0 ] || { cat "$work/serve.log" >&2; exit 1; }
run promptlab rollout status triage-trim
run promptlab rollout stop triage-trim --reason "the trimmed prompt routes worse; keep production"

say "Everything is plain git, and every response is in SQLite"
run promptlab runs
run git log --oneline -5
run git for-each-ref refs/promptlab
run git fsck --strict --no-progress
echo "fsck: ok"

say "See it in the browser"
html="$work/triage-versions.html"
# The command is shown on the terminal, not written into the file (text before <!doctype> would
# put the page in quirks mode, end its <head> early and so disable its Content-Security-Policy).
show_command promptlab report triage-versions --format html
promptlab report triage-versions --format html >"$html"
echo "wrote $html: one file with the report, charts and case grid, to attach or e-mail"
if [ -n "${PROMPTLAB_DEMO_DIR:-}" ]; then
  echo "Open the web app on these results:  promptlab serve -C $work/prompts   (then http://127.0.0.1:4242/)"
else
  echo "To keep these results and open them in the web app, run the demo with a folder to keep:"
  echo "  PROMPTLAB_DEMO_DIR=\$HOME/promptlab-demo scripts/demo.sh && promptlab serve -C \$HOME/promptlab-demo/prompts"
fi
