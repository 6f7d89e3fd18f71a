// Adapter figures: the youth-care FHIR adapter delivering queued requests to
// a FHIR server on loopback (the fake one, in process): translation to a
// transaction Bundle, the HTTP exchange, the queue's durable update and (arg
// 1) the history line, one message after another as the deliverer does.
// First, the message history searched as `olifantctl history search` does,
// over 1,000,000 lines, beside its floor: the newest 100 lines unfiltered.

#include <benchmark/benchmark.h>

#include <filesystem>

#include <google/protobuf/util/json_util.h>

#include <algorithm>
#include <cstdio>

#include "absl/strings/str_cat.h"
#include "adapters/runtime/deliverer.h"
#include "adapters/runtime/delivery_queue.h"
#include "adapters/runtime/history.h"
#include "adapters/youthcare_fhir/outbound.h"
#include "adapters/youthcare_fhir/testing/examples.h"
#include "adapters/youthcare_fhir/testing/fake_fhir_server.h"
#include "adapters/youthcare_fhir/testing/fake_referrals.h"
#include "services/common/events/referrals_topics.h"
#include "tests/bench/bench_util.h"

namespace olif::youthcare_fhir {
namespace {

namespace ex = examples;

void BM_DeliverToFhir(benchmark::State& state) {
  const auto dir = std::filesystem::temp_directory_path() / "olif-bench-adapter";
  std::filesystem::remove_all(dir);
  std::filesystem::create_directories(dir);
  const std::string path = (dir / "adapter.db").string();
  sqlite::Writer writer(std::move(*sqlite::Database::Open(path, {})));
  for (auto create : {adapters::DeliveryQueue::CreateTables, adapters::MessageHistory::CreateTables,
                      consent::ConsentProjection::CreateTables}) {
    if (!writer.Run(create).ok()) state.SkipWithError("cannot create tables");
  }
  auto queue = *adapters::DeliveryQueue::Open(path, writer, {});
  auto history = *adapters::MessageHistory::Open(path, writer);
  auto projection = *consent::ConsentProjection::Open(path);
  fakes::FakeFhirServer fhir;
  if (!fhir.Start("127.0.0.1", 0).ok()) state.SkipWithError("cannot start the FHIR server");
  testing::FakeReferrals referrals;
  metrics::Registry registry;
  FhirOutgoing outgoing(ex::kProvider, *projection, referrals, Clock::Real());
  adapters::HttpClientOptions http;
  http.url = fhir.base_url();
  adapters::TranslatingHttpConnector connector(outgoing, http);
  adapters::Deliverer deliverer(*queue, kDestination, connector, Clock::Real(), registry,
                                {.batch = 1, .history = state.range(0) ? history.get() : nullptr});
  int64_t n = 0;
  for (auto _ : state) {
    state.PauseTiming();
    const std::string id = absl::StrCat("0d6c1a2e-8b8f-4f57-9a51-", 100000000000 + n);
    // Queued as the adapter's router queues it: the event as JSON.
    google::protobuf::util::JsonPrintOptions as_queued;
    as_queued.preserve_proto_field_names = true;
    std::string json;
    (void)google::protobuf::util::MessageToJsonString(
        ex::Submitted(olifantenpad::referrals::v1::REQUEST_KIND_ANONYMOUS, id), &json, as_queued);
    if (!writer
             .Run([&](sqlite::Database& db) {
               return adapters::DeliveryQueue::Enqueue(db, kDestination, id, absl::StrCat("ev-", n),
                                                       referrals::kTopicRequestSubmitted, json,
                                                       absl::Now());
             })
             .ok()) {
      state.SkipWithError("cannot enqueue");
    }
    ++n;
    state.ResumeTiming();
    absl::StatusOr<int> sent = deliverer.RunOnce();
    if (!sent.ok() || *sent != 1) state.SkipWithError("delivery failed");
  }
  state.SetItemsProcessed(state.iterations());
  fhir.Stop();
}
BENCHMARK(BM_DeliverToFhir)->Arg(0)->Arg(1)->UseRealTime();

// The median time of `search` over `runs` runs, in milliseconds.
template <typename Fn>
double MedianMs(int runs, Fn search) {
  std::vector<double> ms;
  for (int i = 0; i < runs; ++i) {
    const auto t0 = bench::SteadyClock::now();
    search();
    ms.push_back(bench::Seconds(bench::SteadyClock::now() - t0) * 1000);
  }
  std::sort(ms.begin(), ms.end());
  return ms[ms.size() / 2];
}

void HistorySearchFigures() {
  constexpr int kLines = 1'000'000;
  const auto dir = bench::Fresh(std::filesystem::temp_directory_path(), "olif-bench-history");
  const std::string path = (dir / "adapter.db").string();
  sqlite::Writer writer(std::move(*sqlite::Database::Open(path, {})));
  if (!writer.Run(adapters::MessageHistory::CreateTables).ok()) return;
  const int64_t t0 = absl::ToUnixMicros(absl::Now() - absl::Hours(24 * 30));
  // A month of lines: a twentieth inbound, three destinations, 20,000 keys,
  // one in ten failed, one in a thousand dead-lettered.
  const auto fill_start = bench::SteadyClock::now();
  if (!writer
           .Run([&](sqlite::Database& db) {
             return db.Exec(absl::StrCat(
                 "WITH RECURSIVE n(i) AS (SELECT 1 UNION ALL SELECT i + 1 FROM n WHERE i < ",
                 kLines,
                 ") INSERT INTO message_history (at_us, direction, destination, key, event_id,"
                 " topic, outcome, detail, sent, response, took_us) SELECT ",
                 t0,
                 " + i * 2500000, CASE WHEN i % 20 = 0 THEN 'in' ELSE 'out' END,"
                 " CASE i % 3 WHEN 0 THEN 'fhir' WHEN 1 THEN 'chain:boomgaard'"
                 " ELSE 'school:34CD-00' END, 'key-' || (i % 20000), 'ev-' || i, 'topic',"
                 " CASE WHEN i % 1000 = 0 THEN 'dead_lettered' WHEN i % 10 = 0 THEN 'failed'"
                 " ELSE 'delivered' END, 'HTTP 200', X'7B7D', X'7B7D', 1000 FROM n"));
           })
           .ok()) {
    std::printf("history: cannot fill\n");
    return;
  }
  const double fill_s = bench::Seconds(bench::SteadyClock::now() - fill_start);
  auto history = *adapters::MessageHistory::Open(path, writer);
  const absl::Time t_mid = absl::FromUnixMicros(t0) + absl::Hours(24 * 15);
  const std::vector<std::pair<std::string, adapters::HistoryQuery>> searches = {
      {"outcome=dead_lettered", {.outcome = "dead_lettered"}},
      {"key=key-4242", {.key = "key-4242"}},
      {"event=ev-777777", {.event_id = "ev-777777"}},
      {"destination=fhir, direction=in", {.destination = "fhir", .direction = "in"}},
      {"outcome=failed, a day's window",
       {.outcome = "failed", .from = t_mid, .to = t_mid + absl::Hours(24)}}};
  size_t found = 0;
  const double floor_ms = MedianMs(31, [&] { found = history->Search({})->size(); });
  std::printf("history: %d lines filled in %.1f s; floor (newest 100, no filter): %.2f ms\n",
              kLines, fill_s, floor_ms);
  for (const auto& [name, query] : searches) {
    const double ms = MedianMs(31, [&, q = query] { found = history->Search(q)->size(); });
    std::printf("history search %-34s %3zu lines  %7.2f ms  (%.1fx floor)\n", name.c_str(), found,
                ms, ms / floor_ms);
  }
  // The same search in the form the history used before it had an index per
  // filter ("?1 = '' OR destination = ?1" for every filter): a scan.
  auto reader = sqlite::Database::Open(path, {});
  auto scan = (*reader)->Prepare(
      "SELECT id FROM message_history WHERE (?1 = '' OR destination = ?1) AND (?2 = '' OR key = ?2)"
      " AND (?3 = '' OR outcome = ?3) ORDER BY id DESC LIMIT 100");
  const double scan_ms = MedianMs(5, [&] {
    found = 0;
    (void)(*scan)
        ->Bind(1, "")
        .Bind(2, "")
        .Bind(3, "dead_lettered")
        .ForEachRow([&](const sqlite::Statement&) {
          ++found;
          return absl::OkStatus();
        });
  });
  std::printf("history search %-34s %3zu lines  %7.2f ms  (%.1fx floor; without the indexes)\n",
              "outcome=dead_lettered, as before", found, scan_ms, scan_ms / floor_ms);
  std::filesystem::remove_all(dir);
}

}  // namespace
}  // namespace olif::youthcare_fhir

int main(int argc, char** argv) {
  olif::youthcare_fhir::HistorySearchFigures();
  benchmark::Initialize(&argc, argv);
  if (benchmark::ReportUnrecognizedArguments(argc, argv)) return 1;
  benchmark::RunSpecifiedBenchmarks();
  benchmark::Shutdown();
  return 0;
}
