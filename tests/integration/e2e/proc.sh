#!/usr/bin/env bash
# proc.sh - the command's process through srt (REFERENCE 1.2, 1.3, 1.5-1.7,
# 4.3, 4.4; W1, W2, W6, W8, W20): exit statuses, signals, argv byte for byte,
# environment, working directory, standard streams, what /proc shows.
. "$(dirname "$0")/lib.sh"

P=$T/proj
mkproj "$P"
S=$(settings plain '"denyRead":[],"allowWrite":[],"denyWrite":[]')
# srtx <args...>: srt with the plain settings, run in the project.
srtx() { (cd "$P" && "$SRT" --settings "$S" "$@"); }

# Exit statuses.
run "$P" "$S" 'exit 42'
check "exit 42 -> 42" "[ $rc -eq 42 ]"
srtx false; rc=$?
check "false -> 1" "[ $rc -eq 1 ]"
run "$P" "$S" 'kill -KILL $$'
check "SIGKILL inside -> 137" "[ $rc -eq 137 ]"
run "$P" "$S" 'kill -TERM $$'
check "SIGTERM inside -> 143" "[ $rc -eq 143 ]"
srtx no-such-command-e2e 2>"$T/err"; rc=$?
check "command not found -> 127" "[ $rc -eq 127 ]"

# SIGTERM to srt (W20): 143, also when the command ignores SIGTERM.
mark=srt-e2e-proc-$$-$RANDOM
(cd "$P" && exec "$SRT" --settings "$S" -c "trap '' TERM; sleep 20; : $mark") >/dev/null 2>&1 &
sp=$!
for _ in $(seq 60); do pgrep -f "sleep 20; : $mark" >/dev/null && break; sleep 0.05; done
kill -TERM "$sp"
wait "$sp"; rc=$?
check "SIGTERM to srt, command ignores it: 143" "[ $rc -eq 143 ]"
for _ in $(seq 40); do pgrep -f "$mark" >/dev/null || break; sleep 0.05; done
check "SIGTERM to srt: no process of the run left" "! pgrep -f '$mark' >/dev/null"
pgrep -af "$mark" | cut -c1-100 | sed 's/^/#   left: /'
reap "$mark"

# Argument handling (1.2, W8): options stop at the command word.
out=$(srtx -- sh -c 'echo $0 $1' zero one)
check "srt -- sh -c 'echo \$0 \$1' zero one" "[ \"$out\" = 'zero one' ]"
out=$(srtx sh -c 'echo $0' x)
check "srt sh -c 'echo \$0' x (no --)" "[ \"$out\" = x ]"
out=$(srtx sh -c 'echo "$@"' _ -s y -d)
check "srt's own -s/-d after the command word reach the command" "[ \"$out\" = '-s y -d' ]"
args=('a b' "it's" 'd"q' '$HOME' '*' '' ';|!&' 'tab	x' '=lead' '\back' "$(printf 'nl\nx')")
srtx printf '<%s>\n' "${args[@]}" > "$T/got"
printf '<%s>\n' "${args[@]}" > "$T/want"
check "argv with spaces, quotes, \$, *, empty string: byte for byte" "cmp -s $T/got $T/want"

# Environment, HOME and working directory.
out=$(cd "$P/src" && E2E_VAR='v a l' "$SRT" --settings "$S" -c 'echo "$E2E_VAR|$HOME|$PWD|$(pwd -P)"')
check "environment and HOME reach the command" "[ \"\${out%%|$P*}\" = 'v a l|$HOME' ]"
check "working directory preserved" "[ \"$out\" = 'v a l|$HOME|$P/src|$P/src' ]"

# Standard streams: 256 KiB of binary stdin round-trips; stdout and stderr
# stay apart.
head -c 262144 /dev/urandom > "$T/blob"
srtx cat < "$T/blob" > "$T/blob.out"
check "stdin 256 KiB binary round-trips" "cmp -s $T/blob $T/blob.out"
srtx -c 'echo to-out; echo to-err >&2' >"$T/out" 2>"$T/err"
check "stdout and stderr stay separate" "out_is to-out && [ \"\$(cat $T/err)\" = to-err ]"
run "$P" "$S" 'for i in 1 2 3; do echo $((i * 7)); done | tail -n1'
check "loops, pipes, arithmetic" "out_is 21"
start=$(date +%s%N)
run "$P" "$S" '(sleep 3; echo child-done) & wait'
elapsed=$((($(date +%s%N) - start) / 1000000))
check "a 3 s child completes" "[ $rc -eq 0 ] && out_is child-done && [ $elapsed -ge 3000 ]"

# /proc (W6): only the sandbox's own processes; nothing of srt's side.
run "$P" "$S" 'for p in /proc/[0-9]*; do printf "%s " "${p#/proc/}"; tr "\0" " " < $p/cmdline; echo; done'
check "/proc: srt and its launcher's outer stage invisible" \
    "! grep -q -- '--outer' $T/out && ! grep -q '^[0-9]* $SRT ' $T/out"
check "/proc: at most the sandbox init, the shell and its reader" "[ \"\$(wc -l < $T/out)\" -le 3 ]"
check "/proc: the host's processes invisible" "! grep -q \"^$$ \" $T/out || [ $$ -le 3 ]"

