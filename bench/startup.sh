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
work=$(mktemp -d /tmp/srt-bench-XXXXXX)
trap 'rm -rf "$work"' EXIT
settings=$work/settings.json
# Network, filesystem and seccomp all on: a write root (a small project in the
# working directory, with a repository), a read deny, a domain.
mkdir -p "$work/project/src" "$work/project/.git"
echo 'ref: refs/heads/main' > "$work/project/.git/HEAD"
cat > "$settings" <<JSON
{"network":{"allowedDomains":["example.com"],"deniedDomains":[]},
 "filesystem":{"denyRead":["$HOME/.ssh"],"allowWrite":["."],"denyWrite":[]}}
JSON
cd "$work/project"
bwrap_line=$("$timer" "$runs" bwrap --ro-bind / / --unshare-all true)
srt_line=$("$timer" "$runs" "$srt" --settings "$settings" -c true)
b=$(sed -E 's/.*median_us=([0-9]+).*/\1/' <<<"$bwrap_line")
s=$(sed -E 's/.*median_us=([0-9]+).*/\1/' <<<"$srt_line")
echo "bare bwrap --ro-bind / / --unshare-all true : $bwrap_line"
echo "srt --settings S -c true                     : $srt_line"
awk -v s="$s" -v b="$b" 'BEGIN { printf "ratio srt/bwrap (median): %.2fx\n", s / b }'
