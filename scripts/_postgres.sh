# A throwaway PostgreSQL cluster for the tests, when none is running. Sourced by scripts/test.

start_throwaway_postgres() {
  local bindir port=55432
  bindir=$(ls -d /usr/lib/postgresql/*/bin 2>/dev/null | sort -V | tail -n 1)
  if [ -z "$bindir" ]; then
    apt_install postgresql
    bindir=$(ls -d /usr/lib/postgresql/*/bin | sort -V | tail -n 1)
  fi
  PG_DIR=$(mktemp -d /tmp/boktor-pg.XXXXXX)
  local run=()
  if [ "$(id -u)" -eq 0 ]; then
    chown postgres "$PG_DIR"
    run=(runuser -u postgres --)  # initdb refuses to run as root
  fi
  say "Starting a throwaway PostgreSQL in $PG_DIR on port $port"
  "${run[@]}" "$bindir/initdb" -D "$PG_DIR/data" -U postgres -A trust >/dev/null
  "${run[@]}" "$bindir/pg_ctl" -D "$PG_DIR/data" -o "-p $port -k $PG_DIR -c listen_addresses=127.0.0.1" \
    -l "$PG_DIR/log" -w start >/dev/null
  trap 'stop_throwaway_postgres' EXIT
  export BOKTOR_TEST_POSTGRES_URL="postgresql+psycopg://postgres@127.0.0.1:$port/postgres"
}

stop_throwaway_postgres() {
  local bindir run=()
  bindir=$(ls -d /usr/lib/postgresql/*/bin | sort -V | tail -n 1)
  [ "$(id -u)" -eq 0 ] && run=(runuser -u postgres --)
  "${run[@]}" "$bindir/pg_ctl" -D "$PG_DIR/data" -m immediate stop >/dev/null 2>&1 || true
  rm -rf "$PG_DIR"
}
