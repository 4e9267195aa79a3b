#!/usr/bin/env bash
# Offline checks of the shop's deploy assets; CI runs this (see README.md).
# Needs Go and promtool (Debian package prometheus); uses kubectl and docker
# only when they are installed, and never a cluster or a registry.
set -euo pipefail
here="$(cd "$(dirname "$0")" && pwd)"
root="$(cd "$here/../../.." && pwd)"

log() { printf '\n==> deploy: %s\n' "$*"; }

log "promtool check rules / test rules / check config"
promtool check rules "$here/prometheus/alerts.yml"
promtool test rules "$here/prometheus/alerts_test.yml"
promtool check config "$here/prometheus/prometheus.yml"

log "the Dockerfile's build: the four services and the probe, CGO_ENABLED=0"
bin="$(mktemp -d)"
trap 'rm -rf "$bin"' EXIT
for svc in user product order gateway; do
  (cd "$root" && CGO_ENABLED=0 go build -trimpath -o "$bin/$svc" "./examples/shop/cmd/$svc")
done
(cd "$root" && CGO_ENABLED=0 go build -trimpath -o "$bin/probe" ./examples/shop/deploy/probe)
# The NATS server for the smoke test: the version the library's go.mod pins.
(cd "$root" && CGO_ENABLED=0 go build -o "$bin/nats-server" github.com/nats-io/nats-server/v2)

log "manifests, dashboard, rules, compose, Dockerfile, and smoke runs of the binaries with the Compose and the Kubernetes environment (validate module)"
(cd "$here/validate" && go vet ./... && SHOP_BIN_DIR="$bin" go test -race -count=1 ./...)

if command -v kubectl >/dev/null 2>&1; then
  log "kubectl kustomize (renders offline)"
  kubectl kustomize "$here/k8s" >/dev/null
fi

if command -v docker >/dev/null 2>&1 && docker compose version >/dev/null 2>&1; then
  log "docker compose config"
  docker compose -f "$here/docker-compose.yml" config --quiet
fi

log "ok"
