#!/usr/bin/env bash
# Installs missing system packages, checks formatting, builds PromptLab and runs the test suite.
set -euo pipefail
cd "$(dirname "$0")/.."
scripts/install-deps.sh
# The code follows .swift-format; `swift format format -i -r Sources Tests` fixes most findings.
swift format lint --strict --recursive Sources Tests
swift build --build-tests
swift test --skip-build
