#!/usr/bin/env bash
# Runs Camshare on this machine: the sharing server on http://127.0.0.1:7878 with its embedded
# SQLite database, demo accounts (an owner with a demo NVR and a camera, and a recipient), and
# two desktop app windows: the owner's, and a second instance (`--profile recipient`) signed in
# as the recipient, so both sides can be tried on one machine; the camera simulator plays a
# 4-channel NVR (RTSP on 127.0.0.1:8554) and a single camera (127.0.0.1:8555), registered on the
# owner's account. Installs what it needs first (see setup.sh). Ctrl-C stops everything.
set -euo pipefail
cd "$(dirname "$0")/.."
source scripts/setup.sh

LISTEN="${CAMSHARE_LISTEN:-127.0.0.1:7878}"
SERVER="http://$LISTEN"
DEMO_PASSWORD="camshare-demo"
OWNER="owner@demo.camshare"
RECIPIENT="recipient@demo.camshare"

echo "== building (the first build takes several minutes)"
cargo build --locked -p camshare-server -p camshare-cli -p camshare-camsim -p camshare-desktop
BIN="$CARGO_TARGET_DIR/debug"
CAMSIM_PASSWORD="camsim-demo"

if curl -fsS "$SERVER/api/health" >/dev/null 2>&1; then
    echo "run: something already answers on $SERVER; stop it first (or set CAMSHARE_LISTEN)" >&2
    exit 1
fi

PIDS=()
cleanup() { for pid in "${PIDS[@]}"; do kill "$pid" 2>/dev/null || true; done; wait 2>/dev/null || true; }
trap cleanup EXIT INT TERM

# The demo cameras are simulators on this machine: loopback, which the server refuses for cameras
# unless told (--camera-allow; see docs/SECURITY.md).
"$BIN/camshare-server" --listen "$LISTEN" --camera-allow 127.0.0.0/8 &
PIDS+=($!)
# The demo devices: an NVR with four channels and a single camera, each with its own login.
"$BIN/camshare-camsim" --rtsp-port 8554 --http-port 8080 --password "$CAMSIM_PASSWORD" --device-name "Home NVR" \
    --channel-name "Front door" --channel-name "Garage" --channel-name "Garden" --channel-name "Driveway" >/dev/null &
PIDS+=($!)
"$BIN/camshare-camsim" --rtsp-port 8555 --http-port 8081 --password "$CAMSIM_PASSWORD" --device-name "Porch camera" \
    --channel-name "Porch" >/dev/null &
PIDS+=($!)
for _ in $(seq 1 100); do
    curl -fsS "$SERVER/api/health" >/dev/null 2>&1 && break
    sleep 0.1
done
curl -fsS "$SERVER/api/health" >/dev/null || { echo "run: the server did not start" >&2; exit 1; }

camshare() { "$BIN/camshare" --server "$SERVER" "$@"; }

DATA_DIR="${CAMSHARE_DATA_DIR:-${XDG_DATA_HOME:-$HOME/.local/share}/camshare}"

# The demo has no mail relay, so the server writes its verification mails to its outbox folder
# (it says so when it starts). Prints the code of the first mail to LOGIN newer than MARKER.
code_for() {
    local login=$1 marker=$2 file
    for _ in $(seq 1 100); do
        file=$(find "$DATA_DIR/outbox" -type f -newer "$marker" -exec grep -lx "To: $login" {} + 2>/dev/null | head -n 1)
        if [ -n "$file" ]; then
            grep -oE 'code is [0-9]{6}' "$file" | grep -oE '[0-9]{6}'
            return
        fi
        sleep 0.1
    done
    echo "run: no verification mail for $login in $DATA_DIR/outbox" >&2
}

# A token for a demo account: sign in, or sign up the first time — the password, then (once the
# server has written the mail) the code from it, as a person would type them.
demo_token() {
    local login=$1 name=$2 marker
    if echo "$DEMO_PASSWORD" | camshare login "$login" --print-token 2>/dev/null; then
        return
    fi
    marker=$(mktemp)
    { echo "$DEMO_PASSWORD"; code_for "$login" "$marker"; } |
        camshare signup --email "$login" --name "$name" --print-token 2>/dev/null
    rm -f "$marker"
}

OWNER_TOKEN=$(demo_token "$OWNER" "Olga (demo owner)")
RECIPIENT_TOKEN=$(demo_token "$RECIPIENT" "Ravi (demo recipient)")
if [ "$(CAMSHARE_TOKEN=$OWNER_TOKEN camshare --json device list)" = "[]" ]; then
    echo "$CAMSIM_PASSWORD" | CAMSHARE_TOKEN=$OWNER_TOKEN camshare device add --name "Home NVR" --kind nvr \
        --rtsp rtsp://127.0.0.1:8554 --username admin \
        --channel-name "Front door" --channel-name "Garage" --channel-name "Garden" --channel-name "Driveway" >/dev/null
    echo "$CAMSIM_PASSWORD" | CAMSHARE_TOKEN=$OWNER_TOKEN camshare device add --name "Porch camera" --kind camera \
        --rtsp rtsp://127.0.0.1:8555 --username admin >/dev/null
fi

# The desktop app needs a display; without one (a server, CI), run it on a virtual one.
if [ -z "${DISPLAY:-}" ] && [ -z "${WAYLAND_DISPLAY:-}" ]; then
    export DISPLAY=:77
    Xvfb "$DISPLAY" -screen 0 1280x800x24 -nolisten tcp >/dev/null 2>&1 &
    PIDS+=($!)
    echo "run: no display found; the app windows run on the virtual display $DISPLAY (see them with a VNC server such as x11vnc)"
    sleep 1
fi
CAMSHARE_PASSWORD="$DEMO_PASSWORD" "$BIN/camshare-desktop" --server "$SERVER" --sign-in "$OWNER" &
PIDS+=($!)
CAMSHARE_PASSWORD="$DEMO_PASSWORD" "$BIN/camshare-desktop" --profile recipient --server "$SERVER" --sign-in "$RECIPIENT" &
PIDS+=($!)

cat <<EOT

Camshare server: $SERVER   (data: $DATA_DIR, API: $SERVER/api/openapi.json)
Two app windows: the owner ($OWNER) and the recipient ($RECIPIENT, profile "recipient").
Demo password for both: $DEMO_PASSWORD

The CLI works against the same server:
  export CAMSHARE_SERVER=$SERVER
  CAMSHARE_TOKEN=$OWNER_TOKEN $BIN/camshare device list
  CAMSHARE_TOKEN=$OWNER_TOKEN $BIN/camshare share create --to $RECIPIENT --device 1 --channels 1,3
  CAMSHARE_TOKEN=$RECIPIENT_TOKEN $BIN/camshare invite list
  ffplay -rtsp_transport tcp "\$(CAMSHARE_TOKEN=$OWNER_TOKEN $BIN/camshare stream-url 1 --channel 2)"

Ctrl-C stops everything.
EOT
wait "${PIDS[0]}"
