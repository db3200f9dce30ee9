#!/usr/bin/env bash
# The organising-core benchmark: events near a place through the API (wrk,
# concurrency 32, 30 s) beside the same SQL through pgbench, in one run.
# Usage: bench/run-near.sh DATA_DIR [RADIUS_KM]
#   DATA_DIR holds a cluster seeded with
#   cortege --data-dir DATA_DIR seed-demo --people 1000000 --events 1000000 --rsvps 5000000
set -euo pipefail
cd "$(dirname "$0")/.."
data=$1 radius=${2:-50}
bin=${CORTEGE_BIN:-target/release/cortege}
port=${BENCH_PORT:-18080}
env -u CORTEGE_BIN "$bin" --data-dir "$data" --listen "127.0.0.1:$port" serve >"$data/bench-serve.log" 2>&1 &
server=$!
trap 'kill $server; wait $server' EXIT
until curl -sf "http://127.0.0.1:$port/health/ready" >/dev/null; do sleep 0.2; done
sock="$data/pg-run"
[ -d "$sock" ] || sock=$(find /var/lib/cortege -maxdepth 2 -name pg-run | head -n 1)
echo "== API (wrk -c32 -t2 -d30s, radius $radius km)"
BENCH_RADIUS=$radius wrk -c32 -t2 -d30s -s bench/near.lua "http://127.0.0.1:$port/graphql" | tail -n 1
echo "== SQL ceiling (pgbench -M prepared -c32 -j2 -T30)"
sed "s/metres 50000/metres $((radius * 1000))/" bench/near.sql > "$data/near.sql"
pgbench -n -M prepared -h "$sock" -U cortege -c32 -j2 -T30 -f "$data/near.sql" cortege | grep -E "^tps|latency average"
# What one API request runs: the page, then its organisers in one batch.
ids=$(psql -h "$sock" -U cortege -At -c "SELECT string_agg(quote_literal(organiser_id::text), ',') FROM (SELECT organiser_id FROM events LIMIT 20) t" cortege)
{ cat "$data/near.sql"; echo "SELECT id, first_name, last_name, email, photo_key, postcode, commune_code, home_lat, home_lon, action_radius_km, roles::text[] AS roles, pledge_accepted_at, banned_at, deleted_at, created_at FROM people WHERE id = ANY(ARRAY[$ids]::uuid[]);"; } > "$data/near-request.sql"
echo "== SQL of one API request (page + organisers), pgbench -M prepared -c32 -j2 -T30"
pgbench -n -M prepared -h "$sock" -U cortege -c32 -j2 -T30 -f "$data/near-request.sql" cortege | grep -E "^tps|latency average"
