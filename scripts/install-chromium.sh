#!/usr/bin/env bash
# Install Chromium from Debian's packages when it is missing: the board's
# browser test (tests/board.rs) and scripts/screenshot.sh drive it headless.
set -euo pipefail
command -v chromium >/dev/null && exit 0
sudo=""
if [ "$(id -u)" -ne 0 ]; then sudo="sudo -n"; fi
$sudo apt-get update -qq
DEBIAN_FRONTEND=noninteractive $sudo apt-get install -y -qq chromium
command -v chromium >/dev/null
