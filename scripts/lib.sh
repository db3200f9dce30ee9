# Shared by scripts/serve and scripts/test.

as_root() {
  if [ "$(id -u)" = 0 ]; then "$@"; elif command -v sudo >/dev/null; then sudo "$@"; else
    echo "need root to run: $*" >&2; return 1; fi
}

pg_bin() {
  ls -d /usr/lib/postgresql/*/bin 2>/dev/null | sort -V | tail -n 1
}

# PostgreSQL (with contrib: earthdistance, unaccent) and Redis from Debian.
ensure_packages() {
  local missing=()
  [ -n "$(pg_bin)" ] && [ -x "$(pg_bin)/initdb" ] || missing+=(postgresql postgresql-contrib)
  if [ -n "$(pg_bin)" ] && [ ! -f "$(dirname "$(pg_bin)")/lib/earthdistance.so" ] \
     && [ ! -f "/usr/share/postgresql/$(basename "$(dirname "$(pg_bin)")")/extension/earthdistance.control" ]; then
    missing+=(postgresql-contrib)
  fi
  command -v redis-server >/dev/null || missing+=(redis-server)
  command -v curl >/dev/null || missing+=(curl)
  # The systemd units are checked with systemd-analyze.
  command -v systemd-analyze >/dev/null || missing+=(systemd)
  # The deployment's Caddyfile is checked with Caddy itself.
  command -v caddy >/dev/null || missing+=(caddy)
  # Alert rules are checked and unit-tested with promtool.
  command -v promtool >/dev/null || missing+=(prometheus)
  # Web Push encryption links OpenSSL (through the ece crate).
  pkg-config --exists openssl 2>/dev/null || missing+=(libssl-dev pkg-config)
  # The web client's end-to-end tests drive Debian's Chromium.
  [ -n "${CORTEGE_SKIP_BROWSER:-}" ] || command -v chromium >/dev/null || missing+=(chromium)
  if [ ${#missing[@]} -gt 0 ]; then
    echo "installing ${missing[*]}"
    as_root apt-get update -qq
    DEBIAN_FRONTEND=noninteractive as_root apt-get install -y -qq --no-install-recommends "${missing[@]}" >/dev/null
  fi
  # Distinct participants in statistics are hll sketches (Citus' extension,
  # packaged by Debian for each PostgreSQL major). Optional: without it
  # they are counted exactly, slowly on a large movement.
  local major=""
  [ -n "$(pg_bin)" ] && major=$(basename "$(dirname "$(pg_bin)")")
  if [ -n "$major" ] && [ ! -f "/usr/share/postgresql/$major/extension/hll.control" ]; then
    DEBIAN_FRONTEND=noninteractive as_root apt-get install -y -qq --no-install-recommends \
      "postgresql-$major-hll" >/dev/null 2>&1 \
      || { as_root apt-get update -qq && DEBIAN_FRONTEND=noninteractive as_root apt-get install -y -qq \
             --no-install-recommends "postgresql-$major-hll" >/dev/null; } \
      || echo "postgresql-$major-hll is not available: statistics count participants exactly" >&2
  fi
  # The Debian package starts a cluster of its own; it is not needed.
  if command -v pg_lsclusters >/dev/null && [ "$(id -u)" = 0 ]; then
    pg_lsclusters -h 2>/dev/null | awk '$4=="online"{print $1, $2}' | while read -r v c; do
      pg_ctlcluster "$v" "$c" stop || true
    done
  fi
}

# Builds the web client into frontend/dist (npm packages on first use).
build_web_client() {
  if ! command -v npm >/dev/null; then
    echo "npm not found: the web client is not built (the API still works)" >&2
    return 0
  fi
  (cd frontend && { [ -d node_modules ] || npm ci --no-audit --no-fund --loglevel=error; } && npm run --silent build)
}

# A free port below the kernel's ephemeral range (32768 and up), which the
# tests' own client sockets use by the thousand.
free_port() {
  local port
  while :; do
    port=$(( (RANDOM % 12000) + 20000 ))
    (exec 3<>"/dev/tcp/127.0.0.1/$port") 2>/dev/null || { echo "$port"; return; }
  done
}

# Runs a PostgreSQL program as the unprivileged postgres user when root
# (initdb and postgres refuse to run as root).
pg_run() {
  if [ "$(id -u)" = 0 ]; then runuser -u postgres -- "$@"; else "$@"; fi
}

start_postgres() {
  local dir=$1 port=$2 bin
  bin=$(pg_bin)
  mkdir -p "$dir"
  [ "$(id -u)" = 0 ] && chown postgres: "$dir"
  pg_run "$bin/initdb" -D "$dir/data" -U cortege --auth=trust --encoding=UTF8 --no-locale \
    --no-instructions >/dev/null
  run_postgres "$dir" "$port"
}

# Starts (or restarts, after stop_postgres) the cluster made by start_postgres.
run_postgres() {
  local dir=$1 port=$2
  # Throwaway: durability off for speed; many connections for parallel tests.
  if ! pg_run "$(pg_bin)/pg_ctl" -D "$dir/data" -l "$dir/log" -w -o \
    "-c listen_addresses=127.0.0.1 -p $port -k $dir -c fsync=off -c synchronous_commit=off \
     -c full_page_writes=off -c max_connections=400 -c shared_buffers=256MB \
     -c shared_preload_libraries=pg_stat_statements" start >/dev/null; then
    echo "PostgreSQL did not start; its log:" >&2
    cat "$dir/log" >&2
    return 1
  fi
}

# A streaming replica of the cluster on $primary_port, as an operator would
# make one (pg_basebackup -R), serving reads on $port: for the read-replica
# tests.
start_standby() {
  local primary_port=$1 dir=$2 port=$3
  mkdir -p "$dir"
  [ "$(id -u)" = 0 ] && chown postgres: "$dir"
  pg_run "$(pg_bin)/pg_basebackup" -h 127.0.0.1 -p "$primary_port" -U cortege -D "$dir/data" \
    -R -X stream -c fast >/dev/null
  run_postgres "$dir" "$port"
}

# Stops the cluster; immediate by default (a throwaway's end). Pass "fast"
# to keep what was committed: with synchronous_commit off, an immediate
# stop loses the last commits.
stop_postgres() {
  local dir=$1 mode=${2:-immediate}
  [ -d "$dir/data" ] && pg_run "$(pg_bin)/pg_ctl" -D "$dir/data" -m "$mode" -w stop >/dev/null 2>&1
}
