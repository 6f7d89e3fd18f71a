// Referrals throughput: validation alone, the store (one durable SQLite
// transaction per request: row + outbox event, WAL, synchronous=FULL), and
// CreateRequest end to end through gRPC on loopback.

#include <benchmark/benchmark.h>
#include <spdlog/sinks/null_sink.h>

#include <cstdlib>
#include <filesystem>
#include <future>

#include <grpcpp/grpcpp.h>

#include "absl/strings/str_cat.h"
#include "absl/strings/str_format.h"
#include "absl/synchronization/blocking_counter.h"
#include "services/common/clock/clock.h"
#include "services/common/grpc/server_runner.h"
#include "services/common/ids/ids.h"
#include "services/common/logging/logging.h"
#include "services/common/records/records.h"
#include "services/referrals/example_requests.h"
#include "services/referrals/referrals_grpc.h"
#include "services/referrals/request_validation.h"
#include "services/referrals/sqlite_referrals_store.h"

namespace olif::referrals {
namespace {

v1::CreateRequestRequest Sample() {
  v1::CreateRequestRequest call = testing_util::ValidAnonymous();
  call.mutable_request()->set_observations(std::string(400, 'o'));
  return call;
}

std::shared_ptr<const directory::Directory> DevDirectory() {
  return *directory::Directory::Load(std::string(OLIF_SOURCE_DIR) + "/config/dev/directory.yaml");
}

std::string FreshPath(const char* name) {
  auto dir = std::filesystem::temp_directory_path() / ("olif-bench-" + std::string(name));
  std::filesystem::remove_all(dir);
  std::filesystem::create_directories(dir);
  return (dir / "referrals.db").string();
}

void BM_ValidateCreate(benchmark::State& state) {
  const v1::CreateRequestRequest call = Sample();
  for (auto _ : state) benchmark::DoNotOptimize(ValidateCreate(call));
  state.SetItemsProcessed(state.iterations());
}
BENCHMARK(BM_ValidateCreate);

// range(0) requests in flight at once: 1 pays one fsync per request; more
// share commits through the writer's group commit.
void BM_ServiceCreateDurable(benchmark::State& state) {
  auto store = *SqliteReferralsStore::Open(FreshPath("service"));
  directory::DirectoryHolder directory(DevDirectory());
  ReferralsService service(*store, Clock::Real(), directory,
                           *WorkingDays::Create({}, "Europe/Amsterdam"), {});
  const int in_flight = static_cast<int>(state.range(0));
  v1::CreateRequestRequest call = Sample();
  for (auto _ : state) {
    absl::BlockingCounter pending(in_flight);
    for (int i = 0; i < in_flight; ++i) {
      call.set_request_id(NewUuid());
      service.Create(call, "bench", [&](absl::StatusOr<v1::DirectLineRequest> created) {
        if (!created.ok()) state.SkipWithError(std::string(created.status().message()).c_str());
        pending.DecrementCount();
      });
    }
    pending.Wait();
  }
  state.SetItemsProcessed(state.iterations() * in_flight);
  const auto stats = store->writer().stats();
  state.counters["units_per_commit"] =
      static_cast<double>(stats.units) /
      static_cast<double>(std::max<uint64_t>(1, stats.transactions));
}
BENCHMARK(BM_ServiceCreateDurable)->Arg(1)->Arg(16)->Arg(64)->UseRealTime();

// One transition after another on one request (AddMessage, version checked),
// each durable before the next: load, state machine, save, event.
void BM_TransitionDurable(benchmark::State& state) {
  auto store = *SqliteReferralsStore::Open(FreshPath("transition"));
  directory::DirectoryHolder directory(DevDirectory());
  ReferralsService service(*store, Clock::Real(), directory,
                           *WorkingDays::Create({}, "Europe/Amsterdam"), {});
  std::promise<absl::StatusOr<v1::DirectLineRequest>> first;
  service.Create(Sample(), "bench", [&](auto r) { first.set_value(std::move(r)); });
  v1::DirectLineRequest r = *first.get_future().get();
  v1::AddMessageRequest call;
  call.set_id(r.id());
  call.mutable_message()->set_author(v1::AUTHOR_EXPERT);
  call.mutable_message()->set_text("Goed idee; probeer het twee weken en laat weten hoe het gaat.");
  for (auto _ : state) {
    call.set_version(r.version());
    std::promise<absl::StatusOr<v1::DirectLineRequest>> done;
    service.AddMessage(call, "bench", [&](auto updated) { done.set_value(std::move(updated)); });
    auto updated = done.get_future().get();
    if (!updated.ok()) {
      state.SkipWithError(std::string(updated.status().message()).c_str());
      break;
    }
    r = std::move(*updated);
  }
  state.SetItemsProcessed(state.iterations());
  state.counters["messages_at_end"] = r.messages_size();
}
BENCHMARK(BM_TransitionDurable)->Iterations(1000)->UseRealTime();

// Growth: the cost of a create (64 in flight, durable) with range(0)
// requests already stored. They are written straight into the store's file
// first (the rows a create would write: ids in time order, a random
// request_id, five locations), so that filling takes seconds, not hours.
// OLIF_BENCH_GROWTH_ROWS adds a size (e.g. 10000000 in the long variant).
void BM_CreateWithStored(benchmark::State& state) {
  const int64_t stored = state.range(0);
  const std::string path = FreshPath(absl::StrCat("growth-", stored).c_str());
  {
    auto fill = *SqliteReferralsStore::Open(path);  // creates the schema
  }
  {
    auto db = *sqlite::Database::Open(path, {});
    const v1::DirectLineRequest sample = Sample().request();
    absl::Status s = db->WriteTransaction([&]() -> absl::Status {
      auto insert = db->Prepare(
          "INSERT INTO requests (id, request_id, kind, location_id, status, create_time_us,"
          " update_time_us, content, record, due_us)"
          " VALUES (?1, ?2, 1, ?3, 2, ?4, ?4, ?5, ?6, ?4)");
      if (!insert.ok()) return insert.status();
      const int64_t start_us = absl::ToUnixMicros(absl::Now()) - stored * 1000;
      const std::string record = sample.SerializeAsString();
      for (int64_t i = 0; i < stored; ++i) {
        if (absl::Status r = (*insert)
                                 ->Bind(1, absl::StrFormat("00000000-0000-7000-8000-%012d", i))
                                 .Bind(2, NewUuid())
                                 .Bind(3, absl::StrCat("loc-fill-", i % 5))
                                 .Bind(4, start_us + i * 1000)
                                 .BindBlob(5, records::ContentFingerprint(record))
                                 .BindBlob(6, record)
                                 .Run();
            !r.ok()) {
          return r;
        }
      }
      return absl::OkStatus();
    });
    if (!s.ok()) {
      state.SkipWithError(std::string(s.message()).c_str());
      return;
    }
  }
  auto store = *SqliteReferralsStore::Open(path);
  directory::DirectoryHolder directory(DevDirectory());
  ReferralsService service(*store, Clock::Real(), directory,
                           *WorkingDays::Create({}, "Europe/Amsterdam"), {});
  v1::CreateRequestRequest call = Sample();
  for (auto _ : state) {
    absl::BlockingCounter pending(64);
    for (int i = 0; i < 64; ++i) {
      call.set_request_id(NewUuid());
      service.Create(call, "bench", [&](absl::StatusOr<v1::DirectLineRequest> created) {
        if (!created.ok()) state.SkipWithError(std::string(created.status().message()).c_str());
        pending.DecrementCount();
      });
    }
    pending.Wait();
  }
  state.SetItemsProcessed(state.iterations() * 64);
}
BENCHMARK(BM_CreateWithStored)
    ->Arg(10'000)
    ->Arg(1'000'000)
    ->Apply([](benchmark::internal::Benchmark* b) {
      if (const char* rows = std::getenv("OLIF_BENCH_GROWTH_ROWS")) b->Arg(std::atoll(rows));
    })
    ->UseRealTime();

void BM_GrpcCreateRequest(benchmark::State& state) {
  auto store = *SqliteReferralsStore::Open(FreshPath("grpc"));
  directory::DirectoryHolder directory(DevDirectory());
  ReferralsService logic(*store, Clock::Real(), directory,
                         *WorkingDays::Create({}, "Europe/Amsterdam"), {});
  ReferralsGrpcService service(logic);
  metrics::Registry registry;
  grpcx::ServerRunner runner(
      {.process = "bench", .listen_address = "127.0.0.1:0", .dev_mode = true}, registry);
  runner.AddService(&service);
  if (!runner.Start().ok()) {
    state.SkipWithError("server did not start");
    return;
  }
  auto stub = v1::ReferralsService::NewStub(grpc::CreateChannel(
      "127.0.0.1:" + std::to_string(runner.port()), grpc::InsecureChannelCredentials()));
  v1::CreateRequestRequest call = Sample();
  for (auto _ : state) {
    call.set_request_id(NewUuid());
    grpc::ClientContext ctx;
    ctx.set_deadline(std::chrono::system_clock::now() + std::chrono::seconds(10));
    v1::CreateRequestResponse res;
    grpc::Status s = stub->CreateRequest(&ctx, call, &res);
    if (!s.ok()) state.SkipWithError(s.error_message().c_str());
  }
  state.SetItemsProcessed(state.iterations());
  runner.Shutdown();
}
BENCHMARK(BM_GrpcCreateRequest)->UseRealTime();

}  // namespace
}  // namespace olif::referrals

int main(int argc, char** argv) {
  // Calls are logged as in a running process, into a sink that drops the lines.
  olif::log::Init("bench", {}, std::make_shared<spdlog::sinks::null_sink_mt>());
  benchmark::Initialize(&argc, argv);
  if (benchmark::ReportUnrecognizedArguments(argc, argv)) return 1;
  benchmark::RunSpecifiedBenchmarks();
  benchmark::Shutdown();
  return 0;
}
