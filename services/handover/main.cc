// The handover service process: reads its config, the directory and the OSO
// code lists, opens its store, serves olifantenpad.handover.v1.HandoverService,
// publishes its events on the bus, follows the consent service's events (its
// consent projection) and the scheduling service's (the warm-handover
// meeting on the form), runs the lapse and retention job, and reloads the
// directory on SIGHUP. Wiring only.

#include "absl/strings/str_cat.h"
#include "olifantenpad/config/v1/handover.pb.h"
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
#include "services/handover/code_lists.h"
#include "services/handover/handover_grpc.h"
#include "services/handover/handover_service.h"
#include "services/handover/sqlite_handover_store.h"

namespace cfg = olifantenpad::config::v1;

namespace {

// The scheduling topics that move a warm-handover meeting.
std::vector<std::string> MeetingTopics() {
  namespace s = olif::scheduling;
  return {s::kTopicMeetingProposed, s::kTopicVisitPlanned, s::kTopicVisitRescheduled,
          s::kTopicVisitCancelled,  s::kTopicVisitHeld,    s::kTopicVisitNoShow};
}

absl::Status Validate(const google::protobuf::Message& m) {
  const auto& c = static_cast<const cfg::HandoverConfig&>(m);
  const bool dev = c.runtime().dev_mode();
  if (absl::Status s = olif::bus::ValidateProducerConfig(c.bus(), dev); !s.ok()) return s;
  if (absl::Status s = olif::bus::ValidateConsumerConfig(c.consent_bus(), "consent_bus", dev);
      !s.ok()) {
    return s;
  }
  if (absl::Status s = olif::bus::ValidateConsumerConfig(c.scheduling_bus(), "scheduling_bus", dev);
      !s.ok()) {
    return s;
  }
  if (absl::Status s = olif::handover::CodeLists::Load(c.handover().code_lists_path()).status();
      !s.ok()) {
    return s;
  }
  return olif::directory::Directory::Load(c.handover().directory_path()).status();
}

}  // namespace

int main(int argc, char** argv) {
  cfg::HandoverConfig config;
  if (auto exit_code = olif::PrepareProcess(argc, argv, "handover", &config, Validate)) {
    return *exit_code;
  }
  olif::Process process("handover", config.runtime());
  const std::string directory_path = config.handover().directory_path();
  auto directory = olif::directory::DirectoryHolder::Load(directory_path);
  if (!directory.ok()) return olif::ExitWith("cannot load the directory", directory.status());
  auto code_lists = olif::handover::CodeLists::Load(config.handover().code_lists_path());
  if (!code_lists.ok()) return olif::ExitWith("cannot load the code lists", code_lists.status());
  auto opened = olif::OpenServiceStore<olif::handover::SqliteHandoverStore>(
      process, config.bus(), "handover", "handover.db",
      [](const std::string& path, auto on_commit) {
        return olif::handover::SqliteHandoverStore::Open(path, {}, std::move(on_commit));
      });
  if (!opened.ok()) return olif::ExitWith("cannot start", opened.status());
  olif::handover::SqliteHandoverStore& store = *opened->store;
  olif::bus::Producer& producer = *opened->producer;

  olif::handover::HandoverService service(store, olif::Clock::Real(), **directory,
                                          std::move(*code_lists),
                                          olif::handover::SettingsFromConfig(config));
  olif::handover::HandoverGrpcService grpc_service(service);

  std::unique_ptr<olif::bus::EventHandler> consents = store.ConsumerHandler(
      [&service](olif::handover::HandoverTransaction& txn, const auto& event) {
        return service.ApplyConsentEvent(txn, event);
      });
  olif::bus::Consumer consent_consumer(
      olif::bus::ToConsumerOptions(config.consent_bus(), "consent",
                                   olif::consent::ConsentProjection::Topics()),
      store.writer(), *consents, process.metrics());
  std::unique_ptr<olif::bus::EventHandler> meetings = store.ConsumerHandler(
      [&service](olif::handover::HandoverTransaction& txn, const auto& event) {
        return service.ApplySchedulingEvent(txn, event);
      });
  olif::bus::Consumer scheduling_consumer(
      olif::bus::ToConsumerOptions(config.scheduling_bus(), "scheduling", MeetingTopics()),
      store.writer(), *meetings, process.metrics());

  auto& lapsed = process.metrics().GetCounter("olif_handover_lapsed_total",
                                              "Handover forms that waited for consent too long");
  auto& purged = process.metrics().GetCounter(
      "olif_handover_purged_total",
      "Handover forms whose child identity and free text the retention job purged");
  olif::Periodic jobs(service.settings().job_interval, [&service, &lapsed, &purged] {
    absl::StatusOr<olif::handover::JobCounts> n = service.RunDueJobs();
    if (!n.ok()) {
      olif::log::Error("handover job failed", {{"error", std::string(n.status().message())}});
      return;
    }
    lapsed.Inc(n->lapsed);
    purged.Inc(n->purged);
    if (n->lapsed + n->purged > 0) {
      olif::log::Info("handover job",
                      {{"lapsed", absl::StrCat(n->lapsed)}, {"purged", absl::StrCat(n->purged)}});
    }
  });

  process.AddService(&grpc_service);
  process.SetStatusFiller([&](auto* status) {
    if (absl::Status s = store.FillStatus(status); !s.ok()) return s;
    return producer.FillStatus(status);
  });
  process.AddConsumer(consent_consumer);
  process.AddConsumer(scheduling_consumer);
  process.SetAuditSearch([&store](const auto& request) { return store.SearchAudit(request); });
  process.OnReload([&directory, directory_path] { (*directory)->ReloadAndLog(directory_path); });
  if (absl::Status s = producer.Start(); !s.ok()) {
    return olif::ExitWith("cannot start the bus producer", s);
  }
  if (absl::Status s = consent_consumer.Start(); !s.ok()) {
    return olif::ExitWith("cannot start the consent consumer", s);
  }
  if (absl::Status s = scheduling_consumer.Start(); !s.ok()) {
    return olif::ExitWith("cannot start the scheduling consumer", s);
  }
  if (absl::Status s = process.Start(); !s.ok()) return olif::ExitWith("cannot start", s);
  jobs.Start();
  olif::log::Info("serving", {{"database", opened->path},
                              {"bus", producer.endpoint()},
                              {"code_lists", config.handover().code_lists_path()}});
  process.RunUntilSignal();
  jobs.Stop();
  scheduling_consumer.Stop();
  consent_consumer.Stop();
  producer.Stop();
  return 0;
}
