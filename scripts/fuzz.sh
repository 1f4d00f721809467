#!/usr/bin/env bash
# Builds PromptLab's libFuzzer executable and runs each fuzz target for a time budget.
#
#   scripts/fuzz.sh [SECONDS-PER-TARGET] [TARGET...]   (default: 45 seconds, every target)
#   scripts/fuzz.sh --list
#
# The build lives in .build-fuzz (its own scratch path: every module is compiled with
# -sanitize=fuzzer) and contains only the fuzz executable and what it depends on.
# Set FUZZ_SANITIZERS=fuzzer,address to add AddressSanitizer (slower).
# New inputs go to .build-fuzz/corpus/TARGET; the committed seeds in Fuzz/Corpus/TARGET
# are only read. A crash, an overflowed stack, a timeout or running out of memory is a
# finding: the input is saved under .build-fuzz/findings/TARGET/ and the script exits 1
# after running the remaining targets. Turn each finding into a regression test
# (Fuzz/Regressions/TARGET/, replayed by FuzzRegressionTests) and fix it.
set -euo pipefail
cd "$(dirname "$0")/.."

export PROMPTLAB_FUZZ=1
scratch=.build-fuzz
sanitizers=${FUZZ_SANITIZERS:-fuzzer}

build() {
    swift build --scratch-path "$scratch" --product promptlab-fuzz -Xswiftc "-sanitize=$sanitizers" >&2
}

if [[ "${1:-}" == "--list" ]]; then
    build
    PROMPTLAB_FUZZ_TARGET=list "$scratch/debug/promptlab-fuzz"
    exit 0
fi

seconds=${1:-45}
shift || true
if ! [[ "$seconds" =~ ^[0-9]+$ ]]; then
    echo "error: seconds per target must be a whole number, got '$seconds'" >&2
    echo "hint: scripts/fuzz.sh 60 template prompt-file" >&2
    exit 2
fi

started=$(date +%s)
build
echo "fuzz build: $(($(date +%s) - started)) s" >&2
binary="$scratch/debug/promptlab-fuzz"

if [[ $# -gt 0 ]]; then
    targets=("$@")
else
    mapfile -t targets < <(PROMPTLAB_FUZZ_TARGET=list "$binary" | cut -f1)
fi

dictionary() {
    case "$1" in
        prompt-file | template) echo Fuzz/Dictionaries/prompt.dict ;;
        experiment-file | dataset-yaml | vars) echo Fuzz/Dictionaries/yaml.dict ;;
        dataset-csv | dataset-jsonl) echo Fuzz/Dictionaries/data.dict ;;
        *) [[ -f "Fuzz/Dictionaries/$1.dict" ]] && echo "Fuzz/Dictionaries/$1.dict" ;;
    esac
}

failed=()
for target in "${targets[@]}"; do
    corpus="$scratch/corpus/$target"
    findings="$scratch/findings/$target"
    mkdir -p "$corpus" "$findings" "Fuzz/Corpus/$target"
    options=(-max_total_time="$seconds" -timeout=25 -rss_limit_mb=2048 -max_len=65536 -print_final_stats=1
        -artifact_prefix="$findings/")
    dict=$(dictionary "$target" || true)
    [[ -n "$dict" ]] && options+=(-dict="$dict")
    echo "== $target: $seconds s" >&2
    if ! PROMPTLAB_FUZZ_TARGET="$target" "$binary" "${options[@]}" "$corpus" "Fuzz/Corpus/$target" \
        > "$scratch/$target.log" 2>&1; then
        failed+=("$target")
        tail -n 40 "$scratch/$target.log" >&2
        echo "error: fuzz target '$target' found a failing input (saved in $findings/)" >&2
    else
        grep -E "stat::number_of_executed_units|Done [0-9]+ runs" "$scratch/$target.log" | tail -n 1 >&2 || true
    fi
done

echo "fuzzing took $(($(date +%s) - started)) s in all" >&2
if [[ ${#failed[@]} -gt 0 ]]; then
    echo "error: findings in: ${failed[*]}" >&2
    echo "hint: reproduce with PROMPTLAB_FUZZ_TARGET=NAME $binary FILE" >&2
    exit 1
fi
