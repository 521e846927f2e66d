# Shared by bench/instructions.sh and bench/profile.sh (sourced, not run): the two servers'
# binaries, the benchmark's data, and the endpoints both scripts measure.

# The endpoints, by the names that --only takes.
declare -A PATHS=(
    [list]="/api/articles/"
    [deep]="/api/articles/?page=1500"
    [page100]="/api/articles/?page_size=100"
    [detail]="/api/articles/10000/"
)

# bench_setup ROOT OUT_NAME TOOLS PACKAGES: sets BIN_DIR (BENCH_BIN_DIR, else target/profiling,
# else the target/release that bench/run.sh builds), DATA and OUT (target/bench/OUT_NAME,
# created); installs Debian's PACKAGES when one of the commands TOOLS is missing (both lists
# space-separated); exits with a hint when a binary or the data is missing.
bench_setup() {
    local root=$1 bin tool
    BIN_DIR="${BENCH_BIN_DIR:-$root/target/profiling}"
    if [ -z "${BENCH_BIN_DIR:-}" ] && [ ! -x "$BIN_DIR/example_blog" ]; then
        BIN_DIR="$root/target/release"
    fi
    DATA="$root/target/bench/data-full/blog.sqlite3"
    OUT="$root/target/bench/$2"
    for bin in example_blog bench_handwritten; do
        [ -x "$BIN_DIR/$bin" ] || {
            echo "no $BIN_DIR/$bin: cargo build --profile profiling -p example_blog -p bench_handwritten" >&2
            exit 1
        }
    done
    [ -f "$DATA" ] || { echo "no $DATA: run bench/run.sh once to load the data" >&2; exit 1; }
    for tool in $3; do
        if ! command -v "$tool" >/dev/null; then
            # shellcheck disable=SC2086 # a list of packages
            apt-get update -qq && apt-get install -y -qq $4 >/dev/null
            break
        fi
    done
    mkdir -p "$OUT"
}

# start_server SERVER DB WRAPPER...: starts SERVER (blog|hand) in its own session on the SQLite
# file DB, listening on 127.0.0.1:$PORT, logging to $OUT/SERVER.log, run by WRAPPER (`taskset -c
# 1`, `valgrind ...`); sets SERVER_PID.
start_server() {
    local server=$1 db=$2
    shift 2
    if [ "$server" = blog ]; then
        DATABASE_URL="sqlite://$db" RUST_LOG=warn setsid "$@" "$BIN_DIR/example_blog" serve \
            --bind "127.0.0.1:$PORT" >"$OUT/$server.log" 2>&1 &
    else
        setsid "$@" "$BIN_DIR/bench_handwritten" --database-url "sqlite://$db" \
            --bind "127.0.0.1:$PORT" >"$OUT/$server.log" 2>&1 &
    fi
    SERVER_PID=$!
}
