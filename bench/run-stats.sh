#!/usr/bin/env bash
# Statistics at scale (issue 17): every stats query through the API, cold
# (PostgreSQL restarted, the OS page cache dropped where allowed) and warm
# (median of 5), on the rollup and on the direct count it replaced (the
# same query with a bound inside a day, which the rollup cannot answer);
# then the cost of the rollup on writes: RSVP transactions per second with
# its triggers on and off, interleaved, same run.
# Usage: bench/run-stats.sh DATA_DIR
#   DATA_DIR holds a scratch cluster seeded with
#   cortege --data-dir DATA_DIR seed-demo --people 1000000 --events 1000000 --rsvps 5000000
#   (the write test adds RSVPs and removes them again).
# Env: CORTEGE_BIN (default target/release/cortege), BENCH_SECONDS (15).
set -euo pipefail
cd "$(dirname "$0")/.."
data=$(cd "$1" && pwd)
bin=${CORTEGE_BIN:-target/release/cortege}
seconds=${BENCH_SECONDS:-15}
port=18095
sock="$data/pg-run"
work=$(mktemp -d /tmp/cortege-stats.XXXXXX)
server=""
stop() { [ -n "$server" ] && { kill "$server" 2>/dev/null; wait "$server" 2>/dev/null || true; }; server=""; }
trap 'stop; rm -rf "$work"' EXIT
start() {
  env -u CORTEGE_BIN CORTEGE_REQUESTS_PER_MINUTE=100000000 CORTEGE_NOTIFICATIONS=false RUST_LOG=warn \
    CORTEGE_RESOLVER_TIMEOUT_MS=120000 \
    "$bin" --data-dir "$data" --listen 127.0.0.1:$port serve >>"$work/serve.log" 2>&1 &
  server=$!
  until curl -sf http://127.0.0.1:$port/health/ready >/dev/null; do
    kill -0 "$server" 2>/dev/null || { cat "$work/serve.log"; exit 1; }
    sleep 0.2
  done
}
q() { psql -h "$sock" -U cortege -d cortege -At -c "$1"; }
drop_caches() { sync; echo 3 >/proc/sys/vm/drop_caches 2>/dev/null && echo "dropped" || echo "kept"; }

# Bring the rollup up to date (the first build after seeding) and take the
# membership snapshot, timed (the command starts and stops the embedded
# cluster itself, so before the server).
t0=$(date +%s.%N)
env -u CORTEGE_BIN "$bin" --data-dir "$data" snapshot-stats
echo "rollup and snapshot built in $(echo "$(date +%s.%N) - $t0" | bc) s"
start
q "SELECT 'rollup rows: ' || count(*) FROM stats_daily"
q "SELECT 'sketches: ' || format_type(atttypid, NULL) FROM pg_attribute WHERE attrelid = 'stats_daily'::regclass AND attname = 'participants'"
admin=$(q "SELECT id FROM people WHERE deleted_at IS NULL ORDER BY id LIMIT 1")
q "UPDATE people SET roles = '{MEMBER,ADMIN}' WHERE id = '$admin'" >/dev/null
token="bench-stats-$RANDOM$RANDOM"
q "INSERT INTO sessions (id, person_id, token_hash, expires_at)
   VALUES (gen_random_uuid(), '$admin', sha256(convert_to('$token', 'UTF8')), now() + interval '1 day')" >/dev/null

