#!/usr/bin/env bash
# settings.sh - which settings a run gets (REFERENCE 2.1-2.3, 2.9): built-in
# defaults without ~/.srt-settings.json, that file applied when present, an
# unknown top-level key warned about but not fatal.
. "$(dirname "$0")/lib.sh"

P=$T/proj
mkproj "$P"
rm -f "$HOME/.srt-settings.json"

# Defaults: everything readable, the working directory not writable.
run "$P" - 'cat secret.txt; touch made-by-default'
check "defaults: runs, files readable" "[ $rc -ne 125 ] && grep -q 'top secret' $T/out"
check "defaults: working directory not writable (EROFS)" \
    "err_has 'Read-only file system' && absent $P/made-by-default"
check "defaults: srt prints nothing of its own" "[ \"\$(grep -vc 'Read-only file system' $T/err)\" -eq 0 ]"

# ~/.srt-settings.json applied when present, ~ expanded inside it.
mkdir -p "$HOME/.ssh" && echo 'ssh key' > "$HOME/.ssh/id_rsa"
printf '{"network":{"allowedDomains":[],"deniedDomains":[]},"filesystem":{"denyRead":["~/.ssh"],"allowWrite":["."],"denyWrite":["./README.md"]}}\n' \
    > "$HOME/.srt-settings.json"
run "$P" - 'echo hi > made-by-home-settings; cat ~/.ssh/id_rsa; echo x >> README.md'
check "~/.srt-settings.json: allowWrite applied" "[ \"\$(cat $P/made-by-home-settings 2>/dev/null)\" = hi ]"
check "~/.srt-settings.json: denyRead ~/.ssh applied" "! grep -q 'ssh key' $T/out"
check "~/.srt-settings.json: denyWrite applied" "[ \"\$(cat $P/README.md)\" = readme ]"

# --settings wins over ~/.srt-settings.json.
S=$(settings none '"denyRead":[],"allowWrite":[],"denyWrite":[]')
run "$P" "$S" 'touch made-despite-settings'
check "--settings wins over ~/.srt-settings.json" "absent $P/made-despite-settings"

# An unknown top-level key: warned about on stderr, the command still runs.
printf '{"network":{"allowedDomains":[],"deniedDomains":[]},"filesystem":{"denyRead":[],"allowWrite":["."],"denyWrite":[]},"e2eUnknownKey":true}\n' \
    > "$T/unknown.json"
run "$P" "$T/unknown.json" 'echo ran > unknown-ran'
check "unknown top-level key: still runs" "[ $rc -eq 0 ] && [ -e $P/unknown-ran ]"
check "unknown top-level key: warned, naming the key" "err_has 'e2eUnknownKey'"
rm -f "$HOME/.srt-settings.json"

e2e_finish
