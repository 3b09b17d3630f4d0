#!/usr/bin/env bash
# Browser tests drive Debian's Chromium through playwright-core (never a downloaded browser build).
# Installs it when missing; needs root (as on CI and the dev machines) or a Chromium already present.
set -euo pipefail
CHROMIUM="${CHROMIUM_PATH:-/usr/bin/chromium}"
if [ -x "$CHROMIUM" ]; then exit 0; fi
if [ "$(id -u)" != "0" ]; then
  echo "ensureChromium: $CHROMIUM is missing and this user cannot apt-get install it; install Debian's chromium package" >&2
  exit 1
fi
echo "ensureChromium: installing Debian's chromium…"
export DEBIAN_FRONTEND=noninteractive
apt-get update -qq
apt-get install -y -qq chromium >/dev/null
"$CHROMIUM" --version
