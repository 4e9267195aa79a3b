#!/usr/bin/env bash
# The shop's API from the outside; CI runs this. It builds and starts the
# shop on loopback, takes the merged OpenAPI document its gateway serves,
# lints it with Redocly CLI (npm; no errors allowed), generates a Go client
# from it with oapi-codegen v2 and runs this module's tests against the
# running shop with that client. Needs Go, Node.js and npm.
set -euo pipefail
here="$(cd "$(dirname "$0")" && pwd)"
root="$(cd "$here/../../.." && pwd)"
OAPI_CODEGEN=github.com/oapi-codegen/oapi-codegen/v2/cmd/oapi-codegen@v2.8.2

log() { printf '\n==> apiclient: %s\n' "$*"; }

work="$(mktemp -d)"
pid=""
cleanup() {
  if [ -n "$pid" ]; then kill "$pid" 2>/dev/null || true; wait "$pid" 2>/dev/null || true; fi
  rm -rf "$work"
}
trap cleanup EXIT

log "build and start the shop on 127.0.0.1"
(cd "$root" && go build -o "$work/shop" ./examples/shop)
SHOP_ADMIN_EMAIL=admin@example.com SHOP_ADMIN_PASSWORD=admin-secret-1 USER_BCRYPT_COST=4 GANTRY_LOG_LEVEL=warn \
  "$work/shop" -addr 127.0.0.1:0 -data "$work/data" -nats-port 0 >"$work/shop.out" 2>"$work/shop.log" &
pid=$!
url=""
for _ in $(seq 1 120); do
  url=$(sed -nE 's#^  gateway +(http://127\.0\.0\.1:[0-9]+) .*#\1#p' "$work/shop.out")
  [ -n "$url" ] && break
  if ! kill -0 "$pid" 2>/dev/null; then cat "$work/shop.out" "$work/shop.log"; echo "the shop exited"; exit 1; fi
  sleep 0.5
done
[ -n "$url" ] || { cat "$work/shop.out" "$work/shop.log"; echo "the shop did not come up in 60s"; exit 1; }
for _ in $(seq 1 60); do # the services register in discovery as they come up
  curl -fsS "$url/api/v1/products" >/dev/null 2>&1 && break
  sleep 0.5
done
curl -fsS "$url/openapi.json" -o "$here/openapi.json"
if grep -q x-gantry-fetch-errors "$here/openapi.json"; then
  echo "the gateway could not fetch every service's document:"; cat "$here/openapi.json"; exit 1
fi

# Redocly CLI 2 needs Node.js 20.19 or later; Debian 12's own is 18, for
# which 1.34 is the release.
if node -e 'const [a,b]=process.versions.node.split(".").map(Number); process.exit(a>20||(a==20&&b>=19)?0:1)'; then
  REDOCLY_CLI=@redocly/cli@2.77.0
else
  REDOCLY_CLI=@redocly/cli@1.34.20
fi
log "redocly lint of the merged document ($REDOCLY_CLI, Node.js $(node --version))"
npm install --prefix "$work/npm" --no-audit --no-fund --silent "$REDOCLY_CLI" >/dev/null
"$work/npm/node_modules/.bin/redocly" lint --format=summary "$here/openapi.json" 2>&1 | grep -vE '^\s*(║|╔|╚)' || {
  "$work/npm/node_modules/.bin/redocly" lint "$here/openapi.json"; exit 1; }

log "generate the client ($OAPI_CODEGEN) and test it against the shop"
(cd "$here" && go run "$OAPI_CODEGEN" -package shopapi -generate types,client -o shopapi.gen.go openapi.json)
(cd "$here" && go vet ./... && SHOP_URL="$url" go test -count=1 -v ./...)
log "ok"
