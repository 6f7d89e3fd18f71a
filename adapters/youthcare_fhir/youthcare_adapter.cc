#include "adapters/youthcare_fhir/youthcare_adapter.h"

#include <grpcpp/create_channel.h>

#include "absl/strings/str_cat.h"
#include "adapters/runtime/admin_service.h"
#include "adapters/runtime/delivery_queue.h"
#include "adapters/runtime/history.h"
#include "adapters/runtime/http_server.h"
#include "adapters/youthcare_fhir/outbound.h"
#include "adapters/youthcare_fhir/referrals_client.h"
#include "adapters/youthcare_fhir/task_poller.h"
#include "olifantenpad/config/v1/youthcare_fhir.pb.h"
#include "services/common/bus/consumer.h"
#include "services/common/bus/producer_config.h"
#include "services/common/clock/periodic.h"
#include "services/common/config/config_loader.h"
#include "services/common/consent/projection.h"
#include "services/common/logging/logging.h"
#include "services/common/sqlite/writer.h"
#include "services/common/strings/host_port.h"

namespace olif::youthcare_fhir {
namespace {

namespace cfg = olifantenpad::config::v1;
using adapters::DeliveryQueue;
using adapters::MessageHistory;

// A configured duration, or `otherwise` when it is not set.
absl::Duration Or(bool has, const google::protobuf::Duration& d, absl::Duration otherwise) {
  return has ? config::ToDuration(d) : otherwise;
}

adapters::HttpClientOptions HttpOptions(const cfg::YouthcareFhirSettings& s) {
  adapters::HttpClientOptions http;
  http.url = s.fhir_base_url();
  http.method = "POST";  // a transaction Bundle goes to the base
  http.content_type = "application/fhir+json";
  http.timeout = Or(s.has_request_timeout(), s.request_timeout(), absl::Seconds(15));
  http.ca_file = s.tls().ca_file();
  http.cert_file = s.tls().cert_file();
  http.key_file = s.tls().key_file();
  return http;
}

adapters::RetryPolicy Policy(const cfg::DeliveryRetryConfig& r) {
  adapters::RetryPolicy policy;
  if (r.max_attempts() > 0) policy.max_attempts = r.max_attempts();
  policy.initial_backoff = Or(r.has_initial_backoff(), r.initial_backoff(), policy.initial_backoff);
  policy.max_backoff = Or(r.has_max_backoff(), r.max_backoff(), policy.max_backoff);
  return policy;
}

class YouthcareFhirAdapter final : public adapters::Adapter {
 public:
  static absl::StatusOr<std::unique_ptr<YouthcareFhirAdapter>> Create(
      const cfg::YouthcareFhirConfig& config, adapters::AdapterContext& context) {
    std::unique_ptr<YouthcareFhirAdapter> a(new YouthcareFhirAdapter(config, context));
    if (absl::Status s = a->Open(); !s.ok()) return s;
    return a;
  }

  absl::Status Start() override {
    for (auto* consumer : {referrals_consumer_.get(), consent_consumer_.get()}) {
      if (absl::Status s = consumer->Start(); !s.ok()) return s;
    }
    if (webhook_) {
      absl::StatusOr<int> port = webhook_->Start();
      if (!port.ok()) return port.status();
      const auto& w = config_.youthcare_fhir().webhook();
      webhook_url_ = absl::StrCat(w.cert_file().empty() ? "http" : "https", "://",
                                  webhook_options_.host, ":", *port, webhook_options_.path);
    }
    deliverer_->Start();
    polling_->Start();
    pruning_->Start();
    return absl::OkStatus();
  }

  void Stop() override {
    if (webhook_) webhook_->Stop();
    if (pruning_) pruning_->Stop();
    if (polling_) polling_->Stop();
    if (deliverer_) deliverer_->Stop();
    if (consent_consumer_) consent_consumer_->Stop();
    if (referrals_consumer_) referrals_consumer_->Stop();
  }

