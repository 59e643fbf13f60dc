#!/usr/bin/env bash
# The memory floor of WebKitGTK itself on this machine, to compare with the app's idle memory
# (scripts/bench-desktop.sh): MiniBrowser, WebKitGTK's own minimal browser, showing one line of
# text on a virtual display, with the same renderer setting the app picks without a GPU. Prints
# the PSS of each process of its tree and the total, 10 s after start.
#
#   ./scripts/bench-webkit-floor.sh [URL]      (default: a one-line page)
set -euo pipefail
cd "$(dirname "$0")/.."
source scripts/setup.sh
MINIBROWSER=/usr/lib/x86_64-linux-gnu/webkit2gtk-4.1/MiniBrowser
[ -x "$MINIBROWSER" ] || { echo "MiniBrowser not found at $MINIBROWSER (package libwebkit2gtk-4.1-0)" >&2; exit 1; }
URL="${1:-data:text/html,<p>hello</p>}"
DISPLAY_NO=$((400 + RANDOM % 100))
WORK=$(mktemp -d /tmp/camshare-webkit-floor.XXXXXX); mkdir -p "$WORK/rt"; chmod 700 "$WORK/rt"
Xvfb ":$DISPLAY_NO" -screen 0 1280x800x24 -nolisten tcp >/dev/null 2>&1 &
XVFB_PID=$!
sleep 1
env DISPLAY=":$DISPLAY_NO" HOME="$WORK" XDG_RUNTIME_DIR="$WORK/rt" XDG_CACHE_HOME="$WORK/cache" \
    WEBKIT_DISABLE_DMABUF_RENDERER=1 NO_AT_BRIDGE=1 "$MINIBROWSER" "$URL" >/dev/null 2>&1 &
BROWSER=$!
trap 'for p in $(tree "$BROWSER" | tac); do kill "$p" 2>/dev/null || true; done; kill $XVFB_PID 2>/dev/null || true' EXIT
tree() { local p=$1; echo "$p"; for c in $(pgrep -P "$p" 2>/dev/null); do tree "$c"; done; }
sleep 10
total=0
for p in $(tree "$BROWSER"); do
    v=$(awk '/^Pss:/ {print $2}' "/proc/$p/smaps_rollup" 2>/dev/null || echo 0)
    echo "$(basename "$(readlink "/proc/$p/exe" 2>/dev/null || echo "?")"): $(( ${v:-0} / 1024 )) MiB"
    total=$((total + ${v:-0}))
done
echo "total (PSS, whole tree): $((total / 1024)) MiB"
