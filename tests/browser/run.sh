#!/usr/bin/env bash
# The web app in a real browser: Debian's chromium driven through chromedriver (WebDriver) by the
# tests of the separate package in this folder, at a phone size and a PC size. The package does
# not depend on vanban (so the main crate's dependencies and build stay untouched): it runs the
# server binary built here. Installs chromium, its driver (which pins the exact browser version)
# and poppler-utils (pdftotext) when missing. Screenshots of every form are left in
# "$CARGO_TARGET_DIR/screenshots/" for people to look at.
set -euo pipefail
cd "$(dirname "$0")/../.."

missing=()
command -v chromium >/dev/null || missing+=(chromium)
command -v chromedriver >/dev/null || missing+=(chromium-driver)
command -v pdftotext >/dev/null || missing+=(poppler-utils)
if [ ${#missing[@]} -gt 0 ]; then
    sudo_cmd=""
    if [ "$(id -u)" != 0 ]; then sudo_cmd="sudo"; fi
    $sudo_cmd apt-get update -qq
    DEBIAN_FRONTEND=noninteractive $sudo_cmd apt-get install -y -qq "${missing[@]}" fonts-dejavu-core >/dev/null
fi

export CARGO_TARGET_DIR="${CARGO_TARGET_DIR:-$HOME/.cache/vanban-target}"
main_target="$CARGO_TARGET_DIR"
cargo build
mkdir -p "$main_target/screenshots"

# Each test starts its own server, chromedriver and browser profile on free loopback ports;
# one at a time, since each renders PDFs.
VANBAN_BIN="$main_target/debug/vanban" \
    VANBAN_SCREENSHOTS="$main_target/screenshots" \
    VANBAN_CHROMEDRIVER="$(command -v chromedriver)" VANBAN_CHROMIUM="$(command -v chromium)" \
    CARGO_TARGET_DIR="$main_target/browser" \
    cargo test --manifest-path tests/browser/Cargo.toml -- --test-threads=1
echo "screenshots: $main_target/screenshots/"
