#!/usr/bin/env bash
# Runs a command beside a throwaway PostgreSQL 15 server: a new cluster in a temporary
# directory, started on a free loopback port as an unprivileged user (`postgres` when this runs
# as root: the server refuses root), trust authentication on loopback only. The command sees
#   VIGIL_TEST_POSTGRES=postgresql://<user>@127.0.0.1:<port>/postgres
# and creates the databases it needs there. The server is stopped (by its pid) and its
# directory removed when the command ends, however it ends; the exit status is the command's.
set -euo pipefail

bin=/usr/lib/postgresql/15/bin
if [ ! -x "$bin/postgres" ]; then
  echo "with_postgres: PostgreSQL 15 is not installed (scripts/install-deps.sh installs it)" >&2
  exit 2
fi
dir=$(mktemp -d /tmp/vigil-pg-XXXXXX)
chmod 0700 "$dir"
as=()
user=$(id -un)
if [ "$(id -u)" -eq 0 ]; then
  user=postgres
  chown postgres "$dir"
  as=(runuser -u postgres --)
fi
port=$(python3 -c 'import socket; s = socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1])')

stop() {
  if [ -f "$dir/data/postmaster.pid" ]; then
    pid=$(head -1 "$dir/data/postmaster.pid")
    kill -INT "$pid" 2>/dev/null || true  # "fast" shutdown
    for _ in $(seq 100); do kill -0 "$pid" 2>/dev/null || break; sleep 0.1; done
    kill -KILL "$pid" 2>/dev/null || true
  fi
  rm -rf "$dir"
}
trap stop EXIT

"${as[@]}" "$bin/initdb" -D "$dir/data" -U "$user" --auth=trust -E UTF8 --no-instructions \
  >"$dir/initdb.log" 2>&1 || { cat "$dir/initdb.log" >&2; exit 2; }
"${as[@]}" "$bin/pg_ctl" -D "$dir/data" -l "$dir/server.log" -w -t 60 \
  -o "-p $port -k $dir -c listen_addresses=127.0.0.1 -c max_connections=200" start >/dev/null ||
  { cat "$dir/server.log" >&2; exit 2; }

export VIGIL_TEST_POSTGRES="postgresql://$user@127.0.0.1:$port/postgres"
set +e
"$@"
status=$?
set -e
exit $status
