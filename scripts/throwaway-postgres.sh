#!/usr/bin/env bash
# A throwaway PostgreSQL server for the tests, the bench and the demo on PostgreSQL.
#
#   scripts/throwaway-postgres.sh OWNER_PID
#   scripts/throwaway-postgres.sh --stop FOLDER
#
# Creates a cluster in a new temporary folder (initdb), starts it on a free port of
# 127.0.0.1 only, and prints one line: "PORT PASSWORD FOLDER BINDIR". It offers TLS with a
# self-signed certificate for 127.0.0.1, FOLDER/server.crt (when openssl is there), so
# clients can try every sslmode. The superuser is
# `postgres`, with that password over TCP. PostgreSQL refuses to run as root, so as root
# the server runs as the unprivileged user `postgres`.
#
# The server is stopped and its folder removed when OWNER_PID exits, whatever way it
# exits (a watchdog polls for it once a second), so a test run that fails or crashes
# leaves nothing running. `--stop FOLDER` does the same at once and returns when it is
# done: an owner that ends normally calls it, so nothing is left for a watchdog that the
# machine may kill before its next poll (a CI job torn down as its command returns).
set -euo pipefail

script=$(readlink -f "${BASH_SOURCE[0]}")

# Stops the server of folder $1 and removes the folder; nothing to do when it is gone.
stop_and_remove() {
    local folder=$1
    case "$folder" in
    /tmp/credit-recon-pg.*) ;;
    *) echo "throwaway-postgres: $folder is not a folder this script made" >&2; return 64 ;;
    esac
    [ -d "$folder" ] || return 0
    local bindir
    bindir=$(cat "$folder/bindir" 2>/dev/null || true)
    if [ -n "$bindir" ] && [ -d "$folder/data" ]; then
        if [ "$(id -u)" = 0 ]; then
            runuser -u postgres -- "$bindir/pg_ctl" -D "$folder/data" stop -m immediate >/dev/null 2>&1 || true
        else
            "$bindir/pg_ctl" -D "$folder/data" stop -m immediate >/dev/null 2>&1 || true
        fi
    fi
    rm -rf "$folder" 2>/dev/null || true
}

if [ "${1:-}" = --stop ]; then
    [ -n "${2:-}" ] || { echo "usage: $0 --stop FOLDER" >&2; exit 64; }
    stop_and_remove "$2"
    exit
fi

if [ -z "${1:-}" ]; then
    echo "usage: $0 OWNER_PID | --stop FOLDER" >&2
    exit 64
fi
owner=$1

# Keep nothing of the caller but stdin, stdout and stderr: the server and its watchdog
# outlive this script, and a pipe they inherited (another test's child's output) would
# never reach its end while they run.
for fd in /proc/$$/fd/*; do
    fd=${fd##*/}
    if [ "$fd" -gt 2 ] 2>/dev/null && [ "$fd" != 255 ]; then eval "exec $fd>&-" 2>/dev/null || true; fi
done

bindir=""
if command -v pg_config >/dev/null 2>&1 && [ -x "$(pg_config --bindir)/initdb" ]; then
    bindir=$(pg_config --bindir)
fi
if [ -z "$bindir" ]; then
    bindir=$(ls -d /usr/lib/postgresql/*/bin 2>/dev/null | sort -V | tail -1 || true)
fi
if [ -z "$bindir" ] && command -v initdb >/dev/null 2>&1; then
    bindir=$(dirname "$(readlink -f "$(command -v initdb)")")
fi
if [ -z "$bindir" ] || [ ! -x "$bindir/initdb" ] || [ ! -x "$bindir/pg_ctl" ]; then
    echo "throwaway-postgres: no PostgreSQL server binaries (initdb, pg_ctl); run 'make deps' to install the postgresql package" >&2
    exit 69
fi

folder=$(mktemp -d /tmp/credit-recon-pg.XXXXXX)
as_server=()
if [ "$(id -u)" = 0 ]; then
    chown postgres: "$folder"
    as_server=(runuser -u postgres --)
fi
printf '%s\n' "$bindir" >"$folder/bindir"
password=$(head -c 24 /dev/urandom | od -An -tx1 | tr -d ' \n')
printf '%s\n' "$password" >"$folder/password"
chmod 600 "$folder/password"
[ "$(id -u)" = 0 ] && chown postgres: "$folder/password"

"${as_server[@]}" "$bindir/initdb" -D "$folder/data" -U postgres --pwfile="$folder/password" \
    --auth-local=trust --auth-host=scram-sha-256 -E UTF8 --no-locale --no-sync >"$folder/initdb.log" 2>&1 || {
    cat "$folder/initdb.log" >&2
    exit 70
}

tls_options=""
if command -v openssl >/dev/null 2>&1 && openssl req -x509 -newkey rsa:2048 -nodes -days 2 -subj "/CN=127.0.0.1" \
    -addext "subjectAltName=IP:127.0.0.1" -keyout "$folder/server.key" -out "$folder/server.crt" >"$folder/openssl.log" 2>&1; then
    chmod 600 "$folder/server.key"
    chmod 644 "$folder/server.crt"
    [ "$(id -u)" = 0 ] && chown postgres: "$folder/server.key" "$folder/server.crt"
    tls_options="-c ssl=on -c ssl_cert_file=$folder/server.crt -c ssl_key_file=$folder/server.key"
fi

free_port() {
    python3 -c 'import socket; s = socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1])'
}

# A port found free can be taken before the server binds it: try a few.
started=""
for _ in 1 2 3 4 5; do
    port=$(free_port)
    if "${as_server[@]}" "$bindir/pg_ctl" -D "$folder/data" -l "$folder/server.log" -w -t 120 \
        -o "-p $port -c listen_addresses=127.0.0.1 -k $folder -c max_connections=200 $tls_options" start >/dev/null 2>&1; then
        started=yes
        break
    fi
done
if [ -z "$started" ]; then
    echo "throwaway-postgres: the server did not start; its log:" >&2
    cat "$folder/server.log" >&2 || true
    exit 70
fi

# The watchdog: stops the server and removes the folder once the owner has exited.
setsid bash -c '
    owner=$1 script=$2 folder=$3
    while kill -0 "$owner" 2>/dev/null; do sleep 1; done
    exec bash "$script" --stop "$folder"
' watchdog "$owner" "$script" "$folder" </dev/null >/dev/null 2>&1 &

echo "$port $password $folder $bindir"
