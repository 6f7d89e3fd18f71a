// Adapter figures: the youth-care FHIR adapter delivering queued requests to
// a FHIR server on loopback (the fake one, in process): translation to a
// transaction Bundle, the HTTP exchange, the queue's durable update and (arg
// 1) the history line, one message after another as the deliverer does.

#include <benchmark/benchmark.h>

#include <filesystem>

#include <google/protobuf/util/json_util.h>

#include "absl/strings/str_cat.h"
#include "adapters/runtime/deliverer.h"
#include "adapters/runtime/delivery_queue.h"
#include "adapters/runtime/history.h"
#include "adapters/youthcare_fhir/outbound.h"
#include "adapters/youthcare_fhir/testing/examples.h"
#include "adapters/youthcare_fhir/testing/fake_fhir_server.h"
#include "adapters/youthcare_fhir/testing/fake_referrals.h"
#include "services/common/events/referrals_topics.h"

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

}  // namespace
}  // namespace olif::youthcare_fhir

BENCHMARK_MAIN();