  absl::Status FillStatus(olifantenpad::admin::v1::GetStatusResponse* status) override {
    referrals_consumer_->FillStatus(status);
    consent_consumer_->FillStatus(status);
    return absl::OkStatus();
  }

  std::vector<std::pair<std::string, std::string>> Describe() const override {
    const auto& s = config_.youthcare_fhir();
    std::vector<std::pair<std::string, std::string>> d = {
        {"database", path_},
        {"fhir", s.fhir_base_url()},
        {"organisation", s.organisation_id()},
        {"referrals_bus", config_.referrals_bus().endpoint()},
        {"consent_bus", config_.consent_bus().endpoint()}};
    if (!webhook_url_.empty()) d.push_back({"webhook", webhook_url_});
    return d;
  }

  ~YouthcareFhirAdapter() override { Stop(); }

 private:
  YouthcareFhirAdapter(const cfg::YouthcareFhirConfig& config, adapters::AdapterContext& context)
      : config_(config), context_(context) {}

  absl::Status Open() {
    const cfg::YouthcareFhirSettings& s = config_.youthcare_fhir();
    metrics::Registry& metrics = context_.process.metrics();
    const Clock& clock = context_.clock;
    absl::StatusOr<std::string> file = context_.process.DataFile("youthcare_fhir.db");
    if (!file.ok()) return file.status();
    path_ = *file;
    auto db = sqlite::Database::Open(path_, {});
    if (!db.ok()) return db.status();
    writer_ = std::make_unique<sqlite::Writer>(std::move(*db));
    for (auto create : {DeliveryQueue::CreateTables, MessageHistory::CreateTables,
                        consent::ConsentProjection::CreateTables, TaskPoller::CreateTables}) {
      if (absl::Status st = writer_->Run(create); !st.ok()) return st;
    }
    auto queue = DeliveryQueue::Open(path_, *writer_, Policy(s.retry()));
    if (!queue.ok()) return queue.status();
    queue_ = std::move(*queue);
    auto history = MessageHistory::Open(path_, *writer_);
    if (!history.ok()) return history.status();
    history_ = std::move(*history);
    auto projection = consent::ConsentProjection::Open(path_);
    if (!projection.ok()) return projection.status();
    projection_ = std::move(*projection);

    const adapters::HttpClientOptions http = HttpOptions(s);
    referrals_ = std::make_unique<GrpcReferrals>(
        grpc::CreateChannel(s.referrals_address(), grpc::InsecureChannelCredentials()),
        std::chrono::milliseconds(absl::ToInt64Milliseconds(http.timeout)));
    request_router_ = std::make_unique<RequestRouter>(s.organisation_id(), clock, metrics);
    consent_router_ =
        std::make_unique<ConsentRouter>(s.organisation_id(), *projection_, clock, metrics);
    referrals_consumer_ = std::make_unique<bus::Consumer>(
        bus::ToConsumerOptions(config_.referrals_bus(), "referrals", RequestRouter::Topics()),
        *writer_, *request_router_, metrics);
    consent_consumer_ = std::make_unique<bus::Consumer>(
        bus::ToConsumerOptions(config_.consent_bus(), "consent",
                               consent::ConsentProjection::Topics()),
        *writer_, *consent_router_, metrics);
    outgoing_ =
        std::make_unique<FhirOutgoing>(s.organisation_id(), *projection_, *referrals_, clock);
    connector_ = std::make_unique<adapters::TranslatingHttpConnector>(*outgoing_, http);
    deliverer_ = std::make_unique<adapters::Deliverer>(
        *queue_, kDestination, *connector_, clock, metrics,
        adapters::DelivererOptions{.history = history_.get()});
    auto poller = TaskPoller::Open(path_, http, *writer_, *referrals_, clock, metrics);
    if (!poller.ok()) return poller.status();
    poller_ = std::move(*poller);
    polling_ = std::make_unique<
        Periodic>(Or(s.has_poll_interval(), s.poll_interval(), absl::Seconds(5)), [this] {
      absl::StatusOr<int> n = poller_->PollOnce();
      if (!n.ok()) {
        log::Warn("polling the provider's Tasks", {{"error", std::string(n.status().message())}});
      } else if (*n > 0) {
        log::Info("provider's Task changes handled", {{"count", absl::StrCat(*n)}});
      }
    });
    const absl::Duration retention =
        Or(s.has_history_retention(), s.history_retention(), absl::Hours(24 * 30));
    // The history, the delivered messages and the provider's versions handled
    // are kept for the retention, then forgotten: nothing here grows without
    // bound.
    pruning_ = std::make_unique<Periodic>(absl::Hours(1), [this, retention] {
      const absl::Time before = context_.clock.Now() - retention;
      absl::StatusOr<int64_t> lines = history_->Prune(before);
      absl::StatusOr<int64_t> messages = queue_->PruneFinished(before);
      absl::StatusOr<int64_t> versions = poller_->Prune(before);
      for (const absl::Status& failed : {lines.status(), messages.status(), versions.status()}) {
        if (!failed.ok()) {
          log::Error("pruning the history, delivered messages and versions handled",
                     {{"error", std::string(failed.message())}});
          return;
        }
      }
      if (*lines + *messages + *versions > 0) {
        log::Info("history, delivered messages and versions handled pruned",
                  {{"history_lines", absl::StrCat(*lines)},
                   {"messages", absl::StrCat(*messages)},
                   {"versions_handled", absl::StrCat(*versions)}});
      }
    });
    if (s.has_webhook()) {
      const cfg::WebhookConfig& w = s.webhook();
      absl::StatusOr<HostPort> address = ParseHostPort(w.listen_address());
      if (!address.ok()) return address.status();
      webhook_options_ = {.name = "webhook",
                          .host = address->host,
                          .port = address->port,
                          .path = w.path().empty() ? "/fhir/notify" : w.path(),
                          .bearer_token = w.bearer_token(),
                          .cert_file = w.cert_file(),
                          .key_file = w.key_file(),
                          .client_ca_file = w.client_ca_file()};
      notifications_ = std::make_unique<TaskNotifications>(*poller_);
      webhook_ = std::make_unique<adapters::HttpServerConnector>(webhook_options_, *notifications_,
                                                                 metrics);
    }
    admin_ = std::make_unique<adapters::AdapterAdminServiceImpl>(
        *queue_, *history_, std::vector<std::string>{kDestination}, clock);
    context_.process.AddService(admin_.get());
    return absl::OkStatus();
  }

