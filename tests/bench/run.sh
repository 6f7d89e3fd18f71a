#!/usr/bin/env bash
# make bench: prints the machine, then runs the benchmarks. Figures go in the
# README with the command and the machine they came from.
set -euo pipefail
build="${1:-build}"
echo "machine: $(nproc) cores, $(awk '/MemTotal/ {printf "%.0f GiB", $2/1048576}' /proc/meminfo)," \
     "$(grep -m1 'model name' /proc/cpuinfo | cut -d: -f2 | sed 's/^ *//')"
echo "disk under ${TMPDIR:-/tmp}: $(df -h "${TMPDIR:-/tmp}" | awk 'NR==2 {print $1}')"
"$build/bin/referrals_bench" --benchmark_min_time=2 "${@:2}"
