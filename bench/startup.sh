#!/usr/bin/env bash
# bench/startup.sh - start-up cost of `srt -c true` against bare bubblewrap,
# measured in the same run and reported as a ratio (target: at most 2x).
# usage: bench/startup.sh [BUILD_DIR] [RUNS]
set -euo pipefail
root=$(cd "$(dirname "$0")/.." && pwd)
build=${1:-$root/build}
runs=${2:-200}
timer=$build/bench/srt-bench-spawn
srt=$build/bin/srt
[ -x "$timer" ] || { echo "build first: cmake --build $build"; exit 1; }
settings=$(mktemp /tmp/srt-bench-XXXXXX.json)
trap 'rm -f "$settings"' EXIT
# Network, filesystem and seccomp all on: a write root, a read deny, a domain.
cat > "$settings" <<JSON
{"network":{"allowedDomains":["example.com"],"deniedDomains":[]},
 "filesystem":{"denyRead":["$HOME/.ssh"],"allowWrite":["/tmp"],"denyWrite":[]}}
JSON
bwrap_line=$("$timer" "$runs" bwrap --ro-bind / / --unshare-all true)
srt_line=$("$timer" "$runs" "$srt" --settings "$settings" -c true)
b=$(sed -E 's/.*median_us=([0-9]+).*/\1/' <<<"$bwrap_line")
s=$(sed -E 's/.*median_us=([0-9]+).*/\1/' <<<"$srt_line")
echo "bare bwrap --ro-bind / / --unshare-all true : $bwrap_line"
echo "srt --settings S -c true                     : $srt_line"
awk -v s="$s" -v b="$b" 'BEGIN { printf "ratio srt/bwrap (median): %.2fx\n", s / b }'
