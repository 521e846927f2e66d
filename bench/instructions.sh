#!/usr/bin/env bash
# Instructions per request of the blog and of the hand-written server, counted by valgrind's
# callgrind: a deterministic measure of the framework's own CPU work, where req/s on this
# machine moves by 10% from one run to the next.
#
# Usage:
#   bench/instructions.sh [--requests N] [--only NAME[,NAME...]] [--keep] [--cache]
#
#   --requests N   requests counted per endpoint and server (default 200; 60 for page_size=100)
#   --only NAMES   endpoints among: list deep page100 detail (default: all four)
#   --keep         keep the callgrind files (target/bench/instructions/) for callgrind_annotate
#   --cache        also simulate the caches and branch predictors (--cache-sim --branch-sim):
#                  L1 instruction and data misses and mispredicted branches per request, and
#                  an estimate of cycles, Ir + 12 x L1 misses + 15 x mispredictions (an L1 miss
#                  served by L2 costs ~12 cycles, a misprediction ~15); about 3x slower
#
# Needs the two binaries (target/profiling from `cargo build --profile profiling -p example_blog
# -p bench_handwritten`, else the target/release of `bench/run.sh`, or BENCH_BIN_DIR) and the
# benchmark's data (`bench/run.sh` makes it in target/bench/data-full). Installs valgrind
# (Debian's package) when missing.
#
# Each server runs alone under callgrind on a copy of the data; after a warm-up of 50 requests
# the counters are zeroed, N requests are sent one after another on one connection, and the
# instructions of all the process's threads (the runtime worker and the SQLite connection
# threads) are divided by N. Neither kernel work (the socket, the futexes; the same system calls
# in both servers) nor memory stalls are counted, so the req/s ratio under 32 connections can
# differ from the ratio here (bench/RESULTS.md). --cache counts the stalls of a larger code and
# data footprint, which instructions alone miss (bench/RESULTS.md, "Cache misses").
set -euo pipefail

cd "$(dirname "$0")/.."
ROOT=$PWD
REQUESTS=""
ONLY="list,deep,page100,detail"
KEEP=0
CACHE=0
while [ $# -gt 0 ]; do
    case "$1" in
        --requests) REQUESTS="$2"; shift 2 ;;
        --only) ONLY="$2"; shift 2 ;;
        --keep) KEEP=1; shift ;;
        --cache) CACHE=1; shift ;;
        -h | --help) sed -n '2,28p' "$0" | sed 's/^# \{0,1\}//'; exit 0 ;;
        *) echo "unknown option: $1 (see --help)" >&2; exit 2 ;;
    esac
done

# shellcheck source=bench/common.sh
source "$ROOT/bench/common.sh"
bench_setup "$ROOT" instructions callgrind_control "valgrind"
PORT=18495

# count SERVER PATH N: instructions per request of SERVER (blog|hand) serving PATH.
count() {
    local server=$1 path=$2 n=$3 db="$OUT/db.sqlite3" file="$OUT/$1.callgrind" pid
    cp "$DATA" "$db"
    rm -f "$db-wal" "$db-shm" "$file"*
    local sim=()
    [ "$CACHE" = 1 ] && sim=(--cache-sim=yes --branch-sim=yes)
    start_server "$server" "$db" valgrind --tool=callgrind "${sim[@]}" --callgrind-out-file="$file"
    pid=$SERVER_PID
    python3 - "$PORT" "$path" 50 <<'PY' || { kill -9 "$pid"; return 1; }
import http.client, sys, time
port, path, n = int(sys.argv[1]), sys.argv[2], int(sys.argv[3])
for _ in range(300):  # valgrind starts slowly
    try:
        conn = http.client.HTTPConnection("127.0.0.1", port, timeout=60)
        conn.request("GET", path)
        conn.getresponse().read()
        break
    except OSError:
        time.sleep(0.2)
for _ in range(n):
    conn.request("GET", path)
    conn.getresponse().read()
PY
    callgrind_control -z "$pid" >/dev/null 2>&1
    python3 - "$PORT" "$path" "$n" <<'PY'
import http.client, sys
port, path, n = int(sys.argv[1]), sys.argv[2], int(sys.argv[3])
conn = http.client.HTTPConnection("127.0.0.1", port, timeout=60)
for _ in range(n):
    conn.request("GET", path)
    response = conn.getresponse()
    response.read()
    assert response.status == 200, response.status
PY
    callgrind_control -d "$pid" >/dev/null 2>&1
    sleep 1
    kill -9 "$pid" 2>/dev/null || true
    wait "$pid" 2>/dev/null || true
    local dump counts
    dump=$(ls -t "$file"* | head -1)
    # The totals as name=value pairs (Ir, and with --cache I1mr, D1mr, ..., Bim).
    counts=$(awk '/^events:/ {for (i = 2; i <= NF; i++) name[i] = $i}
        /^(summary|totals):/ {for (i = 2; i <= NF; i++) printf "%s=%s ", name[i], $i; exit}' "$dump")
    [ "$KEEP" = 1 ] && mv "$dump" "$OUT/$server-${path//[^a-z0-9]/_}.callgrind"
    rm -f "$file"*
    # Per request: "Ir", or with --cache "Ir L1-misses mispredictions estimated-cycles".
    # shellcheck disable=SC2086 # the name=value pairs are separate arguments
    python3 - "$n" $counts <<'PY'
import sys
n = int(sys.argv[1])
c = {k: int(v) for k, v in (pair.split("=") for pair in sys.argv[2:])}
if "I1mr" not in c:
    print(c["Ir"] // n)
else:
    misses = c["I1mr"] + c["D1mr"] + c["D1mw"]
    mispredicted = c["Bcm"] + c["Bim"]
    cycles = c["Ir"] + 12 * misses + 15 * mispredicted
    print(c["Ir"] // n, misses // n, mispredicted // n, cycles // n)
PY
}

if [ "$CACHE" = 1 ]; then
    echo "| endpoint | requests | blog Ir | blog L1 misses | blog mispredicted | blog est. cycles" \
        "| hand Ir | hand L1 misses | hand mispredicted | hand est. cycles | hand / blog cycles |"
    echo "|---|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|"
else
    echo "| endpoint | requests | blog Ir/req | hand-written Ir/req | hand / blog |"
    echo "|---|---:|---:|---:|---:|"
fi
IFS=, read -ra NAMES <<<"$ONLY"
for name in "${NAMES[@]}"; do
    path=${PATHS[$name]:?unknown endpoint $name}
    n=${REQUESTS:-$([ "$name" = page100 ] && echo 60 || echo 200)}
    read -ra blog <<<"$(count blog "$path" "$n")"
    read -ra hand <<<"$(count hand "$path" "$n")"
    last=$((${#blog[@]} - 1))
    ratio=$(python3 -c "print(f'{${hand[$last]} / ${blog[$last]}:.3f}')")
    printf '| %s `%s` | %d | %s | %s | %s |\n' "$name" "$path" "$n" \
        "$(IFS='|'; echo "${blog[*]}" | sed 's/|/ | /g')" \
        "$(IFS='|'; echo "${hand[*]}" | sed 's/|/ | /g')" "$ratio"
done
rm -f "$OUT/db.sqlite3"*
