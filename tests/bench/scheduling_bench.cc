// Scheduling benchmark: prints one table, every figure from this run on this
// machine, each beside its floor and the ratio.
//
//   1. PlanVisit, durable (validation, the conflict rules in the write
//      transaction, the row, the VisitPlanned event and the group's
//      compliance read), 1 and 16 in flight; floor: raw SQLite appends of a
//      row of the same size through the same Writer (WAL, synchronous=FULL).
//   2. The calendar feed of an expert with N visits (default 1 000): read and
//      rendered to RFC 5545 text; floor: the same rows read and parsed only.
//
// usage: scheduling_bench [--plans N] [--visits N] [--dir DIR]

#include <algorithm>
#include <chrono>
#include <cstdio>
#include <filesystem>
#include <future>
#include <string>
#include <vector>

#include "absl/strings/str_cat.h"
#include "absl/strings/str_format.h"
#include "absl/synchronization/blocking_counter.h"
#include "absl/time/civil_time.h"
#include "services/common/clock/clock.h"
#include "services/common/clock/timestamp.h"
#include "services/common/ids/ids.h"
#include "services/common/logging/logging.h"
#include "services/common/sqlite/writer.h"
#include "services/scheduling/scheduling_service.h"
#include "services/scheduling/sqlite_scheduling_store.h"
#include "tests/bench/bench_util.h"

namespace olif::scheduling {
namespace {

using bench::Fresh;
using bench::MedianMs;
using bench::RawAppendRate;
using bench::Seconds;
using bench::SteadyClock;
namespace cfg = olifantenpad::config::v1;

constexpr int kLocations = 100;
constexpr int kGroupsPerLocation = 5;

// The dev region plus 100 locations of five groups each, all paired with
// Anna, without opening hours so visits can fill every hour: a group then
// holds a few visits a year, as in life.
std::shared_ptr<const directory::Directory> BenchRegion() {
  auto dev =
      directory::Directory::Load(std::string(OLIF_SOURCE_DIR) + "/config/dev/directory.yaml");
  cfg::Directory proto = (*dev)->proto();
  for (auto& l : *proto.mutable_locations()) l.clear_opening_hours();
  for (int i = 0; i < kLocations; ++i) {
    cfg::Location* l = proto.add_locations();
    l->set_id(absl::StrFormat("loc-bench-%03d", i));
    l->set_organisation_id("org-kdv-de-boomgaard");
    l->set_name(absl::StrFormat("Bench %03d", i));
    l->set_lrk_number(absl::StrFormat("9%08d", i));
    l->set_municipality_id("gem-veldhoven-aan-de-aa");
    l->set_region(cfg::SCHOOL_REGION_MIDDLE);
    for (int g = 0; g < kGroupsPerLocation; ++g) {
      cfg::Group* group = l->add_groups();
      group->set_id(absl::StrFormat("grp-%d", g));
      group->set_name(absl::StrFormat("Groep %d", g));
    }
    cfg::Pairing* p = proto.add_pairings();
    p->set_location_id(l->id());
    p->set_expert_id("prof-anna-de-vries");
  }
  return *directory::Directory::Build(proto, "bench");
}

struct Fixture {
  explicit Fixture(const std::filesystem::path& dir)
      : store(*SqliteSchedulingStore::Open((dir / "scheduling.db").string())),
        directory(BenchRegion()),
        service(*store, Clock::Real(), directory,
                *SchoolCalendar::Load(std::string(OLIF_SOURCE_DIR) + "/config/school_holidays.yaml",
                                      "Europe/Amsterdam", "08-01"),
                Settings{}) {
    v1::SetAvailabilityRequest call;
    call.set_expert_id("prof-anna-de-vries");
    for (int day = 1; day <= 7; ++day) {
      auto* w = call.add_weekly();
      w->set_weekday(day);
      w->set_start("00:00");
      w->set_end("24:00");
    }
    std::promise<void> done;
    service.SetAvailability(call, "bench",
                            [&](absl::StatusOr<v1::Availability>) { done.set_value(); });
    done.get_future().wait();
  }
  std::unique_ptr<SqliteSchedulingStore> store;
  directory::DirectoryHolder directory;
  SchedulingService service;
};

// Visit i: 45 minutes in its own hour, from tomorrow on, at one of the bench
// region's 500 groups.
v1::PlanVisitRequest Plan(int i, absl::Time first) {
  v1::PlanVisitRequest call;
  call.set_request_id(NewUuid());
  v1::Visit* v = call.mutable_visit();
  v->set_kind(v1::VISIT_KIND_PREVENTIVE_GROUP_VISIT);
  v->set_location_id(absl::StrFormat("loc-bench-%03d", i % kLocations));
  v->set_group_id(absl::StrFormat("grp-%d", (i / kLocations) % kGroupsPerLocation));
  const absl::Time start = first + absl::Hours(i);
  *v->mutable_start() = ToTimestamp(start);
  *v->mutable_end() = ToTimestamp(start + absl::Minutes(45));
  auto* p = v->add_participants();
  p->set_role(v1::PARTICIPANT_ROLE_PEDAGOGICAL_WORKER);
  p->set_professional_id("prof-sanne-bakker");
  return call;
}

// Plans `n` visits, `in_flight` at a time; returns plans per second.
double PlanRate(Fixture& f, int n, int in_flight, int offset) {
  // On the hour, so no visit crosses midnight.
  const absl::Time first = absl::FromCivil(
      absl::CivilHour(absl::ToCivilHour(absl::Now() + absl::Hours(24), absl::UTCTimeZone())),
      absl::UTCTimeZone());
  const auto t0 = SteadyClock::now();
  for (int done = 0; done < n; done += in_flight) {
    const int batch = std::min(in_flight, n - done);
    absl::BlockingCounter pending(batch);
    for (int j = 0; j < batch; ++j) {
      f.service.Plan(Plan(offset + done + j, first), "bench", [&](absl::StatusOr<v1::Visit> v) {
        if (!v.ok()) {
          std::fprintf(stderr, "plan failed: %s\n", std::string(v.status().message()).c_str());
          std::abort();
        }
        pending.DecrementCount();
      });
    }
    pending.Wait();
  }
  return n / Seconds(SteadyClock::now() - t0);
}

}  // namespace
}  // namespace olif::scheduling

