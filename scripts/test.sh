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

echo "== rustdoc (broken and private intra-doc links are errors)"
for features in "--features full" "" "--no-default-features"; do
  RUSTDOCFLAGS="-D warnings" cargo doc -p rest_framework -p rest_framework_macros --no-deps --locked $features
done

# The workspace builds the framework with every feature (the tests crate asks for `full`).
# Alone, it must also build and pass its unit tests with the default features and with the
# core only (no contrib module).
for features in "" "--no-default-features"; do
  echo "== rest_framework alone: ${features:-default features}"
  cargo clippy -p rest_framework --lib --tests --locked $features -- -D warnings
  cargo test -p rest_framework --lib --locked $features
done

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

# start_throwaway_cluster / stop_throwaway_cluster (installs Debian's postgresql if needed).
source scripts/lib/postgres.sh

if [[ -z "${TEST_PG_URL:-}" ]]; then
  start_throwaway_cluster
  echo "== cargo test on PostgreSQL (throwaway cluster in $pg_dir)"
else
  echo "== cargo test on PostgreSQL (TEST_PG_URL)"
fi
start=$SECONDS
cargo test --workspace --locked --no-fail-fast
echo "== PostgreSQL pass: $((SECONDS - start)) s"
