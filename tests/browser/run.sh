#!/usr/bin/env bash
# The web app in a real browser: Debian's chromium driven through chromedriver (WebDriver) by the
# ignored tests of tests/browser/main.rs, at a phone size and a PC size. Installs chromium and its
# driver (the driver package pins the exact browser version) when missing. Screenshots of every
# form are left in "$CARGO_TARGET_DIR/screenshots/" for people to look at.
set -euo pipefail
cd "$(dirname "$0")/../.."

if ! command -v chromedriver >/dev/null || ! command -v chromium >/dev/null; then
    sudo_cmd=""
    if [ "$(id -u)" != 0 ]; then sudo_cmd="sudo"; fi
    $sudo_cmd apt-get update -qq
    DEBIAN_FRONTEND=noninteractive $sudo_cmd apt-get install -y -qq chromium chromium-driver fonts-dejavu-core >/dev/null
fi

export CARGO_TARGET_DIR="${CARGO_TARGET_DIR:-$HOME/.cache/vanban-target}"
mkdir -p "$CARGO_TARGET_DIR/screenshots"
# The test starts its own chromedriver and server on free loopback ports.
VANBAN_CHROMEDRIVER="$(command -v chromedriver)" VANBAN_CHROMIUM="$(command -v chromium)" \
    cargo test --test browser -- --ignored --test-threads=1
echo "screenshots: $CARGO_TARGET_DIR/screenshots/"
