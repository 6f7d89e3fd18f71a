#!/usr/bin/env bash
# Runs the services that exist on the dev config, each as its own process,
# until Ctrl-C (or until one of them exits, which stops the others too).
# Interim: the launcher (`olifantenpad up`, with restarts and merged logs)
# replaces this script.
#
# usage: deploy/run-dev.sh <bin dir>
set -uo pipefail
bin="${1:?usage: deploy/run-dev.sh <bin dir>}"
pids=()
stop() {
  trap - INT TERM
  kill -TERM "${pids[@]}" 2>/dev/null
  wait "${pids[@]}" 2>/dev/null
}
# Ctrl-C reaches every process of the terminal's group: the services drain
# by themselves (a second signal would make them stop without draining).
trap 'trap - INT TERM; wait "${pids[@]}" 2>/dev/null; exit 130' INT
trap 'stop; exit 143' TERM
"$bin/consent" --config config/dev/consent.yaml &
pids+=($!)
"$bin/referrals" --config config/dev/referrals.yaml &
pids+=($!)
wait -n
status=$?
echo "a service exited with status $status; stopping the others" >&2
stop
exit "$status"
