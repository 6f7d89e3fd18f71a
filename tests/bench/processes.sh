#!/usr/bin/env bash
# make bench, part 2: the real processes. Starts referrals, the youth-care FHIR
# adapter and the fake FHIR server on free loopback ports with their data in a
# temporary directory (config/dev/ with its variables set), then measures:
#   - start-to-healthy (until grpc.health.v1 answers SERVING) and idle
#     resident memory of each process;
#   - CreateRequest through gRPC at 1, 8 and 64 in flight, each beside the
#     health check on the same server (the floor) and the ratio;
#   - end to end: CreateRequest -> ServiceRequest stored on the FHIR server,
#     offered at 50, 500 and 2,000/s for 10 s each: the rate delivered while
#     offered, p50/p99 from create to stored, and the backlog when offering
#     stopped.
# usage: processes.sh BUILD_DIR   (run from the repository root)
set -euo pipefail
build="$1"
bin="$build/bin"
SECONDS_PER_FIGURE="${BENCH_GRPC_SECONDS:-5}"
E2E_SECONDS="${BENCH_E2E_SECONDS:-10}"
work="$(mktemp -d /tmp/olif-bench-hub.XXXXXX)"
pids=()
stop_all() {
  for p in "${pids[@]}"; do kill "$p" 2>/dev/null || true; done
  for p in "${pids[@]}"; do wait "$p" 2>/dev/null || true; done
  rm -rf "$work"
}
trap stop_all EXIT

source "$(dirname "${BASH_SOURCE[0]}")/lib.sh"
export OLIF_DATA_DIR="$work/var"
for v in OLIF_REFERRALS_GRPC OLIF_REFERRALS_METRICS OLIF_REFERRALS_BUS OLIF_CONSENT_BUS \
         OLIF_YOUTHCARE_FHIR_GRPC OLIF_YOUTHCARE_FHIR_METRICS OLIF_YOUTHCARE_WEBHOOK \
         OLIF_FAKE_FHIR_GRPC OLIF_FAKE_FHIR_METRICS OLIF_FAKE_FHIR_LISTEN \
         OLIF_SCHEDULING_GRPC OLIF_SCHEDULING_METRICS OLIF_SCHEDULING_BUS OLIF_SCHEDULING_FEEDS \
         OLIF_HANDOVER_GRPC OLIF_HANDOVER_METRICS OLIF_HANDOVER_BUS; do
  export "$v=127.0.0.1:$(free_port)"
done
export OLIF_REFERRALS_BUS="tcp://$OLIF_REFERRALS_BUS" OLIF_CONSENT_BUS="tcp://$OLIF_CONSENT_BUS"
export OLIF_SCHEDULING_BUS="tcp://$OLIF_SCHEDULING_BUS" OLIF_SCHEDULING_BUS_ENDPOINT="tcp://$OLIF_SCHEDULING_BUS"
export OLIF_HANDOVER_BUS="tcp://$OLIF_HANDOVER_BUS" OLIF_HANDOVER_BUS_ENDPOINT="tcp://$OLIF_HANDOVER_BUS"
export OLIF_REFERRALS_BUS_ENDPOINT="$OLIF_REFERRALS_BUS" OLIF_CONSENT_BUS_ENDPOINT="$OLIF_CONSENT_BUS"
export OLIF_FHIR_BASE_URL="http://$OLIF_FAKE_FHIR_LISTEN" OLIF_FHIR_POLL_INTERVAL=1s

# start NAME GRPC_ADDRESS: starts config/dev/NAME.yaml's process, waits until
# healthy, prints start-to-healthy and idle memory.
start() {
  local name="$1" address="$2" waiter
  "$bin/grpc_load" --target "$address" --wait-healthy 60 > "$work/$name.healthy" &
  waiter=$!
  "$bin/$name" --config "config/dev/$name.yaml" > "$work/$name.log" 2>&1 &
  pids+=($!)
  if ! wait "$waiter"; then
    echo "bench: $name did not become healthy; its log:" >&2
    tail -n 20 "$work/$name.log" >&2
    exit 1
  fi
  local pid healthy rss
  pid="${pids[-1]}"
  healthy="$(sed -n 's/^healthy_ms=//p' "$work/$name.healthy")"
  sleep 2  # idle: started, connected, nothing to do
  rss="$(awk '/^VmRSS/ {printf "%.1f", $2/1024}' "/proc/$pid/status")"
  printf "%-58s %8s ms %8s MiB\n" "start-to-healthy, idle memory: $name" "$healthy" "$rss"
}

