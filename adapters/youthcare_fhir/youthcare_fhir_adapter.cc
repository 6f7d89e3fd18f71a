#include "adapters/youthcare_fhir/youthcare_fhir_adapter.h"

#include <grpcpp/create_channel.h>
#include <atomic>

#include "absl/strings/str_cat.h"
#include "adapters/runtime/adapter_database.h"
#include "adapters/runtime/admin_service.h"
#include "adapters/runtime/delivery_queue.h"
#include "adapters/runtime/history.h"
#include "adapters/runtime/http_client.h"
#include "adapters/runtime/http_server.h"
#include "adapters/youthcare_fhir/inbound.h"
#include "adapters/youthcare_fhir/outbound.h"
#include "adapters/youthcare_fhir/referrals_client.h"
#include "olifantenpad/config/v1/youthcare_fhir.pb.h"
#include "services/common/bus/consumer.h"
#include "services/common/bus/producer_config.h"
#include "services/common/clock/periodic.h"
#include "services/common/config/config_loader.h"
#include "services/common/consent/projection.h"
#include "services/common/logging/logging.h"
#include "services/common/sqlite/writer.h"

namespace olif::youthcare_fhir {
namespace {

namespace cfg = olifantenpad::config::v1;

// How the adapter talks to the provider's FHIR base: transaction Bundles
// are POSTed to it.
absl::StatusOr<adapters::HttpClientOptions> HttpOptions(const cfg::YouthcareFhirSettings& config,
                                                        const Settings& settings) {
  adapters::HttpClientOptions http;
  http.url = config.fhir_base_url();
  http.method = "POST";
  http.content_type = "application/fhir+json";
  http.timeout = settings.request_timeout;
  if (absl::Status s = adapters::ApplyTlsConfig(config.tls(), "youthcare_fhir.tls", http);
      !s.ok()) {
    return s;
  }
  return http;
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
    for (auto* consumer :
         {referrals_consumer_.get(), consent_consumer_.get(), scheduling_consumer_.get()}) {
      if (consumer == nullptr) continue;  // scheduling's is optional
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
    wake_on_commit_ = nullptr;
    if (deliverer_) deliverer_->Stop();
    if (scheduling_consumer_) scheduling_consumer_->Stop();
    if (consent_consumer_) consent_consumer_->Stop();
    if (referrals_consumer_) referrals_consumer_->Stop();
  }

  // The process reports the database and the consumers.
  absl::Status FillStatus(olifantenpad::admin::v1::GetStatusResponse* /*status*/) override {
    return absl::OkStatus();
  }

  std::vector<std::pair<std::string, std::string>> Describe() const override {
    const auto& s = config_.youthcare_fhir();
    std::vector<std::pair<std::string, std::string>> d = {
        {"database", db_.path},
        {"fhir", s.fhir_base_url()},
        {"organisation", s.organisation_id()},
        {"referrals_bus", config_.referrals_bus().endpoint()},
        {"consent_bus", config_.consent_bus().endpoint()}};
    if (scheduling_consumer_) d.push_back({"scheduling_bus", config_.scheduling_bus().endpoint()});
    if (!webhook_url_.empty()) d.push_back({"webhook", webhook_url_});
    return d;
  }

  ~YouthcareFhirAdapter() override { Stop(); }

 private:
  YouthcareFhirAdapter(const cfg::YouthcareFhirConfig& config, adapters::AdapterContext& context)
      : config_(config),
        settings_(SettingsFromConfig(config.youthcare_fhir())),
        context_(context) {}

  absl::Status Open() {
    if (absl::Status s = OpenDatabase(); !s.ok()) return s;
    if (absl::Status s = WireOutbound(); !s.ok()) return s;
    if (absl::Status s = WireInbound(); !s.ok()) return s;
    WirePruning();
    admin_ = std::make_unique<adapters::AdapterAdminServiceImpl>(
        *db_.queue, *db_.history, std::vector<std::string>{kDestination}, context_.clock);
    context_.process.AddService(admin_.get());
    return absl::OkStatus();
  }

  // The adapter's database: queue, history, consent projection, cursors.
  absl::Status OpenDatabase() {
    absl::StatusOr<std::string> file = context_.process.DataFile("youthcare_fhir.db");
    if (!file.ok()) return file.status();
    auto db = adapters::OpenAdapterDatabase(
        *file, {.retry = config_.youthcare_fhir().retry(),
                .retry_field = "youthcare_fhir.retry",
                .tables = {consent::ConsentProjection::CreateTables, TaskPoller::CreateTables},
                // A commit may have queued messages (the consumers enqueue in their
                // transactions): the deliverer looks at once instead of at its next poll.
                .on_commit = [this] {
                  if (adapters::Deliverer* d = wake_on_commit_.load()) d->Wake();
                }});
    if (!db.ok()) return db.status();
    context_.process.SetDatabase(db->path);
    db_ = std::move(*db);
    auto projection = consent::ConsentProjection::Open(db_.path);
    if (!projection.ok()) return projection.status();
    projection_ = std::move(*projection);
    return absl::OkStatus();
  }

  // Referrals' and consent's events → the queue → FHIR Bundles at the provider.
  absl::Status WireOutbound() {
    const cfg::YouthcareFhirSettings& s = config_.youthcare_fhir();
    metrics::Registry& metrics = context_.process.metrics();
    const Clock& clock = context_.clock;
    absl::StatusOr<adapters::HttpClientOptions> http = HttpOptions(s, settings_);
    if (!http.ok()) return http.status();
    http_ = *http;
    referrals_ = std::make_unique<GrpcReferrals>(
        grpc::CreateChannel(s.referrals_address(), grpc::InsecureChannelCredentials()),
        std::chrono::milliseconds(absl::ToInt64Milliseconds(http_.timeout)));
    request_router_ = std::make_unique<RequestRouter>(s.organisation_id(), clock, metrics);
    consent_router_ =
        std::make_unique<ConsentRouter>(s.organisation_id(), *projection_, clock, metrics);
    referrals_consumer_ = std::make_unique<bus::Consumer>(
        bus::ToConsumerOptions(config_.referrals_bus(), "referrals", RequestRouter::Topics()),
        *db_.writer, *request_router_, metrics);
    consent_consumer_ = std::make_unique<bus::Consumer>(
        bus::ToConsumerOptions(config_.consent_bus(), "consent",
                               consent::ConsentProjection::Topics()),
        *db_.writer, *consent_router_, metrics);
    context_.process.AddConsumer(*referrals_consumer_);
    context_.process.AddConsumer(*consent_consumer_);
    if (!config_.scheduling_bus().endpoint().empty()) {
      visit_router_ = std::make_unique<VisitRouter>(s.organisation_id(), clock, metrics);
      scheduling_consumer_ = std::make_unique<bus::Consumer>(
          bus::ToConsumerOptions(config_.scheduling_bus(), "scheduling", VisitRouter::Topics()),
          *db_.writer, *visit_router_, metrics);
      context_.process.AddConsumer(*scheduling_consumer_);
    }
    outgoing_ =
        std::make_unique<FhirOutgoing>(s.organisation_id(), *projection_, *referrals_, clock);
    connector_ = std::make_unique<adapters::TranslatingHttpConnector>(*outgoing_, http_);
    deliverer_ = std::make_unique<adapters::Deliverer>(
        *db_.queue, kDestination, *connector_, clock, metrics,
        adapters::DelivererOptions{.max_in_flight = settings_.max_in_flight,
                                   .history = db_.history.get()});
    wake_on_commit_ = deliverer_.get();
    return absl::OkStatus();
  }

  // The provider's Task and Communication changes → referrals: polled, and
  // notified on the webhook when one is configured.
  absl::Status WireInbound() {
    metrics::Registry& metrics = context_.process.metrics();
    auto poller =
        TaskPoller::Open(db_.path, http_, *db_.writer, *referrals_, context_.clock, metrics);
    if (!poller.ok()) return poller.status();
    poller_ = std::move(*poller);
    polling_ = std::make_unique<Periodic>(settings_.poll_interval, [this] {
      absl::StatusOr<int> n = poller_->PollOnce();
      if (!n.ok()) {
        log::Warn("polling the provider's Tasks", {{"error", std::string(n.status().message())}});
      } else if (*n > 0) {
        log::Info("provider's Task changes handled", {{"count", absl::StrCat(*n)}});
      }
    });
    if (!config_.youthcare_fhir().has_webhook()) return absl::OkStatus();
    absl::StatusOr<adapters::HttpServerOptions> webhook = adapters::WebhookOptionsFromConfig(
        config_.youthcare_fhir().webhook(), "youthcare_fhir.webhook", config_.runtime().dev_mode(),
        settings_.webhook_path);
    if (!webhook.ok()) return webhook.status();
    webhook_options_ = *webhook;
    notifications_ = std::make_unique<TaskNotifications>(*poller_);
    webhook_ =
        std::make_unique<adapters::HttpServerConnector>(webhook_options_, *notifications_, metrics);
    return absl::OkStatus();
  }

  // The history, the delivered messages and the provider's versions handled
  // are kept for the retention, then forgotten: nothing here grows without
  // bound.
  void WirePruning() {
    pruning_ = adapters::NewPruningJob(
        db_, context_.clock, settings_.history_retention,
        {{"versions_handled", [this](absl::Time before) { return poller_->Prune(before); }}});
  }

  const cfg::YouthcareFhirConfig config_;
  const Settings settings_;
  adapters::AdapterContext& context_;
  adapters::HttpClientOptions http_;
  // Declared in the order they are built; destroyed in reverse.
  adapters::AdapterDatabase db_;
  std::unique_ptr<consent::ConsentProjection> projection_;
  std::unique_ptr<GrpcReferrals> referrals_;
  std::unique_ptr<RequestRouter> request_router_;
  std::unique_ptr<ConsentRouter> consent_router_;
  std::unique_ptr<bus::Consumer> referrals_consumer_;
  std::unique_ptr<bus::Consumer> consent_consumer_;
  std::unique_ptr<VisitRouter> visit_router_;
  std::unique_ptr<bus::Consumer> scheduling_consumer_;
  std::unique_ptr<FhirOutgoing> outgoing_;
  std::unique_ptr<adapters::TranslatingHttpConnector> connector_;
  std::unique_ptr<adapters::Deliverer> deliverer_;
  std::atomic<adapters::Deliverer*> wake_on_commit_{nullptr};
  std::unique_ptr<TaskPoller> poller_;
  std::unique_ptr<Periodic> polling_;
  std::unique_ptr<Periodic> pruning_;
  std::unique_ptr<TaskNotifications> notifications_;
  adapters::HttpServerOptions webhook_options_;
  std::unique_ptr<adapters::HttpServerConnector> webhook_;
  std::string webhook_url_;
  std::unique_ptr<adapters::AdapterAdminServiceImpl> admin_;
};

class YouthcareFhirFactory final : public adapters::TypedAdapterFactory<cfg::YouthcareFhirConfig> {
 public:
  std::string name() const override { return "youthcare_fhir"; }

