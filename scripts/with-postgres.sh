#!/usr/bin/env bash
# Runs "$@" beside a throwaway PostgreSQL server on loopback, from Debian's `postgresql`
# package: `initdb` in a temporary directory, run as an unprivileged user (`postgres`, or
# `nobody`, when we are root), on a free port, with fsync off (nothing here needs to
# survive). The command gets PARTNER_TEST_DATABASE_URL (the server's `postgres` database,
# from which tests create their own) and PARTNER_REQUIRE_POSTGRES=1 (tests that need it
# fail instead of skipping). The server and its directory are gone afterwards.
set -euo pipefail

bin=$(ls -d /usr/lib/postgresql/*/bin 2>/dev/null | sort -V | tail -1)
[ -x "$bin/initdb" ] || { echo "with-postgres: no PostgreSQL server (scripts/setup.sh installs it)" >&2; exit 1; }

as_user=()
if [ "$(id -u)" = 0 ]; then
  user=postgres; id "$user" >/dev/null 2>&1 || user=nobody
  as_user=(runuser -u "$user" --)
fi
dir=$(mktemp -d /tmp/sir-postgres.XXXXXX)
chmod 755 "$dir"
[ ${#as_user[@]} -eq 0 ] || chown "$user" "$dir"
port=$(python3 -c 'import socket; s = socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1])')

stop() {
  "${as_user[@]}" "$bin/pg_ctl" -D "$dir/data" -m immediate stop >/dev/null 2>&1 || true
  rm -rf "$dir"
}
trap stop EXIT

"${as_user[@]}" "$bin/initdb" -D "$dir/data" -U sir -A trust -E UTF8 --no-sync >/dev/null
"${as_user[@]}" "$bin/pg_ctl" -D "$dir/data" -l "$dir/server.log" -w -t 30 start \
  -o "-c listen_addresses=127.0.0.1 -p $port -k $dir -c fsync=off -c synchronous_commit=off -c max_connections=300" \
  >/dev/null

export PARTNER_TEST_DATABASE_URL="postgres://sir@127.0.0.1:$port/postgres"
export PARTNER_REQUIRE_POSTGRES=1
echo "with-postgres: $("$bin/postgres" --version) on 127.0.0.1:$port" >&2
"$@"
