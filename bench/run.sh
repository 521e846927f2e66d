#!/usr/bin/env bash
# The benchmark of issue 8: the Rust blog against the DRF reference app and a hand-written
# poem + sea-orm server, on the same rows, one core each for server and load generator.
#
#   bench/run.sh [--rounds N] [--duration SECONDS] [--connections N] [--quick] [--small]
#                [--only NAME[,NAME...]] [--skip-build]
#
#   --rounds N        rounds per endpoint, servers alternating within a round, in the reverse
#                     order every other round (default 4)
#   --duration S      seconds of load per run (default 10)
#   --connections N   wrk connections (default 32)
#   --quick           smoke run: 1 round of 2 seconds
#   --small           a small data set (100 users, 2000 articles, 10000 comments, 20 tags)
#                     instead of issue 8's (1000 users, 20000 articles, 100000 comments, 50 tags)
#   --only NAMES      only these endpoints (root list deep page100 search detail list_jwt create
#                     login login_load), comma-separated
#   --skip-build      use the release binaries as they are
#
# What it does (details in README.md, "Benchmark"):
#  1. installs wrk (Debian's package) when missing; builds the blog and the hand-written server
#     in release mode;
#  2. once per data size, cached under target/bench/data-<size>/: the DRF app's seed_blog, its
#     dumpdata (Django fixture), and the blog's migrate + loaddata of that fixture into a fresh
#     SQLite file (which the hand-written server reads too);
#  3. copies the databases to target/bench/run/, starts the three servers pinned to core 1 (the
#     DRF app under gunicorn by its serve.sh, KEEP_DB=1), counts each endpoint's SQL statements,
#     then drives wrk pinned to core 0: for each endpoint, N rounds, servers alternating, the
#     order reversed every other round (drf blog hand, then hand blog drf: the machine's drift
#     during an endpoint's rounds falls on every server alike);
#     (login: 8 connections, at least 5 s: each login hashes a password for about a second);
#  4. last, with the servers on both cores: the /api/ p99 alone and with 8 logins in flight;
#  5. prints the table (bench/report.py) and writes it to target/bench/run/report.md.
#
# Environment: DRF_REF_HOME (the reference venv; default /tmp/itest/drfref when it has one,
# else target/bench/drfref, created with the reference's setup_venv.sh), DRF_REFERENCE (the
# reference app; default /work/shared/reference/drf_blog), BENCH_PORT_BASE (default 18410; three
# ports from it plus two for the statement counts), BENCH_BLOG_RUST_LOG (the blog's RUST_LOG
# under load; default "warn": no access log, as gunicorn by default), CARGO_TARGET_DIR,
# BENCH_BIN_DIR (where the two binaries are; default target/release; with --skip-build,
# target/debug gives a quick check of the script itself).
set -euo pipefail

ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
BENCH="$ROOT/bench"
TARGET="${CARGO_TARGET_DIR:-$ROOT/target}"
OUT="$TARGET/bench"
REFERENCE="${DRF_REFERENCE:-/work/shared/reference/drf_blog}"
PORT_BASE="${BENCH_PORT_BASE:-18410}"
BLOG_RUST_LOG="${BENCH_BLOG_RUST_LOG:-warn}"

ROUNDS=4
DURATION=10
CONNECTIONS=32
SIZE=full
ONLY=""
BUILD=1
while (($#)); do
    case "$1" in
        --rounds) ROUNDS="$2"; shift 2 ;;
        --duration) DURATION="$2"; shift 2 ;;
        --connections) CONNECTIONS="$2"; shift 2 ;;
        --quick) ROUNDS=1; DURATION=2; shift ;;
        --small) SIZE=small; shift ;;
        --only) ONLY="$2"; shift 2 ;;
        --skip-build) BUILD=0; shift ;;
        -h|--help) sed -n '2,/^set -euo/p' "${BASH_SOURCE[0]}" | sed '$d; s/^# \{0,1\}//'; exit 0 ;;
        *) echo "unknown option $1 (see --help)" >&2; exit 2 ;;
    esac