 protected:
  absl::Status ValidateConfig(const cfg::YouthcareFhirConfig& c) const override {
    const bool dev = c.runtime().dev_mode();
    for (const auto& [bus, field] : {std::pair{&c.referrals_bus(), "referrals_bus"},
                                     std::pair{&c.consent_bus(), "consent_bus"}}) {
      if (absl::Status s = bus::ValidateConsumerConfig(*bus, field, dev); !s.ok()) return s;
    }
    if (!c.scheduling_bus().endpoint().empty()) {
      if (absl::Status s = bus::ValidateConsumerConfig(c.scheduling_bus(), "scheduling_bus", dev);
          !s.ok()) {
        return s;
      }
    }
    const cfg::YouthcareFhirSettings& s = c.youthcare_fhir();
    if (absl::Status st =
            adapters::ValidateBaseUrl(s.fhir_base_url(), "youthcare_fhir.fhir_base_url", dev);
        !st.ok()) {
      return st;
    }
    if (absl::Status st = HttpOptions(s, SettingsFromConfig(s)).status(); !st.ok()) return st;
    if (s.has_webhook()) {
      if (absl::Status st =
              adapters::WebhookOptionsFromConfig(s.webhook(), "youthcare_fhir.webhook", dev, "/")
                  .status();
          !st.ok()) {
        return st;
      }
    }
    if (s.max_in_flight() < 0 || s.max_in_flight() > 64) {
      return absl::InvalidArgumentError(absl::StrCat(
          "youthcare_fhir.max_in_flight: ", s.max_in_flight(), " is not within 1..64"));
    }
    return adapters::RetryPolicyFromConfig(s.retry(), "youthcare_fhir.retry").status();
  }

  absl::StatusOr<std::unique_ptr<adapters::Adapter>> CreateAdapter(
      const cfg::YouthcareFhirConfig& config, adapters::AdapterContext& context) const override {
    auto adapter = YouthcareFhirAdapter::Create(config, context);
    if (!adapter.ok()) return adapter.status();
    return std::unique_ptr<adapters::Adapter>(std::move(*adapter));
  }
};

}  // namespace

Settings SettingsFromConfig(const cfg::YouthcareFhirSettings& config) {
  Settings s;
  if (config.has_poll_interval()) s.poll_interval = config::ToDuration(config.poll_interval());
  if (config.has_request_timeout())
    s.request_timeout = config::ToDuration(config.request_timeout());
  if (config.has_history_retention()) {
    s.history_retention = config::ToDuration(config.history_retention());
  }
  if (config.has_webhook() && !config.webhook().path().empty()) {
    s.webhook_path = config.webhook().path();
  }
  if (config.max_in_flight() != 0) s.max_in_flight = config.max_in_flight();
  return s;
}

std::unique_ptr<adapters::AdapterFactory> NewFactory() {
  return std::make_unique<YouthcareFhirFactory>();
}

}  // namespace olif::youthcare_fhir
