#!/usr/bin/env bash
# Desktop benchmarks (issue 3), for anyone to run: cold start of camshare-desktop to a drawn
# device list, and the idle memory of the whole app process tree (the app and its WebKit
# processes), over several fresh starts. Uses its own server, demo data and a virtual display.
#
#   ./scripts/bench-desktop.sh [RUNS]        (default 5)
#   CAMSHARE_BENCH_BUILD=release ./scripts/bench-desktop.sh   (measure a release build of the app)
#   CAMSHARE_BENCH_DETAIL=1 …   (also list each process's largest mappings, first run;
#                                CAMSHARE_BENCH_DETAIL_LINES=N for more than 6)
#   BENCH_EXTRA_ENV="VAR=value" …   (extra environment for the app, to try settings)
set -euo pipefail
cd "$(dirname "$0")/.."
source scripts/setup.sh
RUNS="${1:-5}"

BUILD="${CAMSHARE_BENCH_BUILD:-debug}"
cargo build --locked -p camshare-server -p camshare-cli -p camshare-desktop --features camshare-desktop/test-hooks >/dev/null
BIN="$CARGO_TARGET_DIR/debug"
APP_BIN="$BIN/camshare-desktop"
if [ "$BUILD" = release ]; then
    cargo build --locked --release -p camshare-desktop --features camshare-desktop/test-hooks >/dev/null
    APP_BIN="$CARGO_TARGET_DIR/release/camshare-desktop"
fi
WORK=$(mktemp -d /tmp/camshare-bench-desktop.XXXXXX)
PORT=$(python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1",0)); print(s.getsockname()[1])')
SERVER="http://127.0.0.1:$PORT"
DISPLAY_NO=$((200 + RANDOM % 200))

"$BIN/camshare-server" --listen "127.0.0.1:$PORT" --data-dir "$WORK/server" --camera-allow 127.0.0.0/8 >/dev/null 2>&1 &
SERVER_PID=$!
Xvfb ":$DISPLAY_NO" -screen 0 1280x800x24 -nolisten tcp >/dev/null 2>&1 &
XVFB_PID=$!
trap 'kill $SERVER_PID $XVFB_PID 2>/dev/null || true' EXIT
for _ in $(seq 1 100); do curl -fsS "$SERVER/api/health" >/dev/null 2>&1 && break; sleep 0.1; done

TOKEN=$(echo "bench-password" | "$BIN/camshare" --server "$SERVER" signup --email owner@bench.camshare --name Bench --print-token 2>/dev/null)
for i in 1 2 3; do
    echo pw | CAMSHARE_TOKEN=$TOKEN "$BIN/camshare" --server "$SERVER" device add --name "NVR $i" --kind nvr \
        --channels 8 --rtsp "rtsp://127.0.0.1:$((8550 + i))" --username admin >/dev/null
done

# The process and all its descendants.
tree() { local p=$1; echo "$p"; for c in $(pgrep -P "$p" 2>/dev/null); do tree "$c"; done; }
pss_kib() { local total=0; for p in $(tree "$1"); do
    v=$(awk '/^Pss:/ {print $2}' "/proc/$p/smaps_rollup" 2>/dev/null || echo 0); total=$((total + ${v:-0})); done; echo $total; }

echo "| run | cold start to drawn device list | idle memory after 10 s (PSS, whole tree) | per process (MiB)"
echo "|---|---|---|"
for run in $(seq 1 "$RUNS"); do
    HOME_DIR="$WORK/home-$run"; mkdir -p "$HOME_DIR/rt"; chmod 700 "$HOME_DIR/rt"
    REPORT="$WORK/report-$run"
    start=$(date +%s%N)
    env DISPLAY=":$DISPLAY_NO" HOME="$HOME_DIR" XDG_RUNTIME_DIR="$HOME_DIR/rt" \
        XDG_CONFIG_HOME="$HOME_DIR/config" XDG_DATA_HOME="$HOME_DIR/data" XDG_CACHE_HOME="$HOME_DIR/cache" \
        CAMSHARE_KEYCHAIN=mock CAMSHARE_PASSWORD=bench-password CAMSHARE_STARTUP_REPORT="$REPORT" \
        NO_AT_BRIDGE=1 ${BENCH_EXTRA_ENV:-} \
        "$APP_BIN" --profile "bench$run" --server "$SERVER" --sign-in owner@bench.camshare >/dev/null 2>&1 &
    APP=$!
    for _ in $(seq 1 300); do grep -q '^device-list' "$REPORT" 2>/dev/null && break; sleep 0.01; done
    end=$(date +%s%N)
    if grep -q '^device-list' "$REPORT" 2>/dev/null; then
        cold="$(( (end - start) / 1000000 )) ms"
    else
        cold="not drawn within 3 s"
    fi
    sleep 10
    mem="$(( $(pss_kib $APP) / 1024 )) MiB"
    parts=""
    for p in $(tree "$APP"); do
        v=$(awk '/^Pss:/ {print $2}' "/proc/$p/smaps_rollup" 2>/dev/null || echo 0)
        parts="$parts $(basename "$(readlink "/proc/$p/exe" 2>/dev/null || echo "?")") $(( ${v:-0} / 1024 ));"
    done
    echo "| $run | $cold | $mem |$parts"
    if [ -n "${CAMSHARE_BENCH_DETAIL:-}" ] && [ "$run" = 1 ]; then
        # Where each process's memory is: the largest mappings by PSS (anonymous memory is "[anon]").
        for p in $(tree "$APP"); do
            echo "  $(basename "$(readlink "/proc/$p/exe" 2>/dev/null)"): $(grep -E '^(Anonymous|Rss|Pss):' "/proc/$p/smaps_rollup" | tr -s ' ' | paste -sd' ')"
            awk '/^[0-9a-f]+-[0-9a-f]+ / {name = ($6 == "" ? "[anon]" : $6)} /^Pss:/ {pss[name] += $2}
                 END {for (n in pss) printf "%8d KiB  %s\n", pss[n], n}' "/proc/$p/smaps" 2>/dev/null | sort -rn | head -${CAMSHARE_BENCH_DETAIL_LINES:-6} | sed "s/^/    /" || true
        done
    fi
    for p in $(tree $APP | tac); do kill "$p" 2>/dev/null || true; done
    wait $APP 2>/dev/null || true
done
echo
echo "build: $BUILD ($APP_BIN); display: Xvfb 1280x800; $(nproc) cores; load before: $(cut -d' ' -f1-3 /proc/loadavg)"