# name|query: a bound inside a day ("…T00:00:01Z") goes the direct way.
inside='filter: { from: "2000-01-01T00:00:01Z" }'
cat >"$work/queries" <<Q
activity COMMUNE|{ stats { activity(groupBy: COMMUNE) { key events rsvps participants perTenThousand } } }
activity DEPARTMENT|{ stats { activity(groupBy: DEPARTMENT) { key events rsvps participants perTenThousand } } }
activity REGION|{ stats { activity(groupBy: REGION) { key events rsvps participants perTenThousand } } }
activity KIND|{ stats { activity(groupBy: KIND) { key events rsvps participants } } }
activity DAY|{ stats { activity(groupBy: DAY) { key events rsvps participants } } }
activity WEEK|{ stats { activity(groupBy: WEEK) { key events rsvps participants } } }
activity MONTH|{ stats { activity(groupBy: MONTH) { key events rsvps participants } } }
activity COMMUNE + outcomes|{ stats { activity(groupBy: COMMUNE) { key events leaflets doorsKnocked attended } } }
breakdown DEPARTMENT x WEEK|{ stats { breakdown(groupBy: [DEPARTMENT, WEEK], first: 10000) { keys events rsvps participants perTenThousand } } }
breakdown COMMUNE x KIND (dept 13)|{ stats { breakdown(groupBy: [COMMUNE, KIND], filter: { departmentCode: "13" }) { keys events participants } } }
members DEPARTMENT|{ stats { members(groupBy: DEPARTMENT) { key members newMembers active30d perTenThousand } } }
members COMMUNE|{ stats { members(groupBy: COMMUNE) { key members newMembers active30d } } }
members WEEK|{ stats { members(groupBy: WEEK) { key members newMembers active30d } } }
totals|{ stats { totals { people events upcomingEvents rsvps groups openReports } } }
direct: activity COMMUNE|{ stats { activity(groupBy: COMMUNE, $inside) { key events rsvps participants } } }
direct: activity DEPARTMENT|{ stats { activity(groupBy: DEPARTMENT, $inside) { key events rsvps participants } } }
direct: breakdown DEPARTMENT x WEEK|{ stats { breakdown(groupBy: [DEPARTMENT, WEEK], $inside, first: 10000) { keys events rsvps participants } } }
Q
ask() { # query → seconds
  local body
  body=$(python3 -c 'import json,sys; print(json.dumps({"query": sys.argv[1]}))' "$1")
  curl -s -o "$work/answer" -w '%{time_total}' -H 'content-type: application/json' \
    -H "authorization: Bearer $token" --data "$body" http://127.0.0.1:$port/graphql
  grep -q '"errors"' "$work/answer" && echo "error: $(head -c 300 "$work/answer")" >&2
  return 0
}
printf '%-38s %10s %10s %8s\n' query cold_ms warm_ms rows
while IFS='|' read -r name query; do
  stop
  # A restart of the server restarts its embedded PostgreSQL: empty buffers.
  caches=$(drop_caches)
  start
  cold=$(ask "$query")
  rows=$(python3 -c 'import json,sys; d=json.load(open(sys.argv[1]))["data"]["stats"]; v=next(iter(d.values())); print(len(v) if isinstance(v, list) else 1)' "$work/answer")
  warm=$(for _ in 1 2 3 4 5; do ask "$query"; echo; done | sort -n | sed -n 3p)
  printf '%-38s %10.0f %10.0f %8s\n' "$name" "$(echo "$cold * 1000" | bc)" "$(echo "$warm * 1000" | bc)" "$rows"
done <"$work/queries"
echo "(OS page cache between cold runs: $caches)"

# The rollup's cost on writes: an RSVP transaction (insert and seat count)
# on random upcoming events, triggers on and off, interleaved.
q "DROP TABLE IF EXISTS bench_ev, bench_pp;
   CREATE TABLE bench_ev AS SELECT row_number() OVER () AS n, id FROM events WHERE starts_at > now() AND cancelled_at IS NULL AND capacity IS NULL LIMIT 100000;
   CREATE TABLE bench_pp AS SELECT row_number() OVER () AS n, id FROM people WHERE deleted_at IS NULL LIMIT 100000;
   CREATE UNIQUE INDEX ON bench_ev (n); CREATE UNIQUE INDEX ON bench_pp (n);" >/dev/null
since=$(q "SELECT now()")
cat >"$work/rsvp.sql" <<'SQL'
\set e random(1, 100000)
\set p random(1, 100000)
BEGIN;
INSERT INTO rsvps (id, event_id, person_id, status, guests, event_starts_at)
SELECT gen_random_uuid(), e.id, p.id, 'GOING', 0, ev.starts_at
FROM bench_ev e JOIN events ev ON ev.id = e.id, bench_pp p WHERE e.n = :e AND p.n = :p
ON CONFLICT DO NOTHING;
UPDATE events SET seats_taken = seats_taken + 1 WHERE id = (SELECT id FROM bench_ev WHERE n = :e);
COMMIT;
SQL
stop
start
for round in 1 2; do
  for mode in on off; do
    if [ "$mode" = off ]; then
      q "ALTER TABLE events DISABLE TRIGGER events_stats_mark; ALTER TABLE rsvps DISABLE TRIGGER rsvps_stats_mark" >/dev/null
    fi
    tps=$(pgbench -h "$sock" -U cortege -n -c 4 -j 2 -T "$seconds" -f "$work/rsvp.sql" cortege 2>/dev/null \
      | sed -n 's/^tps = \([0-9.]*\).*/\1/p')
    q "ALTER TABLE events ENABLE TRIGGER events_stats_mark; ALTER TABLE rsvps ENABLE TRIGGER rsvps_stats_mark" >/dev/null
    echo "RSVP transactions/s, rollup triggers $mode, round $round: $tps"
  done
done
# Undo: the benchmark's RSVPs and seats, and the marks they left.
q "DELETE FROM rsvps WHERE created_at >= '$since';
   UPDATE events e SET seats_taken = (SELECT COALESCE(sum(1 + guests), 0) FROM rsvps r
       WHERE r.event_id = e.id AND r.status = 'GOING') WHERE e.id IN (SELECT id FROM bench_ev);
   DROP TABLE bench_ev, bench_pp;" >/dev/null
stop
env -u CORTEGE_BIN "$bin" --data-dir "$data" snapshot-stats >/dev/null
