#!/usr/bin/env bash
# Source me: start a throw-away PostgreSQL cluster on a loopback port and export TEST_POSTGRES_URL.
# The cluster lives under /tmp and is owned by the 'postgres' system user (PostgreSQL refuses to run as root).
set -euo pipefail
PG_PORT=${PG_PORT:-55432}
PG_DIR=${PG_DIR:-/tmp/qybot-pg}
PG_BIN=$(ls -d /usr/lib/postgresql/*/bin | sort -V | tail -1)
as_pg() { if [ "$(id -u)" -eq 0 ]; then su postgres -s /bin/bash -c "$*"; else bash -c "$*"; fi; }
if ! as_pg "$PG_BIN/pg_ctl -D $PG_DIR status" >/dev/null 2>&1; then
  rm -rf "$PG_DIR"; mkdir -p "$PG_DIR"
  [ "$(id -u)" -eq 0 ] && chown postgres:postgres "$PG_DIR"
  as_pg "$PG_BIN/initdb -D $PG_DIR -A trust -U postgres -E UTF8 >/dev/null"
  as_pg "$PG_BIN/pg_ctl -D $PG_DIR -l $PG_DIR/server.log -o '-p $PG_PORT -k /tmp -c listen_addresses=127.0.0.1' -w start >/dev/null"
fi
as_pg "$PG_BIN/psql -h 127.0.0.1 -p $PG_PORT -U postgres -tc \"SELECT 1 FROM pg_database WHERE datname='qybot_test'\"" | grep -q 1 \
  || as_pg "$PG_BIN/createdb -h 127.0.0.1 -p $PG_PORT -U postgres qybot_test"
export TEST_POSTGRES_URL="postgresql://postgres@127.0.0.1:$PG_PORT/qybot_test"
echo "PostgreSQL for tests: $TEST_POSTGRES_URL"
