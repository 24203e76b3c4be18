#!/usr/bin/env bash
# Schema fuzzing: schemathesis drives a real `voip-rooms serve` (demo data, demo admin) from openapi.json.
# Usage: tests/fuzz/run.sh PATH_TO_SCHEMATHESIS
set -euo pipefail
cd "$(dirname "$0")/../.."
schemathesis="$1"
log=$(mktemp)
.venv/bin/voip-rooms serve --port 0 > "$log" 2>&1 &
server=$!
trap 'kill "$server" 2>/dev/null || true; rm -f "$log"' EXIT
url=""
for _ in $(seq 100); do
  url=$(grep -o 'http://127\.0\.0\.1:[0-9]*' "$log" | head -n 1 || true)
  [ -n "$url" ] && break
  sleep 0.1
done
[ -n "$url" ] || { echo "fuzz: the local server did not start"; cat "$log"; exit 1; }

# No 5xx, and every answer (status, content type, body) as openapi.json documents it.
"$schemathesis" run openapi.json --url "$url" \
  -H "X-User-Id: demo-admin" -H "X-Auth-Token: demo-admin-token" \
  --checks not_a_server_error,status_code_conformance,content_type_conformance,response_schema_conformance \
  --max-examples "${FUZZ_EXAMPLES:-500}" --seed "${FUZZ_SEED:-20261127}" --max-time 150 \
  --request-timeout 10
