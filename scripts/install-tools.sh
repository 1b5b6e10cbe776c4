#!/usr/bin/env bash
# Installs what building and testing the playground needs, skipping what is already there.
#   scripts/install-tools.sh serve   -> wasm target, trunk, wasm-bindgen-cli, wasm-opt
#   scripts/install-tools.sh test    -> the above + Chromium, chromedriver, playwright-core, kafka-python
# Versions are pinned: trunk 0.21.14 (0.22 needs a newer rustc), wasm-bindgen-cli equal to the
# wasm-bindgen in Cargo.lock (trunk refuses any other), binaryen 132 from npm (Debian's is too old).
set -euo pipefail
cd "$(dirname "$0")/.."
what="${1:-test}"
TRUNK_VERSION=0.21.14
BINARYEN_VERSION=132
export PATH="$HOME/.cargo/bin:$PWD/node_modules/.bin:$PATH"

say() { printf '==> %s\n' "$*"; }

if ! rustup target list --installed | grep -qx wasm32-unknown-unknown; then
  say "adding the wasm32-unknown-unknown target"
  rustup target add wasm32-unknown-unknown
fi

if ! trunk --version 2>/dev/null | grep -q "$TRUNK_VERSION"; then
  say "installing trunk $TRUNK_VERSION (a few minutes, once)"
  cargo install trunk --version "$TRUNK_VERSION" --locked
fi

bindgen_version=$(awk '/^name = "wasm-bindgen"$/{getline; gsub(/version = |"/,""); print; exit}' Cargo.lock)
if ! wasm-bindgen --version 2>/dev/null | grep -q " $bindgen_version"; then
  say "installing wasm-bindgen-cli $bindgen_version (a few minutes, once)"
  # Not --locked: its own lockfile pins a crate version the registry no longer serves.
  cargo install wasm-bindgen-cli --version "$bindgen_version" --force
fi

if [ ! -x node_modules/.bin/wasm-opt ] || [ ! -d node_modules/playwright-core ]; then
  say "installing npm packages (binaryen $BINARYEN_VERSION, playwright-core)"
  npm ci --no-audit --no-fund
fi

if [ "$what" = test ]; then
  if [ ! -x /usr/bin/chromium ] || [ ! -x /usr/bin/chromedriver ]; then
    say "installing Chromium and chromedriver (Debian packages)"
    export DEBIAN_FRONTEND=noninteractive
    apt-get update -qq
    apt-get install -y -qq chromium chromium-driver >/dev/null
  fi
  # tests/scenario_export.rs checks the exported kafka-python program against the real package.
  if ! python3 -c 'import sys, kafka; sys.exit(kafka.__version__ != "2.3.3")' 2>/dev/null; then
    say "installing kafka-python 2.3.3 (for the kafka-python export check)"
    python3 -m pip install --quiet kafka-python==2.3.3
  fi
fi
say "tools ready"
