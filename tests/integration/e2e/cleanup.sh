#!/usr/bin/env bash
# cleanup.sh - what a run leaves behind (REFERENCE 1.6, 3.5; THREATS F5; W11):
# no placeholder on the host after a normal or failing run, and after
# `kill -9` of srt no process of the run survives and the next run removes
# the stale placeholders. Host state is compared as `find` listings.
. "$(dirname "$0")/lib.sh"

P=$T/proj
mkproj "$P"
# A nested repository without hooks and a product directory without its
# dangerous children, so placeholders are needed at several depths.
mkdir -p "$P/sub/lib/.git" "$P/src/.claude"
echo 'ref: refs/heads/main' > "$P/sub/lib/.git/HEAD"
W=$(settings write '"denyRead":["./private/missing"],"allowWrite":["."],"denyWrite":["./.env","./conf/missing.json"]')
before=$(listing "$P")
check "project starts without .claude, .vscode, .idea" \
    "absent $P/.claude && absent $P/.vscode && absent $P/.idea"

run "$P" "$W" 'echo ok > made.txt'
rm -f "$P/made.txt"
check "normal run: no placeholder left on the host" "[ \"$before\" = \"\$(listing $P)\" ]"
run "$P" "$W" 'exit 3'
check "failing run: status 3, no placeholder left" "[ $rc -eq 3 ] && [ \"$before\" = \"\$(listing $P)\" ]"

# waitfor <seconds> <condition>: poll every 50 ms.
waitfor() {
    local n=$(($1 * 20))
    while [ $n -gt 0 ]; do
        eval "$2" && return 0
        sleep 0.05
        n=$((n - 1))
    done
    return 1
}

# kill -9 of srt mid-run: the sandbox dies with it (W11, 1.6), and the next
# run sweeps what it left. kill9 TAG [SRT OPTIONS...]; with the create guard
# (the default) the missing dangerous names need no placeholder, so only the
# missing deny paths get one; with create_guard = 0 they all do.
echo 'plugins: { fs-linux: { create_guard = 0; }; };' > "$T/noguard.conf"
kill9() {
    local tag=$1; shift
    mark=srt-e2e-mark-$$-$RANDOM
    (cd "$P" && exec "$SRT" "$@" --settings "$W" -c "sleep 30; : $mark") >/dev/null 2>&1 &
    sp=$!
    waitfor 5 "pgrep -f 'bash -c sleep 30; : $mark' >/dev/null"
    check "kill -9 ($tag): the sandboxed command was running" "pgrep -f 'bash -c sleep 30; : $mark' >/dev/null"
    during=$(listing "$P")
    exec 3>&2 2>/dev/null    # no "Killed" job notice in the log
    kill -9 "$sp"
    wait "$sp"
    exec 2>&3 3>&-
    waitfor 3 "! pgrep -f '$mark' >/dev/null"
    check "kill -9 of srt ($tag): no process of the run left" "! pgrep -f '$mark' >/dev/null"
    pgrep -af "$mark" | cut -c1-100 | sed 's/^/#   left: /'
    reap "$mark"
    # The next run (any working directory) sweeps the stale placeholders.
    run "$T" - 'true'
    check "next run after kill -9 ($tag): stale placeholders removed" "[ \"$before\" = \"\$(listing $P)\" ]"
    if [ "$before" != "$(listing "$P")" ]; then
        diff <(echo "$before") <(listing "$P") | sed 's/^/#   /'
    fi
}
kill9 guard
new=$(comm -13 <(echo "$before" | sort) <(echo "$during" | sort))
echo "$new" | sed 's/^/#   during the run: /'
check "with the create guard: only the missing deny paths get a placeholder during the run" \
    "[ \"\$(echo \"\$new\" | awk '{print \$2}' | sort | tr '\n' ' ')\" = './conf ./private/missing ' ]"
kill9 "create_guard = 0" --deploy "$T/noguard.conf"
check "without it: placeholders at several depths during the run" \
    "grep -q './.vscode\$' <<<\"\$during\" && grep -q './src/.claude/commands\$' <<<\"\$during\" &&
     grep -q './sub/lib/.git/hooks\$' <<<\"\$during\""

# SIGTERM to srt mid-run: 143, and nothing left behind.
mark=srt-e2e-term-$$-$RANDOM
(cd "$P" && exec "$SRT" --settings "$W" -c "sleep 30; : $mark") >/dev/null 2>&1 &
sp=$!
waitfor 5 "pgrep -f 'bash -c sleep 30; : $mark' >/dev/null"
kill -TERM "$sp"
wait "$sp"
rc=$?
check "SIGTERM to srt: status 143" "[ $rc -eq 143 ]"
# The sandbox's own init dies by bwrap's parent-death signal, a moment after
# srt has reaped bwrap; allow that moment.
waitfor 2 "! pgrep -f '$mark' >/dev/null"
check "SIGTERM to srt: no process of the run left" "! pgrep -f '$mark' >/dev/null"
pgrep -af "$mark" | cut -c1-100 | sed 's/^/#   left: /'
reap "$mark"
check "SIGTERM to srt: no placeholder left" "[ \"$before\" = \"\$(listing $P)\" ]"
if [ "$before" != "$(listing "$P")" ]; then
    diff <(echo "$before") <(listing "$P") | sed 's/^/#   /'
fi

# A plan refused after the outer stage was prestarted (a symlink cycle in
# denyRead): 125, one line naming the rule, the command never ran, and the
# outer stage that was already making the network namespace is gone.
ln -s loop-b "$P/loop-a" && ln -s loop-a "$P/loop-b"
L=$(settings loop '"denyRead":["./loop-a"],"allowWrite":["."],"denyWrite":[]')
mark=srt-e2e-refused-$$-$RANDOM
run "$P" "$L" "touch $mark"
check "plan refused after prestart: status 125, one line naming the rule" \
    "[ $rc -eq 125 ] && err_has 'loop-a: symlink cycle' && [ \$(wc -l < $T/err) -eq 1 ]"
check "plan refused after prestart: the command did not run" "absent $P/$mark"
# Run under a child subreaper: an outer stage srt failed to end would be
# re-parented to it, alive, after srt exits.
left=$(cd "$P" && python3 - "$SRT" "$L" <<'PY'
import ctypes, os, subprocess, sys
ctypes.CDLL(None, use_errno=True).prctl(36, 1, 0, 0, 0)   # PR_SET_CHILD_SUBREAPER
subprocess.run([sys.argv[1], "--settings", sys.argv[2], "--", "true"],
               stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
try:
    pid, _ = os.waitpid(-1, os.WNOHANG)
    print("left" if pid == 0 else "zombie")
except ChildProcessError:
    print("none")
PY
)
check "plan refused after prestart: no outer stage left behind" "[ '$left' = none ]"
rm -f "$P/loop-a" "$P/loop-b"

e2e_finish
