#!/usr/bin/env bash
# The end-to-end PromptLab walkthrough: installs missing system packages,
# builds, then runs the everyday commands on a throwaway prompt repository
# made from prompt-repo/, printing each command and its real output.
set -euo pipefail
root=$(cd "$(dirname "$0")/.." && pwd)
"$root/scripts/install-deps.sh"
swift build --package-path "$root" --product promptlab >&2
bin="$(swift build --package-path "$root" --show-bin-path)"
export PATH="$bin:$PATH"

work=$(mktemp -d /tmp/promptlab-demo.XXXXXX)
trap 'rm -rf "$work"' EXIT
cd "$work"

if [ -t 1 ] && [ -z "${NO_COLOR:-}" ]; then bold=$'\033[1m' cyan=$'\033[36m' reset=$'\033[0m'; else bold="" cyan="" reset=""; fi
say() { printf '\n%s## %s%s\n' "$bold" "$*" "$reset"; }
# Prints a command (shell-quoted) and then runs it.
run() {
  local shown=""
  for argument in "$@"; do
    if [[ "$argument" =~ ^[A-Za-z0-9_./@:=,+-]+$ ]]; then shown+="$argument "; else shown+="$(printf '%q' "$argument") "; fi
  done
  printf '%s$ %s%s\n' "$cyan" "${shown% }" "$reset"
  "$@"
}

say "Create a prompt repository (git through libgit2) and add the example prompts"
run promptlab init prompts
# A fresh machine may have no git identity; give this throwaway repository one.
git -C prompts config user.name "Dana Demo"
git -C prompts config user.email dana@example.com
cp -R "$root/prompt-repo/." prompts/
cd prompts
run promptlab status
run promptlab commit -m "Add example prompts"
run promptlab list

say "Render a prompt: messages plus generation settings"
run promptlab render support/triage --var ticket="I was charged twice for my March invoice."

say "Edit the ticket router and commit version 2"
sed -i 's/  temperature: 0$/  temperature: 0.7/' support/triage.prompt
sed -i 's/^Answer with the label only: billing, technical, shipping or general.$/Think about the customer'"'"'s intent, then answer with one label: billing, technical, shipping or general./' support/triage.prompt
run promptlab diff support/triage
run promptlab commit support/triage -m "Warmer, intent-first routing instructions"

say "Compare versions field by field and word by word"
run promptlab diff support/triage@v1 support/triage@v2 --word

say "Label the known-good version for production"
run promptlab label support/triage@v1 production
run promptlab label support/triage@v2 staging
run promptlab log support/triage

say "v2 misbehaves in production: roll back (a new commit, history kept) and move the label"
run promptlab rollback support/triage --to v1 --label production
run promptlab log support/triage
run promptlab show support/triage@production

say "Run the A/B experiment offline: zero-shot v1 against the few-shot prompt, on 128 labelled tickets"
cp -R "$root/experiments" .
run promptlab run experiments/ticket-routing.yaml --dry-run
run promptlab run experiments/ticket-routing.yaml
run promptlab runs
run_id=$(promptlab runs --format json | python3 -c 'import json, sys; print(json.load(sys.stdin)[0]["run"])')
say "Every response is in SQLite; export it for pandas or a spreadsheet"
promptlab export "$run_id" --format csv > results.csv
printf '$ promptlab export %s --format csv > results.csv   (%s rows)\n' "$run_id" "$(($(wc -l < results.csv) - 1))"
head -3 results.csv | cut -c1-160
say "A second identical run is answered from the response cache: zero provider requests"
run promptlab run experiments/ticket-routing.yaml

say "Stock git sees the same history and labels"
run git log --oneline -4
run git for-each-ref refs/promptlab
run git fsck --strict --no-progress
echo "fsck: ok"
