#!/bin/sh
# Floods staff sign-in with wrong passwords and samples the server's memory every second.
#
#   crates/pavilion-server/bench/sign-in-flood.sh BINARY [PORT] [SECONDS] [CONNECTIONS] [-- server flags]
#
# Run from the repository root (the server imports ./exhibitors on first start). Needs wrk
# (`apt-get install -y wrk`). Starts BINARY on a fresh data folder, waits for /healthz, runs
# wrk with CONNECTIONS connections for SECONDS, prints RSS (VmRSS) each second, the peak, and
# the statuses wrk saw, then stops the server with SIGTERM and reports how long it took.
# Example, the throttle switched off so only the hash bound holds (a distributed attack):
#   .../sign-in-flood.sh target/release/pavilion 18080 15 200 -- --failures-per-address 1000000000
# On a shared machine set RSS_CAP_MB: the flood stops early once the server's RSS passes it.
set -eu
binary=$1; shift
port=${1:-18080}; [ $# -gt 0 ] && shift
seconds=${1:-15}; [ $# -gt 0 ] && shift
connections=${1:-200}; [ $# -gt 0 ] && shift
[ "${1:-}" = "--" ] && shift
here=$(dirname "$0")
data=$(mktemp -d /tmp/pavilion-flood.XXXXXX)
"$binary" --data-dir "$data" --bind "127.0.0.1:$port" "$@" >"$data/server.log" 2>&1 &
pid=$!
trap 'kill -9 $pid 2>/dev/null || true; rm -rf "$data"' EXIT
until curl -fs "http://127.0.0.1:$port/healthz" >/dev/null 2>&1; do
  kill -0 $pid 2>/dev/null || { cat "$data/server.log"; exit 1; }
  sleep 0.2
done
rss() { awk '/^VmRSS/ { printf "%.1f", $2 / 1024 }' /proc/$pid/status; }
echo "server pid $pid, RSS at rest $(rss) MB"
wrk -t2 -c"$connections" -d"${seconds}s" --timeout 30s -s "$here/sign-in-flood.lua" \
  "http://127.0.0.1:$port/api/v1/staff/sessions" >"$data/wrk.txt" 2>&1 &
wrk=$!
peak=0; second=0
while kill -0 $wrk 2>/dev/null; do
  sleep 1; second=$((second + 1))
  now=$(rss)
  echo "t=${second}s RSS ${now} MB"
  peak=$(echo "$now $peak" | awk '{ print ($1 > $2) ? $1 : $2 }')
  if [ -n "${RSS_CAP_MB:-}" ] && [ "$(echo "$now $RSS_CAP_MB" | awk '{ print ($1 > $2) }')" = 1 ]; then
    echo "RSS passed ${RSS_CAP_MB} MB after ${second}s: stopping the flood"
    kill $wrk 2>/dev/null || true
  fi
done
cat "$data/wrk.txt"
echo "peak RSS ${peak} MB"
started=$(date +%s.%N)
kill -TERM $pid
wait $pid || true
echo "exit $(echo "$(date +%s.%N) $started" | awk '{ printf "%.2f", $1 - $2 }') s after SIGTERM"
