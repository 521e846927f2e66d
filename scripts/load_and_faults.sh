#!/usr/bin/env bash
# Load and faults against the blog's release build, on 127.0.0.1 only, bounded in time
# (about 4 minutes after the build). Three runs:
#
# 1. Load: 256 connections for 60 s on a mix of reads, authenticated writes with tags and
#    logins (bench/loadgen `mix`): requests, statuses, p50/p99 by kind, the server's peak
#    RSS. Fails on any unexpected status or socket error.
# 2. kill -9 during a burst of writes (loadgen `writes` logs each article's intent before
#    sending it, and its acknowledgement after the 201), then a restart on the same SQLite
#    file and loadgen `verify`: every acknowledged article is there with all its tags, and
#    no article is stored with only some of them.
# 3. PostgreSQL stopped for 8 s and started again during a load (a throwaway cluster, as the
#    test command makes): meanwhile requests fail fast with DRF's JSON 503, then the server
#    serves again by itself, without a restart. Fails on any other status.
#
#   bash scripts/load_and_faults.sh [--skip-build] [--debug] [--seconds N] [--connections N]
#                                   [--only load,kill,postgres]
#
# Logs and the tables go to target/load_and_faults/.
set -euo pipefail
cd "$(dirname "$0")/.."
root=$PWD

seconds=60 connections=256 build=1 only="load,kill,postgres" profile=release
while [[ $# -gt 0 ]]; do
  case "$1" in
    --skip-build) build=0 ;;
    --seconds) seconds=$2; shift ;;
    --connections) connections=$2; shift ;;
    --only) only=$2; shift ;;
    --debug) profile=debug ;;
    -h|--help) sed -n '2,21p' "$0"; exit 0 ;;
    *) echo "unknown option $1" >&2; exit 2 ;;
  esac
  shift
done
wants() { [[ ",$only," == *",$1,"* ]]; }

if [[ $build == 1 ]]; then
  echo "== cargo build ($profile: example_blog, loadgen)"
  if [[ $profile == release ]]; then
    cargo build --release --locked -p example_blog -p loadgen
  else
    cargo build --locked -p example_blog -p loadgen
  fi
fi
blog=$root/target/$profile/example_blog
loadgen=$root/target/$profile/loadgen
out=$root/target/load_and_faults
mkdir -p "$out"
work=$(mktemp -d /tmp/rf-load.XXXXXX)
server_pid=""
stop_server() { [[ -n "$server_pid" ]] && kill "$server_pid" 2>/dev/null && wait "$server_pid" 2>/dev/null; server_pid=""; true; }
cleanup() { stop_server; [[ -n "${pg_stop:-}" ]] && stop_throwaway_cluster; rm -rf "$work"; }
trap cleanup EXIT
port=$(python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1])')
base="http://127.0.0.1:$port"
export SECRET_KEY=load-and-faults-secret-key-0123456789abcdefghijklmnopqrstuvwxyz

# serve LOG: the blog on $base with $DATABASE_URL, in the background; waits for /api/.
serve() {
  "$blog" serve --bind "127.0.0.1:$port" >"$1" 2>&1 &
  server_pid=$!
  for _ in $(seq 1 200); do
    curl -s -o /dev/null "$base/api/" && return 0
    sleep 0.05
  done
  echo "the blog did not start; see $1" >&2
  exit 1
}

seed() {
  "$blog" migrate >/dev/null 2>&1
  "$blog" seed --users 20 --articles 2000 --comments 6000 --tags 20 >/dev/null 2>&1
}

status=0
if wants load; then
  echo "== load: $connections connections, $seconds s, reads + writes with tags + logins (SQLite)"
  export DATABASE_URL="sqlite://$work/load.sqlite3?mode=rwc"
  seed
  serve "$out/load-server.log"
  "$loadgen" --base "$base" mix --connections "$connections" --seconds "$seconds" --pid "$server_pid" \
    | tee "$out/load.txt" || status=1
  stop_server
fi

if wants kill; then
  echo "== kill -9 during a burst of writes (SQLite)"
  export DATABASE_URL="sqlite://$work/kill.sqlite3?mode=rwc"
  seed
  serve "$out/kill-server-1.log"
  "$loadgen" --base "$base" writes --connections 32 --seconds 30 \
    --intents "$work/intents.jsonl" --acked "$work/acked.jsonl" &
  writer=$!
  sleep 3
  kill -9 "$server_pid"
  wait "$server_pid" 2>/dev/null || true
  server_pid=""
  wait "$writer" || true
  serve "$out/kill-server-2.log"
  "$loadgen" --base "$base" verify --intents "$work/intents.jsonl" --acked "$work/acked.jsonl" \
    | tee "$out/kill.txt" || status=1
  stop_server
fi

if wants postgres; then
  echo "== PostgreSQL stopped and started again during a load"
  source scripts/lib/postgres.sh
  start_throwaway_cluster
  export DATABASE_URL="postgres://postgres@localhost/postgres?host=$pg_dir"
  seed
  serve "$out/postgres-server.log"
  "$loadgen" --base "$base" mix --connections 64 --seconds 30 --allow-unavailable --timeline \
    --logins 0 >"$out/postgres.txt" &
  load=$!
  sleep 8
  echo "   stopping PostgreSQL at $(date +%T)"
  "${pg_ctl_cmd[@]}" -m fast -w stop >/dev/null
  sleep 8
  echo "   starting PostgreSQL at $(date +%T)"
  "${pg_ctl_cmd[@]}" -l "$pg_dir/server.log" -w -o "$pg_server_options" start >/dev/null
  wait "$load" || status=1
  cat "$out/postgres.txt"
  # After the restart the server must serve again by itself: the last seconds all succeed.
  last=$(grep -E '^ *[0-9]+: ' "$out/postgres.txt" | tail -n 5)
  if ! awk -F'[:/ ]+' '{ if ($4 != 0 || $5 != 0 || $3 == 0) bad = 1 } END { exit bad }' <<<"$last"; then
    echo "the server did not recover after PostgreSQL came back:" >&2
    echo "$last" >&2
    status=1
  fi
  stop_server
fi
exit $status
