#!/usr/bin/env bash
# Runs every fuzz target under libFuzzer (cargo-fuzz) for a bounded time each; fails on the
# first crash, leaving it in fuzz/libfuzzer/artifacts/<target>/.
#
#   bash fuzz/run.sh                 # every target, FUZZ_SECONDS (default 30) each
#   bash fuzz/run.sh request jwt     # some targets
#   FUZZ_SECONDS=600 bash fuzz/run.sh request
#
# Stable Rust: cargo-fuzz with `--sanitizer none` needs no nightly (its coverage flags are
# stable `-C` options); AddressSanitizer would, and the code it would watch is safe Rust.
# Builds are release builds with debug assertions and overflow checks, in
# fuzz/libfuzzer/target (not the workspace's target directory).
#
# New inputs go to a working corpus (fuzz/libfuzzer/corpus-work/<target>, not versioned); the
# seed corpus fuzz/corpus/<target> is read only. `cargo test -p fuzz_harness` replays the
# seeds and fuzz/regressions/<target>/ on stable: keep every crash there once fixed.
set -euo pipefail
cd "$(dirname "$0")/.."

seconds="${FUZZ_SECONDS:-30}"
targets=("$@")
if [[ ${#targets[@]} -eq 0 ]]; then
  targets=(body_json body_form body_multipart jwt signed request)
fi

if ! cargo fuzz --version >/dev/null 2>&1; then
  echo "== installing cargo-fuzz"
  cargo install cargo-fuzz --locked --version 0.13.2
fi

fuzz_dir=fuzz/libfuzzer
echo "== cargo fuzz build (libFuzzer, release with debug assertions)"
cargo fuzz build --fuzz-dir "$fuzz_dir" --sanitizer none

for target in "${targets[@]}"; do
  work="$fuzz_dir/corpus-work/$target"
  mkdir -p "$work" "$fuzz_dir/artifacts/$target"
  dict=()
  [[ -f "fuzz/dicts/$target.dict" ]] && dict=("-dict=fuzz/dicts/$target.dict")
  echo "== fuzzing $target for ${seconds} s"
  if ! cargo fuzz run --fuzz-dir "$fuzz_dir" --sanitizer none "$target" "$work" "fuzz/corpus/$target" -- \
      -max_total_time="$seconds" -timeout=10 -rss_limit_mb=2048 -seed=1 -print_final_stats=1 \
      "${dict[@]}" 2>"$fuzz_dir/artifacts/$target/last-run.log"; then
    grep -E "panicked|ERROR|SUMMARY|Test unit written" "$fuzz_dir/artifacts/$target/last-run.log" >&2 || true
    echo "fuzz target $target crashed: see $fuzz_dir/artifacts/$target/ and its last-run.log." >&2
    echo "Once fixed, keep the input: cp <crash file> fuzz/regressions/$target/<what-it-found>" >&2
    exit 1
  fi
  grep -E "^stat::number_of_executed_units|^stat::peak_rss_mb|DONE" "$fuzz_dir/artifacts/$target/last-run.log" | tr '\n' ' '
  echo
done