  cfg::YouthcareFhirConfig config_;
  adapters::AdapterContext& context_;
  std::string path_;
  // Declared in the order they are built; destroyed in reverse.
  std::unique_ptr<sqlite::Writer> writer_;
  std::unique_ptr<DeliveryQueue> queue_;
  std::unique_ptr<MessageHistory> history_;
  std::unique_ptr<consent::ConsentProjection> projection_;
  std::unique_ptr<GrpcReferrals> referrals_;
  std::unique_ptr<RequestRouter> request_router_;
  std::unique_ptr<ConsentRouter> consent_router_;
  std::unique_ptr<bus::Consumer> referrals_consumer_;
  std::unique_ptr<bus::Consumer> consent_consumer_;
  std::unique_ptr<FhirOutgoing> outgoing_;
  std::unique_ptr<adapters::TranslatingHttpConnector> connector_;
  std::unique_ptr<adapters::Deliverer> deliverer_;
  std::unique_ptr<TaskPoller> poller_;
  std::unique_ptr<Periodic> polling_;
  std::unique_ptr<Periodic> pruning_;
  std::unique_ptr<TaskNotifications> notifications_;
  adapters::HttpServerOptions webhook_options_;
  std::unique_ptr<adapters::HttpServerConnector> webhook_;
  std::string webhook_url_;
  std::unique_ptr<adapters::AdapterAdminServiceImpl> admin_;
};

class YouthcareFhirFactory final : public adapters::AdapterFactory {
 public:
  std::string name() const override { return "youthcare_fhir"; }
  std::unique_ptr<google::protobuf::Message> EmptyConfig() const override {
    return std::make_unique<cfg::YouthcareFhirConfig>();
  }
  absl::Status Validate(const google::protobuf::Message& m) const override {
    const auto& c = static_cast<const cfg::YouthcareFhirConfig&>(m);
    const bool dev = c.runtime().dev_mode();
    for (const auto& [bus, field] : {std::pair{&c.referrals_bus(), "referrals_bus"},
                                     std::pair{&c.consent_bus(), "consent_bus"}}) {
      if (absl::Status s = bus::ValidateConsumerConfig(*bus, field, dev); !s.ok()) return s;
    }
    const std::string& base = c.youthcare_fhir().fhir_base_url();
    if (base.rfind("https://", 0) != 0 && !(dev && base.rfind("http://", 0) == 0)) {
      return absl::InvalidArgumentError(
          absl::StrCat("youthcare_fhir.fhir_base_url: '", base,
                       "' must be an https:// URL (plain http:// only in dev mode)"));
    }
    if (base.back() == '/') {
      return absl::InvalidArgumentError("youthcare_fhir.fhir_base_url: must not end in '/'");
    }
    const auto& tls = c.youthcare_fhir().tls();
    if (tls.cert_file().empty() != tls.key_file().empty()) {
      return absl::InvalidArgumentError(
          "youthcare_fhir.tls: cert_file and key_file go together (both or neither)");
    }
    if (c.youthcare_fhir().has_webhook()) {
      const cfg::WebhookConfig& w = c.youthcare_fhir().webhook();
      absl::StatusOr<HostPort> address = ParseHostPort(w.listen_address());
      if (!address.ok()) {
        return absl::InvalidArgumentError(
            absl::StrCat("youthcare_fhir.webhook.listen_address: ", address.status().message()));
      }
      if (w.cert_file().empty() != w.key_file().empty()) {
        return absl::InvalidArgumentError(
            "youthcare_fhir.webhook: cert_file and key_file go together (both or neither)");
      }
      if (!w.client_ca_file().empty() && w.cert_file().empty()) {
        return absl::InvalidArgumentError(
            "youthcare_fhir.webhook.client_ca_file: mutual TLS needs cert_file and key_file");
      }
      if (!dev &&
          (w.cert_file().empty() || (w.bearer_token().empty() && w.client_ca_file().empty()))) {
        return absl::InvalidArgumentError(
            "youthcare_fhir.webhook: outside dev mode it needs TLS (cert_file, key_file) and a "
            "bearer_token or client_ca_file");
      }
      if (w.cert_file().empty() && !IsLoopbackHost(address->host)) {
        return absl::InvalidArgumentError(absl::StrCat(
            "youthcare_fhir.webhook.listen_address: without TLS only a loopback address, not ",
            w.listen_address()));
      }
    }
    if (c.youthcare_fhir().retry().max_attempts() < 0) {
      return absl::InvalidArgumentError("youthcare_fhir.retry.max_attempts: must not be negative");
    }
    return absl::OkStatus();
  }
  absl::StatusOr<std::unique_ptr<adapters::Adapter>> Create(
      const google::protobuf::Message& m, adapters::AdapterContext& context) const override {
    auto adapter =
        YouthcareFhirAdapter::Create(static_cast<const cfg::YouthcareFhirConfig&>(m), context);
    if (!adapter.ok()) return adapter.status();
    return std::unique_ptr<adapters::Adapter>(std::move(*adapter));
  }
};

}  // namespace

std::unique_ptr<adapters::AdapterFactory> NewYouthcareFhirFactory() {
  return std::make_unique<YouthcareFhirFactory>();
}

}  // namespace olif::youthcare_fhir