done

if [[ "$SIZE" == full ]]; then
    USERS=1000 ARTICLES=20000 COMMENTS=100000 TAGS=50
else
    USERS=100 ARTICLES=2000 COMMENTS=10000 TAGS=20
fi
DEEP_PAGE=$((ARTICLES * 3 / 40))   # 1500 of 2000 pages for the full data set
DETAIL_ID=$((ARTICLES / 2))
DATA="$OUT/data-$SIZE"
RUN="$OUT/run"
DRF_PORT=$PORT_BASE BLOG_PORT=$((PORT_BASE + 1)) HAND_PORT=$((PORT_BASE + 2))
BLOG_SQL_PORT=$((PORT_BASE + 3)) HAND_SQL_PORT=$((PORT_BASE + 4))

LOGIN_BODY='{"email":"seed-user-00001@example.com","password":"userpass123"}'
CREATE_BODY='{"title":"Benchmark article","content":"Written by the benchmark, one of many.","tags":[1,2]}'

# name|method|path|auth (jwt or empty)|body|servers
ENDPOINTS=(
    "root|GET|/api/|||drf blog"
    "list|GET|/api/articles/|||drf blog hand"
    "deep|GET|/api/articles/?page=$DEEP_PAGE|||drf blog hand"
    "page100|GET|/api/articles/?page_size=100|||drf blog hand"
    "search|GET|/api/articles/?search=django&ordering=-comment_count&tags=7|||drf blog"
    "detail|GET|/api/articles/$DETAIL_ID/|||drf blog hand"
    "list_jwt|GET|/api/articles/|jwt||drf blog"
    "create|POST|/api/articles/|jwt|$CREATE_BODY|drf blog"
    "login|POST|/api/token/||$LOGIN_BODY|drf blog"
)

round_order() { # ROUND SERVERS...: the servers in their order, reversed in even rounds
    local round=$1; shift
    if ((round % 2)); then echo "$@"; else printf '%s\n' "$@" | tac | xargs; fi
}
selected() { [[ -z "$ONLY" || ",$ONLY," == *",$1,"* ]]; }
log() { printf '\033[1m== %s\033[0m\n' "$*" >&2; }

# ---------------------------------------------------------------------------------------------
# Everything started here is killed on exit (each server in its own process group).
PIDS=()
cleanup() {
    local pid
    for pid in "${PIDS[@]}"; do
        kill -TERM -- "-$pid" 2>/dev/null || kill -TERM "$pid" 2>/dev/null || true
    done
    for pid in "${PIDS[@]}"; do
        wait "$pid" 2>/dev/null || true
    done
}
trap cleanup EXIT
trap 'exit 130' INT TERM

# ---------------------------------------------------------------------------------------------
log "tools"
if ! command -v wrk >/dev/null; then
    apt-get update -qq && apt-get install -y -qq wrk >/dev/null
fi
command -v taskset >/dev/null || { echo "taskset (util-linux) is needed" >&2; exit 1; }
if (($(nproc) < 2)); then
    echo "warning: $(nproc) core(s): server and load generator will share a core" >&2
fi

if [[ -z "${DRF_REF_HOME:-}" ]]; then
    if [[ -x /tmp/itest/drfref/venv/bin/python ]]; then
        DRF_REF_HOME=/tmp/itest/drfref
    else
        DRF_REF_HOME="$OUT/drfref"
    fi
fi
export DRF_REF_HOME
if [[ ! -x "$DRF_REF_HOME/venv/bin/python" ]]; then
    log "creating the DRF reference venv in $DRF_REF_HOME"
    "$REFERENCE/setup_venv.sh"
fi
DRF_PYTHON="$DRF_REF_HOME/venv/bin/python"

if ((BUILD)); then
    log "cargo build --release -p example_blog -p bench_handwritten"
    started=$SECONDS
    (cd "$ROOT" && cargo build --release -p example_blog -p bench_handwritten)
    echo "release build: $((SECONDS - started)) s" >&2
