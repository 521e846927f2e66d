#!/usr/bin/env bash
# Clean debug build time of a crate outside the workspace that depends on rest_framework,
# with the default features and with `full` (issue 25: what the contrib features save an app).
#
#   bench/feature_build_times.sh
#
# Each build gets a fresh target directory under target/bench/feature-builds/ and the
# workspace's Cargo.lock (the same dependency versions as the workspace), so nothing is shared
# between the two runs but the downloaded sources. One run each, one after the other.
set -euo pipefail
cd "$(dirname "$0")/.."
root=$PWD
work="$root/target/bench/feature-builds"
rm -rf "$work"
mkdir -p "$work"
for features in default full; do
  app="$work/app-$features"
  mkdir -p "$app/src"
  if [[ $features == default ]]; then
    dep="rest_framework = { path = \"$root/framework\" }"
  else
    dep="rest_framework = { path = \"$root/framework\", features = [\"full\"] }"
  fi
  cat >"$app/Cargo.toml" <<TOML
[package]
name = "app_$features"
version = "0.1.0"
edition = "2024"

[dependencies]
$dep

[workspace]
TOML
  cat >"$app/src/main.rs" <<'RS'
use rest_framework::prelude::*;

fn main() {
    let settings = Settings::new("not a production secret");
    println!("{}", settings.schema_title);
}
RS
  cp "$root/Cargo.lock" "$app/Cargo.lock"
  start=$(date +%s.%N)
  (cd "$app" && CARGO_TARGET_DIR="$app/target" cargo build --quiet)
  end=$(date +%s.%N)
  printf '%-8s clean debug build: %.1f s\n' "$features" "$(echo "$end - $start" | bc)"
done
