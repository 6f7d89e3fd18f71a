#include "adapters/alerts/alerts_adapter.h"

#include <chrono>

#include "absl/strings/str_cat.h"
#include "adapters/alerts/alert_book.h"
#include "adapters/alerts/alert_rules.h"
#include "adapters/runtime/adapter_database.h"
#include "adapters/runtime/admin_service.h"
#include "adapters/runtime/http_client.h"
#include "olifantenpad/admin/v1/admin.grpc.pb.h"
#include "services/common/clock/periodic.h"
#include "services/common/config/config_loader.h"
#include "services/common/grpc/unary.h"
#include "services/common/logging/logging.h"
#include "tools/olifantctl/hub.h"

namespace olif::alerts {
namespace {

namespace cfg = olifantenpad::config::v1;
namespace admin = olifantenpad::admin::v1;

class AlertServiceImpl final : public admin::AlertService::CallbackService {
 public:
  explicit AlertServiceImpl(AlertBook& book) : book_(book) {}
  grpc::ServerUnaryReactor* ListAlerts(grpc::CallbackServerContext* context,
                                       const admin::ListAlertsRequest* request,
                                       admin::ListAlertsResponse* response) override {
    return grpcx::Answer(context, book_.List(*request), response, grpcx::kWhole);
  }

 private:
  AlertBook& book_;
};

absl::StatusOr<adapters::HttpClientOptions> WebhookOptions(const cfg::AlertsSettings& s) {
  adapters::HttpClientOptions http;
  http.url = s.webhook_url();
  if (!s.webhook_bearer_token().empty()) {
    http.headers.push_back({"Authorization", "Bearer " + s.webhook_bearer_token()});
  }
  if (absl::Status st = adapters::ApplyTlsConfig(s.webhook_tls(), "alerts.webhook_tls", http);
      !st.ok()) {
    return st;
  }
  return http;
}

class AlertsAdapter final : public adapters::Adapter {
 public:
  static absl::StatusOr<std::unique_ptr<AlertsAdapter>> Create(const cfg::AlertsConfig& config,
                                                               adapters::AdapterContext& context) {
    std::unique_ptr<AlertsAdapter> a(new AlertsAdapter(config, context));
    if (absl::Status s = a->Open(); !s.ok()) return s;
    return a;
  }

  absl::Status Start() override {
    if (deliverer_) deliverer_->Start();
    started_ = true;
    evaluation_->Start();
    pruning_->Start();
    return absl::OkStatus();
  }

  void Stop() override {
    if (evaluation_) evaluation_->Stop();
    if (pruning_) pruning_->Stop();
    started_ = false;
    if (deliverer_) deliverer_->Stop();
  }

  // The process reports the database; alerts are read with ListAlerts.
  absl::Status FillStatus(admin::GetStatusResponse* /*status*/) override {
    return absl::OkStatus();
  }

  std::vector<std::pair<std::string, std::string>> Describe() const override {
    const cfg::AlertsSettings& s = config_.alerts();
    return {
        {"database", db_.path},
        {"watching", absl::StrCat(hub_->processes().size(), " processes of ", s.hub_config_dir())},
        {"rules", absl::StrCat(rules_.size())},
        {"webhook", s.webhook_url().empty() ? "none (alerts kept only)" : s.webhook_url()}};
  }

  // One look at the hub and one step of the book (the evaluation job's).
  void Evaluate() {
    Observation observation;
    const auto timeout =
        std::chrono::milliseconds(absl::ToInt64Milliseconds(settings_.call_timeout));
    for (const ctl::HubProcess& p : hub_->processes()) {
      const ctl::ProcessState st = hub_->Probe(p, timeout);
      ProcessView& view = observation[p.name];
      view.answered = st.health != "UNREACHABLE" && st.error.empty();
      view.serving = st.health == "SERVING";
      view.error = st.error.empty() ? st.health : st.error;
      view.status = st.status;
      view.queues = st.queues;
    }
    absl::StatusOr<StepResult> step = book_->Step(rules_, observation, context_.clock.Now());
    if (!step.ok()) {
      log::Error("alerts: evaluating the rules", {{"error", std::string(step.status().message())}});
      return;
    }
    if (step->fired > 0) fired_.Inc(step->fired);
    if (step->resolved > 0) resolved_.Inc(step->resolved);
  }

 private:
  AlertsAdapter(const cfg::AlertsConfig& config, adapters::AdapterContext& context)
      : config_(config),
        settings_(SettingsFromConfig(config.alerts())),
        context_(context),
        fired_(context.process.metrics().GetCounter("olif_alerts_fired_total",
                                                    "Alerts that started (one notification each)")),
        resolved_(context.process.metrics().GetCounter(
            "olif_alerts_resolved_total", "Alerts that ended (one notification each)")) {}

