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
# curl, ca-certificates: rustup. python3, python3-venv: schemathesis (the API contract test).
# python3-aiosmtpd: the real SMTP server the mail tests start.
# libwebkit2gtk-4.1-dev (pulls GTK 3, libsoup 3, pkg-config): the desktop app (Tauri 2).
# webkit2gtk-driver, xvfb, xauth, libgl1-mesa-dri, dbus-daemon, fonts-dejavu-core, imagemagick:
# the app's real-window tests and screenshots, headless.
# GStreamer (dev headers, RTSP server, plugins incl. x264 and libav, pango text overlays) and
# ffmpeg: the camera simulator, the media gate, the viewer, and the tests with outside players.
# glib-networking: TLS for GStreamer (the gate's RTSPS, the viewer's rtsps:// streams).
APT_PACKAGES=(build-essential curl ca-certificates git postgresql procps python3 python3-venv python3-aiosmtpd
    libwebkit2gtk-4.1-dev webkit2gtk-driver xvfb xauth libgl1-mesa-dri dbus-daemon fonts-dejavu-core imagemagick
    libgstreamer1.0-dev libgstreamer-plugins-base1.0-dev libgstrtspserver-1.0-dev gstreamer1.0-tools
    gstreamer1.0-plugins-base gstreamer1.0-plugins-good gstreamer1.0-plugins-bad gstreamer1.0-plugins-ugly
    gstreamer1.0-libav gstreamer1.0-x gstreamer1.0-rtsp glib-networking ffmpeg)

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

# Node.js 20.19 or newer builds the UI (Vite 8).
node_ok() { node -e 'const [a,b]=process.versions.node.split(".").map(Number); process.exit(a>20||(a==20&&b>=19)?0:1)' 2>/dev/null; }
if ! node_ok; then
    if ! command -v node >/dev/null 2>&1; then
        echo "setup: installing Node.js"
        $SUDO env DEBIAN_FRONTEND=noninteractive apt-get install -y -q --no-install-recommends nodejs npm
    fi
    if ! node_ok; then
        echo "setup: the UI needs Node.js 20.19 or newer; this machine has $(node --version 2>/dev/null || echo none)." >&2
        echo "setup: install a newer nodejs package (e.g. from NodeSource), then run this again." >&2
        exit 1
    fi
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
cargo clippy --version >/dev/null 2>&1 || rustup component add clippy >/dev/null

# tauri-driver: WebDriver for the app's real-window tests.
if ! command -v tauri-driver >/dev/null 2>&1 && [ ! -x "$HOME/.cargo/bin/tauri-driver" ]; then
    echo "setup: installing tauri-driver"
    cargo install tauri-driver --version 2.1.0 --locked
fi
export PATH="$HOME/.cargo/bin:$PATH"

# The UI's npm packages, from the committed lock file; then the UI itself, which the desktop
# app embeds at compile time (ui/dist).
if [ ! -d ui/node_modules ] || [ ui/package-lock.json -nt ui/node_modules/.package-lock.json ]; then
    echo "setup: installing the UI's npm packages"
    (cd ui && npm ci --no-audit --no-fund)
fi
(cd ui && npm run build --silent)

# Builds are cached outside the clone, so a fresh clone (CI) reuses them.
export CARGO_TARGET_DIR="${CARGO_TARGET_DIR:-$HOME/.cache/camshare-target}"
mkdir -p "$CARGO_TARGET_DIR"
