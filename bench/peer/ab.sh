#!/usr/bin/env bash
# Two or more builds of the server taking turns on one query: what a change
# is worth, measured apart from the machine's drift (a full peer run takes
# 15 minutes, in which the machine's load changes more than many changes
# are worth). Each build serves from its own data dir, because a build
# that adds a migration leaves a database the other refuses. Make copies
# with `cp -a` while no server runs.
#
# Usage: bench/peer/ab.sh QUERY ROUNDS BIN=DATA_DIR BIN=DATA_DIR...
#   QUERY: a GraphQL document, e.g.
#     '{ events(filter: {near: {lat: 43.2965, lon: 5.3698}, radiusKm: 50}, first: 20) { edges { node { title } } } }'
# Env: AB_SECONDS (default 6) per concurrency and round; AB_TOKEN, a session
#      token to send (bench/peer/run.sh makes two; any row of `sessions`
#      whose token you know will do).
# Prints one line per build, concurrency (4 and 20) and round: requests/s.
# The servers run with the answers cache and notifications off.
set -euo pipefail
[ $# -ge 3 ] || { sed -n 9,16p "$0" >&2; exit 2; }
query=$1 rounds=$2
shift 2
seconds=${AB_SECONDS:-6}
work=$(mktemp -d /tmp/cortege-ab.XXXXXX)
server=
cleanup() {
  [ -n "$server" ] && kill "$server" 2>/dev/null && wait "$server" 2>/dev/null
  rm -rf "$work"
}
trap cleanup EXIT

body=$(jq -nc --arg q "$query" '{query: $q}')
{
  printf 'wrk.method = "POST"\nwrk.headers["Content-Type"] = "application/json"\n'
  printf 'wrk.body = [[%s]]\n' "$body"
  [ -n "${AB_TOKEN:-}" ] && printf 'wrk.headers["Authorization"] = "Bearer %s"\n' "$AB_TOKEN"
} >"$work/q.lua"
auth=()
[ -n "${AB_TOKEN:-}" ] && auth=(-H "authorization: Bearer $AB_TOKEN")

for round in $(seq "$rounds"); do
  for pair in "$@"; do
    bin=${pair%%=*} data=${pair#*=}
    env -u CORTEGE_TEST_DATABASE_URL -u CORTEGE_TEST_REDIS_URL -u CORTEGE_TEST_STANDBY_URL \
      CORTEGE_ANSWER_CACHE_MS=0 CORTEGE_NOTIFICATIONS=false CORTEGE_REQUESTS_PER_MINUTE=100000000 \
      RUST_LOG=warn "$bin" --data-dir "$data" --listen 127.0.0.1:18090 serve >"$work/server.log" 2>&1 &
    server=$!
    until curl -sf http://127.0.0.1:18090/health/ready >/dev/null; do
      kill -0 "$server" 2>/dev/null || { cat "$work/server.log" >&2; exit 1; }
      sleep 0.2
    done
    answer=$(curl -s -X POST -H 'content-type: application/json' "${auth[@]}" --data "$body" \
      http://127.0.0.1:18090/graphql)
    echo "$answer" | grep -q '"errors"' && { echo "$bin: $answer" >&2; exit 1; }
    # Warm the prepared statements of every connection before measuring.
    wrk -c20 -t2 -d2s -s "$work/q.lua" http://127.0.0.1:18090/graphql >/dev/null
    for c in 4 20; do
      rps=$(wrk -c"$c" -t2 -d"${seconds}s" -s "$work/q.lua" http://127.0.0.1:18090/graphql \
        | awk '/Requests\/sec/ {print $2}')
      echo "round $round $(basename "$bin") c=$c $rps"
    done
    kill "$server"
    wait "$server" 2>/dev/null || true
    server=
  done
done
