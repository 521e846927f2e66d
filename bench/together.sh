#!/usr/bin/env bash
# The blog and the hand-written server loaded at the same time, on the same core: the ratio of
# their req/s under the same conditions at every instant.
#
# Usage:
#   bench/together.sh [--only NAME[,NAME...]] [--rounds N] [--seconds S] [--control]
#                     [--against DIR]
#
#   --only NAMES   endpoints among: list deep page100 detail (default: list,detail)
#   --rounds N     measured rounds per endpoint, after one round of warm-up (default 10)
#   --seconds S    seconds per round (default 3)
#   --control      the hand-written server against a second copy of itself instead of the
#                  blog: the ratio two identical servers get, i.e. this measure's own error
#   --against DIR  the blog against another build of the blog, DIR/example_blog (a copy of
#                  target/release/example_blog from before a change), instead of against the
#                  hand-written server: A/B of a change to the framework
#
# Why: on this shared machine a server's req/s moves by up to 30% from one 2-second round to
# the next (other tenants load the memory system). Run alone in turns, as bench/run.sh runs
# them, two servers meet different conditions, and a 5% difference needs many rounds to show.
# Here both servers run on core 1 at once, each loaded by its own wrk (32 connections; both
# wrk on core 0). The kernel shares the core between the two, so the ratio of their req/s is
# the inverse ratio of their CPU time per request, under the same conditions. The order in
# which the two wrk start alternates from round to round. Prints each round, then the median
# of the per-round ratios with their spread.
#
# Each server has half the core and the two evict each other's caches, so each serves fewer
# req/s than alone in bench/run.sh: read the ratio, not the req/s.
#
# Needs the two binaries (target/profiling, else target/release, or BENCH_BIN_DIR) and the
# benchmark's data (bench/run.sh makes it), as bench/instructions.sh does; installs wrk.
set -euo pipefail

cd "$(dirname "$0")/.."
ROOT=$PWD
ONLY="list,detail"
ROUNDS=10
SECONDS_PER_ROUND=3
CONTROL=0
AGAINST=""
while [ $# -gt 0 ]; do
    case "$1" in
        --only) ONLY="$2"; shift 2 ;;
        --rounds) ROUNDS="$2"; shift 2 ;;
        --seconds) SECONDS_PER_ROUND="$2"; shift 2 ;;
        --control) CONTROL=1; shift ;;
        --against) AGAINST="$2"; shift 2 ;;
        -h | --help) sed -n '2,31p' "$0" | sed 's/^# \{0,1\}//'; exit 0 ;;
        *) echo "unknown option: $1 (see --help)" >&2; exit 2 ;;
    esac
done

# shellcheck source=bench/common.sh
source "$ROOT/bench/common.sh"
bench_setup "$ROOT" together wrk wrk
FIRST_PORT=18497
SERVERS=(blog hand)
[ "$CONTROL" = 1 ] && SERVERS=(hand hand)
NAMES=("${SERVERS[0]}" "${SERVERS[1]}")
[ "$CONTROL" = 1 ] && NAMES=(hand hand-copy)
# The binaries' folder of each of the two servers.
DIRS=("$BIN_DIR" "$BIN_DIR")
if [ -n "$AGAINST" ]; then
    [ -x "$AGAINST/example_blog" ] || { echo "no $AGAINST/example_blog" >&2; exit 1; }
    SERVERS=(blog blog)
    NAMES=(blog "blog@$AGAINST")
    DIRS=("$BIN_DIR" "$AGAINST")
fi

PIDS=()
stop_servers() {
    local pid
    for pid in "${PIDS[@]}"; do
        kill -9 "$pid" 2>/dev/null || true
        wait "$pid" 2>/dev/null || true
    done
    PIDS=()
}
trap stop_servers EXIT

# start_both: both servers on core 1, each on its own copy of the data.
start_both() {
    local i path
    for i in 0 1; do
        cp "$DATA" "$OUT/db$i.sqlite3"
        rm -f "$OUT/db$i.sqlite3-wal" "$OUT/db$i.sqlite3-shm"
        PORT=$((FIRST_PORT + i))
        BIN_DIR=${DIRS[$i]} start_server "${SERVERS[$i]}" "$OUT/db$i.sqlite3" taskset -c 1
        PIDS+=("$SERVER_PID")
    done
    for i in 0 1; do
        for _ in $(seq 1 120); do
            curl -sf -o /dev/null "http://127.0.0.1:$((FIRST_PORT + i))$1" && break
            sleep 0.25
        done
    done
}

# round PATH N: both servers loaded for the round's seconds; prints their two request counts.
round() {
    local path=$1 n=$2 i order=(0 1) loads=()
    [ $((n % 2)) = 1 ] && order=(1 0)
    for i in "${order[@]}"; do
        taskset -c 0 wrk -t1 -c32 -d"${SECONDS_PER_ROUND}s" \
            "http://127.0.0.1:$((FIRST_PORT + i))$path" >"$OUT/wrk$i.txt" 2>&1 &
        loads+=($!)
    done
    wait "${loads[@]}"
    echo "$(awk '/requests in/ {print $1}' "$OUT/wrk0.txt") $(awk '/requests in/ {print $1}' "$OUT/wrk1.txt")"
}

echo "| endpoint | rounds x s | ${NAMES[0]} req/s (mean) | ${NAMES[1]} req/s (mean) | ${NAMES[0]} / ${NAMES[1]}: median of rounds | min..max |"
echo "|---|---:|---:|---:|---:|---:|"
IFS=, read -ra ENDPOINTS <<<"$ONLY"
for name in "${ENDPOINTS[@]}"; do
    path=${PATHS[$name]:?unknown endpoint $name}
    start_both "$path"
    round "$path" 0 >/dev/null
    : >"$OUT/$name.rounds"
    for n in $(seq 1 "$ROUNDS"); do
        counts=$(round "$path" "$n")
        echo "$counts" >>"$OUT/$name.rounds"
        echo "  $name round $n: ${NAMES[0]} ${counts% *}, ${NAMES[1]} ${counts#* } requests" >&2
    done
    stop_servers
    python3 - "$OUT/$name.rounds" "$name" "$path" "$ROUNDS" "$SECONDS_PER_ROUND" <<'PY'
import statistics, sys
rounds = [tuple(map(int, line.split())) for line in open(sys.argv[1]) if line.strip()]
name, path, n, seconds = sys.argv[2], sys.argv[3], int(sys.argv[4]), int(sys.argv[5])
ratios = [a / b for a, b in rounds]
mean = lambda values: sum(values) / len(values) / seconds
print(f"| {name} `{path}` | {n} x {seconds} | {mean([a for a, _ in rounds]):,.0f} | "
      f"{mean([b for _, b in rounds]):,.0f} | {statistics.median(ratios):.3f}x | "
      f"{min(ratios):.3f}..{max(ratios):.3f} |")
PY
done
