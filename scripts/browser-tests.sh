#!/usr/bin/env bash
# The web app's tests in a real browser, then its JSON API against its OpenAPI document:
#   1. runs the offline demo into a temporary folder (scripts/demo.sh with PROMPTLAB_DEMO_DIR),
#   2. serves it (`promptlab serve --port 0`) and runs Tests/browser with headless Chromium and
#      Selenium: every page without console errors, the case grid, blind review, a live run, label
#      moves and rollbacks checked with git, escaping of hostile outputs, the token login;
#   3. runs schemathesis against /api/v1/openapi.json of a second server on a copy of the demo.
# Screenshots of every page go to $PROMPTLAB_SCREENSHOTS (default .build/browser-screenshots).
# Uses the binaries in $PROMPTLAB_BIN_DIR, else those of `swift build` (run it first).
# Needs chromium, chromium-driver, python3-selenium and schemathesis: scripts/install-deps.sh --web-tests.
# Exits 1 when any test fails; everything it started is stopped and its folder removed.
set -euo pipefail
root=$(cd "$(dirname "$0")/.." && pwd)
bin_dir=$(cd "${PROMPTLAB_BIN_DIR:-$(swift build --package-path "$root" --show-bin-path)}" && pwd)
screenshots=${PROMPTLAB_SCREENSHOTS:-$root/.build/browser-screenshots}
started=$SECONDS

for program in promptlab promptlab-test-server; do
  if [ ! -x "$bin_dir/$program" ]; then
    echo "error: $bin_dir/$program is missing" >&2
    echo "hint: run 'swift build' first, or set PROMPTLAB_BIN_DIR to a folder holding promptlab and promptlab-test-server" >&2
    exit 2
  fi
done
# Debian's python3-selenium is installed for the system Python, which may not be the first python3.
python=""
for candidate in python3 /usr/bin/python3; do
  if command -v "$candidate" >/dev/null && "$candidate" -c 'import selenium' 2>/dev/null; then python=$candidate; break; fi
done
schemathesis=$(command -v schemathesis || true)
[ -z "$schemathesis" ] && [ -x "$root/.build/web-test-tools/bin/schemathesis" ] && schemathesis="$root/.build/web-test-tools/bin/schemathesis"
if [ -z "$python" ] || [ -z "$schemathesis" ] || [ ! -x /usr/bin/chromedriver ]; then
  echo "error: the web test tools are missing (selenium: ${python:-no}, schemathesis: ${schemathesis:-no}, chromedriver: $([ -x /usr/bin/chromedriver ] && echo yes || echo no))" >&2
  echo "hint: scripts/install-deps.sh --web-tests" >&2
  exit 2
fi

work=$(mktemp -d /tmp/promptlab-browser-tests.XXXXXX)
pids=()
cleanup() {
  local pid
  for pid in "${pids[@]}"; do kill -TERM "$pid" 2>/dev/null || true; done
  for pid in "${pids[@]}"; do wait "$pid" 2>/dev/null || true; done
  rm -rf "$work"
}
trap cleanup EXIT
trap 'exit 130' INT
trap 'exit 143' TERM

# Starts `promptlab serve --port 0` on a repository in the background and sets served_url to its
# address (not printed: a command substitution would run it in a subshell that forgets the pid).
served_url="" served_pid=""
serve() {
  local repo=$1 name=$2
  "$bin_dir/promptlab" serve --port 0 -C "$repo" >"$work/$name.out" 2>"$work/$name.err" &
  local pid=$! tries=0
  pids+=("$pid")
  served_pid=$pid
  served_url=""
  until served_url=$(sed -n 's|^PromptLab is serving \(http://[^ ]*\)/$|\1|p' "$work/$name.out") && [ -n "$served_url" ]; do
    if ! kill -0 "$pid" 2>/dev/null || [ $((tries += 1)) -gt 300 ]; then
      echo "error: promptlab serve -C $repo did not start:" >&2
      cat "$work/$name.out" "$work/$name.err" >&2
      return 1
    fi
    sleep 0.1
  done
}

echo "== Demo data (scripts/demo.sh) in $work/demo"
if ! PROMPTLAB_BIN_DIR="$bin_dir" PROMPTLAB_DEMO_DIR="$work/demo" NO_COLOR=1 "$root/scripts/demo.sh" >"$work/demo.log" 2>&1; then
  cat "$work/demo.log" >&2
  echo "error: the demo failed" >&2
  exit 1
fi
repo="$work/demo/prompts"
# schemathesis posts labels and rollbacks: it gets its own copy, taken before the browser tests change the demo.
cp -a "$repo" "$work/api-copy"

status=0
serve "$repo" web
url=$served_url
web_pid=$served_pid
echo "== Browser tests against $url (screenshots in $screenshots)"
mkdir -p "$screenshots"
# Only the screenshots of an earlier run go, whatever else the folder holds.
find "$screenshots" -maxdepth 1 -name '*.png' -delete
"$python" "$root/Tests/browser/run_browser_tests.py" --url "$url" --repo "$repo" --bin-dir "$bin_dir" \
  --screenshots "$screenshots" --work "$work" &
pids+=($!)
wait $! || status=1
# A server that stopped under the tests is a finding of its own: say how it ended and what it logged.
if ! kill -0 "$web_pid" 2>/dev/null; then
  server_status=0
  wait "$web_pid" || server_status=$?
  echo "error: promptlab serve stopped during the browser tests (exit status $server_status); its output:" >&2
  cat "$work/web.out" "$work/web.err" >&2
  status=1
fi

serve "$work/api-copy" api
api_url=$served_url
echo "== schemathesis against $api_url/api/v1/openapi.json"
# Once with generated values everywhere (request validation, error answers), once with the demo's
# real run, case, prompt and experiment in the paths, so the requests reach the reports and cases.
run_id=$("$python" -c 'import json, sys, urllib.request
print(json.load(urllib.request.urlopen(sys.argv[1] + "/api/v1/runs?experiment=triage-versions"))["runs"][0]["run"])' "$api_url")
known="$work/schemathesis-known.toml"
cat "$root/Tests/browser/schemathesis.toml" >"$known"
cat >>"$known" <<TOML

# The second pass: real identifiers of the demo in every path.
[parameters]
"path.id" = "$run_id"
"path.case_id" = "t001"
"path.name" = "support/triage"

[[operations]]
include-path-regex = "^/api/v1/experiments/"
parameters = { "path.name" = "triage-versions" }
TOML
for config in "$root/Tests/browser/schemathesis.toml" "$known"; do
  # --checks all: server errors, status codes, content types, headers and response bodies against the
  # document, and that schema-valid requests are accepted and invalid ones refused.
  # filter_too_much: a health check of schemathesis's own data generation (it gives up on random
  # path segments it had to discard), not of the API; it made runs fail at random.
  (cd "$work" && "$schemathesis" --config-file "$config" run "$api_url/api/v1/openapi.json" \
    --checks all --max-examples 30 --seed 20261202 --workers 1 --suppress-health-check filter_too_much \
    --request-timeout 30) || status=1
done

echo "Screenshots: $screenshots"
echo "browser-tests.sh took $((SECONDS - started))s"
exit $status
