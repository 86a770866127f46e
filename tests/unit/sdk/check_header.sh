#!/bin/sh
# check_header.sh CC INCLUDE_DIR HEADER - SDK header hygiene (STYLE.md 8).
# The header must compile alone under -std=c11 -Wall -Wextra -Wpedantic
# -Werror, include only <stdint.h>, <stddef.h>, <stdbool.h>, <stdarg.h> and
# <srt/...>, and carry its SRT_<NAME>_H and extern "C" guards.
cc=$1 inc=$2 hdr=$3
name=$(basename "$hdr" .h)
status=0

if ! "$cc" -std=c11 -Wall -Wextra -Wpedantic -Werror -fsyntax-only -I "$inc" -x c "$hdr"; then
    echo "$hdr: does not compile alone"
    status=1
fi

bad=$(grep -E '^[[:space:]]*#[[:space:]]*include' "$hdr" |
      grep -vE '#[[:space:]]*include[[:space:]]*<(stdint|stddef|stdbool|stdarg)\.h>' |
      grep -vE '#[[:space:]]*include[[:space:]]*<srt/[a-z0-9_]+\.h>')
if [ -n "$bad" ]; then
    echo "$hdr: includes beyond the allowed set: $bad"
    status=1
fi

guard=$(echo "SRT_${name}_H" | tr 'a-z-' 'A-Z_')
if ! grep -q "^#ifndef $guard\$" "$hdr" || ! grep -q "^#define $guard\$" "$hdr"; then
    echo "$hdr: missing include guard $guard"
    status=1
fi
if ! grep -q '^extern "C" {' "$hdr"; then
    echo "$hdr: missing extern \"C\" guard"
    status=1
fi
exit $status
