#!/usr/bin/env bash
# Runs Camshare on this machine: the sharing server on http://127.0.0.1:7878 with its embedded
# SQLite database, plus demo accounts (an owner with a demo NVR and camera, and a recipient) so
# the CLI can be tried at once. Installs what it needs first (see setup.sh). Ctrl-C stops it.
#
# The desktop app and the camera simulator do not exist yet (issues 3 and 4); until then this
# starts the server only.
set -euo pipefail
cd "$(dirname "$0")/.."
source scripts/setup.sh

LISTEN="${CAMSHARE_LISTEN:-127.0.0.1:7878}"
SERVER="http://$LISTEN"
DEMO_PASSWORD="camshare-demo"
OWNER="owner@demo.camshare"
RECIPIENT="recipient@demo.camshare"

echo "== building (the first build takes a few minutes)"
cargo build --locked -p camshare-server -p camshare-cli
BIN="$CARGO_TARGET_DIR/debug"

if curl -fsS "$SERVER/api/health" >/dev/null 2>&1; then
    echo "run: something already answers on $SERVER; stop it first (or set CAMSHARE_LISTEN)" >&2
    exit 1
fi

"$BIN/camshare-server" --listen "$LISTEN" &
SERVER_PID=$!
trap 'kill $SERVER_PID 2>/dev/null || true; wait $SERVER_PID 2>/dev/null || true' EXIT INT TERM
for _ in $(seq 1 100); do
    curl -fsS "$SERVER/api/health" >/dev/null 2>&1 && break
    kill -0 $SERVER_PID 2>/dev/null || { echo "run: the server did not start" >&2; exit 1; }
    sleep 0.1
done

camshare() { "$BIN/camshare" --server "$SERVER" "$@"; }

# A token for a demo account: sign in, or sign up the first time.
demo_token() {
    local login=$1 name=$2
    echo "$DEMO_PASSWORD" | camshare login "$login" --print-token 2>/dev/null \
        || echo "$DEMO_PASSWORD" | camshare signup --email "$login" --name "$name" --print-token
}

OWNER_TOKEN=$(demo_token "$OWNER" "Demo Owner")
RECIPIENT_TOKEN=$(demo_token "$RECIPIENT" "Demo Recipient")
if [ "$(CAMSHARE_TOKEN=$OWNER_TOKEN camshare --json device list)" = "[]" ]; then
    echo "demo-password" | CAMSHARE_TOKEN=$OWNER_TOKEN camshare device add --name "Demo NVR" --kind nvr \
        --rtsp rtsp://127.0.0.1:8554 --username admin \
        --channel-name "Front door" --channel-name "Garage" --channel-name "Garden" --channel-name "Driveway" >/dev/null
    echo "demo-password" | CAMSHARE_TOKEN=$OWNER_TOKEN camshare device add --name "Porch camera" --kind camera \
        --rtsp rtsp://127.0.0.1:8555 --username admin >/dev/null
fi

cat <<EOT

Camshare server: $SERVER   (data: ${CAMSHARE_DATA_DIR:-$HOME/.local/share/camshare}, API: $SERVER/api/openapi.json)

Demo accounts (password: $DEMO_PASSWORD):
  owner      $OWNER  (a 4-channel NVR and a camera)
  recipient  $RECIPIENT

Try it in another terminal:
  export CAMSHARE_SERVER=$SERVER
  export CAMSHARE_TOKEN=$OWNER_TOKEN          # the owner; tokens last 15 minutes
  $BIN/camshare device list
  $BIN/camshare share create --to $RECIPIENT --device 1 --channels 1,3 --remark "Demo"
  CAMSHARE_TOKEN=$RECIPIENT_TOKEN $BIN/camshare invite list

Ctrl-C stops the server.
EOT
wait $SERVER_PID