fi
BIN_DIR="${BENCH_BIN_DIR:-$TARGET/release}"
BLOG_BIN="$BIN_DIR/example_blog"
HAND_BIN="$BIN_DIR/bench_handwritten"

# ---------------------------------------------------------------------------------------------
# The data: DRF's seed_blog -> dumpdata -> the blog's loaddata, once per size.
drf_manage() { BLOG_DB_PATH="$1" "$REFERENCE/manage.sh" 0 "${@:2}"; }

if [[ ! -f "$DATA/ready" ]]; then
    log "creating the $SIZE data set in $DATA"
    rm -rf "$DATA" && mkdir -p "$DATA"
    drf_manage "$DATA/drf.sqlite3" migrate --noinput -v 0
    drf_manage "$DATA/drf.sqlite3" seed_blog --users "$USERS" --articles "$ARTICLES" \
        --comments "$COMMENTS" --tags "$TAGS"
    drf_manage "$DATA/drf.sqlite3" dumpdata accounts.user blog --output "$DATA/fixture.json"
    DATABASE_URL="sqlite://$DATA/blog.sqlite3" RUST_LOG=warn "$BLOG_BIN" migrate
    DATABASE_URL="sqlite://$DATA/blog.sqlite3" RUST_LOG=warn "$BLOG_BIN" loaddata "$DATA/fixture.json"
    echo "users=$USERS articles=$ARTICLES comments=$COMMENTS tags=$TAGS" > "$DATA/ready"
fi

rm -rf "$RUN" && mkdir -p "$RUN/wrk"
for name in drf blog; do
    for copy in "$name" "$name-sql"; do
        for suffix in "" -wal -shm; do
            if [[ -f "$DATA/$name.sqlite3$suffix" ]]; then
                cp "$DATA/$name.sqlite3$suffix" "$RUN/$copy.sqlite3$suffix"
            fi
        done
    done
done

# ---------------------------------------------------------------------------------------------
# Servers. start NAME CPUS LOGFILE COMMAND...: runs COMMAND in its own session, pinned to CPUS.
declare -A PID
start() {
    local name=$1 cpus=$2 logfile=$3
    shift 3
    setsid taskset -c "$cpus" "$@" >"$logfile" 2>&1 &
    PID[$name]=$!
    PIDS+=("$!")
}

wait_http() { # NAME URL: until URL answers (any status)
    local i
    for i in $(seq 1 240); do
        if curl -s -o /dev/null "$2"; then return 0; fi
        if ! kill -0 "${PID[$1]}" 2>/dev/null; then
            echo "$1 exited:" >&2; tail -20 "$RUN/$1.log" >&2; exit 1
        fi
        sleep 0.25
    done
    echo "$1 did not answer $2 within 60 s" >&2; exit 1
}

start_blog() { # NAME PORT DB RUST_LOG CPUS
    start "$1" "$5" "$RUN/$1.log" env DATABASE_URL="sqlite://$RUN/$3" RUST_LOG="$4" \
        "$BLOG_BIN" serve --bind "127.0.0.1:$2"
}
start_hand() { # NAME PORT DB RUST_LOG CPUS
    start "$1" "$5" "$RUN/$1.log" env RUST_LOG="$4" \
        "$HAND_BIN" --database-url "sqlite://$RUN/$3" --bind "127.0.0.1:$2"
}

for port in "$DRF_PORT" "$BLOG_PORT" "$HAND_PORT" "$BLOG_SQL_PORT" "$HAND_SQL_PORT"; do
    if (echo >"/dev/tcp/127.0.0.1/$port") 2>/dev/null; then
        echo "port $port is in use: stop what listens there or set BENCH_PORT_BASE" >&2
        exit 1
    fi
