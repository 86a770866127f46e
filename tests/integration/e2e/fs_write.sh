#!/usr/bin/env bash
# fs_write.sh - write rules through srt (REFERENCE 3.1-3.5, 3.8; THREATS F3-F6,
# F11; W7, W19): allowWrite roots, writes outside, denyWrite, rename pins,
# mandatory denies existing and new at every depth, hard links, /tmp, TMPDIR,
# allowGitConfig, worktrees. Host files are compared by checksum.
. "$(dirname "$0")/lib.sh"

P=$T/proj
mkproj "$P"
echo 'outside' > "$T/outside.txt"
W=$(settings write '"denyRead":[],"allowWrite":["."],"denyWrite":["./.env"]')

# New file and append land on the host.
run "$P" "$W" 'echo new > new.txt && echo more >> README.md'
check "allowWrite: new file on the host" "[ $rc -eq 0 ] && [ \"\$(cat $P/new.txt)\" = new ]"
check "allowWrite: append on the host" "[ \"\$(cat $P/README.md)\" = \"\$(printf 'readme\nmore')\" ]"

# Outside the write roots: EROFS, nothing new on the host.
stamp=e2e-$$-$RANDOM
run "$P" "$W" "touch $T/$stamp; touch ~/$stamp; touch /etc/$stamp; echo x >> $T/outside.txt"
check "outside the write root: EROFS" "[ \"\$(grep -c 'Read-only file system' $T/err)\" -eq 4 ]"
check "outside the write root: nothing new next to the project" "absent $T/$stamp"
check "outside the write root: nothing new in HOME" "absent $HOME/$stamp"
check "outside the write root: nothing new in /etc" "absent /etc/$stamp"
check "outside the write root: existing file unchanged" "[ \"\$(cat $T/outside.txt)\" = outside ]"

# denyWrite: the file unchanged, its sibling writable, no mv/rm, no re-create.
env_sum=$(sum "$P/.env")
run "$P" "$W" 'echo EVIL=1 >> .env; echo ok > env-sibling'
check "denyWrite: EROFS" "err_has '.env: Read-only file system'"
check "denyWrite: file unchanged" "[ \"$env_sum\" = \"\$(sum $P/.env)\" ]"
check "denyWrite: sibling writable" "[ \"\$(cat $P/env-sibling 2>/dev/null)\" = ok ]"
run "$P" "$W" 'mv .env .env.moved; rm -f .env; echo EVIL=1 > .env'
check "denyWrite: mv and rm EBUSY" "[ \"\$(grep -c 'Device or resource busy' $T/err)\" -eq 2 ]"
check "denyWrite: re-create refused" "err_has '.env: Read-only file system' && [ \"$env_sum\" = \"\$(sum $P/.env)\" ]"
check "denyWrite: nothing moved on the host" "absent $P/.env.moved"

# Existing mandatory denies unchanged: ./.bashrc, sub/.bashrc, hook, config.
sums() { (cd "$P" && sha256sum .bashrc sub/.bashrc .git/hooks/pre-commit .git/config); }
before=$(sums)
run "$P" "$W" 'echo evil >> .bashrc; echo evil >> sub/.bashrc; echo evil >> .git/hooks/pre-commit;
  echo "[core] fsmonitor = evil" >> .git/config; git config core.hooksPath /tmp; echo evil > .git/hooks/post-checkout'
check "existing ./.bashrc, sub/.bashrc, hook, .git/config: EROFS" \
    "[ \"\$(grep -c 'Read-only file system' $T/err)\" -ge 5 ]"
check "existing ./.bashrc, sub/.bashrc, hook, .git/config: unchanged" "[ \"$before\" = \"\$(sums)\" ]"
check "new hook refused" "absent $P/.git/hooks/post-checkout"

# New dangerous names refused in the working directory and below (W7), in a
# fresh project that has none of them.
N=$T/fresh
mkdir -p "$N/src" "$N/a/b" && git -C "$N" init -q .
for f in .bashrc .mcp.json .envrc src/.bashrc src/.mcp.json src/.envrc a/b/.zshrc .vscode/settings.json; do
    run "$N" "$W" "mkdir -p \$(dirname $f); echo evil > $f"
    check "new $f refused" "[ $rc -ne 0 ] && absent $N/$f"
