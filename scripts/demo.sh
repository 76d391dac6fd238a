#!/usr/bin/env bash
# Starts the SIR sandbox and serves the demo partner page (dist/), until Ctrl-C.
set -euo pipefail
sandbox_port=$1 page_port=$2
cd "$(dirname "$0")/.."
target/debug/sir-sandbox --port "$sandbox_port" &
sandbox=$!
node scripts/serve.mjs --dir dist --port "$page_port" &
server=$!
trap 'kill $sandbox $server 2>/dev/null || true' EXIT INT TERM
sleep 1
cat <<MSG

  sir-donate demo is running.
    Demo partner page:  http://127.0.0.1:$page_port/
    SIR sandbox API:    http://127.0.0.1:$sandbox_port/  (seeded keys and nonprofits listed there)

  Press Ctrl-C to stop.
MSG
wait