done
log "starting the servers (core 1): DRF :$DRF_PORT, blog :$BLOG_PORT, hand-written :$HAND_PORT"
start drf 1 "$RUN/drf.log" env KEEP_DB=1 BLOG_DB_PATH="$RUN/drf.sqlite3" "$REFERENCE/serve.sh" "$DRF_PORT"
start_blog blog "$BLOG_PORT" blog.sqlite3 "$BLOG_RUST_LOG" 1
start_hand hand "$HAND_PORT" blog.sqlite3 warn 1
wait_http drf "http://127.0.0.1:$DRF_PORT/api/"
wait_http blog "http://127.0.0.1:$BLOG_PORT/api/"
wait_http hand "http://127.0.0.1:$HAND_PORT/api/articles/"

port_of() { case $1 in drf) echo "$DRF_PORT" ;; blog) echo "$BLOG_PORT" ;; hand) echo "$HAND_PORT" ;; *) echo "$1" ;; esac; }

token() { # PORT: a fresh JWT access token of seed-user-00001
    curl -sf -X POST -H 'Content-Type: application/json' -d "$LOGIN_BODY" \
        "http://127.0.0.1:$1/api/token/" |
        python3 -c 'import json, sys; print(json.load(sys.stdin)["access"])'
}

# The same rows: the servers must send the same bodies (same Host header for the links).
log "checking that the servers send the same bodies"
for path in "/api/articles/" "/api/articles/?page=$DEEP_PAGE" "/api/articles/$DETAIL_ID/"; do
    for server in drf hand; do
        a=$(curl -s -H 'Host: localhost:8000' "http://127.0.0.1:$BLOG_PORT$path" | md5sum)
        b=$(curl -s -H 'Host: localhost:8000' "http://127.0.0.1:$(port_of $server)$path" | md5sum)
        if [[ "$a" != "$b" ]]; then
            echo "WARNING: GET $path: the blog and $server send different bodies" >&2
        fi
    done
done

# ---------------------------------------------------------------------------------------------
# SQL statements per request, on copies of the databases (not pinned, not loaded).
log "counting SQL statements per request"
start_blog blog_sql "$BLOG_SQL_PORT" blog-sql.sqlite3 "warn,sqlx::query=debug" 0-1
start_hand hand_sql "$HAND_SQL_PORT" blog-sql.sqlite3 "warn,sqlx::query=debug" 0-1
wait_http blog_sql "http://127.0.0.1:$BLOG_SQL_PORT/api/"
wait_http hand_sql "http://127.0.0.1:$HAND_SQL_PORT/api/articles/"

statement_lines() { # LOGFILE: statements logged so far, without a new connection's set-up
    grep 'sqlx::query' "$1" | grep -cv -e '"PRAGMA ' -e '"SELECT sqlite_version()' || true
}

statements_of() { # NAME PORT METHOD PATH AUTH BODY: statements logged while serving one request
    local logfile="$RUN/$1.log" before after args=(-s -o /dev/null -X "$3")
    [[ "$5" == jwt ]] && args+=(-H "Authorization: Bearer $(token "$2")")
    [[ -n "$6" ]] && args+=(-H 'Content-Type: application/json' -d "$6")
    # Once to warm up (first-use work is not what a request costs in steady state), then count.
    curl "${args[@]}" "http://127.0.0.1:$2$4"
    sleep 0.2
    before=$(statement_lines "$logfile")
    curl "${args[@]}" "http://127.0.0.1:$2$4"
    sleep 0.2
    after=$(statement_lines "$logfile")
    echo $((after - before))
}

drf_json="["
for spec in "${ENDPOINTS[@]}"; do
    IFS='|' read -r name method path auth body servers <<<"$spec"
    selected "$name" || continue
    for server in $servers; do
        case $server in
            blog) n=$(statements_of blog_sql "$BLOG_SQL_PORT" "$method" "$path" "$auth" "$body") ;;
            hand) n=$(statements_of hand_sql "$HAND_SQL_PORT" "$method" "$path" "$auth" "$body") ;;
            *) continue ;;
        esac
        printf '{"kind":"sql","endpoint":"%s","server":"%s","statements":%d}\n' \
            "$name" "$server" "$n" >>"$RUN/results.jsonl"
    done
    drf_json+=$(python3 -c 'import json, sys; print(json.dumps(dict(zip(
        ["name", "method", "path", "auth", "body"], sys.argv[1:]))) + ",")' \
        "$name" "$method" "$path" "$auth" "$body")
