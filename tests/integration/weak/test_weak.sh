# test_weak.sh - the fs-linux weaker nested mode end to end: the real `srt`
# with a deployment config that forces it (force_mode = "weaker-nested") and
# settings with enableWeakerNestedSandbox, effects checked on the host.
#
# Run as root it re-runs itself as $SRT_WEAK_USER too (created with
# useradd --system if missing) when that variable is set. Every check prints
# one `ok:` or `FAIL:` line; the exit status is 1 if any failed, 77 when the
# kernel lacks Landlock ABI 4 or the binaries are not built.
set -u
B=${SRT_BUILD_DIR:?SRT_BUILD_DIR must name the build directory}
SRT=$B/bin/srt
SRTCTL=$B/bin/srtctl
PY=/usr/bin/python3
SELF=$(readlink -f "$0")

[ -x "$SRT" ] && [ -x "$SRTCTL" ] || { echo "skip: srt not built"; exit 77; }
[ -x "$PY" ] || { echo "skip: $PY missing"; exit 77; }
abi=$("$PY" -c 'import ctypes; print(ctypes.CDLL(None).syscall(444, None, 0, 1))')
[ "$abi" -ge 4 ] 2>/dev/null || { echo "skip: landlock ABI $abi < 4"; exit 77; }

. "$(dirname "$SELF")/../../support/as_user.sh"
srt_as_user "${SRT_WEAK_USER:-}" SRT_WEAK_BASE srt-weak "$SELF"

if [ -n "${SRT_WEAK_BASE:-}" ]; then
    T=$SRT_WEAK_BASE
else
    T=$(mktemp -d /tmp/srt-weak-XXXXXX)
fi
server_pid=
cleanup() {
    [ -n "$server_pid" ] && kill "$server_pid" 2>/dev/null
    [ -z "${SRT_WEAK_BASE:-}" ] && rm -rf "$T"
}
trap cleanup EXIT
export HOME=$T/home
export PATH=/usr/local/bin:/usr/bin:/bin:/usr/local/sbin:/usr/sbin:/sbin
unset SRT_DEBUG SRT_DEPLOY XDG_CONFIG_HOME HTTP_PROXY HTTPS_PROXY http_proxy https_proxy ALL_PROXY
mkdir -p "$HOME"
ME=$(id -un)
pass=0
fail=0
echo "# running as $ME (uid $(id -u)), base $T"
ok()  { pass=$((pass + 1)); echo "ok: $1 [$ME]"; }
bad() {
    fail=$((fail + 1))
    echo "FAIL: $1 [$ME]"
    sed -n '1,6s/^/#   stderr: /p' "$T/err" 2>/dev/null
    sed -n '1,6s/^/#   stdout: /p' "$T/out" 2>/dev/null
    echo "#   status: ${rc:-}"
}
check() { if eval "$2"; then ok "$1"; else bad "$1"; fi; }
sum() { sha256sum < "$1" | cut -d' ' -f1; }

# The project: a repository (recognised by .git/HEAD) with a hook, a
# denied file, a write-protected one, and a tree outside every write root.
P=$T/proj
mkdir -p "$P/sub" "$P/.git/hooks" "$P/.git/objects" "$T/outside"
echo 'ref: refs/heads/main' > "$P/.git/HEAD"
printf '[core]\n' > "$P/.git/config"
printf '#!/bin/sh\nexit 0\n' > "$P/.git/hooks/pre-commit"
echo 'top secret' > "$P/secret.txt"
echo 'readme' > "$P/README.md"
echo 'keep me' > "$P/keep.txt"
echo 'outside' > "$T/outside/f"

cat > "$T/deploy.conf" <<'EOF'
plugins: { fs-linux: { force_mode = "weaker-nested"; }; };
EOF
cat > "$T/auto.conf" <<'EOF'
plugins: { fs-linux: { }; };
EOF
cat > "$T/s.json" <<EOF
{"enableWeakerNestedSandbox": true,
 "network": {"allowedDomains": ["allowed.test"], "deniedDomains": []},
 "filesystem": {"denyRead": ["$P/secret.txt"], "allowWrite": ["."],
                "denyWrite": ["$P/keep.txt"]}}
EOF

# run <command line>: srt -c in the project, weaker mode forced.
run() {
    (cd "$P" && "$SRT" --deploy "$T/deploy.conf" --settings "$T/s.json" -c "$1") \
        >"$T/out" 2>"$T/err" </dev/null
    rc=$?
}

before_keep=$(sum "$P/keep.txt")
before_hook=$(sum "$P/.git/hooks/pre-commit")
before_config=$(sum "$P/.git/config")

