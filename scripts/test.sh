#!/usr/bin/env bash
# Installs missing system packages, builds PromptLab and runs the test suite.
set -euo pipefail
cd "$(dirname "$0")/.."
scripts/install-deps.sh
swift build --build-tests
swift test --skip-build
