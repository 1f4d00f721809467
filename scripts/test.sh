#!/usr/bin/env bash
# Installs missing system packages, checks formatting, builds PromptLab, runs the test suite,
# then fuzzes every reader briefly (FUZZ_SECONDS per target, default 45; 0 skips it).
set -euo pipefail
cd "$(dirname "$0")/.."
scripts/install-deps.sh
# The code follows .swift-format; `swift format format -i -r Sources Tests` fixes most findings.
swift format lint --strict --recursive Sources Tests Fuzz
swift build --build-tests
swift test --skip-build
# A short run of every fuzz target in its own build (.build-fuzz); see docs/fuzzing.md.
if [[ "${FUZZ_SECONDS:-45}" != 0 ]]; then
    scripts/fuzz.sh "${FUZZ_SECONDS:-45}"
fi