run 'cat secret.txt'
check "denyRead file unreadable (EACCES)" \
    '[ $rc -ne 0 ] && ! grep -q "top secret" "$T/out" && grep -q "Permission denied" "$T/err"'
run 'cat README.md'
check "a sibling of the denied file reads" '[ $rc -eq 0 ] && grep -q readme "$T/out"'
run 'echo x >> keep.txt'
check "denyWrite file refused and unchanged" '[ $rc -ne 0 ] && [ "$(sum "$P/keep.txt")" = "$before_keep" ]'
run 'echo evil > .git/hooks/pre-commit; echo evil > .git/hooks/post-checkout; echo x >> .git/config'
check "hooks and .git/config unchanged, no new hook" \
    '[ "$(sum "$P/.git/hooks/pre-commit")" = "$before_hook" ] &&
     [ "$(sum "$P/.git/config")" = "$before_config" ] && [ ! -e "$P/.git/hooks/post-checkout" ]'
# The create guard (REFERENCE W7): no placeholders exist in this mode, so
# the guard alone keeps new dangerous names from being made, at any depth,
# under a watcher that passes srt's signals on and reports each refusal.
rm -f "$T/trace.jsonl"
(cd "$P" && "$SRT" --deploy "$T/deploy.conf" --settings "$T/s.json" --trace "$T/trace.jsonl" \
    -c 'cd sub && echo x > .bashrc; mkdir -p a/b && echo x > a/b/.mcp.json; mkdir -p r/.git/hooks;
        echo evil > r/.git/hooks/pre-commit; echo ok > plain && cat plain') >"$T/out" 2>"$T/err" </dev/null
rc=$?
check "guard: new dangerous names refused at any depth, plain ones made" \
    '[ ! -e "$P/sub/.bashrc" ] && [ ! -e "$P/sub/a/b/.mcp.json" ] && [ ! -e "$P/sub/r/.git/hooks/pre-commit" ] &&
     [ -d "$P/sub/r/.git/hooks" ] && grep -qx ok "$T/out" && [ "$(cat "$P/sub/plain")" = ok ]'
check "guard: each refusal is an fs.write violation" \
    '[ "$(grep -c "\"kind\":\"fs.write\"" "$T/trace.jsonl")" -eq 3 ] &&
     grep -q "refused 3 attempts to make a write-protected name" "$T/err"'
rm -rf "$P/sub/a" "$P/sub/r" "$P/sub/plain"
# srt's SIGTERM reaches the command through the watcher: its trap runs.
(cd "$P" && exec "$SRT" --deploy "$T/deploy.conf" --settings "$T/s.json" \
    -c 'trap "echo trapped; exit 7" TERM; echo up; sleep 30 & wait') >"$T/out" 2>"$T/err" </dev/null &
sp=$!
for _ in $(seq 100); do grep -q up "$T/out" 2>/dev/null && break; sleep 0.05; done
kill -TERM "$sp"
wait "$sp"
rc=$?
check "guard: SIGTERM to srt reaches the command's trap through the watcher" \
    '[ $rc -eq 7 ] && grep -qx trapped "$T/out"'
# kill -9 of srt: the watcher dies with srt (parent-death signal), and the
# command with the watcher.
mark=srt-weak-k9-$$-$RANDOM
(cd "$P" && exec "$SRT" --deploy "$T/deploy.conf" --settings "$T/s.json" -c "sleep 30; : $mark") \
    >/dev/null 2>&1 </dev/null &
sp=$!
for _ in $(seq 100); do pgrep -f "sleep 30; : $mark" >/dev/null && break; sleep 0.05; done
running=no
pgrep -f "sleep 30; : $mark" >/dev/null && running=yes
exec 3>&2 2>/dev/null
kill -9 "$sp"; wait "$sp"
exec 2>&3 3>&-
for _ in $(seq 60); do pgrep -f "$mark" >/dev/null || break; sleep 0.05; done
check "guard: kill -9 of srt takes the watcher and the command with it" \
    '[ $running = yes ] && ! pgrep -f "$mark" >/dev/null'
pkill -9 -f "$mark" 2>/dev/null
run 'echo new > sub/new.txt && cat sub/new.txt'
check "write inside the write root lands on the host" \
    '[ $rc -eq 0 ] && [ "$(cat "$P/sub/new.txt" 2>/dev/null)" = new ]'
run "echo x > '$T/outside/f'; echo y > '$T/outside/g'; echo z > '$HOME/h'"
check "nothing written outside the write roots" \
    '[ "$(cat "$T/outside/f")" = outside ] && [ ! -e "$T/outside/g" ] && [ ! -e "$HOME/h" ]'
run 'echo t > "$TMPDIR/t" && cat "$TMPDIR/t"'
check "TMPDIR writable" '[ $rc -eq 0 ] && grep -qx t "$T/out"'
# The bounding set can only shrink with CAP_SETPCAP (root); without it the
# empty permitted set and no_new_privs keep exec from regaining anything.
sets='Inh|Prm|Eff|Amb'
[ "$(id -u)" -eq 0 ] && sets="$sets|Bnd"
run "grep -E '^Cap($sets):' /proc/self/status"
check "no capabilities ($sets)" \
    '[ $rc -eq 0 ] && [ "$(grep -c ":\s*0000000000000000$" "$T/out")" -eq "$(echo "$sets" | tr "|" "\n" | wc -l)" ]'

# Network: the proxy refuses a denied host with 403 (through HTTP_PROXY on
# host loopback); direct connections to a host loopback server fail and the
# server never sees one.
run 'curl -s -o /dev/null -w "%{http_code}" http://denied.test/'
check "curl through HTTP_PROXY to a denied host gets 403" '[ "$(cat "$T/out")" = 403 ]'
run 'case "$HTTP_PROXY" in http://localhost:[0-9]*) echo yes;; esac'
check "HTTP_PROXY names the host loopback port" 'grep -qx yes "$T/out"'
"$PY" - "$T/port" "$T/seen" <<'EOF' &
import socket, sys
s = socket.socket()
s.bind(("127.0.0.1", 0))
s.listen(8)
open(sys.argv[1] + ".tmp", "w").write(str(s.getsockname()[1]))
import os; os.rename(sys.argv[1] + ".tmp", sys.argv[1])
while True:
    c, _ = s.accept()
    open(sys.argv[2], "a").write("connection\n")
    c.close()
EOF
server_pid=$!
for _ in $(seq 50); do [ -s "$T/port" ] && break; sleep 0.1; done
port=$(cat "$T/port" 2>/dev/null)
if [ -n "$port" ]; then
    curl -s -m 2 "http://127.0.0.1:$port/" >/dev/null
    check "the loopback server works from the host" '[ -s "$T/seen" ]'
    rm -f "$T/seen"
    run "curl -s -m 3 --noproxy '*' http://127.0.0.1:$port/"
    check "curl --noproxy to a host loopback server fails" '[ $rc -ne 0 ]'
    run "$PY -c 'import socket; socket.create_connection((\"127.0.0.1\", $port), 2)'"
    check "a direct connect is refused" '[ $rc -ne 0 ] && grep -q "Permission denied" "$T/err"'
    check "the loopback server saw nothing" '[ ! -e "$T/seen" ]'
else
    bad "start the loopback server"
fi
run "$PY -c 'import socket; socket.socket(socket.AF_INET, socket.SOCK_DGRAM)'"
check "no UDP socket" '[ $rc -ne 0 ] && grep -q "Operation not permitted" "$T/err"'

# No PID namespace here: a process that detaches from the command comes back
# to srt (child subreaper), which ends it after the command.
mark=srt-weak-bg-$$-$RANDOM
run "(setsid sh -c 'sleep 30; : $mark' &); sleep 0.2; pgrep -f '^sh -c sleep 30; : $mark' >/dev/null && echo started"
check "background process started" '[ $rc -eq 0 ] && grep -q started "$T/out"'
check "a detached background process does not outlive the run" "! pgrep -f '^sh -c sleep 30; : $mark' >/dev/null"
pkill -f ": $mark" 2>/dev/null

"$SRTCTL" doctor --deploy "$T/deploy.conf" --settings "$T/s.json" >"$T/out" 2>"$T/err"
rc=$?
check "srtctl doctor shows the weaker-nested mode" \
    'grep -q "ok: mode weaker-nested" "$T/out" && grep -q "degraded: weaker nested mode" "$T/out"'
if [ "$(cat /proc/sys/user/max_user_namespaces)" -gt 0 ]; then
    "$SRTCTL" doctor --deploy "$T/auto.conf" --settings "$T/s.json" >"$T/out" 2>"$T/err"
    rc=$?
    check "with user namespaces the flag still gets bwrap" \
        'grep -q "ok: user namespaces allowed" "$T/out" && ! grep -q "mode weaker-nested" "$T/out"'
fi

echo "$pass passed, $fail failed"
[ "$fail" -eq 0 ]
