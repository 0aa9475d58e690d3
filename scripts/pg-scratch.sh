#!/usr/bin/env bash
# A throw-away PostgreSQL cluster for tests: `start DIR [PORT]` creates it in
# DIR (initdb) and starts it on 127.0.0.1:PORT only (default: a free port),
# with its unix socket in DIR; prints the server's URL (postgres://…/postgres).
# `stop DIR` stops it (fast) and deletes DIR. Both are idempotent.
#
# PostgreSQL refuses to run as root, so under root the cluster belongs to the
# `postgres` system user (created by Debian's postgresql package) and runs as
# it. Authentication is `trust`, which is safe only because the server listens
# on loopback and a private socket directory: never point this at a real host.
set -euo pipefail

PG_BIN=${PG_BIN:-$(ls -d /usr/lib/postgresql/*/bin 2>/dev/null | sort -V | tail -1)}
if [ -z "$PG_BIN" ] || [ ! -x "$PG_BIN/initdb" ]; then
  echo "pg-scratch: no PostgreSQL server binaries (install Debian's postgresql: make deps)" >&2
  exit 2
fi

as_owner() {
  if [ "$(id -u)" = 0 ]; then runuser -u postgres -- "$@"; else "$@"; fi
}

# Closes every descriptor above stderr but bash's own script handle (255):
# the server outlives this script and must not hold the caller's pipes or
# sockets open (a caller waiting for their end would wait forever).
close_inherited_fds() {
  local fd
  for fd in /proc/$BASHPID/fd/*; do
    fd=${fd##*/}
    if [ "$fd" -gt 2 ] && [ "$fd" != 255 ]; then eval "exec $fd>&-" 2>/dev/null || true; fi
  done
}

free_port() {
  python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1",0)); print(s.getsockname()[1])'
}

cmd=${1:-}; dir=${2:-}
[ -n "$cmd" ] && [ -n "$dir" ] || { echo "usage: $0 start|stop DIR [PORT]" >&2; exit 64; }

case "$cmd" in
start)
  mkdir -p "$dir"
  dir=$(cd "$dir" && pwd)
  [ "$(id -u)" = 0 ] && chown postgres: "$dir"
  if [ -f "$dir/port" ] && as_owner "$PG_BIN/pg_ctl" -D "$dir/data" status >/dev/null 2>&1; then
    echo "postgres://postgres@127.0.0.1:$(cat "$dir/port")/postgres"
    exit 0
  fi
  port=${3:-$(free_port)}
  if [ ! -f "$dir/data/PG_VERSION" ]; then
    as_owner "$PG_BIN/initdb" -D "$dir/data" -U postgres -A trust -E UTF8 --no-locale >"$dir/initdb.log" 2>&1 \
      || { cat "$dir/initdb.log" >&2; exit 1; }
  fi
  echo "$port" | as_owner tee "$dir/port" >/dev/null
  # fsync stays on (the default): the durability tests mean it.
  ( close_inherited_fds
    as_owner "$PG_BIN/pg_ctl" -D "$dir/data" -l "$dir/server.log" -w -t 60 start \
      -o "-c listen_addresses=127.0.0.1 -p $port -k $dir -c max_connections=300" >/dev/null </dev/null
  ) || { tail -20 "$dir/server.log" >&2; exit 1; }
  echo "postgres://postgres@127.0.0.1:$port/postgres"
  ;;
stop)
  [ -d "$dir" ] || exit 0
  if [ -f "$dir/data/PG_VERSION" ]; then
    as_owner "$PG_BIN/pg_ctl" -D "$dir/data" -m fast -w stop >/dev/null 2>&1 || true
  fi
  rm -rf "$dir"
  ;;
*)
  echo "usage: $0 start|stop DIR [PORT]" >&2; exit 64
  ;;
esac
