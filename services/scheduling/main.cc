// The scheduling service process: reads its config, the directory and the
// school holidays, opens its store, serves
// olifantenpad.scheduling.v1.SchedulingService and the calendar feeds,
// publishes its events on the bus, follows the consent service's events (its
// consent projection) and, when configured, the handover service's
// warm-handover requests, runs the compliance job, and reloads the directory
// on SIGHUP. Wiring only.

#include <optional>

#include "absl/strings/str_cat.h"
#include "olifantenpad/config/v1/scheduling.pb.h"
#include "services/common/bus/consumer.h"
#include "services/common/bus/producer.h"
#include "services/common/bus/producer_config.h"
#include "services/common/clock/clock.h"
#include "services/common/clock/periodic.h"
#include "services/common/config/config_loader.h"
#include "services/common/consent/projection.h"
#include "services/common/directory/directory.h"
#include "services/common/events/scheduling_topics.h"
#include "services/common/logging/logging.h"
#include "services/common/process/process.h"
#include "services/common/process/service_store.h"
#include "services/common/strings/host_port.h"
#include "services/scheduling/calendar_server.h"
#include "services/scheduling/scheduling_grpc.h"
#include "services/scheduling/scheduling_service.h"
#include "services/scheduling/school_calendar.h"
#include "services/scheduling/sqlite_scheduling_store.h"

namespace cfg = olifantenpad::config::v1;

namespace {

absl::StatusOr<olif::scheduling::SchoolCalendar> CalendarOf(const cfg::SchedulingConfig& c) {
  const olif::scheduling::Settings s = olif::scheduling::SettingsFromConfig(c);
  return olif::scheduling::SchoolCalendar::Load(c.scheduling().school_holidays_path(), s.time_zone,
                                                s.school_year_start);
}

bool FollowsHandover(const cfg::SchedulingConfig& c) {
  return !c.handover_bus().endpoint().empty();
}

absl::Status Validate(const google::protobuf::Message& m) {
  const auto& c = static_cast<const cfg::SchedulingConfig&>(m);
  const bool dev = c.runtime().dev_mode();
  if (absl::Status s = olif::bus::ValidateProducerConfig(c.bus(), dev); !s.ok()) return s;
  if (absl::Status s = olif::bus::ValidateConsumerConfig(c.consent_bus(), "consent_bus", dev);
      !s.ok()) {
    return s;
  }
  if (FollowsHandover(c)) {
    if (absl::Status s = olif::bus::ValidateConsumerConfig(c.handover_bus(), "handover_bus", dev);
        !s.ok()) {
      return s;
    }
  }
  if (absl::Status s = CalendarOf(c).status(); !s.ok()) return s;
  return olif::directory::Directory::Load(c.scheduling().directory_path()).status();
}

}  // namespace

