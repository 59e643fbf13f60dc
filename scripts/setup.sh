#!/usr/bin/env bash
# Installs what building and testing Camshare needs on Debian/Ubuntu, only where missing:
# Debian packages (as root, or through sudo) and the Rust toolchain (through rustup).
# Sourced by run.sh and test.sh; safe to run again.
set -euo pipefail

if [ "$(id -u)" -eq 0 ]; then
    SUDO=""
elif command -v sudo >/dev/null 2>&1; then
    SUDO="sudo"
else
    echo "setup: run as root or install sudo" >&2
    exit 1
fi

# build-essential: C compiler for crates that build C (SQLite, libdbus, aws-lc).
# postgresql: the server's tests start a throwaway Postgres cluster of their own.
# curl, ca-certificates: rustup.
APT_PACKAGES=(build-essential curl ca-certificates git postgresql procps)

missing=()
for pkg in "${APT_PACKAGES[@]}"; do
    dpkg-query -W -f='${Status}' "$pkg" 2>/dev/null | grep -q "install ok installed" || missing+=("$pkg")
done
if [ "${#missing[@]}" -gt 0 ]; then
    echo "setup: installing ${missing[*]}"
    $SUDO env DEBIAN_FRONTEND=noninteractive apt-get update -q
    $SUDO env DEBIAN_FRONTEND=noninteractive apt-get install -y -q --no-install-recommends "${missing[@]}"
fi

# Debian's postgresql package starts a system cluster; the tests never use it.
if [ -n "$(ls /usr/lib/postgresql/*/bin/initdb 2>/dev/null)" ]; then :; else
    echo "setup: Postgres binaries not found under /usr/lib/postgresql" >&2
    exit 1
fi

if ! command -v cargo >/dev/null 2>&1; then
    if [ -x "$HOME/.cargo/bin/cargo" ]; then
        export PATH="$HOME/.cargo/bin:$PATH"
    else
        echo "setup: installing Rust 1.95 with rustup"
        curl --proto '=https' --tlsv1.2 -sSf https://sh.rustup.rs | sh -s -- -y --profile minimal --default-toolchain 1.95.0
        export PATH="$HOME/.cargo/bin:$PATH"
    fi
fi
rustc_version=$(rustc --version | awk '{print $2}')
case "$rustc_version" in
    1.9[5-9]*|1.[1-9][0-9][0-9]*) ;;
    *) echo "setup: Rust $rustc_version is too old; Camshare needs 1.95 (rustup toolchain install 1.95.0)" >&2; exit 1 ;;
esac
command -v cargo-fmt >/dev/null 2>&1 || rustup component add rustfmt >/dev/null 2>&1 || true

# Builds are cached outside the clone, so a fresh clone (CI) reuses them.
export CARGO_TARGET_DIR="${CARGO_TARGET_DIR:-$HOME/.cache/camshare-target}"
mkdir -p "$CARGO_TARGET_DIR"
