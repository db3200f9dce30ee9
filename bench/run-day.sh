#!/usr/bin/env bash
# A day of action on this machine: three Cortège replicas behind a Redis
# Cluster of three masters (each with a replica) and one PostgreSQL with a
# streaming standby for reads; members spread over France, each with one
# WebSocket subscribed to eventsNearby and to their feed; events and RSVPs
# at a steady rate through all three replicas; and, halfway, the Redis
# master that carries the feeds' announcements is killed and its replica
# takes over. Two cortege-day processes share the sockets (one process may
# hold 20,000 here: `ulimit -Hn`); the totals are their sums.
#
# Usage: bench/run-day.sh [SUBSCRIBERS]   (default 30000)
# Env: DAY_SECONDS (120), DAY_EVENT_RATE (50/s), DAY_RSVP_RATE (60/s),
#      DAY_KILL_AFTER (60 s into the load), DAY_RADIUS_KM (10),
#      DAY_SPREAD_KM (50: members and events within this of a city centre).
set -euo pipefail
cd "$(dirname "$0")/.."
. scripts/lib.sh
ensure_packages
ulimit -n "$(ulimit -Hn)"
subscribers=${1:-30000}
seconds=${DAY_SECONDS:-120} event_rate=${DAY_EVENT_RATE:-50} rsvp_rate=${DAY_RSVP_RATE:-60}
kill_after=${DAY_KILL_AFTER:-60} radius=${DAY_RADIUS_KM:-10} spread=${DAY_SPREAD_KM:-50}
target=${CARGO_TARGET_DIR:-target}
cargo build -q --release --locked --bin cortege --bin cortege-day
bin="$target/release/cortege" day="$target/release/cortege-day"

