#!/usr/bin/env bash
# fs_read.sh - read rules through srt (REFERENCE 3.1, 3.2; THREATS F7; W22):
# open reads, denied files and directories, read denial inside a write root,
# ~ expansion, allowRead re-opening a path inside a denied directory.
. "$(dirname "$0")/lib.sh"

P=$T/proj
mkproj "$P"
mkdir -p "$HOME/.ssh"
echo 'ssh private key' > "$HOME/.ssh/id_rsa"
echo 'home notes' > "$HOME/notes.txt"
echo 'outside' > "$T/outside.txt"
ln -s secret.txt "$P/link-to-secret"

# Empty denyRead: everything readable.
S=$(settings open '"denyRead":[],"allowWrite":[],"denyWrite":[]')
run "$P" "$S" "cat secret.txt private/key $T/outside.txt ~/.ssh/id_rsa; head -n1 /etc/passwd"
check "empty denyRead: project, outside and ~/.ssh readable" \
    "[ $rc -eq 0 ] && [ \"\$(head -n4 $T/out)\" = \"\$(printf 'top secret\nprivate key\noutside\nssh private key')\" ]"
check "empty denyRead: /etc/passwd readable" "sed -n 5p $T/out | grep -q '^root:'"

# A denied file: EACCES, content never printed; its sibling stays readable.
S=$(settings file '"denyRead":["./secret.txt"],"allowWrite":[],"denyWrite":[]')
run "$P" "$S" 'cat secret.txt; echo "rc=$?"; cat README.md'
check "denyRead file: Permission denied" "err_has 'secret.txt: Permission denied'"
check "denyRead file: content not shown" "! grep -q 'top secret' $T/out"
check "denyRead file: sibling readable" "grep -q '^readme$' $T/out && grep -q '^rc=1$' $T/out"
run "$P" "$S" 'cat link-to-secret'
check "denyRead file: symlink to it reads nothing" "[ $rc -ne 0 ] && ! grep -q 'top secret' $T/out"

# ~/.ssh denied with ~ expansion: lists empty, key unreadable, not writable
# (W22: a read-only view, not a writable tmpfs), other home files readable.
S=$(settings ssh '"denyRead":["~/.ssh"],"allowWrite":["~"],"denyWrite":[]')
run "$P" "$S" 'echo "[$(ls -A ~/.ssh)]"; cat ~/.ssh/id_rsa; cat ~/notes.txt'
check "denyRead ~/.ssh: directory lists empty" "[ \"\$(head -n1 $T/out)\" = '[]' ]"
check "denyRead ~/.ssh: key unreadable" "! grep -q 'ssh private key' $T/out && err_has 'id_rsa'"
check "denyRead ~/.ssh: other home files readable" "grep -q '^home notes$' $T/out"
run "$P" "$S" 'touch ~/.ssh/planted; mkdir ~/.ssh/dir; echo "[$(ls -A ~/.ssh)]"'
check "denyRead ~/.ssh inside a write root: new file refused (EROFS)" \
    "err_has 'planted.*Read-only file system' && absent $HOME/.ssh/planted"
check "denyRead ~/.ssh inside a write root: mkdir refused (EROFS)" \
    "err_has 'dir.*Read-only file system' && absent $HOME/.ssh/dir"
check "denyRead ~/.ssh inside a write root: still empty after the attempts" "out_is '[]'"
check "denyRead ~/.ssh: host key untouched" "[ \"\$(cat $HOME/.ssh/id_rsa)\" = 'ssh private key' ]"

# Read denial wins inside a write root: neither read, copied nor written.
S=$(settings rw '"denyRead":["./secret.txt","./private"],"allowWrite":["."],"denyWrite":[]')
before=$(sum "$P/secret.txt")
run "$P" "$S" 'cat secret.txt; cp secret.txt copy.txt; echo x >> secret.txt; touch private/new; echo "[$(ls -A private)]"'
check "denyRead in a write root: not readable" "! grep -q 'top secret' $T/out && err_has 'secret.txt: Permission denied'"
check "denyRead in a write root: not copied" "absent $P/copy.txt || ! grep -q 'top secret' $P/copy.txt"
check "denyRead in a write root: file unchanged" "[ \"$before\" = \"\$(sum $P/secret.txt)\" ]"
check "denyRead directory in a write root: empty and read-only (W22)" \
    "out_is '[]' && err_has 'private/new.*Read-only file system' && absent $P/private/new"

# allowRead re-opens a file inside a denied directory; the rest stays hidden.
S=$(settings reopen '"denyRead":["./private"],"allowRead":["./private/pub.txt"],"allowWrite":[],"denyWrite":[]')
run "$P" "$S" 'cat private/pub.txt; cat private/key; ls -A private'
check "allowRead: re-opened file readable" "[ \"\$(head -n1 $T/out)\" = public ]"
check "allowRead: the rest of the denied directory hidden" "! grep -q 'private key' $T/out && ! grep -qx key $T/out"

# allowRead equal to the denyRead path re-opens it.
S=$(settings same '"denyRead":["./private"],"allowRead":["./private"],"allowWrite":[],"denyWrite":[]')
run "$P" "$S" 'cat private/key'
check "allowRead equal to denyRead: re-opened" "out_is 'private key'"

e2e_finish
