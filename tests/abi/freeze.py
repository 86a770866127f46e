#!/usr/bin/env python3
"""freeze.py - write the frozen layout header of the current SDK ABI minor.

Run once per released minor, then commit the output and never edit it:

    tests/abi/freeze.py 1_0 > tests/abi/abi_1_0.h

Member names come from clang's record layout dump of every struct in
sdk/include/srt; offsets and sizes come from the C compiler itself (a small
probe program is compiled and run), so the header records what a plugin built
against these headers actually sees. Enum constants and SRT_* bit macros are
frozen too (values never renumbered or reused)."""
import glob
import os
import re
import subprocess
import sys
import tempfile

ROOT = os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__))))
INC = os.path.join(ROOT, "sdk", "include")
HEADERS = sorted(os.path.basename(h) for h in glob.glob(os.path.join(INC, "srt", "*.h")))


def structs_and_members(tu):
    """[(struct, [member paths])] from clang's -fdump-record-layouts."""
    out = subprocess.run(["clang-14", "-I", INC, "-Xclang", "-fdump-record-layouts",
                          "-c", "-o", os.devnull, tu], check=True, capture_output=True,
                         text=True).stdout
    result, cur, stack = [], None, []
    for line in out.splitlines():
        m = re.match(r"\s*\d+ \| (\s*)(.*)$", line)
        if not m:
            if line.startswith("*** Dumping"):
                cur = None
            continue
        depth, text = len(m.group(1)) // 2, m.group(2)
        if depth == 0:
            s = re.match(r"struct (srt_\w+)$", text)
            cur = (s.group(1), []) if s else None
            if cur:
                result.append(cur)
                stack = []
            continue
        if cur is None:
            continue
        name = text.split()[-1]
        stack = stack[:depth - 1] + [name]
        cur[1].append(".".join(stack))
    return result


def constants():
    """Enumerators and SRT_* bit/number macros, in header order."""
    names = []
    for h in HEADERS:
        text = open(os.path.join(INC, "srt", h)).read()
        names += re.findall(r"^\s+(SRT_[A-Z0-9_]+)\s*=", text, re.M)
        names += re.findall(r"^#define (SRT_[A-Z0-9_]+)\s+\(?\d+u?(?: << \d+)?\)?\s*(?:/\*.*)?$",
                            text, re.M)
    skip = {"SRT_ABI_MINOR"}   # grows with every minor
    return [n for n in dict.fromkeys(names) if n not in skip]


def main():
    tag = sys.argv[1] if len(sys.argv) > 1 else "1_0"
    with tempfile.TemporaryDirectory() as tmp:
        tu = os.path.join(tmp, "all.c")
        with open(tu, "w") as f:
            for h in HEADERS:
                f.write(f"#include <srt/{h}>\n")
        # clang only dumps the layout of structs that are used: declare one of each.
        with open(tu, "a") as f:
            for h in HEADERS:
                text = open(os.path.join(INC, "srt", h)).read()
                for s in re.findall(r"^struct (srt_\w+) \{", text, re.M):
                    f.write(f"struct {s} frozen_{s};\n")
        layout = structs_and_members(tu)
        probe = os.path.join(tmp, "probe.c")
        with open(probe, "w") as f:
            f.write("#include <stddef.h>\n#include <stdio.h>\n")
            for h in HEADERS:
                f.write(f"#include <srt/{h}>\n")
            f.write("int main(void)\n{\n")
            for s, members in layout:
                f.write(f'    printf("FROZEN_STRUCT({s}, %zu)\\n", sizeof(struct {s}));\n')
                for m in members:
                    f.write(f'    printf("FROZEN_MEMBER({s}, {m}, %zu, %zu)\\n", '
                            f"offsetof(struct {s}, {m}), sizeof(((struct {s} *)0)->{m}));\n")
            for c in constants():
                f.write(f'    printf("FROZEN_CONST({c}, %lld)\\n", (long long)({c}));\n')
            f.write("    return 0;\n}\n")
        exe = os.path.join(tmp, "probe")
        subprocess.run(["cc", "-std=c11", "-I", INC, probe, "-o", exe], check=True)
        body = subprocess.run([exe], check=True, capture_output=True, text=True).stdout
    minor = tag.replace("_", ".")
    print(f"""/* abi_{tag}.h - the frozen layout of SDK ABI {minor}. GENERATED ONCE by
 * tests/abi/freeze.py when {minor} was released; never edit, never regenerate.
 *
 * FROZEN_STRUCT(struct, size): the struct's size in {minor}.
 * FROZEN_MEMBER(struct, member, offset, size): where each member lived.
 * FROZEN_CONST(name, value): enumerators and SRT_* numeric macros. */""")
    sys.stdout.write(body)


if __name__ == "__main__":
    main()
