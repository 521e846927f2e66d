#!/usr/bin/env bash
# Where a request's CPU time goes: `perf record` of the blog and of the hand-written server
# while wrk loads one endpoint, and the top of each profile by shared object and by function.
#
# Usage:
#   bench/profile.sh [--only NAME[,NAME...]] [--seconds S] [--top N]
#
#   --only NAMES   endpoints among: list deep page100 detail (default: list)
#   --seconds S    seconds of load sampled per server (default 10)
#   --top N        functions listed per profile (default 25)
#
# Needs the two binaries (target/profiling from `cargo build --profile profiling -p example_blog
# -p bench_handwritten`, else the target/release of `bench/run.sh`, or BENCH_BIN_DIR) and the
# benchmark's data (`bench/run.sh` makes it in target/bench/data-full). Installs Debian's
# `linux-perf` and `wrk` when missing. Each server runs alone pinned to core 1 on a copy of the
# data, wrk (1 thread, 32 connections) on core 0; after 3 s of warm-up, perf samples every
# thread of the server at 999 Hz, kernel included. The reports go to
# target/bench/profile/NAME-SERVER.txt; the summary is printed.
set -euo pipefail

cd "$(dirname "$0")/.."
ROOT=$PWD
ONLY="list"
SECONDS_SAMPLED=10
TOP=25
while [ $# -gt 0 ]; do
    case "$1" in
        --only) ONLY="$2"; shift 2 ;;
        --seconds) SECONDS_SAMPLED="$2"; shift 2 ;;
        --top) TOP="$2"; shift 2 ;;
        -h | --help) sed -n '2,18p' "$0" | sed 's/^# \{0,1\}//'; exit 0 ;;
        *) echo "unknown option: $1 (see --help)" >&2; exit 2 ;;
    esac
done

# shellcheck source=bench/common.sh
source "$ROOT/bench/common.sh"
bench_setup "$ROOT" profile "perf wrk" "linux-perf wrk"
PORT=18496

# first_lines N FILE: the first N lines of a perf report that are neither comments nor blank.
first_lines() { awk -v n="$1" '!/^#/ && NF { print; if (++seen == n) exit }' "$2"; }

# profile NAME SERVER PATH: perf's reports of SERVER (blog|hand) under load on PATH.
profile() {
    local name=$1 server=$2 path=$3 db="$OUT/db.sqlite3" data="$OUT/$1-$2.perf" pid i
    cp "$DATA" "$db"
    rm -f "$db-wal" "$db-shm"
    start_server "$server" "$db" taskset -c 1
    pid=$SERVER_PID
    for i in $(seq 1 120); do
        curl -sf -o /dev/null "http://127.0.0.1:$PORT$path" && break
        sleep 0.25
    done
    taskset -c 0 wrk -t1 -c32 -d"$((SECONDS_SAMPLED + 4))s" "http://127.0.0.1:$PORT$path" \
        >"$OUT/$name-$server.wrk" 2>&1 &
    local wrk=$!
    sleep 3
    perf record -q -F 999 -p "$pid" -o "$data" -- sleep "$SECONDS_SAMPLED" >/dev/null 2>&1
    wait "$wrk" || true
    kill -9 "$pid" 2>/dev/null || true
    wait "$pid" 2>/dev/null || true
    # Whole reports to files first: `perf report | head` would end perf with SIGPIPE, which
    # pipefail turns into the script's exit.
    perf report -i "$data" --no-children --sort dso --stdio >"$data.dso" 2>/dev/null
    perf report -i "$data" --no-children --sort sym --stdio >"$data.sym" 2>/dev/null
    {
        echo "# $server, GET $path: $(awk '/Requests\/sec/ {print $2}' "$OUT/$name-$server.wrk") req/s under perf"
        echo "## by shared object"
        first_lines 8 "$data.dso"
        echo "## by function (self time)"
        first_lines "$TOP" "$data.sym"
    } >"$OUT/$name-$server.txt"
    rm -f "$db"*
}

IFS=, read -ra NAMES <<<"$ONLY"
for name in "${NAMES[@]}"; do
    path=${PATHS[$name]:?unknown endpoint $name}
    for server in blog hand; do
        profile "$name" "$server" "$path"
        cat "$OUT/$name-$server.txt"
        echo
    done
done
