// The referrals service process: reads its config, opens its store and serves
// olifantenpad.referrals.v1.ReferralsService. Wiring only; the logic lives in
// referrals_service.cc and the SQL in referrals_store.cc.

#include <cstdio>
#include <filesystem>
#include <system_error>

#include "olifantenpad/config/v1/referrals.pb.h"
#include "services/common/clock/clock.h"
#include "services/common/logging/logging.h"
#include "services/common/process/process.h"
#include "services/referrals/referrals_service.h"
#include "services/referrals/referrals_store.h"

int main(int argc, char** argv) {
  olifantenpad::config::v1::ReferralsConfig config;
  if (auto exit_code = olif::PrepareProcess(argc, argv, "referrals", &config)) return *exit_code;
  const auto& runtime = config.runtime();

  olif::Process process("referrals", runtime);

  std::error_code ec;
  std::filesystem::create_directories(runtime.data_dir(), ec);
  if (ec) {
    olif::log::Error("cannot create data directory",
                     {{"data_dir", runtime.data_dir()}, {"error", ec.message()}});
    return 1;
  }
  const std::string db_path = (std::filesystem::path(runtime.data_dir()) / "referrals.db").string();
  auto store = olif::referrals::SqliteReferralsStore::Open(db_path);
  if (!store.ok()) {
    olif::log::Error("cannot open database",
                     {{"path", db_path}, {"error", std::string(store.status().message())}});
    return 1;
  }

  olif::referrals::Settings settings;
  if (config.referrals().default_page_size() > 0) {
    settings.default_page_size = config.referrals().default_page_size();
  }
  if (config.referrals().max_page_size() > 0) {
    settings.max_page_size = config.referrals().max_page_size();
  }
  olif::referrals::ReferralsServiceImpl service(**store, olif::Clock::Real(), settings);

  process.AddService(&service);
  process.SetStatusFiller([&store](auto* status) { return (*store)->FillStatus(status); });
  if (absl::Status s = process.Start(); !s.ok()) {
    olif::log::Error("cannot start", {{"error", std::string(s.message())}});
    return 1;
  }
  olif::log::Info("database", {{"path", db_path}});
  process.RunUntilSignal();
  return 0;
}
