#!/usr/bin/env bash
# The whole test suite: formatting, lints, unit tests, compile-fail (trybuild) tests and the
# HTTP integration tests against a real SQLite database. Run from anywhere in the repo.
set -euo pipefail
cd "$(dirname "$0")/.."

echo "== cargo fmt --check"
cargo fmt --all -- --check

echo "== cargo clippy (all targets, warnings are errors)"
cargo clippy --workspace --all-targets --locked -- -D warnings

echo "== cargo test"
cargo test --workspace --locked
