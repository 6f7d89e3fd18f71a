// The referrals service process: reads its config, opens its store, serves
// olifantenpad.referrals.v1.ReferralsService and publishes its events on the
// bus. Wiring only; the logic lives in referrals_service.cc, the SQL in
// referrals_store.cc, the bus in services/common/bus/.

#include <cstdio>
#include "olifantenpad/config/v1/referrals.pb.h"
#include "services/common/bus/producer.h"
#include "services/common/bus/producer_config.h"
#include "services/common/clock/clock.h"
#include "services/common/logging/logging.h"
#include "services/common/process/process.h"
#include "services/referrals/referrals_service.h"
#include "services/referrals/referrals_store.h"

namespace cfg = olifantenpad::config::v1;

int main(int argc, char** argv) {
  cfg::ReferralsConfig config;
  if (auto exit_code = olif::PrepareProcess(
          argc, argv, "referrals", &config, [](const google::protobuf::Message& m) {
            const auto& c = static_cast<const cfg::ReferralsConfig&>(m);
            return olif::bus::ValidateProducerConfig(c.bus(), c.runtime().dev_mode());
          })) {
    return *exit_code;
  }
  const auto& runtime = config.runtime();

  olif::Process process("referrals", runtime);

  const absl::StatusOr<std::string> db_file = process.DataFile("referrals.db");
  if (!db_file.ok()) return olif::ExitWith("cannot start", db_file.status());
  const std::string& db_path = *db_file;
  // Every commit wakes the bus producer, so consumers waiting get events at once.
  auto commits = std::make_shared<olif::bus::Signal>();
  auto store = olif::referrals::SqliteReferralsStore::Open(db_path, {},
                                                           [commits](int) { commits->Raise(); });
  if (!store.ok()) return olif::ExitWith("cannot open database " + db_path, store.status());

  olif::bus::Producer producer(
      olif::bus::ToProducerOptions(config.bus(), "referrals", db_path, commits), (*store)->writer(),
      process.metrics());

  olif::referrals::Settings settings;
  if (config.referrals().default_page_size() > 0) {
    settings.default_page_size = config.referrals().default_page_size();
  }
  if (config.referrals().max_page_size() > 0) {
    settings.max_page_size = config.referrals().max_page_size();
  }
  olif::referrals::ReferralsServiceImpl service(**store, olif::Clock::Real(), settings);

  process.AddService(&service);
  process.SetStatusFiller([&store, &producer](auto* status) {
    if (absl::Status s = (*store)->FillStatus(status); !s.ok()) return s;
    return producer.FillStatus(status);
  });
  if (absl::Status s = producer.Start(); !s.ok())
    return olif::ExitWith("cannot start the bus producer", s);
  if (absl::Status s = process.Start(); !s.ok()) return olif::ExitWith("cannot start", s);
  olif::log::Info("serving", {{"database", db_path}, {"bus", producer.endpoint()}});
  process.RunUntilSignal();
  producer.Stop();
  return 0;
}
