#!/usr/bin/env bash
# Instructions per request of the blog and of the hand-written server, counted by valgrind's
# callgrind: a deterministic measure of the framework's own CPU work, where req/s on this
# machine moves by 10% from one run to the next.
#
# Usage:
#   bench/instructions.sh [--requests N] [--only NAME[,NAME...]] [--keep] [--cache | --footprint]
#
#   --requests N   requests counted per endpoint and server (default 200; 60 for page_size=100)
#   --only NAMES   endpoints among: list deep page100 detail (default: all four)
#   --keep         keep the callgrind files (target/bench/instructions/) for callgrind_annotate
#   --cache        also simulate the caches and branch predictors (--cache-sim --branch-sim):
#                  L1 instruction and data misses and mispredicted branches per request, and
#                  an estimate of cycles, Ir + 12 x L1 misses + 15 x mispredictions (an L1 miss
#                  served by L2 costs ~12 cycles, a misprediction ~15); about 3x slower
#   --footprint    instead of --cache: the hot code, the 64-byte lines of machine code that run
#                  on every other request or more (by their instructions counted per address,
#                  --dump-instr), in KiB: what a request's code asks of the 32 KiB L1
#                  instruction cache (the req/s gap has been larger than --cache's estimate)
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
FOOTPRINT=0
while [ $# -gt 0 ]; do
    case "$1" in
        --requests) REQUESTS="$2"; shift 2 ;;
        --only) ONLY="$2"; shift 2 ;;
        --keep) KEEP=1; shift ;;
        --cache) CACHE=1; shift ;;
        --footprint) FOOTPRINT=1; shift ;;
        -h | --help) sed -n '2,32p' "$0" | sed 's/^# \{0,1\}//'; exit 0 ;;
        *) echo "unknown option: $1 (see --help)" >&2; exit 2 ;;
    esac
done

# shellcheck source=bench/common.sh
source "$ROOT/bench/common.sh"
bench_setup "$ROOT" instructions callgrind_control "valgrind"
PORT=18495

# hot_code_kib DUMP N: KiB of the 64-byte lines of machine code with at least N/2 instructions
# counted in DUMP (callgrind --dump-instr=yes): the code of N requests that runs on every other
# request or more. Positions are instruction addresses, absolute (0x...) or relative to the
# previous line (+n, -n, *); the line after `calls=` is the call's inclusive cost, skipped.
hot_code_kib() {
    python3 - "$1" "$2" <<'PY'
import collections, sys
dump, n = sys.argv[1], int(sys.argv[2])
per_line = collections.Counter()
address, skip, positions = 0, False, 1
for text in open(dump):
    if text.startswith("positions:"):
        positions = len(text.split()) - 1  # "instr", or "instr line" with debug info
        continue
    if text.startswith("calls="):
        skip = True
        continue
    if not text or text[0] not in "0123456789+-*":
        continue
    fields = text.split()
    position = fields[0]
    if position.startswith(("+", "-")):
        step = int(position[1:], 0)
        address += step if position[0] == "+" else -step
    elif position != "*":
        address = int(position, 0)
    if skip:
        skip = False
    elif len(fields) > positions:
        per_line[address >> 6] += int(fields[positions])
print(sum(1 for count in per_line.values() if count >= n / 2) * 64 // 1024)
PY
}

# count SERVER PATH N: instructions per request of SERVER (blog|hand) serving PATH.
count() {
    local server=$1 path=$2 n=$3 db="$OUT/db.sqlite3" file="$OUT/$1.callgrind" pid
    cp "$DATA" "$db"
    rm -f "$db-wal" "$db-shm" "$file"*
    local sim=()
    [ "$CACHE" = 1 ] && sim=(--cache-sim=yes --branch-sim=yes)
    [ "$FOOTPRINT" = 1 ] && sim=(--dump-instr=yes)
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
    local hot=""
    [ "$FOOTPRINT" = 1 ] && hot=$(hot_code_kib "$dump" "$n")
    [ "$KEEP" = 1 ] && mv "$dump" "$OUT/$server-${path//[^a-z0-9]/_}.callgrind"
    rm -f "$file"*
    # Per request: "Ir", with --cache "Ir L1-misses mispredictions estimated-cycles", with
    # --footprint "Ir hot-code-KiB".
    # shellcheck disable=SC2086 # the name=value pairs are separate arguments
    python3 - "$n" "$hot" $counts <<'PY'
import sys
n, hot = int(sys.argv[1]), sys.argv[2]
c = {k: int(v) for k, v in (pair.split("=") for pair in sys.argv[3:])}
if hot:
    print(c["Ir"] // n, hot)
elif "I1mr" not in c:
    print(c["Ir"] // n)
else:
    misses = c["I1mr"] + c["D1mr"] + c["D1mw"]
    mispredicted = c["Bcm"] + c["Bim"]
    cycles = c["Ir"] + 12 * misses + 15 * mispredicted
    print(c["Ir"] // n, misses // n, mispredicted // n, cycles // n)
PY
}

if [ "$FOOTPRINT" = 1 ]; then
    echo "| endpoint | requests | blog Ir/req | blog hot code KiB | hand-written Ir/req" \
        "| hand-written hot code KiB | hand / blog hot code |"
    echo "|---|---:|---:|---:|---:|---:|---:|"
elif [ "$CACHE" = 1 ]; then
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