int main(int argc, char** argv) {
  using namespace olif::scheduling;
  int plans = 1000;
  int visits = 1000;
  std::filesystem::path dir = std::filesystem::temp_directory_path() / "olif-bench-scheduling";
  for (int i = 1; i + 1 < argc; i += 2) {
    const std::string flag = argv[i];
    if (flag == "--plans") plans = std::atoi(argv[i + 1]);
    if (flag == "--visits") visits = std::atoi(argv[i + 1]);
    if (flag == "--dir") dir = argv[i + 1];
  }
  olifantenpad::config::v1::LoggingConfig quiet;
  quiet.set_level(olifantenpad::config::v1::LOG_LEVEL_ERROR);
  olif::log::Init("bench", quiet);

  std::printf("%-52s %12s %12s %8s\n", "figure", "value", "floor", "ratio");
  for (int in_flight : {1, 16}) {
    const auto d = Fresh(dir, absl::StrCat("plan-", in_flight));
    Fixture f(d);
    const double plan = PlanRate(f, plans, in_flight, 0);
    const double raw = RawAppendRate(d, plans, in_flight, 600);
    std::printf(
        "%-52s %10.0f/s %10.0f/s %8.2f\n",
        absl::StrCat("PlanVisit durable, ", in_flight, " in flight (raw append floor)").c_str(),
        plan, raw, plan / raw);
  }
  {
    const auto d = Fresh(dir, "feed");
    Fixture f(d);
    PlanRate(f, visits, 16, 0);
    v1::IssueFeedTokenRequest issue;
    issue.set_expert_id("prof-anna-de-vries");
    std::promise<std::string> token;
    f.service.IssueFeedToken(issue, "bench", [&](absl::StatusOr<v1::IssueFeedTokenResponse> r) {
      token.set_value(r.ok() ? r->token() : "");
    });
    const std::string t = token.get_future().get();
    size_t bytes = 0;
    const double render = MedianMs(50, [&] {
      auto feed = f.service.RenderFeed(t);
      if (!feed.ok()) std::abort();
      bytes = feed->size();
    });
    VisitQuery q;
    q.expert_id = "prof-anna-de-vries";
    const double read = MedianMs(50, [&] {
      auto rows = f.store->List(q);
      if (!rows.ok() || static_cast<int>(rows->size()) != visits) std::abort();
    });
    std::printf(
        "%-52s %10.2fms %10.2fms %8.2f\n",
        absl::StrCat("feed of an expert with ", visits, " visits (read-only floor)").c_str(),
        render, read, render / read);
    std::printf("%-52s %10.0fKB\n", "  its size", bytes / 1024.0);
  }
  return 0;
}
