# PostgreSQL on loopback for the tests, without systemd; sourced by .ci/run.
# Also usable by hand:
#   source .ci/postgres.sh && pg_start && go test ./internal/testdb/ ; pg_stop
#
# pg_start: initdb into a fresh temp dir (as the postgres user when run as
#   root: initdb refuses root), start the server on 127.0.0.1 at the first
#   free port from 55432 with trust auth and its socket in that dir, create
#   database "gradtune", and export GRADTUNE_PG_URL. The packaged cluster
#   (/etc/postgresql) is neither used nor touched.
# pg_stop: stop that server and remove the dir; safe to call twice.

pg_bin() {
  local d
  d=$(ls -d /usr/lib/postgresql/*/bin 2>/dev/null | sort -V | tail -n 1)
  if [ -z "$d" ] || [ ! -x "$d/pg_ctl" ]; then
    echo "postgres.sh: no /usr/lib/postgresql/*/bin/pg_ctl (apt-get install postgresql)" >&2
    return 1
  fi
  echo "$d"
}

# pg_as runs a command as the server's owner.
pg_as() {
  if [ "$(id -u)" -eq 0 ]; then
    runuser -u postgres -- "$@"
  else
    "$@"
  fi
}

# pg_port_busy succeeds when something accepts connections on 127.0.0.1:$1.
pg_port_busy() { (exec 3<>"/dev/tcp/127.0.0.1/$1") 2>/dev/null; }

pg_start() {
  local bin port
  bin=$(pg_bin) || return 1
  unset PG_CI_PORT
  PG_CI_DIR=$(mktemp -d /tmp/gradtune-pg.XXXXXX)
  [ "$(id -u)" -eq 0 ] && chown postgres: "$PG_CI_DIR"
  pg_as "$bin/initdb" -D "$PG_CI_DIR/data" -U postgres --auth=trust -E UTF8 --no-sync >"$PG_CI_DIR/initdb.log" 2>&1 || {
    cat "$PG_CI_DIR/initdb.log" >&2; return 1; }
  # Another helper or test may hold a port: try the next one.
  for port in $(seq 55432 55531); do
    pg_port_busy "$port" && continue
    if pg_as "$bin/pg_ctl" -D "$PG_CI_DIR/data" -l "$PG_CI_DIR/server.log" -w -t 60 \
      -o "-c listen_addresses=127.0.0.1 -p $port -k $PG_CI_DIR -c fsync=off" start >/dev/null; then
      PG_CI_PORT=$port
      break
    fi
  done
  if [ -z "${PG_CI_PORT:-}" ]; then
    echo "postgres.sh: the server did not start on any port 55432-55531; its log:" >&2
    cat "$PG_CI_DIR/server.log" >&2
    return 1
  fi
  "$bin/psql" -q -h 127.0.0.1 -p "$PG_CI_PORT" -U postgres -d postgres -v ON_ERROR_STOP=1 \
    -c 'CREATE DATABASE gradtune' || return 1
  export GRADTUNE_PG_URL="postgres://postgres@127.0.0.1:$PG_CI_PORT/gradtune?sslmode=disable"
  echo "postgres.sh: PostgreSQL $("$bin/postgres" --version | awk '{print $3}') on 127.0.0.1:$PG_CI_PORT ($PG_CI_DIR)"
}

pg_stop() {
  [ -n "${PG_CI_DIR:-}" ] || return 0
  local bin
  if bin=$(pg_bin) && [ -f "$PG_CI_DIR/data/postmaster.pid" ]; then
    pg_as "$bin/pg_ctl" -D "$PG_CI_DIR/data" -m fast -w -t 60 stop >/dev/null ||
      echo "postgres.sh: pg_ctl stop failed; see $PG_CI_DIR/server.log" >&2
  fi
  rm -rf "$PG_CI_DIR"
  unset PG_CI_DIR PG_CI_PORT GRADTUNE_PG_URL
}
