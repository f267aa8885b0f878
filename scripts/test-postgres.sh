#!/usr/bin/env bash
# Starts PostgreSQL 17 with pgvector 0.8 for the tests and prints its URL.
#
# Debian 12 does not package pgvector, so the server runs from a minimal
# Debian 13 (trixie) root under chroot, as the postgres user. The root lives
# outside the clone and is reused by later runs; the host's own packages are
# never touched (debootstrap itself is installed if missing).
#
#   PG_ROOT   where the trixie root is kept   (default /var/tmp/barraiser-pgroot)
#   PG_PORT   the port to listen on           (default 55432)
#   PG_MIRROR the Debian mirror               (default http://deb.debian.org/debian)
#   PG_SHARED_BUFFERS shared_buffers          (default 2GB: the vector
#             indexes and the rows they point at stay in memory)
#
# Usage: url=$(scripts/test-postgres.sh) ; TEST_DATABASE_URL=$url go test ./...
set -euo pipefail

ROOT=${PG_ROOT:-/var/tmp/barraiser-pgroot}
PORT=${PG_PORT:-55432}
MIRROR=${PG_MIRROR:-http://deb.debian.org/debian}
SHARED_BUFFERS=${PG_SHARED_BUFFERS:-2GB}
BIN=/usr/lib/postgresql/17/bin
DATA=/var/lib/barraiser-pg
DB=barraiser_test

log() { echo "test-postgres: $*" >&2; }
if [ "$(id -u)" != 0 ]; then
  log "must run as root (debootstrap and chroot need it)"; exit 1
fi

# One run at a time: building the root or starting the server twice races.
mkdir -p "$(dirname "$ROOT")"
exec 9>"$ROOT.lock"
flock 9

if [ ! -f "$ROOT/.barraiser-complete" ]; then
  if ! command -v debootstrap >/dev/null 2>&1; then
    log "installing debootstrap"
    apt-get update -qq >&2
    DEBIAN_FRONTEND=noninteractive apt-get install -y -qq debootstrap >&2
  fi
  log "building a Debian 13 root with postgresql-17-pgvector in $ROOT (about a minute)"
  rm -rf "$ROOT"
  debootstrap --variant=minbase --include=postgresql-17-pgvector trixie "$ROOT" "$MIRROR" >&2
  # Written last, so an interrupted build is redone rather than trusted.
  touch "$ROOT/.barraiser-complete"
fi

inroot() { chroot "$ROOT" /usr/sbin/runuser -u postgres -- "$@"; }

if [ ! -f "$ROOT$DATA/PG_VERSION" ]; then
  log "initdb"
  rm -rf "${ROOT:?}$DATA"
  mkdir -p "$ROOT$DATA"
  chroot "$ROOT" chown postgres:postgres "$DATA"
  inroot "$BIN/initdb" -D "$DATA" -U postgres -A trust -E UTF8 --no-locale >&2
fi

# A server already answering on this port is reused.
if ! inroot "$BIN/pg_isready" -q -h 127.0.0.1 -p "$PORT"; then
  # A postmaster.pid left by a server that died (or by another machine's
  # run of a reused root) would stop pg_ctl: remove it when its process is gone.
  pidfile="$ROOT$DATA/postmaster.pid"
  if [ -f "$pidfile" ]; then
    pid=$(head -n 1 "$pidfile")
    if ! kill -0 "$pid" 2>/dev/null || [ "$(readlink "/proc/$pid/root" 2>/dev/null)" != "$ROOT" ]; then
      log "removing stale postmaster.pid ($pid)"
      rm -f "$pidfile"
    fi
  fi
  log "starting PostgreSQL on 127.0.0.1:$PORT"
  # dynamic_shared_memory_type=mmap and a socket in /tmp: nothing needs to be
  # mounted from the host (no /dev/shm, no /run).
  # 9>&-: the server must not inherit the lock, or it would hold it forever.
  inroot "$BIN/pg_ctl" -D "$DATA" -l "$DATA/server.log" -w -t 60 start 9>&- -o \
    "-c listen_addresses=127.0.0.1 -p $PORT -c unix_socket_directories=/tmp -c dynamic_shared_memory_type=mmap -c max_connections=300 -c shared_buffers=$SHARED_BUFFERS" >&2 \
    || { tail -n 30 "$ROOT$DATA/server.log" >&2; exit 1; }
fi

if ! inroot "$BIN/psql" -h 127.0.0.1 -p "$PORT" -U postgres -tAc "SELECT 1 FROM pg_database WHERE datname = '$DB'" | grep -q 1; then
  inroot "$BIN/psql" -h 127.0.0.1 -p "$PORT" -U postgres -qc "CREATE DATABASE $DB" >&2
fi
echo "postgres://postgres@127.0.0.1:$PORT/$DB?sslmode=disable"
