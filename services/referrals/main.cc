// The referrals service process: reads its config and the directory, opens
// its store, serves olifantenpad.referrals.v1.ReferralsService, publishes its
// events on the bus, follows the consent service's events into its consent
// projection (the consent gate), runs the overdue and lapse job, and reloads
// the directory on SIGHUP. Wiring only; the logic lives in
// referrals_service.cc, the gRPC shell in referrals_grpc.cc, the SQL in
// sqlite_referrals_store.cc.

#include "absl/strings/str_cat.h"
#include "olifantenpad/config/v1/referrals.pb.h"
#include "services/common/bus/consumer.h"
#include "services/common/bus/producer.h"
#include "services/common/bus/producer_config.h"
#include "services/common/clock/clock.h"
#include "services/common/clock/periodic.h"
#include "services/common/config/config_loader.h"
#include "services/common/consent/projection.h"
#include "services/common/directory/directory.h"
#include "services/common/logging/logging.h"
#include "services/common/process/process.h"
#include "services/common/process/service_store.h"
#include "services/referrals/referrals_grpc.h"
#include "services/referrals/referrals_service.h"
#include "services/referrals/sqlite_referrals_store.h"
#include "services/referrals/working_days.h"

namespace cfg = olifantenpad::config::v1;

namespace {

absl::StatusOr<olif::referrals::WorkingDays> WorkingDaysOf(const cfg::ReferralsSettings& config) {
  const olif::referrals::Settings s = olif::referrals::SettingsFromConfig(config);
  return olif::referrals::WorkingDays::Create(s.holidays, s.time_zone);
}

absl::Status Validate(const google::protobuf::Message& m) {
  const auto& c = static_cast<const cfg::ReferralsConfig&>(m);
  const bool dev = c.runtime().dev_mode();
  if (absl::Status s = olif::bus::ValidateProducerConfig(c.bus(), dev); !s.ok()) return s;
  if (absl::Status s = olif::bus::ValidateConsumerConfig(c.consent_bus(), "consent_bus", dev);
      !s.ok()) {
    return s;
  }
  if (absl::Status s = WorkingDaysOf(c.referrals()).status(); !s.ok()) return s;
  return olif::directory::Directory::Load(c.referrals().directory_path()).status();
}

}  // namespace

int main(int argc, char** argv) {
  cfg::ReferralsConfig config;
  if (auto exit_code = olif::PrepareProcess(argc, argv, "referrals", &config, Validate)) {
    return *exit_code;
  }
  const auto& settings_config = config.referrals();
  olif::Process process("referrals", config.runtime());

  auto directory = olif::directory::DirectoryHolder::Load(settings_config.directory_path());
  if (!directory.ok()) return olif::ExitWith("cannot load the directory", directory.status());
  auto working_days = WorkingDaysOf(settings_config);
  if (!working_days.ok()) return olif::ExitWith("cannot start", working_days.status());
  auto opened = olif::OpenServiceStore<olif::referrals::SqliteReferralsStore>(
      process, config.bus(), "referrals", "referrals.db",
      [](const std::string& path, auto on_commit) {
        return olif::referrals::SqliteReferralsStore::Open(path, {}, std::move(on_commit));
      });
  if (!opened.ok()) return olif::ExitWith("cannot start", opened.status());
  olif::referrals::SqliteReferralsStore& store = *opened->store;
  olif::bus::Producer& producer = *opened->producer;

  const olif::referrals::Settings settings = olif::referrals::SettingsFromConfig(settings_config);
  olif::referrals::ReferralsService service(store, olif::Clock::Real(), **directory,
                                            std::move(*working_days), settings);
  olif::referrals::ReferralsGrpcService grpc_service(service);

  // The consent gate: each consent event in the consumer's transaction.
  std::unique_ptr<olif::bus::EventHandler> gate = store.ConsumerHandler(
      [&service](olif::referrals::ReferralsTransaction& txn, const auto& event) {
        return service.ApplyConsentEvent(txn, event);
      });
  olif::bus::Consumer consent_consumer(
      olif::bus::ToConsumerOptions(config.consent_bus(), "consent",
                                   olif::consent::ConsentProjection::Topics()),
      store.writer(), *gate, process.metrics());

  auto& job_changes = process.metrics().GetCounter(
      "olif_referrals_job_changes_total", "Requests marked overdue or lapsed by the periodic job");
  olif::Periodic jobs(settings.job_interval, [&service, &job_changes] {
    absl::StatusOr<int> n = service.RunDueJobs();
    if (!n.ok()) {
      olif::log::Error("overdue/lapse job failed", {{"error", std::string(n.status().message())}});
    } else if (*n > 0) {
      job_changes.Inc(*n);
      olif::log::Info("requests overdue or lapsed", {{"count", absl::StrCat(*n)}});
    }
  });

  process.AddService(&grpc_service);
  process.SetStatusFiller([&store, &producer](auto* status) {
    if (absl::Status s = store.FillStatus(status); !s.ok()) return s;
    return producer.FillStatus(status);
  });
  process.AddConsumer(consent_consumer);
  process.OnReload(
      [&directory, path = settings_config.directory_path()] { (*directory)->ReloadAndLog(path); });
  if (absl::Status s = producer.Start(); !s.ok()) {
    return olif::ExitWith("cannot start the bus producer", s);
  }
  if (absl::Status s = consent_consumer.Start(); !s.ok()) {
    return olif::ExitWith("cannot start the consent consumer", s);
  }
  if (absl::Status s = process.Start(); !s.ok()) return olif::ExitWith("cannot start", s);
  jobs.Start();
  olif::log::Info("serving", {{"database", opened->path},
                              {"bus", producer.endpoint()},
                              {"consent_bus", config.consent_bus().endpoint()}});
  process.RunUntilSignal();
  jobs.Stop();
  consent_consumer.Stop();
  producer.Stop();
  return 0;
}
