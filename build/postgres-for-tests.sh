#!/bin/sh
# A throw-away PostgreSQL on loopback for the sync server's tests (tests/sync/conftest.py).
#
#   eval "$(sh build/postgres-for-tests.sh start)"   # exports LAGESBILD_TEST_POSTGRES
#   sh build/postgres-for-tests.sh stop               # stops it and deletes its files
#
# `start` installs the Debian package `postgresql` when its programs are missing (as
# root), makes a fresh cluster in a temporary folder (initdb; trust on loopback only,
# fsync off: the data lives for one test run), starts it on 127.0.0.1 and prints the
# export lines; everything else goes to stderr. Without root and without PostgreSQL it
# says why and prints nothing, so the PostgreSQL variants of the tests are skipped and
# say so. Set LAGESBILD_REQUIRE_POSTGRES=1 (CI does) to fail instead.
set -eu

say() { echo "postgres-for-tests: $*" >&2; }
give_up() {
    say "$*"
    if [ "${LAGESBILD_REQUIRE_POSTGRES:-0}" = 1 ]; then exit 1; fi
    say "the PostgreSQL variants of the sync tests will be skipped"
    exit 0
}

pg_bindir() {
    for dir in $(ls -d /usr/lib/postgresql/*/bin 2>/dev/null | sort -t/ -k4 -n -r); do
        if [ -x "$dir/initdb" ] && [ -x "$dir/pg_ctl" ]; then echo "$dir"; return 0; fi
    done
    if command -v initdb >/dev/null 2>&1 && command -v pg_ctl >/dev/null 2>&1; then
        dirname "$(command -v initdb)"; return 0
    fi
    return 1
}

# Runs a command as the user that owns the cluster: postgres refuses to run as root.
as_owner() {
    if [ "$(id -u)" = 0 ]; then
        runuser -u postgres -- "$@"
    else
        "$@"
    fi
}

# pg_isready exits 2 when nothing answers on the port.
port_answers() {
    rc=0
    "$1/pg_isready" -q -h 127.0.0.1 -p "$2" >/dev/null 2>&1 || rc=$?
    [ "$rc" != 2 ]
}

start() {
    if ! bindir=$(pg_bindir); then
        if [ "$(id -u)" != 0 ]; then
            give_up "PostgreSQL is not installed and installing it needs root:" \
                "apt-get install -y postgresql"
        fi
        if ! command -v apt-get >/dev/null 2>&1; then
            give_up "PostgreSQL is not installed and this is not a Debian system"
        fi
        say "installing the Debian package postgresql"
        export DEBIAN_FRONTEND=noninteractive
        apt-get update -qq >&2
        apt-get install -y -qq --no-install-recommends postgresql >&2
        bindir=$(pg_bindir) || give_up "postgresql was installed but initdb is not found"
    fi
    if [ "$(id -u)" = 0 ] && ! id postgres >/dev/null 2>&1; then
        give_up "running as root, but there is no postgres user to run the server as"
    fi
    if [ "$(id -u)" = 0 ]; then
        # In /tmp, not $TMPDIR: the postgres user must be able to reach the folder.
        data=$(mktemp -d /tmp/lagesbild-pg.XXXXXX)
        chown postgres "$data"
    else
        data=$(mktemp -d "${TMPDIR:-/tmp}/lagesbild-pg.XXXXXX")
    fi
    chmod 700 "$data"
    port=${LAGESBILD_TEST_PG_PORT:-55432}
    # The first free port from there on (a second run may still hold one).
    while port_answers "$bindir" "$port"; do port=$((port + 1)); done
    as_owner "$bindir/initdb" -D "$data/cluster" -U lagesbild -A trust -E UTF8 \
        --locale=C.UTF-8 --no-sync >/dev/null 2>&1 \
        || as_owner "$bindir/initdb" -D "$data/cluster" -U lagesbild -A trust -E UTF8 \
            --no-sync >&2
    as_owner "$bindir/pg_ctl" -D "$data/cluster" -l "$data/server.log" -w -t 60 \
        -o "-c listen_addresses=127.0.0.1 -p $port -k $data -c fsync=off \
            -c synchronous_commit=off -c full_page_writes=off -c max_connections=200" \
        start >&2 || { cat "$data/server.log" >&2; give_up "PostgreSQL did not start"; }
    say "PostgreSQL $("$bindir/pg_ctl" --version | awk '{print $3}') on 127.0.0.1:$port, files in $data"
    echo "export LAGESBILD_TEST_POSTGRES='postgresql+psycopg://lagesbild@127.0.0.1:$port/postgres'"
    echo "export LAGESBILD_TEST_PGDATA='$data'"
}

stop() {
    data=${LAGESBILD_TEST_PGDATA:-}
    if [ -z "$data" ] || [ ! -d "$data" ]; then return 0; fi
    bindir=$(pg_bindir) || return 0
    as_owner "$bindir/pg_ctl" -D "$data/cluster" -m fast -w stop >/dev/null 2>&1 || true
    rm -rf "$data"
    say "stopped and removed $data"
}

case "${1:-start}" in
    start) start ;;
    stop) stop ;;
    *) echo "usage: $0 start|stop" >&2; exit 2 ;;
esac