done
run "$P" "$W" 'rm -f .bashrc; echo evil > .bashrc'
check "existing ./.bashrc cannot be replaced" "[ \"\$(cat $P/.bashrc)\" = 'alias ls=ls' ]"
# Names in directories and repositories created during the run (REFERENCE.md
# W7, second half): no placeholder stands there, so the create guard
# refuses them when they are made (launch/guard.c), reports each refusal as
# an fs.write violation, and names the first on stderr.
rm -f "$T/trace.jsonl"
(cd "$P" && "$SRT" --settings "$W" --trace "$T/trace.jsonl" \
    -c 'mkdir -p c/d && echo x > c/d/.zshrc; git init -q newrepo') >"$T/out" 2>"$T/err" </dev/null
check "made during the run: .zshrc refused (EACCES), nothing on the host" \
    "err_has 'c/d/.zshrc: Permission denied' && absent $P/c/d/.zshrc && [ -d $P/c/d ]"
check "made during the run: git init without allowGitConfig fails on its config" \
    "err_has 'could not write config file' && absent $P/newrepo/.git/config"
check "made during the run: reported on stderr" \
    "err_has 'refused 2 attempts to make a write-protected name, e.g. create $P/c/d/.zshrc'"
check "made during the run: one fs.write violation each in the trace" \
    "grep -q '\"kind\":\"fs.write\".*\"target\":\"$P/c/d/.zshrc\"' $T/trace.jsonl &&
     grep -q '\"target\":\"$P/newrepo/.git/config\",\"operation\":\"rename\"' $T/trace.jsonl &&
     [ \"\$(grep -c fs.write $T/trace.jsonl)\" -eq 2 ]"
rm -rf "$P/c" "$P/newrepo"
# With the guard turned off (fs-linux option create_guard = 0) the name is
# made, and reported after the run by the second walk (audit.c). The run
# must end as quickly as it does with the guard: the watcher then has no
# listener to answer (a watcher polling a stale descriptor once spun here).
echo 'plugins: { fs-linux: { create_guard = 0; }; };' > "$T/noguard.conf"
rm -f "$T/trace.jsonl"
(cd "$P" && timeout 20 "$SRT" --deploy "$T/noguard.conf" --settings "$W" --trace "$T/trace.jsonl" \
    -c 'mkdir -p c/d && echo x > c/d/.zshrc') >"$T/out" 2>"$T/err" </dev/null
rc=$?
check "create_guard = 0: made, then reported after the run" \
    "[ $rc -eq 0 ] && [ -f $P/c/d/.zshrc ] && err_has 'created 1 write-protected name' &&
     grep -q '\"target\":\"$P/c/d/.zshrc\"' $T/trace.jsonl"
rm -rf "$P/c"
# Every way of making a name goes through the same check: open, mkdir,
# mknod, symlink, hard link, rename (both names of an exchange), a final
# symlink an O_CREAT open would follow, a gitdir pointer file, a directory
# moved in as .git or .claude, and the hooks of a new repository.
# A .bashrc below the scan's depth exists unprotected; nothing may take its
# name. g/h is made during the run, so no placeholder stands there.
D=$P/deep/d/e/f/g
mkdir -p "$D" && echo host > "$D/.bashrc"
run "$P" "$W" 'mkdir -p g/h && cd g/h && echo x > plain
  mkdir .vscode; mkfifo .profile; ln -s /tmp .idea; ln plain .gitconfig; mv plain .mcp.json
  python3 -c "import ctypes; print(\"xchg\", ctypes.CDLL(None).syscall(316, -100, b\"plain\", -100, b\"../../deep/d/e/f/g/.bashrc\", 2))"
  ln -s .zshrc lnk; echo x > lnk; ln -s ../h/.bash_profile lnk2; echo x >> lnk2
  echo "gitdir: /tmp" > .git; mkdir -p x/hooks && echo evil > x/hooks/pre-commit; mv x .git
  mkdir -p y/commands; mv y .claude; mkdir .claude && mkdir .claude/commands .claude/agents
  mkdir -p r/.git/hooks; echo evil > r/.git/hooks/pre-commit; touch r/.git/hooks/x.sample
  echo c > r/.git/config; echo c > r/.git/commondir; mkdir -p r/.git/modules/m/hooks
  echo evil > r/.git/modules/m/hooks/post-checkout; mkdir -p ev/hooks; ln -s $PWD/ev r/.git/modules/s
  mkdir -p fifo && cd fifo && mkfifo p && { (sleep 0.3; cat p > got) & echo through-fifo > p; wait; }'
H=$P/g/h
check "guard: every dangerous name refused" \
    "for n in .vscode .profile .idea .gitconfig .mcp.json .zshrc .bash_profile .git/hooks .claude/commands \
              .claude/agents r/.git/hooks/pre-commit r/.git/config r/.git/commondir \
              r/.git/modules/m/hooks/post-checkout; do absent $H/\$n || exit 1; done"
check "guard: a .git file and a directory moved in as .git or .claude refused" \
    "absent $H/.git && [ -d $H/x ] && [ -d $H/y ] && [ -z \"\$(ls -A $H/.claude)\" ] && ! [ -f $H/.git ]"
check "guard: an exchange onto a dangerous name refused, both files as they were" \
    "out_has 'xchg -1' && [ \"\$(cat $H/plain)\" = x ] && [ \"\$(cat $D/.bashrc)\" = host ]"
check "guard: a symlink below .git refused" "absent $H/r/.git/modules/s"
check "guard: writing a FIFO whose reader comes later waits for it" \
    "[ \"\$(cat $H/fifo/got 2>/dev/null)\" = through-fifo ]"
check "guard: the plain names and a hook sample are made" \
    "[ -f $H/plain ] && [ -L $H/lnk ] && [ -d $H/r/.git/hooks ] && [ -f $H/r/.git/hooks/x.sample ]"
rm -rf "$P/g" "$P/deep"
# With allowGitConfig a new repository works, and its hooks stay refused.
G=$(settings gitcfg '"denyRead":[],"allowWrite":["."],"denyWrite":[],"allowGitConfig":true')
run "$P" "$G" 'git init -q nr && cd nr && git -c user.email=a@b -c user.name=n commit -q --allow-empty -m m &&
  git log --oneline | wc -l; echo evil > .git/hooks/pre-commit'
check "allowGitConfig: git init and commit work in a new repository" \
    "out_is 1 && [ -f $P/nr/.git/config ] && [ -f $P/nr/.git/hooks/pre-commit.sample ]"
check "allowGitConfig: the new repository's hooks stay refused" "absent $P/nr/.git/hooks/pre-commit"
rm -rf "$P/nr"
# The path is read once: a second thread rewriting it while the call waits
# for the guard cannot turn an allowed name into a refused one.
run "$P" "$W" 'mkdir -p race && cd race && python3 -c "
import ctypes, os, threading
libc = ctypes.CDLL(None, use_errno=True)
path = ctypes.create_string_buffer(b\"harmless\", 16)
good, bad = ctypes.create_string_buffer(b\"harmless\"), ctypes.create_string_buffer(b\".bashrc\")
stop, flips = [], [0]
def flip():
    while not stop:
        libc.memcpy(path, bad, 9); libc.memcpy(path, good, 9); flips[0] += 1
t = threading.Thread(target=flip); t.start()
made = 0
for i in range(3000):
    fd = libc.open(path, os.O_CREAT | os.O_WRONLY, 0o644)
    if fd >= 0:
        made += 1; libc.close(fd); libc.unlink(b\"harmless\")
stop.append(1); t.join()
print(made, flips[0])
"'
read -r made flips < "$T/out"
check "guard race: .bashrc never made while the path flipped under the call" \
    "absent $P/race/.bashrc && [ \"\${made:-0}\" -gt 100 ] && [ \"\${flips:-0}\" -gt 1000 ]"
echo "# guard race: $made opens made, $flips flips"
rm -rf "$P/race"
run "$P" "$W" 'echo x > new.txt'
check "a run that creates no such name reports none" "! err_has 'write-protected name'"
rm -rf "$P/c" "$P/newrepo" "$P/new.txt"

# Rename the repository aside and rebuild it (F4): refused.
run "$P" "$W" 'mv .git .git2 && mkdir -p .git/hooks && echo evil > .git/hooks/pre-commit'
check "mv .git .git2: EBUSY" "err_has 'Device or resource busy'"
check "mv .git .git2: repository and hook intact on the host" \
    "absent $P/.git2 && [ \"$before\" = \"\$(sums)\" ]"
run "$P" "$W" 'mv .git/hooks .git/hooks2'
check "mv .git/hooks: refused" "[ $rc -ne 0 ] && absent $P/.git/hooks2"

# Hard links to protected or outside files (F3): refused.
run "$P" "$W" "ln .bashrc alias-rc && echo evil >> alias-rc; ln $T/outside.txt alias-out && echo evil >> alias-out"
check "hard link to a protected file refused" "err_has 'alias-rc' && absent $P/alias-rc && [ \"$before\" = \"\$(sums)\" ]"
check "hard link to an outside file refused" "absent $P/alias-out && [ \"\$(cat $T/outside.txt)\" = outside ]"

# /tmp is writable only when listed.
run "$P" "$W" "touch /tmp/$stamp"
check "/tmp not listed: EROFS, nothing on the host" "err_has 'Read-only file system' && absent /tmp/$stamp"
S=$(settings tmp '"denyRead":[],"allowWrite":[".","/tmp"],"denyWrite":[]')
# /tmp is shared: a file the scan found may vanish or change before it is
# bound (srt or bwrap then refuses the run); only that is retried.
for _ in 1 2 3 4 5 6 7 8 9 10; do
    run "$P" "$S" "echo hi > /tmp/$stamp"
    grep -Eq "^bwrap: (Can't .*source .*No such file or directory|Race condition binding dirfd)|bind source .* (vanished during setup|has a symlink on its path now)" "$T/err" || break
done
check "/tmp listed: file lands on the host" "[ \"\$(cat /tmp/$stamp 2>/dev/null)\" = hi ]"
rm -f "/tmp/$stamp"

# TMPDIR (W19): exists, 0700, the caller's, writable; created when missing.
run "$P" "$W" 'stat -c "%a %u" "$TMPDIR" && echo t > "$TMPDIR/e2e.$$" && cat "$TMPDIR/e2e.$$" && rm "$TMPDIR/e2e.$$"'
check "TMPDIR: 0700, owned by the caller, writable" "out_is \"\$(printf '700 $MYUID\nt')\""
(cd "$P" && SRT_TMPDIR=$T/fresh-tmp "$SRT" --settings "$W" -c 'echo "$TMPDIR"; touch "$TMPDIR/x"') >"$T/out" 2>"$T/err"; rc=$?
check "TMPDIR: a missing directory is created 0700 for the run" \
    "[ $rc -eq 0 ] && out_is $T/fresh-tmp && [ \"\$(stat -c '%a %u' $T/fresh-tmp)\" = '700 $MYUID' ] && [ -e $T/fresh-tmp/x ]"

# allowGitConfig: .git/config writable, hooks still protected.
S=$(settings gitcfg '"denyRead":[],"allowWrite":["."],"denyWrite":[],"allowGitConfig":true')
run "$P" "$S" 'git config e2e.marker yes; echo evil >> .git/hooks/pre-commit'
check "allowGitConfig: .git/config written on the host" "git -C $P config e2e.marker | grep -qx yes"
check "allowGitConfig: hooks still protected" \
    "err_has 'pre-commit: Read-only file system' && ! grep -q evil $P/.git/hooks/pre-commit"

# Directories in a write root that the sandbox cannot enter or write: the
# run still starts and the directory stays as it was. Root reads a directory
# of another user that the sandbox (no capabilities) cannot search; a user
# has a directory it can list but not search, and one it cannot write.
D=$T/awkward
mkdir -p "$D/closed" "$D/ro"
echo 'alias x=y' > "$D/closed/.bashrc"
if [ "$MYUID" -eq 0 ]; then chown nobody: "$D/closed"; chmod 700 "$D/closed"; else chmod 600 "$D/closed"; fi
chmod 555 "$D/ro"
run "$D" "$W" 'echo ran; touch top.txt'
check "unsearchable directory in the write root: srt runs" "[ $rc -eq 0 ] && out_is ran && [ -e $D/top.txt ]"
check "read-only directory in the write root: no placeholder left in it" "[ -z \"\$(ls -A $D/ro)\" ]"
chmod 700 "$D/closed" "$D/ro"

# A worktree: its .git file is protected.
git -C "$P" -c user.name=e2e -c user.email=e2e@example.invalid commit -q --allow-empty -m init
git -C "$P" worktree add -q "$T/wt" 2>/dev/null
wt_sum=$(sum "$T/wt/.git")
S=$(settings wt '"denyRead":[],"allowWrite":["."],"denyWrite":[]')
run "$T/wt" "$S" 'echo "gitdir: /tmp/evil" > .git; rm -f .git; echo evil > .bashrc'
check "worktree: .git file unchanged" "[ \"$wt_sum\" = \"\$(sum $T/wt/.git)\" ]"
check "worktree: new .bashrc refused" "absent $T/wt/.bashrc"

# srt's own programs and plugins inside a write root stay read-only in the
# sandbox: they run outside it next time (THREATS.md F13). A copy of the
# installed layout under the project, run from there.
I=$T/wt/inst
mkdir -p "$I/bin" "$I/lib/srt" "$I/libexec"
cp -p "$SRT" "$I/bin/" && cp -rp "$B/lib/srt/plugins" "$I/lib/srt/" && cp -rp "$B/libexec/srt" "$I/libexec/"
S=$(settings inst '"denyRead":[],"allowWrite":["."],"denyWrite":[]')
before_inst=$(cat "$I/lib/srt/plugins/srt-fs-linux.so" "$I/libexec/srt/srt-linux-launch" | sha256sum)
(cd "$T/wt" && "$I/bin/srt" --settings "$S" -c 'for f in inst/lib/srt/plugins/srt-fs-linux.so inst/libexec/srt/srt-linux-launch inst/bin/srt; do echo x >> "$f"; done; touch inst/lib/srt/plugins/srt-evil.so; touch inst/other') \
    >"$T/out" 2>"$T/err" </dev/null
check "srt's plugins, launcher and binary under a write root: unchanged (F13)" \
    "[ \"$before_inst\" = \"\$(cat $I/lib/srt/plugins/srt-fs-linux.so $I/libexec/srt/srt-linux-launch | sha256sum)\" ] && absent $I/lib/srt/plugins/srt-evil.so"
check "the rest of the write root stays writable" "[ -e $I/other ]"

# REFERENCE 3.7: a write root that is a symlink to outside its directory is
# skipped with a warning; one to inside it is followed.
R=$T/links
mkdir -p "$R/in" "$T/decoy"
chmod 777 "$T/decoy"
ln -s "$T/decoy" "$R/out"
ln -s in "$R/inner"
L=$(settings links '"denyRead":[],"allowWrite":["./out","./inner"],"denyWrite":[]')
run "$R" "$L" 'echo x > out/escaped; echo x > inner/kept'
check "write root symlinked outside its directory: skipped, with a warning" \
    "absent $T/decoy/escaped && err_has 'write root $R/out is a symlink to $T/decoy outside its directory; skipped'"
check "write root symlinked inside its directory: writable" "[ -e $R/in/kept ]"

# THREATS F2: another process swaps the write root for a symlink to a
# directory outside it (renameat2 RENAME_EXCHANGE, so the name is always
# either) while sandboxes start; no run may write the decoy.
rm -f "$R/out" "$R/inner"
mkdir -p "$R/d"
ln -s "$T/decoy" "$R/s"
D=$(settings race '"denyRead":[],"allowWrite":["./d"],"denyWrite":[]')
python3 - "$R" 8 <<'PY' &
import ctypes, os, sys, time
libc = ctypes.CDLL(None, use_errno=True)
os.chdir(sys.argv[1])
end = time.time() + float(sys.argv[2])
swaps = 0
while time.time() < end and not os.path.exists("stop"):
    swaps += libc.syscall(316, -100, b"d", -100, b"s", 2) == 0   # renameat2(RENAME_EXCHANGE)
open("swaps", "w").write(str(swaps))
PY
racer=$!
refused=0 wrote=0
for i in $(seq 60); do
    run "$R" "$D" "echo x > d/p$i; echo x > $T/decoy/q$i"
    [ $rc -eq 125 ] && refused=$((refused + 1))
    [ -e "$R/d/p$i" ] || [ -e "$R/s/p$i" ] && wrote=$((wrote + 1))
done
touch "$R/stop"
wait "$racer"
swaps=$(cat "$R/swaps" 2>/dev/null || echo 0)
echo "# F2 race: $swaps swaps; of 60 starts $refused refused, $wrote wrote the real root"
check "F2 symlink swap during setup: the decoy outside the write root never written" \
    "[ -z \"\$(ls -A $T/decoy)\" ]"
check "F2 symlink swap during setup: the swaps really ran during the starts" "[ $swaps -gt 1000 ]"

e2e_finish
