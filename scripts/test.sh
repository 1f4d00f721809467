#!/usr/bin/env bash
# Installs missing system packages, checks formatting, builds PromptLab, runs the test suite,
# runs the web app in a browser and its API against its OpenAPI document, and the serving API with
# the OpenAI SDK (BROWSER_TESTS=0 skips those), then fuzzes every reader briefly (FUZZ_SECONDS per target, default 45; 0 skips it).
set -euo pipefail
cd "$(dirname "$0")/.."
if [[ "${BROWSER_TESTS:-1}" != 0 ]]; then
    scripts/install-deps.sh --web-tests
else
    scripts/install-deps.sh
fi
# The code follows .swift-format; `swift format format -i -r Sources Tests` fixes most findings.
swift format lint --strict --recursive Sources Tests Fuzz
swift build --build-tests
# Swift Testing otherwise starts every test at once: on 2 cores ~150 provider servers, SQLite files and
# child processes were open together (over 1,300 descriptors), request time limits in the tests were
# overrun, and Foundation's Process, which the CLI tests use to start programs, read past its
# directory buffer while listing that many descriptors and crashed the test process. Eight at a time
# keeps the run as fast and under 150 descriptors.
export SWT_EXPERIMENTAL_MAXIMUM_PARALLELIZATION_WIDTH="${SWT_EXPERIMENTAL_MAXIMUM_PARALLELIZATION_WIDTH:-8}"
swift test --skip-build
# Headless Chromium and schemathesis against `promptlab serve` on the demo's data; see docs/web.md.
# Then the serving API as applications use it: the official OpenAI SDK against the gateway, curl,
# and kill -9 under feedback load; see docs/production-ab.md.
if [[ "${BROWSER_TESTS:-1}" != 0 ]]; then
    scripts/browser-tests.sh
    scripts/serving-tests.sh
fi
# A short run of every fuzz target in its own build (.build-fuzz); see docs/fuzzing.md.
if [[ "${FUZZ_SECONDS:-45}" != 0 ]]; then
    scripts/fuzz.sh "${FUZZ_SECONDS:-45}"
fi
