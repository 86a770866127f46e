#!/usr/bin/env bash
# test_cli.sh - the srt and srtctl front ends, end to end through the built
# binaries: option grammar, refusals (exit 125, the command never runs), the
# settings check, the plugin list. Each check asserts an effect, not only a
# status: a refused command must leave its marker file uncreated.
set -u
B=${SRT_BUILD_DIR:?}
SRT=$B/bin/srt
CTL=$B/bin/srtctl
T=$(mktemp -d /tmp/srt-cli-XXXXXX)
trap 'rm -rf "$T"' EXIT
export HOME=$T/home
mkdir -p "$HOME"
pass=0 fail=0
ok()  { pass=$((pass + 1)); echo "ok: $1"; }
bad() { fail=$((fail + 1)); echo "FAIL: $1"; }
check() { if eval "$2"; then ok "$1"; else bad "$1"; fi; }

# Refusals: the command must not run.
echo '{ "network": {' > "$T/bad.json"
"$SRT" --settings "$T/bad.json" -- touch "$T/marker1" 2>"$T/err"; rc=$?
check "bad JSON settings: exit 125" "[ $rc -eq 125 ]"
check "bad JSON settings: command not run" "[ ! -e $T/marker1 ]"
check "bad JSON settings: message names the file" "grep -q '$T/bad.json' $T/err"
[ "$(wc -l < "$T/err")" -eq 1 ] && ok "bad JSON settings: one line" || bad "bad JSON settings: one line ($(cat "$T/err"))"

printf '{"network":{"allowedDomains":["*.com"],"deniedDomains":[]},"filesystem":{"denyRead":[],"allowWrite":[3],"denyWrite":[]}}' > "$T/invalid.json"
"$SRT" -s "$T/invalid.json" touch "$T/marker2" 2>"$T/err"; rc=$?
check "invalid settings: exit 125" "[ $rc -eq 125 ]"
check "invalid settings: command not run" "[ ! -e $T/marker2 ]"
check "invalid settings: names network.allowedDomains.0" "grep -q 'network.allowedDomains.0' $T/err"
check "invalid settings: names filesystem.allowWrite.0" "grep -q 'filesystem.allowWrite.0' $T/err"

"$SRT" --settings "$T/missing.json" -- touch "$T/marker3" 2>"$T/err"; rc=$?
check "explicit missing settings: exit 125, not run" "[ $rc -eq 125 ] && [ ! -e $T/marker3 ]"
: > "$T/empty.json"
"$SRT" --settings "$T/empty.json" -- touch "$T/marker4" 2>/dev/null; rc=$?
check "empty settings: exit 125, not run" "[ $rc -eq 125 ] && [ ! -e $T/marker4 ]"

printf 'enforcer = "fs-nothing";\n' > "$T/deploy.conf"
"$SRT" --deploy "$T/deploy.conf" -- touch "$T/marker5" 2>"$T/err"; rc=$?
check "missing enforcer plugin: exit 125, not run" "[ $rc -eq 125 ] && [ ! -e $T/marker5 ]"
check "missing enforcer plugin: names it" "grep -q 'fs-nothing' $T/err"

printf 'enforcer = "fs-macos";\n' > "$T/deploy2.conf"
"$SRT" --deploy "$T/deploy2.conf" -- touch "$T/marker6" 2>"$T/err"; rc=$?
check "unusable backend: exit 125, not run" "[ $rc -eq 125 ] && [ ! -e $T/marker6 ]"

# Usage errors.
"$SRT" --bogus true 2>/dev/null; rc=$?
check "unknown option: exit 2" "[ $rc -eq 2 ]"
"$SRT" 2>/dev/null; rc=$?
check "no command: exit 2" "[ $rc -eq 2 ]"
"$SRT" -c 'true' extra 2>/dev/null; rc=$?
check "-c with extra words: exit 2" "[ $rc -eq 2 ]"
check "--version prints the version" "[ \"\$($SRT --version)\" = \"\$($CTL --version)\" ] && $SRT -V | grep -Eq '^[0-9]+\.[0-9]+\.[0-9]+$'"
check "--help exits 0" "$SRT --help | grep -q 'usage: srt'"

# srtctl check.
printf '{"network":{"allowedDomains":["Example.COM","*.api.test:443"],"deniedDomains":[]},"filesystem":{"denyRead":["~/.ssh"],"allowWrite":["."],"denyWrite":[]}}' > "$T/good.json"
(cd "$T" && "$CTL" check --settings "$T/good.json") >"$T/out" 2>"$T/err"; rc=$?
check "srtctl check valid: exit 0" "[ $rc -eq 0 ]"
check "srtctl check valid: domain canonical" "grep -q '\"example.com\"' $T/out"
check "srtctl check valid: ~ expanded" "grep -q '\"$HOME/.ssh\"' $T/out"
check "srtctl check valid: relative path resolved" "grep -q '\"$T\"' $T/out"
"$CTL" check --settings "$T/invalid.json" >/dev/null 2>"$T/err"; rc=$?
check "srtctl check invalid: non-zero" "[ $rc -ne 0 ]"
check "srtctl check invalid: every bad field" "grep -q 'network.allowedDomains.0' $T/err && grep -q 'filesystem.allowWrite.0' $T/err"

# srtctl plugins: the five plugins, each its own .so, ABI 1.x.
"$CTL" plugins >"$T/out" 2>&1; rc=$?
check "srtctl plugins: exit 0" "[ $rc -eq 0 ]"
for p in fs-linux:enforcer fs-macos:enforcer net-http:proxy net-socks5:proxy monitor:monitor; do
  name=${p%%:*} kind=${p##*:}
  check "srtctl plugins lists $name" "grep -Eq '^$name +$kind +[0-9.]+ +1\.[0-9]+ +.*/srt-$name\.so$' $T/out"
done

# srtctl doctor: this machine can sandbox; a deployment with the macOS
# backend cannot, and doctor says so with a non-zero status.
"$CTL" doctor >"$T/out" 2>&1; rc=$?
check "srtctl doctor: ready here, bwrap mode" "[ $rc -eq 0 ] && grep -q 'result: ready' $T/out && grep -q 'ok: mode bwrap' $T/out"
check "srtctl doctor: kernel findings listed" "grep -q 'ok: Landlock ABI' $T/out && grep -q 'ok: seccomp actions' $T/out"
"$CTL" doctor --deploy "$T/deploy2.conf" >"$T/out" 2>&1; rc=$?
check "srtctl doctor: unusable backend reported, non-zero" "[ $rc -ne 0 ] && grep -q 'missing:' $T/out"

echo "$pass passed, $fail failed"
[ "$fail" -eq 0 ]
