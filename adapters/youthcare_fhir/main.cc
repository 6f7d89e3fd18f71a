// The youth-care FHIR adapter process: follows referrals' and consent's
// events, queues what concerns its provider, delivers it to the provider's
// FHIR server as transaction Bundles (retries, dead letters, history), polls
// the provider's Tasks and turns their changes into calls on referrals, and
// serves the adapter admin API. Wiring only; see outbound.h, task_poller.h.

#include <grpcpp/create_channel.h>

#include "adapters/runtime/admin_service.h"
#include "adapters/runtime/deliverer.h"
#include "adapters/runtime/delivery_queue.h"
#include "adapters/runtime/history.h"
#include "adapters/youthcare_fhir/outbound.h"
#include "adapters/youthcare_fhir/referrals_client.h"
#include "adapters/youthcare_fhir/task_poller.h"
#include "olifantenpad/config/v1/youthcare_fhir.pb.h"
#include "services/common/bus/consumer.h"
#include "services/common/bus/producer_config.h"
#include "services/common/clock/clock.h"
#include "services/common/clock/periodic.h"
#include "services/common/config/config_loader.h"
#include "services/common/consent/projection.h"
#include "services/common/logging/logging.h"
#include "services/common/process/process.h"
#include "services/common/sqlite/writer.h"

namespace cfg = olifantenpad::config::v1;

namespace {

absl::Status Validate(const google::protobuf::Message& m) {
  const auto& c = static_cast<const cfg::YouthcareFhirConfig&>(m);
  const bool dev = c.runtime().dev_mode();
  for (const auto& [bus, field] : {std::pair{&c.referrals_bus(), "referrals_bus"},
                                   std::pair{&c.consent_bus(), "consent_bus"}}) {
    if (absl::Status s = olif::bus::ValidateConsumerConfig(*bus, field, dev); !s.ok()) return s;
  }
  const std::string& base = c.youthcare_fhir().fhir_base_url();
  if (base.rfind("https://", 0) != 0 && !(dev && base.rfind("http://", 0) == 0)) {
    return absl::InvalidArgumentError(
        absl::StrCat("youthcare_fhir.fhir_base_url: '", base,
                     "' must be an https:// URL (plain http:// only in dev mode)"));
  }
  if (!base.empty() && base.back() == '/') {
    return absl::InvalidArgumentError("youthcare_fhir.fhir_base_url: must not end in '/'");
  }
  const auto& tls = c.youthcare_fhir().tls();
  if (tls.cert_file().empty() != tls.key_file().empty()) {
    return absl::InvalidArgumentError(
        "youthcare_fhir.tls: cert_file and key_file go together (both or neither)");
  }
  if (c.youthcare_fhir().retry().max_attempts() < 0) {
    return absl::InvalidArgumentError("youthcare_fhir.retry.max_attempts: must not be negative");
  }
  return absl::OkStatus();
}

// A configured duration, or `otherwise` when it is not set.
absl::Duration Or(bool has, const google::protobuf::Duration& d, absl::Duration otherwise) {
  return has ? olif::config::ToDuration(d) : otherwise;
}

}  // namespace

