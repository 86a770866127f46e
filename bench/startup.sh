#!/usr/bin/env bash
# bench/startup.sh - start-up cost of srt against bare bubblewrap, measured in
# the same run and reported as ratios (target: `srt -c true` at most 2x).
#   1. bare:     bwrap --ro-bind / / --unshare-all true
#   2. defaults: srt -c true in an empty directory, no settings file (the
#                built-in defaults: network, filesystem and seccomp all on)
#   3. project:  srt --settings S -c true in a small project with a
#                repository, S allowing writes to it, denying ~/.ssh and
#                allowing one domain (placeholders, pins, a read mask)
#   4. floor:    bwrap alone with the options srt gives it in case 2 (as
#                `srt -d` logs them) plus --unshare-net, running true: what
#                the required isolation flags and mounts cost before srt,
#                its launcher stages and bash add anything
#   5. chain:    the same bwrap running the inner stage (Landlock, seccomp)
#                and `bash -c true` as srt's launch does, without srt and
#                the outer stage: what srt itself adds is case 2 minus this
# Also the peak RSS of srt and of the largest process of its tree.
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
mkdir -p "$work/home" "$work/empty" "$work/project/src" "$work/project/.git"
echo 'ref: refs/heads/main' > "$work/project/.git/HEAD"
cat > "$work/settings.json" <<JSON
{"network":{"allowedDomains":["example.com"],"deniedDomains":[]},
 "filesystem":{"denyRead":["$HOME/.ssh"],"allowWrite":["."],"denyWrite":[]}}
JSON
median() { sed -E 's/.*median_us=([0-9]+).*/\1/' <<<"$1"; }
bare=$(cd "$work/empty" && "$timer" "$runs" bwrap --ro-bind / / --unshare-all true)
defaults=$(cd "$work/empty" && HOME=$work/home "$timer" "$runs" "$srt" -c true)
project=$(cd "$work/project" && "$timer" "$runs" "$srt" --settings "$work/settings.json" -c true)
# bwrap's options from the launch line: everything between the program and
# the " -- " before the inner stage (shell-quoted by srt).
launch=$(cd "$work/empty" && HOME=$work/home "$srt" -d -c true 2>&1 >/dev/null | sed -n 's/^\[srt debug\] launch: //p')
inner=${launch#* -- }
eval "set -- ${launch%% -- *}"
shift
# Descriptor binds ("--bind-fd @K DEST") come with descriptors only the outer
# stage receives: bind the destination by path instead, at the same cost.
opts=()
while (($#)); do
  case $1 in
    --bind-fd|--ro-bind-fd) opts+=("${1%-fd}" "$3" "$3"); shift 3 ;;
    *) opts+=("$1"); shift ;;
  esac
done
set -- "${opts[@]}"
floor=$(cd "$work/empty" && "$timer" "$runs" bwrap --unshare-net "$@" -- /usr/bin/true)
# The inner stage's own arguments without the lifeline, which only srt holds
# (without it the stage execs bash itself instead of forking it), and so
# without the create guard, which the lifeline's watcher answers.
bwrap_opts=("$@")
eval "set -- $inner"
args=()
while (($#)); do
  case $1 in
    --lifeline-fd) shift 2 ;;
    --guard|--allow-git-config) shift ;;
    *) args+=("$1"); shift ;;
  esac
done
chain=$(cd "$work/empty" && "$timer" "$runs" bwrap --unshare-net "${bwrap_opts[@]}" -- "${args[@]}")
printf '%-34s %s\n' "bare bwrap --unshare-all true" "$bare" \
    "srt -c true (defaults)" "$defaults" "srt -s S -c true (project)" "$project" \
    "floor: bwrap, srt's options, true" "$floor" "chain: floor + inner + bash" "$chain"
awk -v b="$(median "$bare")" -v d="$(median "$defaults")" -v p="$(median "$project")" \
    -v f="$(median "$floor")" -v c="$(median "$chain")" \
    'BEGIN { printf "ratio srt -c true / bwrap: %.2fx   project / bwrap: %.2fx   floor / bwrap: %.2fx   chain / bwrap: %.2fx   srt -c true / chain: %.2fx\n", d / b, p / b, f / b, c / b, d / c }'