work=$(mktemp -d /tmp/cortege-day.XXXXXX)
chmod 755 "$work"
pids=()
cleanup() {
  for pid in "${pids[@]}"; do kill "$pid" 2>/dev/null || true; done
  for pid in "${pids[@]}"; do wait "$pid" 2>/dev/null || true; done
  for f in "$work"/redis-*.pid; do [ -f "$f" ] && kill "$(cat "$f")" 2>/dev/null || true; done
  stop_postgres "$work/standby" || true
  stop_postgres "$work/pg" || true
  [ -n "${DAY_KEEP_LOGS:-}" ] && cp "$work"/*.log "$DAY_KEEP_LOGS"/ 2>/dev/null \
    && cp "$work/pg/log" "$DAY_KEEP_LOGS/postgresql.log" 2>/dev/null
  rm -rf "$work"
}
trap cleanup EXIT

# Runs "$@" until it succeeds, for at most a minute.
wait_for() {
  local what=$1 deadline=$((SECONDS + 60))
  shift
  until "$@" >/dev/null 2>&1; do
    [ "$SECONDS" -lt "$deadline" ] || { echo "gave up waiting for $what" >&2; exit 1; }
    sleep 0.2
  done
}

echo "== PostgreSQL primary and streaming standby"
pg_port=$(free_port); start_postgres "$work/pg" "$pg_port"
standby_port=$(free_port); start_standby "$pg_port" "$work/standby" "$standby_port"
db="postgres://cortege@127.0.0.1:$pg_port/postgres"
if [ -n "${DAY_EXPLAIN_MS:-}" ]; then
  # The plans of statements slower than this, in the PostgreSQL log.
  psql -q "$db" -c "LOAD 'auto_explain'" \
    -c "ALTER SYSTEM SET session_preload_libraries = 'auto_explain'" \
    -c "ALTER SYSTEM SET auto_explain.log_min_duration = $DAY_EXPLAIN_MS" -c "SELECT pg_reload_conf()" >/dev/null
fi
read_db="postgres://cortege@127.0.0.1:$standby_port/postgres"

echo "== Redis Cluster: three masters, three replicas"
nodes=()
for i in 1 2 3 4 5 6; do
  port=$(free_port)
  redis-server --bind 127.0.0.1 --port "$port" --save '' --appendonly no --daemonize yes \
    --cluster-enabled yes --cluster-node-timeout 2000 --cluster-config-file "$work/nodes-$port.conf" \
    --pidfile "$work/redis-$port.pid" --logfile "$work/redis-$port.log" --dir "$work"
  nodes+=("127.0.0.1:$port")
done
for n in "${nodes[@]}"; do wait_for "redis at $n" redis-cli -p "${n#*:}" ping; done
redis-cli --cluster create "${nodes[@]}" --cluster-replicas 1 --cluster-yes >"$work/cluster-create.log" 2>&1 \
  || { cat "$work/cluster-create.log"; exit 1; }
first=${nodes[0]#*:}
wait_for "the cluster" sh -c "redis-cli -p $first cluster info | grep -q cluster_state:ok"
for n in "${nodes[@]}"; do
  wait_for "$n to sync" sh -c "redis-cli -p ${n#*:} info replication | grep -qE 'role:master|master_link_status:up'"
done

# The master owning a channel's slot (CLUSTER SLOTS: start, end, then the
# master's address and port).
master_of() {
  local slot
  slot=$(redis-cli -p "$first" cluster keyslot "$1")
  redis-cli -p "$first" --raw cluster slots | awk -v s="$slot" '{ l[NR] = $0 } END {
    for (i = 1; i + 3 <= NR; i++)
      if (l[i] ~ /^[0-9]+$/ && l[i+1] ~ /^[0-9]+$/ && l[i+3] ~ /^[0-9]+$/ && l[i]+0 <= s+0 && s+0 <= l[i+1]+0) {
        print l[i+3]; exit
      }
  }'
}
victim=$(master_of cortege:activities)
victim_pid=$(cat "$work/redis-$victim.pid")
echo "   the feeds' announcements (cortege:activities) live on the master at port $victim"

echo "== three Cortège replicas"
export CORTEGE_DATABASE_URL=$db CORTEGE_READ_DATABASE_URL=$read_db
export CORTEGE_REDIS_CLUSTER_NODES=$(IFS=,; echo "${nodes[*]}")
export CORTEGE_EVENTS_PER_HOUR=10000000 CORTEGE_REQUESTS_PER_MINUTE=100000000
export CORTEGE_NOTIFICATIONS=false RUST_LOG=${RUST_LOG:-warn}
servers=() server_pids=()
for i in 1 2 3; do
  port=$(( 20000 + RANDOM % 9000 ))
  CORTEGE_DATA_DIR="$work/data-$i" "$bin" --listen "127.0.0.1:$port" serve >"$work/serve-$i.log" 2>&1 &
  pids+=($!) server_pids+=($!)
  until curl -sf "http://127.0.0.1:$port/health/ready" >/dev/null; do
    kill -0 "${pids[-1]}" 2>/dev/null || { cat "$work/serve-$i.log"; exit 1; }
    sleep 0.1
  done
  servers+=("http://127.0.0.1:$port")
done
unset CORTEGE_DATABASE_URL CORTEGE_READ_DATABASE_URL CORTEGE_REDIS_CLUSTER_NODES

echo "== $subscribers members over two load processes; $event_rate events/s and $rsvp_rate RSVPs/s for ${seconds}s; master $victim killed at ${kill_after}s"
half=$(( subscribers / 2 ))
common=(--servers "$(IFS=,; echo "${servers[*]}")" --database-url "$db" --seconds "$seconds"
  --radius "$radius" --spread-km "$spread" --server-pids "$(IFS=,; echo "${server_pids[*]}")"
  --event-rate "$(awk -v r="$event_rate" 'BEGIN { print r / 2 }')"
  --rsvp-rate "$(awk -v r="$rsvp_rate" 'BEGIN { print r / 2 }')")
"$day" "${common[@]}" --shard 0 --subscribers "$half" --kill-pid "$victim_pid" --kill-after "$kill_after" \
  >"$work/day-0.out" 2>"$work/day-0.log" &
load0=$!
"$day" "${common[@]}" --shard 1 --subscribers "$(( subscribers - half ))" \
  --watch-pid "$victim_pid" \
  >"$work/day-1.out" 2>"$work/day-1.log" &
load1=$!
status=0
wait "$load0" || status=$?
wait "$load1" || status=$?
cat "$work/day-0.log" "$work/day-1.log" >&2
cat "$work/day-0.out" "$work/day-1.out"
[ "$status" = 0 ] || { echo "a load process failed ($status)"; exit "$status"; }

echo "== totals"
cat "$work"/day-*.out | tr ' ' '\n' | window=15 awk -F= '
  $1 ~ /^(held|failed|closed|events|rsvps|nearby_received|nearby_expected|nearby_received_outside_window|nearby_expected_outside_window|nearby_duplicates|feed_received|feed_expected|feed_duplicates)$/ { t[$1] += $2 }
  END {
    printf "sockets held=%d failed=%d closed during the run=%d\n", t["held"], t["failed"], t["closed"]
    printf "events=%d rsvps=%d\n", t["events"], t["rsvps"]
    printf "eventsNearby: %d of %d delivered (%.3f%%), %d twice\n", t["nearby_received"], t["nearby_expected"], 100*t["nearby_received"]/(t["nearby_expected"]?t["nearby_expected"]:1), t["nearby_duplicates"]
    printf "eventsNearby outside the %s s after the kill: %d of %d (%.3f%%)\n", ENVIRON["window"], t["nearby_received_outside_window"], t["nearby_expected_outside_window"], 100*t["nearby_received_outside_window"]/(t["nearby_expected_outside_window"]?t["nearby_expected_outside_window"]:1)
    printf "feed items:   %d of %d delivered (%.3f%%), %d twice\n", t["feed_received"], t["feed_expected"], 100*t["feed_received"]/(t["feed_expected"]?t["feed_expected"]:1), t["feed_duplicates"]
  }'
echo "(latency percentiles and per-replica CPU and memory: one line per load process above)"
