#!/bin/sh
# A throw-away PostgreSQL server for the grading tests.
#
#   tests/postgres.sh start DIR   install PostgreSQL if needed (Debian/Ubuntu apt), start a
#                                 server whose data and unix socket live in DIR (no TCP port),
#                                 create database "optdl"; print its SQLAlchemy URL
#   tests/postgres.sh stop DIR    stop it (DIR can then be deleted)
#
# As root the server runs as the "postgres" user (PostgreSQL refuses to run as root); the
# socket is 0770 so only that user and root can connect (grading kernels cannot).
set -eu
cmd=${1:?usage: postgres.sh start|stop DIR}
dir=${2:?usage: postgres.sh start|stop DIR}

find_bin() {
    for d in $(ls -d /usr/lib/postgresql/*/bin 2>/dev/null | sort -V -r); do
        [ -x "$d/initdb" ] && { echo "$d"; return 0; }
    done
    if command -v initdb >/dev/null 2>&1; then dirname "$(command -v initdb)"; return 0; fi
    return 1
}

bin=$(find_bin || true)
if [ -z "$bin" ] && [ "$cmd" = start ]; then
    if [ "$(id -u)" != 0 ] || ! command -v apt-get >/dev/null 2>&1; then
        echo "PostgreSQL is not installed and cannot be installed here (needs root and apt-get)" >&2
        exit 3
    fi
    export DEBIAN_FRONTEND=noninteractive
    apt-get install -y -q postgresql >&2 || { apt-get update -q >&2 && apt-get install -y -q postgresql >&2; } || {
        echo "apt-get install postgresql failed" >&2; exit 3; }
    bin=$(find_bin) || { echo "PostgreSQL installed but initdb not found" >&2; exit 3; }
fi

as_owner() {
    if [ "$(id -u)" = 0 ]; then
        runuser -u postgres -- "$@"
    else
        "$@"
    fi
}

case "$cmd" in
start)
    mkdir -p "$dir"
    [ "$(id -u)" = 0 ] && chown postgres "$dir" && chmod 0755 "$dir"
    as_owner "$bin/initdb" -D "$dir/data" -U postgres --auth=trust -E UTF8 >"$dir/initdb.log" 2>&1
    as_owner "$bin/pg_ctl" -D "$dir/data" -l "$dir/server.log" -w -t 60 \
        -o "-k $dir -c listen_addresses='' -c unix_socket_permissions=0770 -c fsync=off" start >&2
    as_owner "$bin/createdb" -h "$dir" -U postgres optdl
    echo "postgresql+psycopg2://postgres@/optdl?host=$dir"
    ;;
stop)
    [ -n "$bin" ] && [ -d "$dir/data" ] && as_owner "$bin/pg_ctl" -D "$dir/data" -m immediate -w stop >&2 || true
    ;;
*)
    echo "usage: postgres.sh start|stop DIR" >&2; exit 2 ;;
esac
