#!/usr/bin/env bash
# Make sure a Chromium is available: Playwright's own build when installed,
# else the system's, else install Debian's package when running as root.
set -euo pipefail
py="${1:-.venv/bin/python}"
if "$py" -c 'from harness.browser.chromium import playwright_chromium as p; import sys; sys.exit(0 if p() else 1)' 2>/dev/null; then
  exit 0
fi
for name in chromium chromium-browser google-chrome google-chrome-stable; do
  if command -v "$name" >/dev/null 2>&1; then exit 0; fi
done
if [ "$(id -u)" = 0 ] && command -v apt-get >/dev/null 2>&1; then
  echo "setup: installing Debian's chromium (apt-get)"
  export DEBIAN_FRONTEND=noninteractive
  apt-get update -qq >/dev/null
  apt-get install -y -qq chromium >/dev/null
  exit 0
fi
cat >&2 <<'MSG'
setup: no Chromium found. Install one of:
  - Playwright's build:  .venv/bin/playwright install chromium
  - your system's:       sudo apt-get install chromium   (or your distribution's package)
  - or point CHAOS_CHROMIUM at a Chrome/Chromium executable
MSG
exit 1
