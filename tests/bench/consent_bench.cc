// Consent figures: the decision rule alone, a consumer's projection answering
// Permits() from SQLite, and the consent service's CheckConsent and
// RecordConsent, each finished only once its audit line (and, for a record,
// the consent and its event) is durable (WAL, synchronous=FULL).

#include <benchmark/benchmark.h>
#include <spdlog/sinks/null_sink.h>

#include <filesystem>

#include <google/protobuf/util/time_util.h>

#include "absl/synchronization/blocking_counter.h"
#include "olifantenpad/consent/v1/events.pb.h"
#include "services/common/clock/clock.h"
#include "services/common/consent/projection.h"
#include "services/common/ids/ids.h"
#include "services/consent/consent_service.h"
#include "services/consent/example_consents.h"
#include "services/consent/sqlite_consent_store.h"

namespace olif::consent {
namespace {

namespace ex = examples;
constexpr int kChildren = 10000;

std::filesystem::path FreshDir(const char* name) {
  auto dir = std::filesystem::temp_directory_path() / ("olif-bench-consent-" + std::string(name));
  std::filesystem::remove_all(dir);
  std::filesystem::create_directories(dir);
  return dir;
}

// `in_flight` calls started by `start(done)` at once, waiting for all.
template <typename T, typename Start>
void InFlight(benchmark::State& state, int in_flight, Start start) {
  absl::BlockingCounter pending(in_flight);
  for (int i = 0; i < in_flight; ++i) {
    start([&](absl::StatusOr<T> r) {
      if (!r.ok()) state.SkipWithError(std::string(r.status().message()).c_str());
      pending.DecrementCount();
    });
  }
  pending.Wait();
}

void BM_Decide(benchmark::State& state) {
  std::vector<ConsentTerms> terms;
  for (int i = 0; i < state.range(0); ++i) {
    terms.push_back({.consent_id = absl::StrCat("c-", i),
                     .purposes = {v1::PURPOSE_GROUP_DISCUSSION},
                     .recipients = {"org-jz-wijkteam-oost"},
                     .valid_from = absl::UnixEpoch(),
                     .valid_until = absl::InfiniteFuture()});
  }
  terms.back().purposes.push_back(v1::PURPOSE_DIRECT_LINE);
  terms.back().recipients.push_back(ex::kKompas);
  const absl::Time now = absl::Now();
  for (auto _ : state) {
    benchmark::DoNotOptimize(Decide(terms, v1::PURPOSE_DIRECT_LINE, ex::kKompas, now));
  }
  state.SetItemsProcessed(state.iterations());
}
BENCHMARK(BM_Decide)->Arg(1)->Arg(10);

// A consumer's projection holding 2 consents for each of 10 000 children.
void BM_ProjectionPermits(benchmark::State& state) {
  const std::string path = (FreshDir("projection") / "consumer.db").string();
  std::vector<std::string> children;
  {
    sqlite::Writer writer(std::move(*sqlite::Database::Open(path, {})));
    (void)writer.Run(ConsentProjection::CreateTables);
    auto projection = *ConsentProjection::Open(path);
    (void)writer.Run([&](sqlite::Database& db) -> absl::Status {
      for (int i = 0; i < kChildren; ++i) {
        children.push_back(NewUuid());
        for (int k = 0; k < 2; ++k) {
          v1::ConsentGranted g;
          g.set_consent_id(NewUuid());
          g.mutable_child()->set_child_ref(children.back());
          g.add_purposes(k == 0 ? v1::PURPOSE_DIRECT_LINE : v1::PURPOSE_SCHOOL_HANDOVER);
          g.add_recipient_organisation_ids(ex::kKompas);
          *g.mutable_valid_from() = ex::At(2026, 1, 1);
          *g.mutable_valid_until() = ex::At(2030, 1, 1);
          olifantenpad::common::v1::EventEnvelope e;
          e.set_topic(kTopicGranted);
          e.mutable_payload()->PackFrom(g);
          if (absl::Status s = projection->Apply(db, e); !s.ok()) return s;
        }
      }
      return absl::OkStatus();
    });
  }
  auto projection = *ConsentProjection::Open(path);
  const absl::Time at = absl::FromCivil(absl::CivilDay(2027, 3, 1), absl::UTCTimeZone());
  size_t i = 0;
  for (auto _ : state) {
    auto d = projection->Permits(children[i++ % children.size()], v1::PURPOSE_DIRECT_LINE,
                                 ex::kKompas, at);
    if (!d.ok() || !d->permitted()) state.SkipWithError("expected a permit");
  }
  state.SetItemsProcessed(state.iterations());
}
BENCHMARK(BM_ProjectionPermits);

struct ServiceFixture {
  explicit ServiceFixture(const char* name)
      : store(*SqliteConsentStore::Open((FreshDir(name) / "consent.db").string())),
        directory(*directory::Directory::Load(std::string(OLIF_SOURCE_DIR) +
                                              "/config/dev/directory.yaml")),
        service(*store, Clock::Real(), directory, {}) {}
  std::unique_ptr<SqliteConsentStore> store;
  directory::DirectoryHolder directory;
  ConsentService service;
};

// range(0) calls in flight; each records a consent for a new child.
void BM_RecordConsentDurable(benchmark::State& state) {
  ServiceFixture f("record");
  v1::RecordConsentRequest call;
  *call.mutable_consent() = ex::ToddlerDirectLine();
  for (auto _ : state) {
    InFlight<v1::Consent>(state, static_cast<int>(state.range(0)), [&](auto done) {
      call.set_request_id(NewUuid());
      call.mutable_consent()->mutable_child()->set_child_ref(NewUuid());
      f.service.Record(call, "bench", done);
    });
  }
  state.SetItemsProcessed(state.iterations() * state.range(0));
}
BENCHMARK(BM_RecordConsentDurable)->Arg(1)->Arg(16)->UseRealTime();

// range(0) checks in flight against 1 000 recorded consents; each waits for
// its durable audit line.
void BM_CheckConsentAudited(benchmark::State& state) {
  ServiceFixture f("check");
  std::vector<std::string> children;
  v1::RecordConsentRequest record;
  *record.mutable_consent() = ex::ToddlerDirectLine();
  for (int i = 0; i < 1000; ++i) {
    children.push_back(NewUuid());
    record.set_request_id(NewUuid());
    record.mutable_consent()->mutable_child()->set_child_ref(children.back());
    InFlight<v1::Consent>(state, 1, [&](auto done) { f.service.Record(record, "bench", done); });
  }
  v1::CheckConsentRequest check;
  check.set_purpose(v1::PURPOSE_DIRECT_LINE);
  check.set_recipient_organisation_id(ex::kKompas);
  size_t i = 0;
  for (auto _ : state) {
    InFlight<v1::Decision>(state, static_cast<int>(state.range(0)), [&](auto done) {
      check.mutable_child()->set_child_ref(children[i++ % children.size()]);
      f.service.Check(check, "bench", done);
    });
  }
  state.SetItemsProcessed(state.iterations() * state.range(0));
}
BENCHMARK(BM_CheckConsentAudited)->Arg(1)->Arg(16)->UseRealTime();

}  // namespace
}  // namespace olif::consent

BENCHMARK_MAIN();