int main(int argc, char** argv) {
  cfg::SchedulingConfig config;
  if (auto exit_code = olif::PrepareProcess(argc, argv, "scheduling", &config, Validate)) {
    return *exit_code;
  }
  olif::Process process("scheduling", config.runtime());
  const std::string directory_path = config.scheduling().directory_path();
  auto directory = olif::directory::DirectoryHolder::Load(directory_path);
  if (!directory.ok()) return olif::ExitWith("cannot load the directory", directory.status());
  auto calendar = CalendarOf(config);
  if (!calendar.ok()) return olif::ExitWith("cannot load the school holidays", calendar.status());
  auto opened = olif::OpenServiceStore<olif::scheduling::SqliteSchedulingStore>(
      process, config.bus(), "scheduling", "scheduling.db",
      [](const std::string& path, auto on_commit) {
        return olif::scheduling::SqliteSchedulingStore::Open(path, {}, std::move(on_commit));
      });
  if (!opened.ok()) return olif::ExitWith("cannot start", opened.status());
  olif::scheduling::SqliteSchedulingStore& store = *opened->store;
  olif::bus::Producer& producer = *opened->producer;

  const olif::scheduling::Settings settings = olif::scheduling::SettingsFromConfig(config);
  olif::scheduling::SchedulingService service(store, olif::Clock::Real(), **directory,
                                              std::move(*calendar), settings);
  olif::scheduling::SchedulingGrpcService grpc_service(service);

  std::unique_ptr<olif::bus::EventHandler> consents = store.ConsumerHandler(
      [&service](olif::scheduling::SchedulingTransaction& txn, const auto& event) {
        return service.ApplyConsentEvent(txn, event);
      });
  olif::bus::Consumer consent_consumer(
      olif::bus::ToConsumerOptions(config.consent_bus(), "consent",
                                   olif::consent::ConsentProjection::Topics()),
      store.writer(), *consents, process.metrics());
  std::unique_ptr<olif::bus::EventHandler> handovers = store.ConsumerHandler(
      [&service](olif::scheduling::SchedulingTransaction& txn, const auto& event) {
        return service.ApplyHandoverEvent(txn, event);
      });
  std::optional<olif::bus::Consumer> handover_consumer;
  if (FollowsHandover(config)) {
    handover_consumer.emplace(
        olif::bus::ToConsumerOptions(config.handover_bus(), "handover",
                                     {olif::handover::kTopicWarmHandoverRequested}),
        store.writer(), *handovers, process.metrics());
  }

  olif::scheduling::CalendarServer feeds(
      [&service](const std::string& token) { return service.RenderFeed(token); },
      settings.refresh_interval, process.metrics());

  auto& announced = process.metrics().GetCounter(
      "olif_scheduling_compliance_announcements_total",
      "Visit minimum at risk / restored announcements made by the periodic job");
  olif::Periodic jobs(settings.job_interval, [&service, &announced] {
    absl::StatusOr<int> n = service.RunDueJobs();
    if (!n.ok()) {
      olif::log::Error("compliance job failed", {{"error", std::string(n.status().message())}});
    } else if (*n > 0) {
      announced.Inc(*n);
      olif::log::Info("visit minimum announcements", {{"count", absl::StrCat(*n)}});
    }
  });

  process.AddService(&grpc_service);
  process.SetStatusFiller([&](auto* status) {
    if (absl::Status s = store.FillStatus(status); !s.ok()) return s;
    for (auto& a : service.AtRisk()) *status->add_attention() = std::move(a);
    return producer.FillStatus(status);
  });
  process.AddConsumer(consent_consumer);
  if (handover_consumer.has_value()) process.AddConsumer(*handover_consumer);
  process.OnReload([&directory, directory_path] { (*directory)->ReloadAndLog(directory_path); });
  if (absl::Status s = producer.Start(); !s.ok()) {
    return olif::ExitWith("cannot start the bus producer", s);
  }
  if (absl::Status s = consent_consumer.Start(); !s.ok()) {
    return olif::ExitWith("cannot start the consent consumer", s);
  }
  if (handover_consumer.has_value()) {
    if (absl::Status s = handover_consumer->Start(); !s.ok()) {
      return olif::ExitWith("cannot start the handover consumer", s);
    }
  }
  absl::StatusOr<int> feed_port = feeds.Start(config.feeds().listen_address());
  if (!feed_port.ok()) return olif::ExitWith("cannot serve calendar feeds", feed_port.status());
  if (absl::Status s = process.Start(); !s.ok()) return olif::ExitWith("cannot start", s);
  const std::string feed_host =
      olif::ParseHostPort(config.feeds().listen_address()).value_or(olif::HostPort{}).host;
  jobs.Start();
  olif::log::Info("serving",
                  {{"database", opened->path},
                   {"bus", producer.endpoint()},
                   {"feeds", absl::StrCat("http://", feed_host, ":", *feed_port, "/calendar/")},
                   {"school_holidays", service.calendar().source()}});
  process.RunUntilSignal();
  jobs.Stop();
  feeds.Stop();
  if (handover_consumer.has_value()) handover_consumer->Stop();
  consent_consumer.Stop();
  producer.Stop();
  return 0;
}
