#!/usr/bin/env bash
# A survey day on loopback: builds the server and the load generator,
# starts the server on a fresh embedded store, opens a council, a wave of
# life-beyond-care and a forum session, runs the load generator against it
# with the server's memory sampled from /proc, and audits the result.
# docs/benchmarks.md reports its figures.
#
#   bash tools/loadgen/bench.sh                      # 200 clients, 30 s
#   CONC=20 DUR=20s bash tools/loadgen/bench.sh      # a quieter day
#   GOMEMLIMIT=100MiB bash tools/loadgen/bench.sh    # the server with a soft memory limit
#
# The per-wave and per-client submission limits are switched off
# (WAVE_RATE=0 CLIENT_RATE=0): every simulated phone comes from 127.0.0.1,
# one client to the limiter. Set WAVE_RATE=50 to see the production
# per-wave limit answer 429s instead.
set -euo pipefail
cd "$(dirname "$0")/../.."
B=$(mktemp -d)
trap 'rm -rf "$B"' EXIT
go build -o "$B/yousaid" ./server
go build -o "$B/loadgen" ./tools/loadgen
ADDR=${ADDR:-127.0.0.1:18080}
export ADMIN_EMAIL=bench@yousaid.example ADMIN_PASSWORD='bench password long enough'
env ${GOMEMLIMIT:+GOMEMLIMIT=$GOMEMLIMIT} WAVE_RATE="${WAVE_RATE:-0}" CLIENT_RATE="${CLIENT_RATE:-0}" \
	"$B/yousaid" -addr "$ADDR" -data "$B/data" -log-level warn >"$B/server.log" 2>&1 &
PID=$!
trap 'kill -INT $PID 2>/dev/null; wait $PID 2>/dev/null; rm -rf "$B"' EXIT
until curl -fs "http://$ADDR/readyz" >/dev/null; do sleep 0.1; done
api() { curl -fs -H "Authorization: Bearer ${TOKEN:-}" -H 'Content-Type: application/json' -d "$2" "http://$ADDR$1"; }
field() { sed "s/.*\"$1\":\"\\([^\"]*\\)\".*/\\1/"; }
TOKEN=$(api /api/v1/auth/tokens "{\"email\":\"$ADMIN_EMAIL\",\"password\":\"$ADMIN_PASSWORD\"}" | field token)
api /api/v1/councils '{"slug":"bench","name":"Bench Council"}' >/dev/null
WAVE=$(api /api/v1/councils/bench/waves '{"survey":"life-beyond-care","name":"Load day"}' | field id)
JOIN=$(api /api/v1/councils/bench/sessions '{"title":"What first?","options":[{"value":"housing","label":{"en":"Housing"}},{"value":"money","label":{"en":"Money"}}],"max_choices":1}' | field join_code)
echo "machine: $(nproc) cores, $(grep -m1 'model name' /proc/cpuinfo | cut -d: -f2 | xargs), $(free -g | awk '/Mem:/{print $2}') GiB, $(go version | cut -d' ' -f3-)"
echo "server ready: $(grep -E 'VmRSS' /proc/$PID/status | xargs)"
"$B/loadgen" -url "http://$ADDR" -wave "$WAVE" -concurrency "${CONC:-200}" -duration "${DUR:-30s}" \
	-mix "${MIX:-submit=90,results=5,vote=5}" -token "$TOKEN" -join-code "$JOIN" -vote-options housing,money \
	-data "$B/data" -server-pid "$PID"
