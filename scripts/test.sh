#!/usr/bin/env bash
# The whole test suite: formatting, lints, unit tests, compile-fail (trybuild) tests and the
# HTTP integration tests against a real SQLite database. Run from anywhere in the repo.
set -euo pipefail
cd "$(dirname "$0")/.."

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

echo "== cargo test"
cargo test --workspace --locked
