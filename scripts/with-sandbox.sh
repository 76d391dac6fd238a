#!/usr/bin/env bash
# Runs a command while a sir-sandbox listens on the given port, then stops it.
# Usage: scripts/with-sandbox.sh PORT COMMAND...
set -euo pipefail
port=$1; shift
cd "$(dirname "$0")/.."
target/debug/sir-sandbox --port "$port" --log-format json > target/sandbox-"$port".log 2>&1 &
sandbox=$!
trap 'kill $sandbox 2>/dev/null || true' EXIT
for _ in $(seq 1 100); do
  curl -sf "http://127.0.0.1:$port/healthz" >/dev/null && break
  kill -0 $sandbox 2>/dev/null || { cat target/sandbox-"$port".log; exit 1; }
  sleep 0.1
done
"$@"