done
drf_json="${drf_json%,}]"
(cd "$REFERENCE" && BLOG_DB_PATH="$RUN/drf-sql.sqlite3" DJANGO_SETTINGS_MODULE=drf_blog.settings \
    "$DRF_PYTHON" "$BENCH/drf_queries.py" "$drf_json") 2>"$RUN/drf_queries.log" |
    python3 -c '
import json, sys
for name, n in json.load(sys.stdin).items():
    print(json.dumps({"kind": "sql", "endpoint": name, "server": "drf", "statements": n}))
' >>"$RUN/results.jsonl"
for name in blog_sql hand_sql; do
    kill -TERM -- "-${PID[$name]}" 2>/dev/null || true
done

# ---------------------------------------------------------------------------------------------
# Load.
server_pids() { # NAME: the server's processes (gunicorn: the master and its workers)
    local pid=${PID[$1]}
    echo "$pid"
    cat "/proc/$pid/task/"*/children 2>/dev/null || true
}

rss_kib() { # PIDS...: the sum of their VmRSS
    local sum=0 pid key value rest
    for pid in "$@"; do
        while read -r key value rest; do
            [[ "$key" == VmRSS: ]] && sum=$((sum + value))
        done 2>/dev/null <"/proc/$pid/status" || true
    done
    echo "$sum"
}

sample_rss() { # OUTFILE NAME: writes the largest RSS seen, every 0.1 s, until killed
    local max=0 now
    while :; do
        # shellcheck disable=SC2046
        now=$(rss_kib $(server_pids "$2"))
        if ((now > max)); then max=$now; echo "$max" >"$1"; fi
        sleep 0.1
    done
}

settle() { # PORT: waits until the requests a previous run left queued are served
    curl -s -o /dev/null -m 600 "http://127.0.0.1:$1/api/" || true
    sleep 0.5
}

settle_all() { # waits until every load server (they share core 1) has served its backlog: a
    # gunicorn worker goes on with the requests queued when wrk stopped, for seconds on the
    # slow endpoints, and would take the core from the next server's run
    local server
    for server in drf blog hand; do
        [[ -n "${PID[$server]:-}" ]] && settle "$(port_of "$server")"
    done
    return 0
}

load() { # ENDPOINT SERVER ROUND METHOD PATH AUTH BODY CONNECTIONS CPUS [LABEL]
    local endpoint=$1 server=$2 round=$3 method=$4 path=$5 auth=$6 body=$7
    local connections=$8 cpus=$9 label=${10:-$1}
    local seconds=${LOAD_DURATION:-$DURATION} port tok="" out="$RUN/wrk/$label-$server-$round.txt" rss="$RUN/wrk/$label-$server-$round.rss"
    port=$(port_of "$server")
    [[ "${LOAD_SETTLE:-1}" == 1 ]] && settle_all
    [[ "$auth" == jwt ]] && tok=$(token "$port")
    echo 0 >"$rss"
    taskset -c 0 bash -c "$(declare -f sample_rss rss_kib server_pids); $(declare -p PID); sample_rss '$rss' '$server'" &
    local sampler=$!
    BENCH_METHOD="$method" BENCH_BODY="$body" BENCH_TOKEN="$tok" \
        taskset -c "$cpus" wrk -t1 -c"$connections" -d"${seconds}s" --timeout 60s --latency \
        -s "$BENCH/wrk.lua" "http://127.0.0.1:$port$path" >"$out" 2>&1 || true
    kill "$sampler" 2>/dev/null; wait "$sampler" 2>/dev/null || true
    local result
    result=$(sed -n 's/^BENCH_RESULT //p' "$out")
    if [[ -z "$result" ]]; then
        echo "wrk failed on $label/$server:" >&2; cat "$out" >&2; return 1
    fi
    printf '{"kind":"load","endpoint":"%s","server":"%s","round":%d,"method":"%s","path":"%s","connections":%d,"rss_kib":%d,"result":%s}\n' \
        "$label" "$server" "$round" "$method" "$path" "$connections" "$(cat "$rss")" "$result" \
        >>"$RUN/results.jsonl"
    printf '  %-10s %-5s round %d: %s\n' "$label" "$server" "$round" \
        "$(grep -E 'Requests/sec' "$out" | tr -s ' ')" >&2
}

