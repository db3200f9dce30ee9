#!/usr/bin/env bash
# Instructions the server spends per request on one query, counted by
# callgrind: repeatable to 0.1 % (an anonymous listing) to 1 % (a signed-in
# attendees page) for the same build and data, where requests per second
# on a shared 2-core machine drift by 5-10 % between rounds. For a change
# worth a few per cent, run it on both builds, each more than once.
#
# Usage: bench/peer/instructions.sh BIN DATA_DIR REQUESTS QUERY [TOKEN]
#   BIN: a release build of the server; DATA_DIR: a seeded data dir (see
#   bench/peer/run.sh), which this build can open (a build that adds a
#   migration needs its own copy); QUERY: a GraphQL document; TOKEN: a
#   session token to send.
# Prints the instructions per request. The server runs under valgrind (its
# embedded PostgreSQL outside it), answers 50 requests to warm up, then
# REQUESTS more, one after the other, with the counters zeroed in between.
# Env: KEEP_PROFILE, a path where the callgrind profile of those requests
#      is kept, to compare two builds function by function
#      (`callgrind_annotate --inclusive=yes`).
set -euo pipefail
[ $# -ge 4 ] || { sed -n 7,17p "$0" >&2; exit 2; }
bin=$1 data=$2 n=$3 query=$4 token=${5:-}
for tool in valgrind callgrind_control callgrind_annotate jq curl; do
  command -v "$tool" >/dev/null || { echo "needs $tool (apt install valgrind jq curl)" >&2; exit 1; }
done
work=$(mktemp -d /tmp/cortege-instructions.XXXXXX)
vg=
cleanup() {
  [ -n "$vg" ] && kill "$vg" 2>/dev/null && wait "$vg" 2>/dev/null
  rm -rf "$work"
}
trap cleanup EXIT

body=$(jq -nc --arg q "$query" '{query: $q}')
auth=()
[ -n "$token" ] && auth=(-H "authorization: Bearer $token")
ask() {
  curl -sf -X POST -H 'content-type: application/json' "${auth[@]}" --data "$body" \
    http://127.0.0.1:18090/graphql >/dev/null
}
CORTEGE_NOTIFICATIONS=false CORTEGE_ANSWER_CACHE_MS=0 CORTEGE_REQUESTS_PER_MINUTE=100000000 \
  RUST_LOG=warn valgrind --tool=callgrind --callgrind-out-file="$work/out" \
  "$bin" --data-dir "$data" --listen 127.0.0.1:18090 serve >"$work/log" 2>&1 &
vg=$!
until curl -sf http://127.0.0.1:18090/health/ready >/dev/null; do
  kill -0 "$vg" 2>/dev/null || { cat "$work/log" >&2; exit 1; }
  sleep 0.5
done
for _ in $(seq 50); do ask; done
callgrind_control --zero "$vg" >/dev/null 2>&1
for _ in $(seq "$n"); do ask; done
callgrind_control --dump "$vg" >/dev/null 2>&1
# The dump is written as out.1 (the part after the zeroing).
until [ -s "$work/out.1" ]; do sleep 0.2; done
total=$(callgrind_annotate "$work/out.1" | awk '/PROGRAM TOTALS/ {gsub(",", "", $1); print $1}')
[ -n "${KEEP_PROFILE:-}" ] && cp "$work/out.1" "$KEEP_PROFILE"
echo "$(basename "$bin"): $((total / n)) instructions per request ($n requests)"
