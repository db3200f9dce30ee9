#!/usr/bin/env bash
# The allocator benchmark: the same queries against builds with the system
# allocator, mimalloc and jemalloc, interleaved rounds, one data dir.
# Usage: bench/allocators.sh DATA_DIR   (seeded with cortege seed-demo)
set -u
cd "$(dirname "$0")/.."
data=$1
dir=$(mktemp -d /tmp/cortege-alloc.XXXXXX)
cat > "$dir/typename.lua" <<'LUA'
wrk.method = "POST"
wrk.headers["Content-Type"] = "application/json"
wrk.body = '{"query":"{ __typename }"}'
LUA
cat > "$dir/startsafter.lua" <<'LUA'
wrk.method = "POST"
wrk.headers["Content-Type"] = "application/json"
wrk.body = '{"query":"{ events(filter: {startsAfter: \\"2026-01-01T00:00:00Z\\"}, first: 20) { edges { node { title startsAt attendeeCount organiser { displayName } } } } }"}'
LUA
for v in system mimalloc jemalloc; do
  case $v in
    system) features=(--no-default-features);;
    *) features=(--no-default-features --features "$v");;
  esac
  cargo build -q --release --locked --bin cortege "${features[@]}"
  cp target/release/cortege "$dir/cortege-$v"
done
for round in 1 2; do
 for v in system mimalloc jemalloc; do
  bin=$dir/cortege-$v
  env -u CORTEGE_TEST_DATABASE_URL -u CORTEGE_TEST_REDIS_URL CORTEGE_REQUESTS_PER_MINUTE=100000000 RUST_LOG=warn \
    "$bin" --data-dir "$data" --listen 127.0.0.1:18081 serve > "$dir/serve.log" 2>&1 &
  pid=$!
  until curl -sf http://127.0.0.1:18081/health/ready >/dev/null; do sleep 0.2; done
  for q in typename near startsafter; do
    case $q in near) s=bench/near.lua;; *) s=$dir/$q.lua;; esac
    r=$(wrk -c20 -t2 -d15s -s "$s" http://127.0.0.1:18081/graphql | grep -E "Requests/sec|requests/s" | tail -1)
    rss=$(ps -o rss= -p $pid)
    echo "round $round $v $q: $r rss=${rss}KiB"
  done
  kill $pid; wait $pid 2>/dev/null
 done
done
rm -rf "$dir"
