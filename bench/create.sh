#!/usr/bin/env bash
# bench/create.sh - what the create guard (plugins/fs-linux/launch/guard.c)
# adds to each call it answers, measured in one run and reported as ratios.
# The same python loop opens one existing file with O_CREAT|O_WRONLY and
# closes it, N times: every such open is a full round trip to the watcher,
# while the filesystem does almost nothing (allocating inodes on this kind
# of disk varies by far more than the guard costs). Cases:
#   1. bwrap:    bare `bwrap --bind / / --dev /dev` (no srt at all)
#   2. no guard: srt with the fs-linux option create_guard = 0
#   3. guard:    srt on its defaults (every such open answered by the watcher)
# Each prints calls per second; the script prints the ratios to bwrap.
# Exact command (from the repository root, after building):
#   bench/create.sh build
# usage: bench/create.sh [BUILD_DIR] [CALLS]
set -euo pipefail
root=$(cd "$(dirname "$0")/.." && pwd)
build=${1:-$root/build}
case $build in /*) ;; *) build=$root/$build ;; esac
calls=${2:-20000}
srt=$build/bin/srt
[ -x "$srt" ] || { echo "build first: cmake --build $build"; exit 1; }
work=$(mktemp -d "${SRT_BENCH_DIR:-/tmp}/srt-bench-create-XXXXXX")
trap 'rm -rf "$work"' EXIT
mkdir -p "$work/bare" "$work/off" "$work/on"
for c in off on; do
  cat > "$work/$c.json" <<JSON
{"network":{"allowedDomains":[],"deniedDomains":[]},
 "filesystem":{"denyRead":[],"allowWrite":["$work/$c"],"denyWrite":[]}}
JSON
done
echo 'plugins: { fs-linux: { create_guard = 0; }; };' > "$work/noguard.conf"
loop="import os, time
n = $calls
open('f', 'w').close()
t = time.perf_counter()
for i in range(n):
    os.close(os.open('f', os.O_CREAT | os.O_WRONLY, 0o644))
print('%.0f' % (n / (time.perf_counter() - t)))"
bare=$(cd "$work/bare" && bwrap --bind / / --dev /dev --unshare-all -- /usr/bin/python3 -c "$loop")
off=$(cd "$work/off" && "$srt" --deploy "$work/noguard.conf" --settings "$work/off.json" \
      -- /usr/bin/python3 -c "$loop")
on=$(cd "$work/on" && "$srt" --settings "$work/on.json" -- /usr/bin/python3 -c "$loop")
printf '%-26s %8s calls/s\n' "bare bwrap" "$bare" "srt, create_guard = 0" "$off" "srt, create guard" "$on"
awk -v b="$bare" -v o="$off" -v g="$on" \
    'BEGIN { printf "ratio to bare bwrap: no guard %.2fx   guard %.2fx   guard / no guard %.2fx\n", o / b, g / b, g / o }'
