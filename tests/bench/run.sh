#!/usr/bin/env bash
# make bench: prints the machine, then runs the benchmarks. Figures go in the
# README with the command and the machine they came from.
#
# The bus table compares with RabbitMQ, which this script installs when it is
# missing (Debian's rabbitmq-server), starts on a free loopback port with its
# data in a temporary directory, and stops again.
set -euo pipefail
build="${1:-build}"
here="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
EVENTS="${BENCH_EVENTS:-20000}"
CATCHUP="${BENCH_CATCHUP:-1000000}"

echo "machine: $(nproc) cores, $(awk '/MemTotal/ {printf "%.0f GiB", $2/1048576}' /proc/meminfo)," \
     "$(grep -m1 'model name' /proc/cpuinfo | cut -d: -f2 | sed 's/^ *//')"
echo "disk under ${TMPDIR:-/tmp}: $(df -h "${TMPDIR:-/tmp}" | awk 'NR==2 {print $1}')"
echo
echo "== referrals (in process; growth: a create with N requests already stored) =="
"$build/bin/referrals_bench" --benchmark_min_time=2
echo
"$here/processes.sh" "$build"
echo
echo "== the hub: olifantenpad up, start to every process healthy =="
node "$here/hub_start.mjs" "$build"
echo
echo "== the console: the overview page's data =="
node "$here/console_overview.mjs" "$build"
echo
echo "== scheduling (PlanVisit durable; an expert's calendar feed) =="
"$build/bin/scheduling_bench"
echo
echo "== handover (a bulk import over gRPC; the PDF of a form) =="
"$build/bin/handover_bench"
echo
echo "== childcare adapter (a 50,000-row export taken: streamed, mapped, stored; peak memory) =="
"$build/bin/childcare_bench"
echo
echo "== consent =="
"$build/bin/consent_bench" --benchmark_min_time=2
echo
echo "== adapters: the message history searched (1,000,000 lines); deliveries to a FHIR server on loopback =="
"$build/bin/adapter_bench" --benchmark_min_time=2
echo
echo "== bus (events of 300 bytes; both ends WAL + synchronous=FULL; 256 unconfirmed) =="
bus_out="$("$build/bin/bus_bench" --events "$EVENTS" --catchup "$CATCHUP")"
grep -v '^bus_events_per_s=' <<<"$bus_out"
bus_rate="$(sed -n 's/^bus_events_per_s=//p' <<<"$bus_out")"

# --- RabbitMQ, the peer a user would pick instead ---
if ! command -v rabbitmq-server >/dev/null 2>&1; then
  echo "bench: installing rabbitmq-server"
  SUDO=""; [ "$(id -u)" -ne 0 ] && SUDO="sudo"
  $SUDO apt-get update -qq
  $SUDO env DEBIAN_FRONTEND=noninteractive apt-get install -y -qq --no-install-recommends rabbitmq-server >/dev/null
fi
source "$here/lib.sh"
rmq_dir="$(mktemp -d /tmp/olif-rabbitmq.XXXXXX)"
chmod 777 "$rmq_dir"
export RABBITMQ_NODE_IP_ADDRESS=127.0.0.1
export RABBITMQ_NODE_PORT="$(free_port)"
export RABBITMQ_DIST_PORT="$(free_port)"
export ERL_EPMD_ADDRESS=127.0.0.1
export RABBITMQ_NODENAME="olifbench@localhost"
export RABBITMQ_MNESIA_BASE="$rmq_dir/mnesia"
export RABBITMQ_LOG_BASE="$rmq_dir/log"
export RABBITMQ_ENABLED_PLUGINS_FILE="$rmq_dir/enabled_plugins"
export RABBITMQ_CONFIG_FILE="$rmq_dir/rabbitmq"
export HOME="$rmq_dir"
echo "[]." > "$RABBITMQ_ENABLED_PLUGINS_FILE"
: > "$RABBITMQ_CONFIG_FILE.conf"
stop_rabbitmq() {
  rabbitmqctl -n "$RABBITMQ_NODENAME" stop >/dev/null 2>&1 || true
  epmd -kill >/dev/null 2>&1 || true  # the port mapper Erlang started for the node
  rm -rf "$rmq_dir"
}
trap stop_rabbitmq EXIT
rabbitmq-server > "$rmq_dir/server.out" 2>&1 &
# await_startup fails at once while the node is not yet reachable: ask again.
started=""
for _ in $(seq 1 60); do
  if rabbitmqctl -n "$RABBITMQ_NODENAME" await_startup > "$rmq_dir/await.out" 2>&1; then
    started=yes
    break
  fi
  sleep 2
done
if [ -z "$started" ]; then
  echo "bench: RabbitMQ did not start within 120 s; its output:" >&2
  tail -n 20 "$rmq_dir/server.out" "$rmq_dir/await.out" >&2
  exit 1
fi
"$build/bin/rabbitmq_bench" --port "$RABBITMQ_NODE_PORT" --events "$EVENTS" --bus-rate "$bus_rate"
