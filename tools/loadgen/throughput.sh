#!/usr/bin/env bash
# Submission throughput against the raw insert rate, with the server as a
# process of its own (docs/benchmarks.md). Each round runs, back to back:
#   raw:    a server on a fresh data folder, idle, while tools/rawinsert
#           InsertOne's response documents into a wave's collection through
#           the store's socket;
#   submit: a server on another fresh data folder while tools/loadgen sends
#           POST /api/v1/waves/{wave}/responses (mix submit=100);
# both with the same number of goroutines/clients, and prints their ratio.
# The server is the binary `go run ./server` builds, with the per-wave and
# per-client limits off (every client is 127.0.0.1).
#
#   bash tools/loadgen/throughput.sh                  # 3 rounds of 20 s + 20 s, 16 clients
#   ROUNDS=5 DUR=30s CONC=16 bash tools/loadgen/throughput.sh
set -euo pipefail
cd "$(dirname "$0")/../.."
B=$(mktemp -d)
PID=
cleanup() { [ -n "$PID" ] && kill -INT "$PID" 2>/dev/null && wait "$PID" 2>/dev/null; rm -rf "$B"; }
trap cleanup EXIT
go build -o "$B/yousaid" ./server
go build -o "$B/loadgen" ./tools/loadgen
go build -o "$B/rawinsert" ./tools/rawinsert
ADDR=${ADDR:-127.0.0.1:18081}
CONC=${CONC:-16}
DUR=${DUR:-20s}
export ADMIN_EMAIL=bench@yousaid.example ADMIN_PASSWORD='bench password long enough'

# start_server DIR: a server on DIR with an open wave; sets PID and WAVE.
start_server() {
	WAVE_RATE=0 CLIENT_RATE=0 "$B/yousaid" -addr "$ADDR" -data "$1" -log-level warn >"$1.log" 2>&1 &
	PID=$!
	until curl -fs "http://$ADDR/readyz" >/dev/null; do sleep 0.1; done
	local api='curl -fs -H Content-Type:application/json'
	TOKEN=$($api -d "{\"email\":\"$ADMIN_EMAIL\",\"password\":\"$ADMIN_PASSWORD\"}" "http://$ADDR/api/v1/auth/tokens" | sed 's/.*"token":"\([^"]*\)".*/\1/')
	$api -H "Authorization: Bearer $TOKEN" -d '{"slug":"bench","name":"Bench Council"}' "http://$ADDR/api/v1/councils" >/dev/null
	WAVE=$($api -H "Authorization: Bearer $TOKEN" -d '{"survey":"life-beyond-care","name":"Throughput"}' "http://$ADDR/api/v1/councils/bench/waves" | sed 's/.*"id":"\([^"]*\)".*/\1/')
	# One submission first, on both sides: the wave's collections are made
	# and indexed, so raw inserts and submissions write the same tables.
	"$B/loadgen" -url "http://$ADDR" -wave "$WAVE" -concurrency 1 -submissions 1 -duration 0 -mix submit=100 -settle 0s >/dev/null 2>&1 || true
}
stop_server() { kill -INT "$PID"; wait "$PID" 2>/dev/null || true; PID=; }

echo "machine: $(nproc) cores, $(grep -m1 'model name' /proc/cpuinfo | cut -d: -f2 | xargs), $(go version | cut -d' ' -f3-)"
echo "load before: $(cut -d' ' -f1-3 /proc/loadavg)"
printf '%-6s %14s %14s %7s  %s\n' round "raw insert/s" "submissions/s" ratio "load average (1 min) after"
for r in $(seq "${ROUNDS:-3}"); do
	start_server "$B/raw$r"
	RAW=$("$B/rawinsert" -url "http://$ADDR" -data "$B/raw$r" -wave "$WAVE" -concurrency "$CONC" -duration "$DUR" | sed 's/.*: \([0-9.]*\)\/s.*/\1/')
	stop_server
	start_server "$B/sub$r"
	SUB=$("$B/loadgen" -url "http://$ADDR" -wave "$WAVE" -concurrency "$CONC" -duration "$DUR" -mix submit=100 -data "$B/sub$r" -settle 5s |
		awk '$1=="submit"{print $5}')
	stop_server
	printf '%-6s %14s %14s %7s  %s\n' "$r" "$RAW" "$SUB" "$(awk -v a="$SUB" -v b="$RAW" 'BEGIN{printf "%.2f", a/b}')" "$(cut -d' ' -f1 /proc/loadavg)"
done