  absl::Status Open() {
    const cfg::AlertsSettings& s = config_.alerts();
    absl::StatusOr<std::vector<Rule>> rules = RulesFromConfig(s.rules());
    if (!rules.ok()) return rules.status();
    rules_ = std::move(*rules);
    absl::StatusOr<ctl::Hub> hub = ctl::Hub::Load(s.hub_config_dir(), config::ProcessEnv());
    if (!hub.ok()) {
      return absl::InvalidArgumentError(
          absl::StrCat("alerts.hub_config_dir: ", hub.status().message()));
    }
    hub_ = std::make_unique<ctl::Hub>(std::move(*hub));
    absl::StatusOr<std::string> file = context_.process.DataFile("alerts.db");
    if (!file.ok()) return file.status();
    auto db = adapters::OpenAdapterDatabase(
        *file, {.retry = s.retry(),
                .retry_field = "alerts.retry",
                .tables = {AlertBook::CreateTables},
                // A step may have queued a notification: the deliverer looks at once.
                .on_commit = [this] {
                  if (started_.load() && deliverer_) deliverer_->Wake();
                }});
    if (!db.ok()) return db.status();
    context_.process.SetDatabase(db->path);
    db_ = std::move(*db);
    const bool notify = !s.webhook_url().empty();
    auto book = AlertBook::Open(db_.path, *db_.writer, notify, "olifantenpad");
    if (!book.ok()) return book.status();
    book_ = std::move(*book);
    if (notify) {
      absl::StatusOr<adapters::HttpClientOptions> http = WebhookOptions(s);
      if (!http.ok()) return http.status();
      connector_ = std::make_unique<adapters::HttpClientConnector>(*http);
      deliverer_ = std::make_unique<adapters::Deliverer>(
          *db_.queue, kWebhookDestination, *connector_, context_.clock, context_.process.metrics(),
          adapters::DelivererOptions{.history = db_.history.get()});
    }
    evaluation_ = std::make_unique<Periodic>(settings_.evaluate_every, [this] { Evaluate(); });
    pruning_ = adapters::NewPruningJob(
        db_, context_.clock, settings_.retention,
        {{"resolved_alerts", [this](absl::Time before) { return book_->Prune(before); }}});
    alert_service_ = std::make_unique<AlertServiceImpl>(*book_);
    context_.process.AddService(alert_service_.get());
    admin_ = std::make_unique<adapters::AdapterAdminServiceImpl>(
        *db_.queue, *db_.history, std::vector<std::string>{kWebhookDestination}, context_.clock);
    context_.process.AddService(admin_.get());
    return absl::OkStatus();
  }

  const cfg::AlertsConfig config_;
  const Settings settings_;
  adapters::AdapterContext& context_;
  metrics::Counter& fired_;
  metrics::Counter& resolved_;
  std::atomic<bool> started_{false};
  std::vector<Rule> rules_;
  std::unique_ptr<ctl::Hub> hub_;
  // Declared in the order they are built; destroyed in reverse.
  adapters::AdapterDatabase db_;
  std::unique_ptr<AlertBook> book_;
  std::unique_ptr<adapters::HttpClientConnector> connector_;
  std::unique_ptr<adapters::Deliverer> deliverer_;
  std::unique_ptr<Periodic> evaluation_;
  std::unique_ptr<Periodic> pruning_;
  std::unique_ptr<AlertServiceImpl> alert_service_;
  std::unique_ptr<adapters::AdapterAdminServiceImpl> admin_;
};

class AlertsFactory final : public adapters::TypedAdapterFactory<cfg::AlertsConfig> {
 public:
  std::string name() const override { return "alerts"; }

 protected:
  absl::Status ValidateConfig(const cfg::AlertsConfig& c) const override {
    const cfg::AlertsSettings& s = c.alerts();
    if (absl::Status st = RulesFromConfig(s.rules()).status(); !st.ok()) return st;
    if (!s.webhook_url().empty()) {
      if (absl::Status st = adapters::ValidateBaseUrl(s.webhook_url(), "alerts.webhook_url",
                                                      c.runtime().dev_mode());
          !st.ok()) {
        return st;
      }
    }
    const Settings settings = SettingsFromConfig(s);
    if (settings.evaluate_every <= absl::ZeroDuration()) {
      return absl::InvalidArgumentError("alerts.evaluate_every: must be positive");
    }
    if (settings.call_timeout <= absl::ZeroDuration()) {
      return absl::InvalidArgumentError("alerts.call_timeout: must be positive");
    }
    return absl::OkStatus();
  }

  absl::StatusOr<std::unique_ptr<adapters::Adapter>> CreateAdapter(
      const cfg::AlertsConfig& config, adapters::AdapterContext& context) const override {
    absl::StatusOr<std::unique_ptr<AlertsAdapter>> a = AlertsAdapter::Create(config, context);
    if (!a.ok()) return a.status();
    return std::unique_ptr<adapters::Adapter>(std::move(*a));
  }
};

}  // namespace

Settings SettingsFromConfig(const cfg::AlertsSettings& config) {
  Settings s;
  if (config.has_evaluate_every()) s.evaluate_every = config::ToDuration(config.evaluate_every());
  if (config.has_call_timeout()) s.call_timeout = config::ToDuration(config.call_timeout());
  if (config.has_retention()) s.retention = config::ToDuration(config.retention());
  return s;
}

std::unique_ptr<adapters::AdapterFactory> NewFactory() { return std::make_unique<AlertsFactory>(); }

}  // namespace olif::alerts
