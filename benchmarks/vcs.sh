#!/usr/bin/env bash
# Benchmarks PromptLab's version-control commands against the git CLI on a
# repository of 10,000 commits in which support/triage has 1,000 versions.
#
#   benchmarks/vcs.sh [COMMITS] [RUNS]
#
# Needs: git, python3, hyperfine (apt-get install -y hyperfine). Builds PromptLab
# in release mode. Prints each pair's mean times and the ratio PromptLab/git
# (below 1.0 means PromptLab is faster), and writes hyperfine's JSON to bench-out/.
set -euo pipefail
commits=${1:-10000}
runs=${2:-30}
root=$(cd "$(dirname "$0")/.." && pwd)
out="$root/bench-out"
mkdir -p "$out"
command -v hyperfine >/dev/null || { apt-get update -qq && apt-get install -y -qq hyperfine; }

# Statically linked Swift runtime: the build users are told to install (README).
scratch="$root/.build-bench"
swift build -c release --static-swift-stdlib --product promptlab --package-path "$root" --scratch-path "$scratch" >&2
promptlab="$(swift build -c release --static-swift-stdlib --package-path "$root" --scratch-path "$scratch" --show-bin-path)/promptlab"
floor="$out/libgit2-init"
cc -O2 "$root/benchmarks/libgit2-init.c" -o "$floor" $(pkg-config --cflags --libs libgit2)

repo=$(mktemp -d /tmp/promptlab-bench.XXXXXX)
trap 'rm -rf "$repo"' EXIT
git init -q -b main "$repo"
python3 "$root/benchmarks/make-history.py" "$commits" | git -C "$repo" fast-import --quiet
git -C "$repo" checkout -q main
git -C "$repo" config user.name "Bench Author"
git -C "$repo" config user.email bench@example.com
cd "$repo"

# Commit ids of versions 1, 500 and the last, from git itself.
mapfile -t shas < <(git log --reverse --format=%H -- support/triage.prompt)
v1=${shas[0]}
v500=${shas[499]}
vlast=${shas[${#shas[@]}-1]}
last=${#shas[@]}

start=$(date +%s.%N)
"$promptlab" log support/triage >/dev/null
echo "first promptlab log (builds the version index): $(echo "$(date +%s.%N) - $start" | bc) s"

bench() {  # name, promptlab command, git command, [prepare command]
  local name=$1
  local prepare=()
  [ -n "${4:-}" ] && prepare=(--prepare "$4")
  hyperfine -N --warmup 3 --runs "$runs" "${prepare[@]}" --export-json "$out/vcs-$name.json" \
    -n promptlab "$2" -n git "$3" >/dev/null
  python3 - "$name" "$out/vcs-$name.json" <<'PY'
import json, sys
name, path = sys.argv[1], sys.argv[2]
r = {x["command"]: x for x in json.load(open(path))["results"]}
p, g = r["promptlab"], r["git"]
print(f"{name:8s} promptlab {p['mean']*1000:7.2f} ms (median {p['median']*1000:6.2f})   "
      f"git {g['mean']*1000:7.2f} ms (median {g['median']*1000:6.2f})   ratio {p['median']/g['median']:.2f}x")
PY
}

hyperfine -N --warmup 5 --runs "$runs" --export-json "$out/vcs-floor.json" -n libgit2-init "$floor" -n promptlab-version "$promptlab --version" >/dev/null
python3 - "$out/vcs-floor.json" <<'PY'
import json, sys
r = {x["command"]: x for x in json.load(open(sys.argv[1]))["results"]}
print(f"floor    C program that only calls git_libgit2_init: {r['libgit2-init']['median']*1000:.2f} ms; "
      f"promptlab --version (no libgit2): {r['promptlab-version']['median']*1000:.2f} ms")
PY
echo "pair     (mean and median of $runs runs; ratio = promptlab median / git median)"
bench log "$promptlab log support/triage" "git log --oneline -- support/triage.prompt"
bench show "$promptlab show support/triage@v500" "git show $v500:support/triage.prompt"
bench diff "$promptlab diff support/triage@v1 support/triage@v$last" "git diff $v1 $vlast -- support/triage.prompt"
# Each commit run first appends a line, so there is always one change to commit.
hyperfine -N --warmup 2 --runs "$runs" --export-json "$out/vcs-commit.json" \
  -n promptlab --prepare "sh -c 'echo x >> support/triage.prompt'" "$promptlab commit support/triage -m bench" \
  -n git --prepare "sh -c 'echo x >> support/triage.prompt'" "sh -c 'git add support/triage.prompt && git commit -q -m bench'" >/dev/null
python3 - commit "$out/vcs-commit.json" <<'PY'
import json, sys
name, path = sys.argv[1], sys.argv[2]
r = {x["command"]: x for x in json.load(open(path))["results"]}
p, g = r["promptlab"], r["git"]
print(f"{name:8s} promptlab {p['mean']*1000:7.2f} ms (median {p['median']*1000:6.2f})   "
      f"git {g['mean']*1000:7.2f} ms (median {g['median']*1000:6.2f})   ratio {p['median']/g['median']:.2f}x")
PY
git fsck --strict --no-progress && echo "git fsck --strict: ok"
