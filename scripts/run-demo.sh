#!/usr/bin/env bash
# `make run`: starts `modelwatch serve` with config/demo.yaml and feeds it `modelwatch demo`, then
# prints where to look. Ctrl-C stops both (the daemon shuts down cleanly).
# Usage: scripts/run-demo.sh BUILD_DIR [PORT]
set -euo pipefail
build_dir=${1:-build}
port=${2:-8686}
bin="$build_dir/modelwatch"
root=$(cd "$(dirname "$0")/.." && pwd)
mkdir -p "$root/run"
url="http://127.0.0.1:$port"

"$bin" serve --config "$root/config/demo.yaml" --listen "127.0.0.1:$port" &
serve_pid=$!
demo_pid=
cleanup() {
  [[ -n "$demo_pid" ]] && kill "$demo_pid" 2>/dev/null || true
  kill -TERM "$serve_pid" 2>/dev/null || true
  wait "$serve_pid" 2>/dev/null || true
}
trap cleanup EXIT INT TERM

for _ in $(seq 1 100); do
  curl -sf "$url/v1/ready" >/dev/null 2>&1 && break
  kill -0 "$serve_pid" 2>/dev/null || { echo "run-demo: the daemon did not start" >&2; exit 1; }
  sleep 0.1
done

"$bin" demo --url "$url" --model fraud --rate 200 --speedup 60 &
demo_pid=$!
cat <<MSG

== modelwatch serve is running on $url, fed by 'modelwatch demo' (simulated time x60:
   a 5-minute window closes every 5 seconds; the inputs drift and accuracy falls over a minute).
   Look at:
     curl -s $url/v1/models | python3 -m json.tool
     curl -s '$url/v1/models/fraud/windows?window=5m&version=all' | python3 -m json.tool
     curl -s $url/metrics | grep modelwatch_window_accuracy
     curl -s $url/v1/targets | python3 -m json.tool
     curl -s $url/metrics | grep -E 'modelwatch_(node|target)_'
   API: docs/api.md   metrics: docs/metrics.md   config: docs/config.md
   Ctrl-C stops the demo and the daemon.

MSG
wait "$serve_pid"
