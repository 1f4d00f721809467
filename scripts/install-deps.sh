#!/usr/bin/env bash
# Installs the system packages PromptLab needs to build and test, if missing.
# Works on a fresh Debian or Ubuntu machine (as root, or with sudo).
set -euo pipefail
packages=(libgit2-dev libsqlite3-dev pkg-config git python3)
missing=()
for package in "${packages[@]}"; do
  dpkg-query -W -f='${Status}' "$package" 2>/dev/null | grep -q "install ok installed" || missing+=("$package")
done
if [ ${#missing[@]} -gt 0 ]; then
  echo "Installing: ${missing[*]}" >&2
  sudo=""
  [ "$(id -u)" -ne 0 ] && sudo="sudo"
  $sudo apt-get update -qq
  DEBIAN_FRONTEND=noninteractive $sudo apt-get install -y -qq "${missing[@]}" >/dev/null
fi
command -v swift >/dev/null || { echo "error: Swift 6 is required (https://www.swift.org/install/)" >&2; exit 1; }
