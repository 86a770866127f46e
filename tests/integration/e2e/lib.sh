# lib.sh - shared helpers of the end-to-end suites: sourced, never run.
#
# Each suite runs the real `srt` (from $SRT_BUILD_DIR) in a temp project
# tree with settings files written into a temp dir, and checks effects on the
# host. With SRT_E2E_USER set and run as root, the suite re-runs itself as that
# user (created if missing) with a temp HOME and project tree it owns; without
# it the suite runs as whoever started it. Every check prints one `ok:` or
# `FAIL:` line; e2e_finish prints the totals and picks the exit status.
set -u
B=${SRT_BUILD_DIR:?SRT_BUILD_DIR must name the build directory}
SRT=$B/bin/srt
E2E_SCRIPT=$(readlink -f "$0")

. "$(dirname "$(readlink -f "${BASH_SOURCE[0]}")")/../../support/as_user.sh"
srt_as_user "${SRT_E2E_USER:-}" SRT_E2E_BASE srt-e2e "$E2E_SCRIPT"

if [ -n "${SRT_E2E_BASE:-}" ]; then
    T=$SRT_E2E_BASE
else
    T=$(mktemp -d /tmp/srt-e2e-XXXXXX)
    trap 'rm -rf "$T"' EXIT
fi
export HOME=$T/home
export PATH=/usr/local/bin:/usr/bin:/bin:/usr/local/sbin:/usr/sbin:/sbin
unset SRT_DEBUG SRT_TMPDIR SRT_DEPLOY XDG_CONFIG_HOME
mkdir -p "$HOME"
ME=$(id -un)
MYUID=$(id -u)
e2e_pass=0
e2e_fail=0
echo "# running as $ME (uid $MYUID), base $T"

ok()  { e2e_pass=$((e2e_pass + 1)); echo "ok: $1 [$ME]"; }
bad() {
    e2e_fail=$((e2e_fail + 1))
    echo "FAIL: $1 [$ME]"
    if [ -s "$T/err" ]; then sed -n '1,6s/^/#   stderr: /p' "$T/err"; fi
    if [ -s "$T/out" ]; then sed -n '1,6s/^/#   stdout: /p' "$T/out"; fi
    echo "#   status: ${rc:-}"
}
# check <description> <shell condition>
check() { if eval "$2"; then ok "$1"; else bad "$1"; fi; }

# settings <name> <filesystem object body>: a settings file with no network
# allowed; prints its path.
settings() {
    printf '{"network":{"allowedDomains":[],"deniedDomains":[]},"filesystem":{%s}}\n' "$2" \
        > "$T/$1.json"
    echo "$T/$1.json"
}

# run <dir> <settings file or -> <command line>: srt -c in <dir>; stdout in
# $T/out, stderr in $T/err, status in $rc. "-" runs without --settings.
run() {
    if [ "$2" = - ]; then
        (cd "$1" && "$SRT" -c "$3") >"$T/out" 2>"$T/err" </dev/null
    else
        (cd "$1" && "$SRT" --settings "$2" -c "$3") >"$T/out" 2>"$T/err" </dev/null
    fi
    rc=$?
}

err_has() { grep -q -- "$1" "$T/err"; }
out_is()  { [ "$(cat "$T/out")" = "$1" ]; }
out_has() { grep -q -- "$1" "$T/out"; }
sum()     { sha256sum < "$1" | cut -d' ' -f1; }
absent()  { [ ! -e "$1" ] && [ ! -L "$1" ]; }

# listing <dir>: every path below <dir> with its type, object store left out.
listing() {
    (cd "$1" && find . -path ./.git/objects -prune -o -printf '%y %p\n' | sort)
}

# mkproj <dir>: a project with a repository, an existing hook and the usual
# dangerous files, and no .claude, .vscode or .idea.
mkproj() {
    mkdir -p "$1" && (
        cd "$1" || exit 1
        git init -q . || exit 1
        mkdir -p sub src a/b private
        echo 'readme' > README.md
        echo 'top secret' > secret.txt
        echo 'TOKEN=1' > .env
        echo 'alias ls=ls' > .bashrc
        echo 'alias sub=ls' > sub/.bashrc
        echo 'int main;' > src/main.c
        echo 'private key' > private/key
        echo 'public' > private/pub.txt
        printf '#!/bin/sh\nexit 0\n' > .git/hooks/pre-commit
        chmod 755 .git/hooks/pre-commit
    )
}

# reap <marker>: SIGKILL whatever a failed check left running, by pid (the
# marker is unique to this run), so a failure does not leave a sandbox behind.
# Repeated for a while: a sandbox still being set up can start new processes.
reap() {
    local p n=40
    while [ $n -gt 0 ] && pgrep -f "$1" >/dev/null; do
        for p in $(pgrep -f "$1"); do kill -9 "$p" 2>/dev/null; done
        sleep 0.05
        n=$((n - 1))
    done
}

e2e_finish() {
    echo "$e2e_pass passed, $e2e_fail failed"
    [ "$e2e_fail" -eq 0 ]
    exit
}

[ -x "$SRT" ] || { echo "skip: $SRT not built"; exit 77; }
command -v bwrap >/dev/null || { echo "skip: bwrap not installed"; exit 77; }
