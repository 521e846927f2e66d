#!/usr/bin/env bash
# Build times of the blog (issue 8): clean debug, clean release, and the incremental debug
# rebuild after editing one serializer (target: <= 5 s).
#
#   bench/build_times.sh [--skip-clean]
#
# The clean builds use their own target directory, target/bench/build-times (deleted first), so
# they never wipe the workspace's target; they take many minutes on 2 cores. --skip-clean
# measures only the incremental rebuild, in the workspace's usual target directory (brought up
# to date first, untimed).
#
# The edit: one word appended to the doc comment of `ArticleListSerializer` in
# example_blog/src/serializers.rs (a doc comment is an attribute, so the derive runs again, as
# after any real edit of the serializer). The file is restored afterwards, whatever happens.
set -euo pipefail

ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
TARGET="${CARGO_TARGET_DIR:-$ROOT/target}"
CLEAN=1
case "${1:-}" in
    --skip-clean) CLEAN=0 ;;
    "") ;;
    *) sed -n '2,/^set -euo/p' "${BASH_SOURCE[0]}" | sed '$d; s/^# \{0,1\}//'; exit 2 ;;
esac
cd "$ROOT"

timed() { # LABEL COMMAND...: runs COMMAND, prints "| LABEL | seconds |"
    local label=$1 started
    shift
    started=$(date +%s.%N)
    "$@" >&2
    printf '| %s | %.1f s |\n' "$label" "$(python3 -c "import sys; print(float(sys.argv[2]) - float(sys.argv[1]))" "$started" "$(date +%s.%N)")"
}

ROWS=()
if ((CLEAN)); then
    DIR="$TARGET/bench/build-times"
    rm -rf "$DIR"
    ROWS+=("$(timed "clean debug build (\`cargo build -p example_blog\`)" \
        cargo build -p example_blog --target-dir "$DIR")")
    ROWS+=("$(timed "clean release build (\`cargo build --release -p example_blog\`)" \
        cargo build --release -p example_blog --target-dir "$DIR")")
    INCREMENTAL_DIR="$DIR"
else
    INCREMENTAL_DIR="$TARGET"
fi

FILE=example_blog/src/serializers.rs
BACKUP="$(mktemp)"
cp "$FILE" "$BACKUP"
restore() { cp "$BACKUP" "$FILE" && rm -f "$BACKUP"; }
trap restore EXIT

cargo build -p example_blog --target-dir "$INCREMENTAL_DIR" >&2 # up to date before the edit
sed -i 's|^/// The compact representation of the list action\.$|/// The compact representation of the list action (edited).|' "$FILE"
if cmp -s "$FILE" "$BACKUP"; then
    echo "the edit did not apply: ArticleListSerializer's doc comment changed?" >&2
    exit 1
fi
ROWS+=("$(timed "incremental debug rebuild after editing ArticleListSerializer" \
    cargo build -p example_blog --target-dir "$INCREMENTAL_DIR")")
restore
trap - EXIT
cargo build -p example_blog --target-dir "$INCREMENTAL_DIR" >&2 # back to the committed source

echo
echo "| build | time |"
echo "|---|---:|"
printf '%s\n' "${ROWS[@]}"