# Capabilities and /proc/sys (W1, W2), also as root.
run "$P" "$S" 'grep -E "^Cap(Inh|Prm|Eff|Bnd|Amb)" /proc/self/status'
check "CapInh/Prm/Eff/Bnd/Amb all 0" \
    "[ \"\$(grep -c ':[[:space:]]*0000000000000000$' $T/out)\" -eq 5 ]"
host_dom=$(cat /proc/sys/kernel/domainname)
run "$P" "$S" 'echo e2e-evil > /proc/sys/kernel/domainname; [ -w /proc/sys/kernel/core_pattern ] && echo core-writable'
check "/proc/sys read-only: domainname EROFS" "err_has 'Read-only file system'"
check "/proc/sys read-only: core_pattern not writable" "! grep -q core-writable $T/out"
check "/proc/sys: host domainname unchanged" "[ \"\$(cat /proc/sys/kernel/domainname)\" = \"$host_dom\" ]"

# THREATS K11: a fork bomb stays within the sandbox's process limit (here
# max_processes = 30): forks beyond it fail with EAGAIN, inside only. A pids
# cgroup does it for root, RLIMIT_NPROC in the sandbox's user namespace for
# everyone else. The forks are python's (bash would retry and back off).
echo 'plugins: { fs-linux: { max_processes = 30; }; };' > "$T/limit.conf"
bomb='import os, time
n = 0
try:
    for i in range(200):
        pid = os.fork()
        if pid == 0:
            time.sleep(5)
            os._exit(0)
        n += 1
except OSError as e:
    print("refused", e.errno)
print("forked", n)'
(cd "$P" && "$SRT" --deploy "$T/limit.conf" --settings "$S" -- python3 -c "$bomb") \
    >"$T/out" 2>"$T/err" </dev/null
rc=$?
forked=$(sed -n 's/^forked //p' "$T/out")
check "K11 fork bomb: stopped by the process limit (EAGAIN) after ${forked:-?} forks" \
    "[ $rc -eq 0 ] && grep -qx 'refused 11' $T/out && [ ${forked:-0} -ge 10 ] && [ ${forked:-99} -le 30 ]"
check "K11 fork bomb: no warning that the limit is missing" "! err_has 'no process limit'"
check "K11 fork bomb: the host still forks" "sh -c true"
run "$P" "$S" 'for i in 1 2 3 4 5 6 7 8; do sleep 0.2 & done; wait; echo ok'
check "the default limit leaves room for ordinary work" "[ $rc -eq 0 ] && out_is ok"

# THREATS K11, memory: with max_memory_mib = 64 a command touching 256 MiB
# is killed inside its cgroup (root callers), a small one runs, and the host
# goes on. Anyone srt cannot give a memory cgroup is refused, with one line,
# rather than run without the limit asked for.
echo 'plugins: { fs-linux: { max_memory_mib = 64; }; };' > "$T/mem.conf"
hog='b = bytearray(256 * 1024 * 1024)
for i in range(0, len(b), 4096): b[i] = 1
print("survived")'
(cd "$P" && "$SRT" --deploy "$T/mem.conf" --settings "$S" -- python3 -c "$hog") \
    >"$T/out" 2>"$T/err" </dev/null
rc=$?
if [ "$(id -u)" -eq 0 ]; then
    check "K11 memory: 256 MiB under a 64 MiB limit is killed (SIGKILL), inside only" \
        "[ $rc -eq 137 ] && ! out_is survived && sh -c true"
    (cd "$P" && "$SRT" --deploy "$T/mem.conf" --settings "$S" -- python3 -c 'print(len(bytearray(8 << 20)))') \
        >"$T/out" 2>"$T/err" </dev/null
    rc=$?
    check "K11 memory: 8 MiB fits under the limit" "[ $rc -eq 0 ] && out_is 8388608"
else
    check "K11 memory: refused for a caller srt cannot give a memory cgroup, one line" \
        "[ $rc -ne 0 ] && ! out_is survived && [ \$(wc -l < $T/err) -eq 1 ] && err_has 'max_memory_mib'"
fi

# A plan with more bind mounts than the caller's descriptor limit: the bind
# sources travel as descriptors, and the command still sees the caller's own
# limit (ulimit -n 64 here, 150 protected files below the write root).
M=$T/many
for i in $(seq 150); do mkdir -p "$M/d$i" && echo x > "$M/d$i/.bashrc"; done
W=$(settings many '"denyRead":[],"allowWrite":["."],"denyWrite":[]')
(ulimit -Sn 64 && cd "$M" && "$SRT" --settings "$W" -c 'ulimit -n; echo y >> d7/.bashrc') \
    >"$T/out" 2>"$T/err" </dev/null
rc=$?
check "150 protected files under a 64-descriptor limit: the run starts, the command keeps the limit" \
    "[ \"\$(head -1 $T/out)\" = 64 ] && err_has 'd7/.bashrc: Read-only file system' && [ \"\$(cat $M/d7/.bashrc)\" = x ]"

e2e_finish
