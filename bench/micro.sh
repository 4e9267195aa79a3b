#!/bin/sh
# micro.sh: the Go micro-benchmarks of the request path, each beside its
# baseline measured in the same run (a bare go-kit endpoint for the
# middleware), summarised by benchstat. Run from the bench folder:
#   ./micro.sh            (or make -C bench micro)
# Output: /tmp/gantry-micro.txt (raw) and the benchstat summary on stdout.
set -eu
BENCHSTAT_VERSION=v0.0.0-20260908200009-22c9c6c9d4da # golang.org/x/perf
COUNT=${COUNT:-6}
BENCHTIME=${BENCHTIME:-200ms}
command -v benchstat >/dev/null 2>&1 || go install golang.org/x/perf/cmd/benchstat@$BENCHSTAT_VERSION
BENCHSTAT=$(command -v benchstat || echo "$(go env GOPATH)/bin/benchstat")
cd ..
go test -run '^$' -bench . -benchtime="$BENCHTIME" -count="$COUNT" \
	./middleware/ ./middleware/breaker/ ./middleware/shed/ ./middleware/ratelimit/ ./middleware/tracing/ \
	./middleware/metrics/ ./middleware/logging/ ./middleware/recovery/ ./middleware/timeout/ \
	./middleware/retry/ ./middleware/auth/ ./endpoint/ ./transport/http/ > /tmp/gantry-micro.txt
"$BENCHSTAT" /tmp/gantry-micro.txt 2>/dev/null
echo
"$BENCHSTAT" -format csv /tmp/gantry-micro.txt 2>/dev/null | (cd bench && go run ./cmd/microtable)