# What earlier benchmarks wrote is on disk first, not flushed under these figures.
sync
echo "== processes (config/dev/, plaintext loopback, text logs at info) =="
# The gRPC figures come from a referrals process of its own, so that no
# adapter delivers (and no backlog waits) while they are measured.
start referrals "$OLIF_REFERRALS_GRPC"
field() { sed -n "s/.*[ ^]$1=\([^ ]*\).*/\1/p" <<<" $2"; }
echo
echo "== CreateRequest through gRPC on the real referrals process, beside its health check =="
printf "%-12s %12s %10s %12s %10s %8s\n" "in flight" "creates/s" "p99 ms" "health/s" "p99 ms" "ratio"
for n in 1 8 64; do
  health="$("$bin/grpc_load" --target "$OLIF_REFERRALS_GRPC" --rpc health --in-flight "$n" \
            --seconds "$SECONDS_PER_FIGURE")"
  create="$("$bin/grpc_load" --target "$OLIF_REFERRALS_GRPC" --rpc create --in-flight "$n" \
            --seconds "$SECONDS_PER_FIGURE")"
  hr="$(field per_s "$health")"; cr="$(field per_s "$create")"
  printf "%-12s %12s %10s %12s %10s %8.2f\n" "$n" "$cr" "$(field p99_ms "$create")" "$hr" \
    "$(field p99_ms "$health")" "$(awk -v c="$cr" -v h="$hr" 'BEGIN {print c / h}')"
done
kill "${pids[-1]}"; wait "${pids[-1]}" 2>/dev/null || true
pids=()
rm -rf "$OLIF_DATA_DIR"

echo
start fake_fhir "$OLIF_FAKE_FHIR_GRPC"
start referrals "$OLIF_REFERRALS_GRPC"
start youthcare_fhir "$OLIF_YOUTHCARE_FHIR_GRPC"
start scheduling "$OLIF_SCHEDULING_GRPC"
start handover "$OLIF_HANDOVER_GRPC"

echo
echo "== end to end: CreateRequest -> ServiceRequest stored on the FHIR server =="
# The fake FHIR server's control API, read with python3 (installed by
# deploy/install-deps.sh; the curl command line is not).
fake_get() {
  python3 - "$OLIF_FHIR_BASE_URL$1" <<'PY'
import sys, urllib.request
loopback = urllib.request.build_opener(urllib.request.ProxyHandler({}))  # never a proxy
sys.stdout.write(loopback.open(sys.argv[1]).read().decode())
PY
}
arrivals() { fake_get "/_fake/arrivals?type=ServiceRequest"; }
stored() { fake_get "/_fake/stats" | python3 -c \
  'import json,sys; print(json.load(sys.stdin)["resources"].get("ServiceRequest", 0))'; }
drain() {
  local before now
  before="$(stored)"
  for _ in $(seq 1 600); do
    sleep 1
    now="$(stored)"
    [ "$now" = "$before" ] && return
    before="$now"
  done
}
printf "%-12s %14s %10s %10s %12s\n" "offered/s" "delivered/s" "p50 ms" "p99 ms" "backlog"
for rate in 50 500 2000; do
  ids="$work/ids-$rate.tsv"
  start_us="$(date +%s%6N)"
  "$bin/grpc_load" --target "$OLIF_REFERRALS_GRPC" --rpc create --rate "$rate" \
    --seconds "$E2E_SECONDS" --ids "$ids" > "$work/load-$rate.out"
  end_us="$(date +%s%6N)"
  arrivals > "$work/arrivals-at-end-$rate.json"
  drain
  arrivals > "$work/arrivals-$rate.json"
  python3 - "$ids" "$work/arrivals-at-end-$rate.json" "$work/arrivals-$rate.json" \
    "$start_us" "$end_us" "$rate" <<'EOF'
import json, sys
ids_file, at_end_file, final_file, start_us, end_us, rate = sys.argv[1:]
start_us, end_us = int(start_us), int(end_us)
sent = {}
for line in open(ids_file):
    rid, at = line.split("\t")
    sent[rid] = int(at)
def stored(path):
    out = {}
    for a in json.load(open(path)):
        for i in a["identifiers"]:
            system, _, value = i.partition("|")
            if system == "urn:olifantenpad:request" and value in sent:
                out[value] = a["created_us"]
    return out
at_end, final = stored(at_end_file), stored(final_file)
lat = sorted((final[r] - sent[r]) / 1000 for r in final)
pct = lambda p: lat[min(len(lat) - 1, int(p * len(lat)))] if lat else float("nan")
delivered_while = len(at_end) / ((end_us - start_us) / 1e6)
missing = len(sent) - len(final)
print(f"{rate:<12} {delivered_while:14.0f} {pct(0.5):10.1f} {pct(0.99):10.1f} "
      f"{len(sent) - len(at_end):12d}" + (f"   ({missing} never arrived)" if missing else ""))
EOF
done
