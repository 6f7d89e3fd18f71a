#!/usr/bin/env python3
"""Clang's thread-safety analysis over every C++ file of the project.

Reads the compile commands of a configured build (compile_commands.json),
and runs `clang++ -fsyntax-only -Wthread-safety -Werror` on each of the
project's own sources that can have a finding: a source that names a lock
or a lock annotation itself, or includes a header of ours that does (the
analysis only looks at code that takes a lock, touches a guarded member or
calls an annotated function, and every such class is declared in a header
its users include). Generated protobuf code is left out; headers are checked
through the sources that include them, and the pass fails if an annotated
header has no such source. The compiler's own warning flags are dropped:
this pass is about locks. No code is generated, so it costs a fraction of a
build, and the selection about halves it.

  tests/static/thread_safety.py BUILD_DIR [-j N]
"""

import argparse
import json
import os
import re
import shlex
import subprocess
import sys
from concurrent.futures import ThreadPoolExecutor

CLANG_FLAGS = ["-fsyntax-only", "-Wthread-safety", "-Wthread-safety-beta", "-Werror"]

# What makes a file one the analysis has something to say about.
LOCK_WORDS = re.compile(
    r"\bMutex(Lock)?\b|ABSL_[A-Z_]*(GUARDED|LOCK|REQUIRED|EXCLUDED|CAPABILITY|LOCKABLE|THREAD_SAFETY)")
INCLUDE = re.compile(r'^#include "([^"]+)"', re.M)


def read(path):
    with open(path, errors="replace") as f:
        return f.read()


def names_locks(path, cache):
    """Whether the file at `path` names a lock or a lock annotation."""
    if path not in cache:
        cache[path] = os.path.exists(path) and bool(LOCK_WORDS.search(read(path)))
    return cache[path]


def select(paths, source_dir):
    """The sources to check and the annotated headers none of them includes."""
    cache = {}
    chosen = []
    covered = set()
    for path in paths:
        headers = [os.path.join(source_dir, h) for h in INCLUDE.findall(read(path))]
        locked = [h for h in headers if names_locks(h, cache)]
        if names_locks(path, cache) or locked:
            chosen.append(path)
            covered.update(locked)
    annotated = set()
    for root, _, files in os.walk(source_dir):
        if "/." in root or "/build" in root or "node_modules" in root:
            continue
        for name in files:
            full = os.path.join(root, name)
            if name.endswith(".h") and "ABSL_" in read(full) and names_locks(full, cache):
                annotated.add(full)
    return chosen, sorted(annotated - covered)


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

    chosen, orphans = select(sorted(unique), source_dir)
    if orphans:
        for h in orphans:
            print(f"thread safety: no source includes {os.path.relpath(h, source_dir)} directly,"
                  " so nothing checks it", file=sys.stderr)
        return 1
    total = len(unique)
    unique = {p: unique[p] for p in chosen}

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
    print(f"thread safety: {rel} files clean (clang -Wthread-safety -Werror); the other"
          f" {total - rel} sources name no lock and include no header that does")
    return 0


if __name__ == "__main__":
    sys.exit(main())
