#!/usr/bin/env bash
# Runs every Camshare test: the UI's type check and component tests (Vitest); Rust unit tests;
# the server's API tests and model-based property test on SQLite and on a throwaway Postgres
# cluster; the client's event tests; the CLI end-to-end flows; the desktop app's real-window
# end-to-end test (two app instances under Xvfb, driven through tauri-driver and WebKitWebDriver,
# which also refreshes the screenshots in docs/screenshots). Installs what it needs first (see
# setup.sh).
set -euo pipefail
cd "$(dirname "$0")/.."
source scripts/setup.sh

echo "== format"
cargo fmt --all -- --check

echo "== ui: type check and component tests"
(cd ui && npm run check && npm test)

# The desktop app's real-window test needs its test hooks (an in-memory keychain, the start-up
# report); the shipped app (scripts/run.sh, release builds) is built without them.
FEATURES=(--features camshare-desktop/test-hooks)

echo "== build"
cargo build --workspace --all-targets --locked "${FEATURES[@]}"

echo "== lints (clippy, warnings are errors)"
cargo clippy --workspace --all-targets --locked "${FEATURES[@]}" -- -D warnings

echo "== tests"
cargo test --workspace --locked "${FEATURES[@]}"

echo "== API contract: schemathesis against a live server"
./scripts/test-contract.sh

echo "== all tests passed"
