#!/usr/bin/env python3
"""Clang's thread-safety analysis over every C++ file of the project.

Reads the compile commands of a configured build (compile_commands.json),
and runs `clang++ -fsyntax-only -Wthread-safety -Werror` on each of the
project's own sources (generated protobuf code is left out; headers are
checked through the sources that include them). The compiler's own warning
flags are dropped: this pass is about locks. No code is generated, so it
costs a fraction of a build.

  tests/static/thread_safety.py BUILD_DIR [-j N]
"""

import argparse
import json
import os
import shlex
import subprocess
import sys
from concurrent.futures import ThreadPoolExecutor

CLANG_FLAGS = ["-fsyntax-only", "-Wthread-safety", "-Wthread-safety-beta", "-Werror"]


def unity_sources(path):
    """The sources a CMake unity batch includes."""
    with open(path) as f:
        return [line.split('"')[1] for line in f if line.startswith("#include \"")]


def command_for(entry, clang):
    args = entry.get("arguments") or shlex.split(entry["command"])
    out = [clang]
    skip = False
    for a in args[1:]:
        if skip:
            skip = False
            continue
        if a == "-o":
            skip = True
            continue
        if a.endswith(".cxx") and os.path.basename(os.path.dirname(a)) == "Unity":
            a = entry["file"]
        if a.startswith("-W") or a in ("-c", "-fno-sanitize-recover=undefined") or a.startswith("-fsanitize"):
            continue
        if a.endswith("ccache") or os.path.basename(a) in ("g++", "c++"):
            continue
        out.append(a)
    return out + CLANG_FLAGS


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("build_dir")
    parser.add_argument("-j", type=int, default=os.cpu_count() or 2)
    parser.add_argument("--clang", default="clang++")
    args = parser.parse_args()
    source_dir = os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__))))
    build_dir = os.path.abspath(args.build_dir)
    with open(os.path.join(build_dir, "compile_commands.json")) as f:
        entries = json.load(f)
    ours = []
    for e in entries:
        path = os.path.abspath(e["file"])
        if os.path.basename(os.path.dirname(path)) == "Unity":
            # A unity batch: check each source it includes on its own.
            ours.extend(dict(e, file=f) for f in unity_sources(path))
        elif path.startswith(source_dir + os.sep) and not path.startswith(build_dir + os.sep):
            ours.append(e)
    # One check per file, even when two targets compile it.
    unique = {}
    for e in ours:
        unique.setdefault(os.path.abspath(e["file"]), e)

    def check(item):
        path, entry = item
        r = subprocess.run(command_for(entry, args.clang), cwd=entry["directory"],
                           capture_output=True, text=True)
        return path, r.returncode, r.stderr

    failed = 0
    with ThreadPoolExecutor(max_workers=args.j) as pool:
        for path, code, err in pool.map(check, sorted(unique.items())):
            if code != 0:
                failed += 1
                sys.stderr.write(err)
    rel = len(unique)
    if failed:
        print(f"thread safety: {failed} of {rel} files have findings", file=sys.stderr)
        return 1
    print(f"thread safety: {rel} files clean (clang -Wthread-safety -Werror)")
    return 0


if __name__ == "__main__":
    sys.exit(main())