for spec in "${ENDPOINTS[@]}"; do
    IFS='|' read -r name method path auth body servers <<<"$spec"
    selected "$name" || continue
    connections=$CONNECTIONS seconds=$DURATION
    if [[ "$name" == login ]]; then
        # A login takes about a second of CPU (DRF's hasher): 32 queued logins would mostly
        # not finish within a run, and wrk counts only finished requests.
        connections=8 seconds=$((DURATION > 5 ? DURATION : 5))
    fi
    log "$name: $method $path ($ROUNDS x ${seconds}s, $connections connections)"
    for round in $(seq 1 "$ROUNDS"); do
        # shellcheck disable=SC2086
        for server in $(round_order "$round" $servers); do
            LOAD_DURATION=$seconds load "$name" "$server" "$round" "$method" "$path" "$auth" \
                "$body" "$connections" 0
        done
    done
done

# Peak RSS of each server so far (VmHWM: a password hash's memory counts, when there were logins).
for server in drf blog hand; do
    hwm=0
    for pid in $(server_pids "$server"); do
        value=$(awk '/^VmHWM/{print $2}' "/proc/$pid/status" 2>/dev/null || echo 0)
        hwm=$((hwm + ${value:-0}))
    done
    printf '{"kind":"hwm","server":"%s","kib":%d}\n' "$server" "$hwm" >>"$RUN/results.jsonl"
done

# The password hashes the logins verify (a server may rehash to its own parameters on the
# first login, as Django's check_password does when the parameters differ from its hasher's).
login_hashes() {
    python3 - "$RUN/drf.sqlite3" "$RUN/blog.sqlite3" <<'PY' >>"$RUN/results.jsonl"
import json, sqlite3, sys
for server, path in zip(["drf", "blog"], sys.argv[1:]):
    row = sqlite3.connect(path).execute(
        "SELECT password FROM accounts_user WHERE email = 'seed-user-00001@example.com'").fetchone()
    algorithm = "$".join(row[0].split("$")[:4]) if row else "?"
    print(json.dumps({"kind": "hash", "server": server, "algorithm": algorithm}))
PY
}

# Logins in flight while /api/ is read, the servers on both cores.
if selected login_load; then
    log "/api/ latency with 8 logins in flight (servers on both cores)"
    for server in drf blog; do
        for pid in $(server_pids "$server"); do taskset -a -cp 0-1 "$pid" >/dev/null 2>&1 || true; done
    done
    for round in $(seq 1 "$ROUNDS"); do
        for server in $(round_order "$round" drf blog); do
            load root_alone "$server" "$round" GET /api/ "" "" 4 0-1 root_alone
            # The logins start first and end last: all of /api/'s run has 8 logins in flight.
            settle "$(port_of "$server")"
            LOAD_SETTLE=0 LOAD_DURATION=$((DURATION + 2)) load login "$server" "$round" POST /api/token/ "" \
                "$LOGIN_BODY" 8 0-1 login_bg &
            bg=$!
            sleep 1
            LOAD_SETTLE=0 load root "$server" "$round" GET /api/ "" "" 4 0-1 root_during_logins
            wait "$bg" || true
        done
    done
fi

login_hashes
for server in drf blog hand; do
    # shellcheck disable=SC2046
    printf '{"kind":"rss_end","server":"%s","kib":%d}\n' "$server" "$(rss_kib $(server_pids "$server"))" \
        >>"$RUN/results.jsonl"
done

log "report"
python3 "$BENCH/report.py" "$RUN/results.jsonl" \
    --data "$(cat "$DATA/ready")" --rounds "$ROUNDS" --duration "$DURATION" \
    --connections "$CONNECTIONS" | tee "$RUN/report.md"
