#!/usr/bin/env bash
# The whole test suite: formatting, lints, unit tests, compile-fail (trybuild) tests and the
# HTTP integration tests, run twice: on SQLite, then on PostgreSQL. Run from anywhere in the repo.
#
# PostgreSQL: with TEST_PG_URL=postgres://user@host:port/db (a role that may CREATE DATABASE;
# `db` is only used to connect) the tests use that server. Without it this script starts a
# throwaway cluster (installing Debian's `postgresql` package if no server is installed), and
# stops and deletes it when it exits. TEST_ENGINES=sqlite (or postgres) runs one pass only.
set -euo pipefail
cd "$(dirname "$0")/.."

engines="${TEST_ENGINES:-sqlite postgres}"

echo "== tools the tests use"
# The OpenAPI document is checked by an external validator (PyPI's openapi-spec-validator).
if ! python3 -c "import openapi_spec_validator" 2>/dev/null; then
  python3 -m pip install --quiet --disable-pip-version-check openapi-spec-validator
fi
export REQUIRE_OPENAPI_VALIDATOR=1

echo "== cargo fmt --check"
cargo fmt --all -- --check

echo "== cargo clippy (all targets, warnings are errors)"
cargo clippy --workspace --all-targets --locked -- -D warnings

# Both passes build the same targets with the same features: the second one compiles nothing.
if [[ " $engines " == *" sqlite "* ]]; then
  echo "== cargo test on SQLite"
  start=$SECONDS
  env -u TEST_PG_URL cargo test --workspace --locked --no-fail-fast
  echo "== SQLite pass: $((SECONDS - start)) s"
fi

# schemathesis on every operation of the blog's OpenAPI document (scripts/schemathesis/run.sh).
echo "== schemathesis"
bash scripts/schemathesis/run.sh target/debug/example_blog

# libFuzzer on every fuzz target for FUZZ_SECONDS each (30 by default; FUZZ_SECONDS=0 skips).
# The saved inputs were replayed by `cargo test` above (fuzz_harness); this searches for new
# ones. See fuzz/README.md.
if [[ "${FUZZ_SECONDS:-30}" != 0 ]]; then
  start=$SECONDS
  bash fuzz/run.sh
  echo "== fuzzing: $((SECONDS - start)) s"
fi

[[ " $engines " == *" postgres "* ]] || exit 0

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
  export TEST_PG_URL="postgres://postgres@localhost/postgres?host=$pg_dir"
}

stop_throwaway_cluster() {
  if [[ -n "${pg_stop:-}" ]]; then
    "${pg_stop[@]}" >/dev/null 2>&1 || true
  fi
  rm -rf "${pg_dir:?}"
}

if [[ -z "${TEST_PG_URL:-}" ]]; then
  start_throwaway_cluster
  echo "== cargo test on PostgreSQL (throwaway cluster in $pg_dir)"
else
  echo "== cargo test on PostgreSQL (TEST_PG_URL)"
fi
start=$SECONDS
cargo test --workspace --locked --no-fail-fast
echo "== PostgreSQL pass: $((SECONDS - start)) s"