int main(int argc, char** argv) {
  cfg::YouthcareFhirConfig config;
  if (auto exit_code = olif::PrepareProcess(argc, argv, "youthcare_fhir", &config, Validate)) {
    return *exit_code;
  }
  const cfg::YouthcareFhirSettings& settings = config.youthcare_fhir();
  olif::Process process("youthcare_fhir", config.runtime());
  const olif::Clock& clock = olif::Clock::Real();

  const absl::StatusOr<std::string> db_file = process.DataFile("youthcare_fhir.db");
  if (!db_file.ok()) return olif::ExitWith("cannot start", db_file.status());
  const std::string& db_path = *db_file;
  auto db = olif::sqlite::Database::Open(db_path, {});
  if (!db.ok()) return olif::ExitWith("cannot open database " + db_path, db.status());
  olif::sqlite::Writer writer(std::move(*db));
  for (auto create :
       {olif::adapters::DeliveryQueue::CreateTables, olif::adapters::MessageHistory::CreateTables,
        olif::consent::ConsentProjection::CreateTables,
        olif::youthcare_fhir::TaskPoller::CreateTables}) {
    if (absl::Status s = writer.Run(create); !s.ok()) {
      return olif::ExitWith("cannot create the adapter's tables", s);
    }
  }
  olif::adapters::RetryPolicy policy;
  if (settings.retry().max_attempts() > 0) policy.max_attempts = settings.retry().max_attempts();
  policy.initial_backoff = Or(settings.retry().has_initial_backoff(),
                              settings.retry().initial_backoff(), policy.initial_backoff);
  policy.max_backoff =
      Or(settings.retry().has_max_backoff(), settings.retry().max_backoff(), policy.max_backoff);
  auto queue = olif::adapters::DeliveryQueue::Open(db_path, writer, policy);
  if (!queue.ok()) return olif::ExitWith("cannot open the delivery queue", queue.status());
  auto history = olif::adapters::MessageHistory::Open(db_path, writer);
  if (!history.ok()) return olif::ExitWith("cannot open the message history", history.status());
  auto projection = olif::consent::ConsentProjection::Open(db_path);
  if (!projection.ok()) {
    return olif::ExitWith("cannot open the consent projection", projection.status());
  }

  olif::adapters::HttpClientOptions http;
  http.url = settings.fhir_base_url();
  http.content_type = "application/fhir+json";
  http.timeout = Or(settings.has_request_timeout(), settings.request_timeout(), absl::Seconds(15));
  http.ca_file = settings.tls().ca_file();
  http.cert_file = settings.tls().cert_file();
  http.key_file = settings.tls().key_file();

  olif::youthcare_fhir::GrpcReferrals referrals(
      grpc::CreateChannel(settings.referrals_address(), grpc::InsecureChannelCredentials()),
      std::chrono::milliseconds(absl::ToInt64Milliseconds(http.timeout)));
  olif::youthcare_fhir::RequestRouter request_router(settings.organisation_id(), clock,
                                                     process.metrics());
  olif::youthcare_fhir::ConsentRouter consent_router(settings.organisation_id(), **projection,
                                                     clock, process.metrics());
  olif::bus::Consumer referrals_consumer(
      olif::bus::ToConsumerOptions(config.referrals_bus(), "referrals",
                                   olif::youthcare_fhir::RequestRouter::Topics()),
      writer, request_router, process.metrics());
  olif::bus::Consumer consent_consumer(
      olif::bus::ToConsumerOptions(config.consent_bus(), "consent",
                                   olif::consent::ConsentProjection::Topics()),
      writer, consent_router, process.metrics());

  olif::youthcare_fhir::FhirSender sender(http, settings.organisation_id(), **projection, referrals,
                                          clock);
  olif::adapters::Deliverer deliverer(**queue, olif::youthcare_fhir::kDestination, sender, clock,
                                      process.metrics(), {.history = history->get()});
  auto poller = olif::youthcare_fhir::TaskPoller::Open(db_path, http, writer, referrals, clock,
                                                       process.metrics());
  if (!poller.ok()) return olif::ExitWith("cannot open the Task poller", poller.status());
  const absl::Duration poll_interval =
      Or(settings.has_poll_interval(), settings.poll_interval(), absl::Seconds(5));
  olif::Periodic polling(poll_interval, [&poller] {
    absl::StatusOr<int> n = (*poller)->PollOnce();
    if (!n.ok()) {
      olif::log::Warn("polling the provider's Tasks",
                      {{"error", std::string(n.status().message())}});
    } else if (*n > 0) {
      olif::log::Info("provider's Task changes handled", {{"count", std::to_string(*n)}});
    }
  });
  const absl::Duration retention =
      Or(settings.has_history_retention(), settings.history_retention(), absl::Hours(24 * 30));
  olif::Periodic pruning(absl::Hours(1), [&history, &clock, retention] {
    absl::StatusOr<int64_t> n = (*history)->Prune(clock.Now() - retention);
    if (!n.ok()) {
      olif::log::Error("pruning the message history",
                       {{"error", std::string(n.status().message())}});
    } else if (*n > 0) {
      olif::log::Info("message history pruned", {{"entries", std::to_string(*n)}});
    }
  });

  olif::adapters::AdapterAdminServiceImpl admin(**queue, **history,
                                                {olif::youthcare_fhir::kDestination}, clock);
  process.AddService(&admin);
  process.SetStatusFiller([&referrals_consumer, &consent_consumer](auto* status) {
    referrals_consumer.FillStatus(status);
    consent_consumer.FillStatus(status);
    return absl::OkStatus();
  });
  for (auto* consumer : {&referrals_consumer, &consent_consumer}) {
    if (absl::Status s = consumer->Start(); !s.ok()) {
      return olif::ExitWith("cannot start a bus consumer", s);
    }
  }
  if (absl::Status s = process.Start(); !s.ok()) return olif::ExitWith("cannot start", s);
  deliverer.Start();
  polling.Start();
  pruning.Start();
  olif::log::Info("serving", {{"database", db_path},
                              {"fhir", settings.fhir_base_url()},
                              {"organisation", settings.organisation_id()},
                              {"referrals_bus", config.referrals_bus().endpoint()},
                              {"consent_bus", config.consent_bus().endpoint()}});
  process.RunUntilSignal();
  pruning.Stop();
  polling.Stop();
  deliverer.Stop();
  consent_consumer.Stop();
  referrals_consumer.Stop();
  return 0;
}
