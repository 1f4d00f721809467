#!/usr/bin/env bash
# Simulates rollouts read out after every batch of traffic (A/A and A/B, see
# Sources/RolloutSimulationTool): how often the always-valid readout declares a winner, against a
# fixed-horizon z-test checked as often. With no effect, the always-valid share must stay at or below
# alpha (5%) plus simulation error; the naive test's share shows what peeking would cost.
#
#   benchmarks/rollout-peeking.sh [ROLLOUTS] [BATCHES] [BATCH_SIZE]
#
# Defaults: 2,000 rollouts per scenario, 20 looks, 500 units per look.
set -euo pipefail
root=$(cd "$(dirname "$0")/.." && pwd)
scratch=${SCRATCH:-"$root/.build-bench"}
swift build -c release --static-swift-stdlib --package-path "$root" --scratch-path "$scratch" --product promptlab-rollout-sim >&2
bin="$(swift build -c release --static-swift-stdlib --package-path "$root" --scratch-path "$scratch" --show-bin-path)"
echo "# $(date -u +%Y-%m-%dT%H:%MZ) $(nproc) cores; ${1:-2000} rollouts × ${2:-20} looks × ${3:-500} units"
"$bin/promptlab-rollout-sim" --rollouts "${1:-2000}" --batches "${2:-20}" --batch-size "${3:-500}"
