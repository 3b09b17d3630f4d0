#!/usr/bin/env bash
# What the tests need from Debian: Chromium, driven by playwright-core (never a downloaded browser build);
# its SwiftShader gives headless WebGPU for the WGSL kernel and WebGPU inference tests.
# Installs it when missing; needs root for that (as on CI and the dev machines).
set -euo pipefail
CHROMIUM="${CHROMIUM_PATH:-/usr/bin/chromium}"
[ -x "$CHROMIUM" ] && exit 0
if [ "$(id -u)" != "0" ]; then
  echo "ensureTestDeps: $CHROMIUM is missing and this user cannot apt-get install it; install Debian's chromium" >&2
  exit 1
fi
echo "ensureTestDeps: installing Debian's chromium…"
export DEBIAN_FRONTEND=noninteractive
apt-get update -qq
apt-get install -y -qq chromium >/dev/null
