#!/usr/bin/env bash
# The notification benchmark: one activity with N recipients (an event with
# N GOING members, each with a Web Push device, cancelled) sent by a release
# `cortege serve` into a local SMTP sink (aiosmtpd, discarding) and into the
# push receiver of cortege-notify-bench, which reports the rates, the lag
# from the commit to the last delivery and the server's memory.
# Usage: bench/run-notify.sh [N]   (default: 30000)
set -euo pipefail
cd "$(dirname "$0")/.."
. scripts/lib.sh
ensure_packages
n=${1:-30000}
target=${CARGO_TARGET_DIR:-target}
cargo build -q --release --locked --bin cortege --bin cortege-notify-bench
bin="$target/release/cortege" bench="$target/release/cortege-notify-bench"

work=$(mktemp -d /tmp/cortege-notify.XXXXXX)
chmod 755 "$work"
cleanup() {
  [ -n "${server:-}" ] && kill "$server" 2>/dev/null || true
  [ -n "${smtp:-}" ] && kill "$smtp" 2>/dev/null || true
  stop_postgres "$work/pg" || true
  rm -rf "$work"
}
trap cleanup EXIT

pg_port=$(free_port)
start_postgres "$work/pg" "$pg_port"
db="postgres://cortege@127.0.0.1:$pg_port/postgres"

python3 -m venv "$work/venv"
"$work/venv/bin/pip" install --quiet --disable-pip-version-check aiosmtpd
smtp_port=$(free_port)
"$work/venv/bin/python" -m aiosmtpd -n -l "127.0.0.1:$smtp_port" -c aiosmtpd.handlers.Sink \
  >"$work/smtp.log" 2>&1 &
smtp=$!
until (exec 3<>"/dev/tcp/127.0.0.1/$smtp_port") 2>/dev/null; do sleep 0.1; done

port=$(free_port)
CORTEGE_DATABASE_URL=$db CORTEGE_DATA_DIR="$work/data" CORTEGE_PUSH_ALLOW_PRIVATE=true \
  CORTEGE_SMTP_HOST=127.0.0.1 CORTEGE_SMTP_PORT=$smtp_port CORTEGE_SMTP_TLS=none \
  RUST_LOG=${RUST_LOG:-warn} "$bin" --listen "127.0.0.1:$port" serve >"$work/serve.log" 2>&1 &
server=$!
until curl -sf "http://127.0.0.1:$port/health/ready" >/dev/null; do
  kill -0 "$server" 2>/dev/null || { cat "$work/serve.log"; exit 1; }
  sleep 0.1
done
"$bench" --server "http://127.0.0.1:$port" --database-url "$db" --recipients "$n" --server-pid "$server" \
  || { tail -n 30 "$work/serve.log"; exit 1; }
