#!/usr/bin/env bash
# The demo: the SIR sandbox, and the reference partner server serving the demo partner
# page (dist/) and receiving the sandbox's signed webhooks, until Ctrl-C.
set -euo pipefail
sandbox_port=$1 page_port=$2
cd "$(dirname "$0")/.."
# The Demo Partner's seeded credentials (servers/sandbox/README.md): sandbox-only values.
webhook_secret=whsec_78fa7c67cb3171ebea2a41e9da818cf05dd7d48d972e0b4410f002554656a0e1
target/debug/sir-sandbox --port "$sandbox_port" \
  --webhook-url "http://127.0.0.1:$page_port/webhooks/sir" --webhook-secret "$webhook_secret" &
sandbox=$!
SIR_API_BASE="http://127.0.0.1:$sandbox_port" \
SIR_SECRET_KEY=sk_test_c324ca5be4ee54c387386da622872f2a9eb5d1ed549a534a0c77236730a939b7 \
SIR_HMAC_SECRET=d2dd24eac6bcec3d55c01a49af7948725fb96acd329e06655a2a59bd2a1706c3 \
SIR_WEBHOOK_SECRET="$webhook_secret" \
SIR_PUBLISHABLE_KEY=pk_test_f40ae06e2cfeb3cb6ce6bbcfa2617d6b8452aff0221c5281ba74b1183db4d378 \
PARTNER_LISTEN="127.0.0.1:$page_port" PARTNER_ALLOWED_ORIGINS="http://127.0.0.1:$page_port" \
PARTNER_IDENTITY=demo \
PARTNER_STATIC_DIR=dist PARTNER_DB=target/demo-partner.sqlite3 \
  target/debug/sir-partner-server &
partner=$!
trap 'kill $sandbox $partner 2>/dev/null || true' EXIT INT TERM
sleep 1
cat <<MSG

  sir-donate demo is running.
    Demo partner page:   http://127.0.0.1:$page_port/   (served by sir-partner-server)
    Snippet builder:     http://127.0.0.1:$page_port/builder.html
    SIR sandbox API:     http://127.0.0.1:$sandbox_port/  (seeded keys and nonprofits listed there)

  Press Ctrl-C to stop.
MSG
wait
