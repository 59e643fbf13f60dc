#!/usr/bin/env bash
# The API's contract test: starts the built camshare-server on a throwaway SQLite database
# (loopback, a free port, device checks off so generated camera addresses are never contacted),
# checks that ui/src/wire.ts is what the server's OpenAPI document generates, signs up one
# account, and runs schemathesis (scripts/schemathesis.sh: every check, the
# stateful phase included) against the server's own OpenAPI document with that account's token.
# Called by test.sh after the build; needs CARGO_TARGET_DIR from setup.sh.
set -euo pipefail
cd "$(dirname "$0")/.."
: "${CARGO_TARGET_DIR:?source scripts/setup.sh first}"

WORK=$(mktemp -d /tmp/camshare-contract.XXXXXX)
PORT=$(python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1",0)); print(s.getsockname()[1])')
"$CARGO_TARGET_DIR/debug/camshare-server" --listen "127.0.0.1:$PORT" --gate-listen 127.0.0.1:0 \
    --data-dir "$WORK" --device-check-secs 0 --log warn >"$WORK/server.log" 2>&1 &
SERVER=$!
trap 'kill "$SERVER" 2>/dev/null || true; wait "$SERVER" 2>/dev/null || true; rm -rf "$WORK"' EXIT

URL="http://127.0.0.1:$PORT"
for _ in $(seq 1 100); do
    curl -sf "$URL/api/health" >/dev/null && break
    sleep 0.1
done
# Sign up, then finish with the code the server wrote to its outbox folder (no mail relay here).
VERIFICATION=$(curl -sf -X POST "$URL/api/accounts" -H 'content-type: application/json' \
    -d '{"email":"contract@example.com","display_name":"Contract","password":"a-good-password"}' |
    python3 -c 'import json, sys; print(json.load(sys.stdin)["verification"])')
CODE=$(grep -rhoE 'code is [0-9]{6}' "$WORK/outbox" | head -n 1 | grep -oE '[0-9]{6}')
TOKEN=$(curl -sf -X POST "$URL/api/accounts/verify" -H 'content-type: application/json' \
    -d "{\"verification\":\"$VERIFICATION\",\"code\":\"$CODE\"}" |
    python3 -c 'import json, sys; print(json.load(sys.stdin)["tokens"]["access_token"])')

# The UI's wire types are generated from this document; a stale ui/src/wire.ts fails here.
curl -sf "$URL/api/openapi.json" >"$WORK/openapi.json"
if ! node ui/scripts/wire-types.mjs "$WORK/openapi.json" --check ui/src/wire.ts; then
    echo "regenerate it: node ui/scripts/wire-types.mjs openapi.json > ui/src/wire.ts (with the server's /api/openapi.json)" >&2
    exit 1
fi

status=0
SERVER_URL="$URL" TOKEN="$TOKEN" ./scripts/schemathesis.sh || status=$?
if [ "$status" -ne 0 ]; then
    echo "contract test failed; the server's log:" >&2
    tail -n 50 "$WORK/server.log" >&2
fi
exit "$status"
