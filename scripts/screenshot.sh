#!/usr/bin/env bash
# Screenshot an HTML report in headless Chromium (Debian's package), to look
# at it as a reader would: scripts/screenshot.sh reports/2026-09/bulletin.html out.png
set -euo pipefail
html="$(realpath "$1")"
out="$(realpath -m "${2:-${html%.html}.png}")"
"$(dirname "$0")/install-chromium.sh"
profile="$(mktemp -d)"
chromium --headless --no-sandbox --disable-gpu --disable-quic --no-first-run \
  --disable-background-networking --disable-component-update --disable-sync \
  --user-data-dir="$profile" --hide-scrollbars --window-size=900,"${HEIGHT:-2400}" \
  --screenshot="$out" "file://$html" >/dev/null 2>&1
rm -rf "$profile"
echo "$out"
