# A throwaway PostgreSQL cluster for tests and fault runs; source this file.
#
# start_throwaway_cluster: a new cluster in a temporary directory (installing Debian's
# `postgresql` package when no server is installed), listening only on a unix socket there;
# sets TEST_PG_URL, pg_dir, pg_ctl_cmd (pg_ctl as the right user, with -D) and an EXIT trap
# that stops and deletes it. stop_throwaway_cluster does that at once.

# The directory that holds a PostgreSQL server's programs (initdb, pg_ctl, postgres).
pg_bindir() {
  local dir
  for dir in $(ls -d /usr/lib/postgresql/*/bin 2>/dev/null | sort -V -r); do
    [[ -x "$dir/initdb" && -x "$dir/postgres" ]] && { echo "$dir"; return 0; }
  done
  return 1
}

# Starts a throwaway cluster in a new temporary directory, listening only on a unix socket
# there (no port to collide with); sets TEST_PG_URL. The EXIT trap stops and deletes it.
start_throwaway_cluster() {
  local bindir
  if ! bindir=$(pg_bindir); then
    echo "== installing PostgreSQL (Debian package postgresql)"
    if [[ $(id -u) -ne 0 ]]; then
      echo "No PostgreSQL server is installed and this is not root: install the Debian package" \
        "postgresql, or set TEST_PG_URL=postgres://user@host:port/db to use a server." >&2
      exit 1
    fi
    export DEBIAN_FRONTEND=noninteractive
    { apt-get update && apt-get install -y --no-install-recommends postgresql; } \
      >/tmp/rf-apt-postgresql.log 2>&1 \
      || { cat /tmp/rf-apt-postgresql.log >&2; echo "installing postgresql failed" >&2; exit 1; }
    bindir=$(pg_bindir) || { echo "postgresql installed, but no initdb found" >&2; exit 1; }
  fi

  pg_dir=$(mktemp -d /tmp/rf-pg.XXXXXX)
  # initdb refuses to run as root: root runs the cluster as the package's `postgres` user.
  local as=()
  if [[ $(id -u) -eq 0 ]]; then
    chown postgres: "$pg_dir"
    as=(runuser -u postgres --)
  fi
  trap 'stop_throwaway_cluster' EXIT
  local log="$pg_dir/setup.log"
  # Durability is worthless for a throwaway cluster; speed is not.
  local server_options="-c listen_addresses='' -c max_connections=300 -c fsync=off"
  server_options+=" -c synchronous_commit=off -c full_page_writes=off -c shared_buffers=64MB"
  if ! "${as[@]}" "$bindir/initdb" -D "$pg_dir/data" -U postgres --auth=trust -E UTF8 \
      --locale=C.UTF-8 >"$log" 2>&1 \
    || ! "${as[@]}" "$bindir/pg_ctl" -D "$pg_dir/data" -l "$pg_dir/server.log" -w -t 60 \
      -o "$server_options -k $pg_dir" start >>"$log" 2>&1; then
    cat "$log" "$pg_dir/server.log" >&2 2>/dev/null || true
    echo "cannot start the throwaway PostgreSQL cluster in $pg_dir" >&2
    exit 1
  fi
  pg_stop=("${as[@]}" "$bindir/pg_ctl" -D "$pg_dir/data" -m immediate stop)
  pg_ctl_cmd=("${as[@]}" "$bindir/pg_ctl" -D "$pg_dir/data")
  pg_server_options="$server_options -k $pg_dir"
  export TEST_PG_URL="postgres://postgres@localhost/postgres?host=$pg_dir"
}

stop_throwaway_cluster() {
  if [[ -n "${pg_stop:-}" ]]; then
    "${pg_stop[@]}" >/dev/null 2>&1 || true
  fi
  rm -rf "${pg_dir:?}"
}

