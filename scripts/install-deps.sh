#!/usr/bin/env bash
# Installs the system packages PromptLab needs to build and test, if missing.
# Works on a fresh Debian or Ubuntu machine (as root, or with sudo).
#   --web-tests  also the web app's test tools (scripts/browser-tests.sh, scripts/serving-tests.sh):
#                Chromium, its WebDriver and Selenium from Debian, schemathesis and the official
#                openai client from PyPI.
set -euo pipefail
web_tests=false
for argument in "$@"; do
  case "$argument" in
    --web-tests) web_tests=true ;;
    *) echo "usage: scripts/install-deps.sh [--web-tests]" >&2; exit 2 ;;
  esac
done
packages=(libgit2-dev libsqlite3-dev pkg-config git python3)
if $web_tests; then packages+=(chromium chromium-driver python3-selenium python3-pip python3-venv); fi
sudo=""
[ "$(id -u)" -ne 0 ] && sudo="sudo"
missing=()
for package in "${packages[@]}"; do
  dpkg-query -W -f='${Status}' "$package" 2>/dev/null | grep -q "install ok installed" || missing+=("$package")
done
if [ ${#missing[@]} -gt 0 ]; then
  echo "Installing: ${missing[*]}" >&2
  $sudo apt-get update -qq
  DEBIAN_FRONTEND=noninteractive $sudo apt-get install -y -qq "${missing[@]}" >/dev/null
fi
command -v swift >/dev/null || { echo "error: Swift 6 is required (https://www.swift.org/install/)" >&2; exit 1; }

if $web_tests; then
  # schemathesis 4 (its options differ from 3.x); the version scripts/browser-tests.sh was written for.
  schemathesis_version=4.32.5
  root=$(cd "$(dirname "$0")/.." && pwd)
  venv="$root/.build/web-test-tools"
  installed() { "$1" --version 2>/dev/null | grep -q "$schemathesis_version"; }
  if ! installed schemathesis && ! installed "$venv/bin/schemathesis"; then
    echo "Installing: schemathesis $schemathesis_version" >&2
    # A Debian-managed Python refuses pip installs (PEP 668); schemathesis then goes in a virtual
    # environment of its own, where scripts/browser-tests.sh looks for it.
    pip_log=$(mktemp)
    if ! python3 -m pip install --quiet "schemathesis==$schemathesis_version" 2>"$pip_log"; then
      if grep -q externally-managed-environment "$pip_log"; then
        python3 -m venv "$venv"
        "$venv/bin/python" -m pip install --quiet "schemathesis==$schemathesis_version"
      else
        cat "$pip_log" >&2
        rm -f "$pip_log"
        exit 1
      fi
    fi
    rm -f "$pip_log"
  fi
  # The official OpenAI Python SDK, the client of the gateway's tests: where python3 can take it,
  # else in the same virtual environment.
  if ! python3 -c 'import openai' 2>/dev/null && ! "$venv/bin/python" -c 'import openai' 2>/dev/null; then
    echo "Installing: openai (Python)" >&2
    if ! python3 -m pip install --quiet openai 2>/dev/null; then
      [ -x "$venv/bin/python" ] || python3 -m venv "$venv"
      "$venv/bin/python" -m pip install --quiet openai
    fi
  fi
fi
