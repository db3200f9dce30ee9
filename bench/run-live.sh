#!/usr/bin/env bash
# The live-feed benchmark: N WebSocket subscribers spread over France follow
# eventsNearby while events are created at a steady rate; first on one
# server (in-process bus), then on two replicas through Redis.
# Usage: bench/run-live.sh [N ...]   (default: 1000 5000 10000)
# Env: BENCH_RATE (events/s, default 10), BENCH_SECONDS (default 30).
set -euo pipefail
cd "$(dirname "$0")/.."
. scripts/lib.sh
ensure_packages
ulimit -n "$(ulimit -Hn)"
counts=("$@")
[ ${#counts[@]} -gt 0 ] || counts=(1000 5000 10000)
rate=${BENCH_RATE:-10} seconds=${BENCH_SECONDS:-30}
target=${CARGO_TARGET_DIR:-target}
cargo build -q --release --locked --bin cortege --bin cortege-load
bin="$target/release/cortege" load="$target/release/cortege-load"

work=$(mktemp -d /tmp/cortege-live.XXXXXX)
chmod 755 "$work"
servers=()
stop_servers() {
  for pid in "${servers[@]}"; do kill "$pid" 2>/dev/null || true; done
  for pid in "${servers[@]}"; do wait "$pid" 2>/dev/null || true; done
  servers=()
}
cleanup() {
  stop_servers
  [ -n "${BENCH_KEEP_LOGS:-}" ] && cp "$work"/serve-*.log "$BENCH_KEEP_LOGS"/ 2>/dev/null
  stop_postgres "$work/pg" || true
  [ -f "$work/redis.pid" ] && kill "$(cat "$work/redis.pid")" 2>/dev/null || true
  rm -rf "$work"
}
trap cleanup EXIT

pg_port=$(free_port)
start_postgres "$work/pg" "$pg_port"
redis_port=$(free_port)
redis-server --bind 127.0.0.1 --port "$redis_port" --save '' --appendonly no \
  --daemonize yes --pidfile "$work/redis.pid" --logfile "$work/redis.log" --dir "$work"
until redis-cli -p "$redis_port" ping >/dev/null 2>&1; do sleep 0.1; done
db="postgres://cortege@127.0.0.1:$pg_port/postgres"

export CORTEGE_DATABASE_URL=$db CORTEGE_EVENTS_PER_HOUR=1000000 CORTEGE_REQUESTS_PER_MINUTE=10000000
export RUST_LOG=${RUST_LOG:-warn}

serve() { # port [redis]
  local port=$1
  CORTEGE_REDIS_URL=${2:-} CORTEGE_DATA_DIR="$work/data-$port" \
    ${BENCH_WRAP:-} "$bin" --listen "127.0.0.1:$port" serve >"$work/serve-$port.log" 2>&1 &
  servers+=($!)
  until curl -sf "http://127.0.0.1:$port/health/ready" >/dev/null; do
    kill -0 "${servers[-1]}" 2>/dev/null || { cat "$work/serve-$port.log"; exit 1; }
    sleep 0.1
  done
}

# Server ports below the kernel's ephemeral range, which the load tool's
# thousands of client sockets use.
port() { echo $(( 20000 + RANDOM % 9000 )); }
for n in "${counts[@]}"; do
  [ -n "${BENCH_ONLY_REPLICAS:-}" ] || {
  echo "== one server, in-process bus, $n subscribers, $rate events/s for ${seconds}s"
  p1=$(port); serve "$p1"
  "$load" --servers "http://127.0.0.1:$p1" --database-url "$db" --subscribers "$n" \
    --rate "$rate" --seconds "$seconds" --server-pids "${servers[0]}" ${BENCH_ARGS:-}
  stop_servers
  }
  echo "== two replicas through Redis, $n subscribers spread over both, created on the first"
  p1=$(port); serve "$p1" "redis://127.0.0.1:$redis_port"
  p2=$(port); serve "$p2" "redis://127.0.0.1:$redis_port"
  "$load" --servers "http://127.0.0.1:$p1,http://127.0.0.1:$p2" --database-url "$db" \
    --subscribers "$n" --rate "$rate" --seconds "$seconds" --server-pids "${servers[0]},${servers[1]}"
  stop_servers
done
