#!/usr/bin/env bash
# Runs a PostgreSQL 17 + pgvector server of its own, for tests that stop or
# crash the server on purpose (see TestPostgresRestartMidInterview).
#
# It uses the Debian 13 root that scripts/test-postgres.sh builds, but a new
# data directory inside it (/var/lib/barraiser-pg-fault-PORT) and its own
# port, so the shared server on 55432, which other test packages use, is
# never touched. Run it as root; build the root first with test-postgres.sh.
#
#   private-postgres.sh start [PORT]            initdb if needed, start, print the URL
#   private-postgres.sh restart PORT [MODE]     pg_ctl restart (MODE: fast or immediate)
#   private-postgres.sh stop PORT [MODE]        pg_ctl stop, default mode fast
#   private-postgres.sh destroy PORT            stop at once and delete the data directory
#
# start without PORT picks a free one from 24000 up (below the kernel's
# range of ephemeral ports, which outgoing connections take from), moving
# on when the server cannot bind it after all.
#
#   PG_ROOT           the Debian 13 root (default /var/tmp/barraiser-pgroot)
#   PG_SHARED_BUFFERS shared_buffers     (default 64MB: the fault tests hold
#                     a few interviews, and several of these may run at once)
set -euo pipefail

ROOT=${PG_ROOT:-/var/tmp/barraiser-pgroot}
SHARED_BUFFERS=${PG_SHARED_BUFFERS:-64MB}
BIN=/usr/lib/postgresql/17/bin
DB=barraiser_test
SHARED_PORT=55432

log() { echo "private-postgres: $*" >&2; }
die() { log "$*"; exit 1; }

[ "$(id -u)" = 0 ] || die "must run as root (chroot needs it)"
[ -f "$ROOT/.barraiser-complete" ] || die "no PostgreSQL root at $ROOT: run scripts/test-postgres.sh once first"

inroot() { chroot "$ROOT" /usr/sbin/runuser -u postgres -- "$@"; }

cmd=${1:-}
port=${2:-}

# listening reports whether anything accepts TCP connections on $1.
listening() { (exec 3<>"/dev/tcp/127.0.0.1/$1") 2>/dev/null; }

if [ "$cmd" = start ] && [ -z "$port" ]; then
  for port in $(seq 24000 24999); do
    if ! listening "$port" && [ ! -e "$ROOT/var/lib/barraiser-pg-fault-$port" ]; then
      # Another start of this script may pick the same port: the one that
      # makes the directory first keeps it.
      mkdir "$ROOT/var/lib/barraiser-pg-fault-$port" 2>/dev/null || continue
      if out=$("$0" start "$port"); then
        echo "$out"
        exit 0
      fi
      inuse=0
      grep -q "Address already in use" "$ROOT/var/lib/barraiser-pg-fault-$port/server.log" 2>/dev/null && inuse=1
      "$0" destroy "$port"
      [ "$inuse" = 1 ] || exit 1
    fi
  done
  die "no free port between 24000 and 24999"
fi
case "$port" in
  '' | *[!0-9]*) die "usage: $0 start [PORT] | restart PORT [MODE] | stop PORT [MODE] | destroy PORT" ;;
esac
[ "$port" != "$SHARED_PORT" ] || die "port $SHARED_PORT is the shared server's; pick another"

DATA=/var/lib/barraiser-pg-fault-$port
mode=${3:-fast}
case "$mode" in
  fast | immediate | smart) ;;
  *) die "unknown shutdown mode $mode (want fast or immediate)" ;;
esac

# One command at a time per instance.
exec 9>"$ROOT.fault-$port.lock"
flock 9

case "$cmd" in
  start)
    if [ ! -f "$ROOT$DATA/PG_VERSION" ]; then
      rm -rf "${ROOT:?}$DATA"
      mkdir -p "$ROOT$DATA"
      chroot "$ROOT" chown postgres:postgres "$DATA"
      inroot "$BIN/initdb" -D "$DATA" -U postgres -A trust -E UTF8 --no-locale --no-sync >/dev/null 2>&1 \
        || die "initdb of $DATA failed"
    fi
    if ! inroot "$BIN/pg_isready" -q -h 127.0.0.1 -p "$port"; then
      pidfile="$ROOT$DATA/postmaster.pid"
      if [ -f "$pidfile" ] && ! kill -0 "$(head -n 1 "$pidfile")" 2>/dev/null; then
        rm -f "$pidfile" # left by a server that is gone
      fi
      # The same settings as the shared server's, with small buffers; the
      # socket lives in /tmp of the root, as the shared server's does.
      # fsync=off: a restart, even -m immediate, loses nothing the server
      # acknowledged (the kernel still holds its writes; only a machine
      # crash would), and recovery then skips syncing the whole directory.
      inroot "$BIN/pg_ctl" -D "$DATA" -l "$DATA/server.log" -w -t 60 start 9>&- -o \
        "-c listen_addresses=127.0.0.1 -p $port -c unix_socket_directories=/tmp -c dynamic_shared_memory_type=mmap -c max_connections=100 -c shared_buffers=$SHARED_BUFFERS -c fsync=off" >&2 \
        || { tail -n 30 "$ROOT$DATA/server.log" >&2; exit 1; }
    fi
    if ! inroot "$BIN/psql" -h 127.0.0.1 -p "$port" -U postgres -tAc "SELECT 1 FROM pg_database WHERE datname = '$DB'" | grep -q 1; then
      inroot "$BIN/psql" -h 127.0.0.1 -p "$port" -U postgres -qc "CREATE DATABASE $DB" >&2
    fi
    inroot "$BIN/psql" -h 127.0.0.1 -p "$port" -U postgres -d "$DB" -qc "CREATE EXTENSION IF NOT EXISTS vector" >&2
    echo "postgres://postgres@127.0.0.1:$port/$DB?sslmode=disable"
    ;;
  restart)
    [ -f "$ROOT$DATA/PG_VERSION" ] || die "no instance on port $port"
    # restart keeps the options the server was started with (postmaster.opts).
    inroot "$BIN/pg_ctl" -D "$DATA" -l "$DATA/server.log" -w -t 60 -m "$mode" restart 9>&- >&2 \
      || { tail -n 30 "$ROOT$DATA/server.log" >&2; exit 1; }
    ;;
  stop)
    [ -f "$ROOT$DATA/PG_VERSION" ] || die "no instance on port $port"
    if [ -f "$ROOT$DATA/postmaster.pid" ]; then
      inroot "$BIN/pg_ctl" -D "$DATA" -w -t 60 -m "$mode" stop >&2
    fi
    ;;
  destroy)
    if [ -f "$ROOT$DATA/postmaster.pid" ]; then
      inroot "$BIN/pg_ctl" -D "$DATA" -w -t 60 -m immediate stop >&2 || true
    fi
    rm -rf "${ROOT:?}$DATA"
    rm -f "$ROOT.fault-$port.lock"
    ;;
  *)
    die "usage: $0 start [PORT] | restart PORT [MODE] | stop PORT [MODE] | destroy PORT"
    ;;
esac
