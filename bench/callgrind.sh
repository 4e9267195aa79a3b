#!/bin/sh
# callgrind.sh: instructions per call of the gRPC rows' servers, counted by
# valgrind's callgrind: a figure that does not move with the load of a
# shared machine, beside the harness's CPU time per call. Run from the
# bench folder:
#   ./callgrind.sh                       (the three rows below)
#   ROWS="grpc-plain grpc-gantry" ./callgrind.sh
# Each server runs under callgrind (GOMAXPROCS=1, as the harness pins it to
# one core); after WARM calls of cmd/grpcload its counters are zeroed, then
# it serves N calls, its counts are dumped, and it is killed (callgrind 3.19
# can fail an assertion on the signal of a clean shutdown). The dump of each
# row is kept in $OUT (default /tmp/gantry-callgrind) for callgrind_annotate.
# Needs valgrind. GODEBUG turns off RDTSCP, which valgrind 3.19 cannot run,
# and asynchronous preemption, whose signals make counts wander.
set -eu
ROWS=${ROWS:-"grpc-plain grpc-gantry-transport grpc-gantry"}
WARM=${WARM:-1000}
N=${N:-4000}
C=${C:-16}
OUT=${OUT:-/tmp/gantry-callgrind}
mkdir -p "$OUT"
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT INT TERM
go build -o "$tmp/grpcload" ./cmd/grpcload

pkg() {
	case $1 in
	grpc-plain) echo ./servers/grpcplain ;;
	grpc-gantry-transport) echo ./servers/grpcgantry ;;
	grpc-gantry) echo github.com/gantrykit/gantry/examples/grpc ;;
	grpc-kratos | grpc-kratos-chain) echo ./servers/grpckratos ;;
	grpc-gozero | grpc-gozero-quiet) echo ./servers/grpczero ;;
	*) echo "callgrind.sh: unknown row $1" >&2 && exit 2 ;;
	esac
}

# total ROW N: the server's instruction count over N calls.
total() {
	port=$(shuf -i 40000-59999 -n 1)
	addr=127.0.0.1:$port
	set -- "$1" "$2" -listen "$addr"
	case $1 in
	grpc-gantry) set -- "$1" "$2" -grpc-addr "$addr" -http-addr 127.0.0.1:$((port + 1)) \
		-admin-addr 127.0.0.1:$((port + 2)) -drain-delay 0 ;;
	esac
	row=$1 n=$2
	shift 2
	extra=""
	case $row in
	grpc-kratos-chain) extra="BENCH_CHAIN=1" ;;
	grpc-gozero-quiet) extra="BENCH_QUIET=1" ;;
	esac
	env $extra GODEBUG=asyncpreemptoff=1,cpu.rdtscp=off GOMAXPROCS=1 \
		valgrind --tool=callgrind --callgrind-out-file="$OUT/$row.out" "$tmp/$row" "$@" \
		>"$tmp/log" 2>&1 &
	pid=$!
	tries=0
	until "$tmp/grpcload" -addr "$addr" -n 1 -c 1 -conns 1 >/dev/null 2>&1; do
		tries=$((tries + 1))
		if [ $tries -gt 120 ]; then
			kill "$pid"
			tail -20 "$tmp/log" >&2
			return 1
		fi
		sleep 0.5
	done
	"$tmp/grpcload" -addr "$addr" -n "$WARM" -c "$C" -d 10m >/dev/null
	callgrind_control -z "$pid" >/dev/null 2>&1
	"$tmp/grpcload" -addr "$addr" -n "$n" -c "$C" -d 10m >/dev/null
	callgrind_control -d "$pid" >/dev/null 2>&1
	kill -KILL "$pid"
	wait "$pid" 2>/dev/null || true
	rm -f "$OUT/$row.out"
	mv "$OUT/$row.out.1" "$OUT/$row.out"
	awk '/^(summary|totals):/ {print $2; exit}' "$OUT/$row.out"
}

echo "row instructions/call ($N calls after $WARM, $C callers)"
for row in $ROWS; do
	go build -o "$tmp/$row" "$(pkg "$row")"
	echo "$row $(($(total "$row" "$N") / N))"
done
