#!/usr/bin/env bash
# Runs a command against a throwaway PostgreSQL cluster: installs the server with apt-get
# only if it is missing, starts it on a free loopback port (as a non-root user when run
# as root), exports DATABASE_URL, runs "$@", and stops and removes the cluster even on failure.
set -euo pipefail

pg_bin() { ls -d /usr/lib/postgresql/*/bin 2>/dev/null | sort -V | tail -n 1; }

if [ -z "$(pg_bin)" ]; then
  echo "PostgreSQL server not found: installing it with apt-get" >&2
  if [ "$(id -u)" -ne 0 ]; then SUDO=sudo; else SUDO=; fi
  $SUDO apt-get update -qq
  DEBIAN_FRONTEND=noninteractive $SUDO apt-get install -y -qq postgresql >/dev/null
fi
PGBIN=$(pg_bin)

dir=$(mktemp -d /tmp/plcoach-pg.XXXXXX)
as_owner=()
if [ "$(id -u)" -eq 0 ]; then
  # initdb refuses to run as root: the cluster belongs to an unprivileged user.
  owner=postgres
  id -u "$owner" >/dev/null 2>&1 || useradd --system --no-create-home "$owner"
  chown "$owner" "$dir"
  as_owner=(runuser -u "$owner" --)
fi

port=$(python3 -c 'import socket; s = socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1])')

stop() {
  "${as_owner[@]}" "$PGBIN/pg_ctl" -D "$dir/data" -m immediate -w stop >/dev/null 2>&1 || true
  rm -rf "$dir"
}
trap stop EXIT

"${as_owner[@]}" "$PGBIN/initdb" -D "$dir/data" -U plcoach -A trust -E UTF8 --locale=C.UTF-8 >/dev/null
# Durability is pointless for a throwaway cluster; these make the suite faster.
"${as_owner[@]}" "$PGBIN/pg_ctl" -D "$dir/data" -l "$dir/server.log" -w -o \
  "-p $port -k $dir -c listen_addresses=127.0.0.1 -c fsync=off -c synchronous_commit=off -c full_page_writes=off" \
  start >/dev/null
"$PGBIN/createdb" -h 127.0.0.1 -p "$port" -U plcoach plcoach

export DATABASE_URL="postgres://plcoach@127.0.0.1:$port/plcoach"
# For bench/load.py's fault test: restart this cluster (it keeps its port and options).
export PLCOACH_PG_RESTART="${as_owner[*]} $PGBIN/pg_ctl -D $dir/data -l $dir/server.log -w -m fast restart"
echo "PostgreSQL $("$PGBIN/postgres" --version | awk '{print $3}') on 127.0.0.1:$port" >&2
set +e
"$@"
status=$?
set -e
exit $status
