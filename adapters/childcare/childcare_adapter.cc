#include "adapters/childcare/childcare_adapter.h"

#include <grpcpp/create_channel.h>

#include <atomic>
#include <deque>
#include <set>

#include "absl/strings/str_cat.h"
#include "adapters/childcare/chain.h"
#include "adapters/childcare/childcare_store.h"
#include "adapters/childcare/hub_client.h"
#include "adapters/childcare/intake.h"
#include "adapters/childcare/notifications.h"
#include "adapters/runtime/adapter_database.h"
#include "adapters/runtime/admin_service.h"
#include "adapters/runtime/delivery_queue.h"
#include "adapters/runtime/folder.h"
#include "adapters/runtime/history.h"
#include "adapters/runtime/http_client.h"
#include "adapters/runtime/http_server.h"
#include "services/common/bus/consumer.h"
#include "services/common/bus/producer_config.h"
#include "services/common/clock/periodic.h"
#include "services/common/config/config_loader.h"
#include "services/common/directory/directory.h"
#include "services/common/logging/logging.h"
#include "services/common/sqlite/writer.h"

namespace olif::childcare {
namespace {

namespace cfg = olifantenpad::config::v1;

// The checks of one chain's connectors (`field` names it in errors).
absl::Status ValidateChainConnectors(const cfg::ChildcareChain& c, const std::string& field,
                                     bool dev) {
  if (absl::Status s =
          adapters::FolderOptionsFromConfig(c.folder(), field + ".folder", c.id()).status();
      !s.ok()) {
    return s;
  }
  if (c.has_webhook()) {
    if (absl::Status s =
            adapters::WebhookOptionsFromConfig(c.webhook(), field + ".webhook", dev, "/").status();
        !s.ok()) {
      return s;
    }
  }
  const cfg::ChildcareOutbox& o = c.outbox();
  if (o.folder().empty() == o.url().empty()) {
    return absl::InvalidArgumentError(
        absl::StrCat(field, ".outbox: give exactly one of folder and url"));
  }
  if (!o.url().empty()) {
    if (absl::Status s = adapters::ValidateBaseUrl(o.url(), field + ".outbox.url", dev); !s.ok()) {
      return s;
    }
    adapters::HttpClientOptions http;
    return adapters::ApplyTlsConfig(o.tls(), field + ".outbox.tls", http);
  }
  return absl::OkStatus();
}

// One chain's running parts.
struct ChainParts {
  std::shared_ptr<const Chain> chain;
  adapters::FolderOptions folder_options;
  std::unique_ptr<ChainIntake> intake;
  std::unique_ptr<adapters::FolderConnector> folder;
  adapters::HttpServerOptions webhook_options;
  std::unique_ptr<adapters::HttpServerConnector> webhook;
  std::string webhook_url;
  std::unique_ptr<adapters::Connector> connector;
  std::unique_ptr<adapters::Deliverer> deliverer;
};

class ChildcareAdapter final : public adapters::Adapter {
 public:
  static absl::StatusOr<std::unique_ptr<ChildcareAdapter>> Create(
      const cfg::ChildcareConfig& config, adapters::AdapterContext& context) {
    std::unique_ptr<ChildcareAdapter> a(new ChildcareAdapter(config, context));
    if (absl::Status s = a->Open(); !s.ok()) return s;
    return a;
  }

  absl::Status Start() override {
    for (bus::Consumer* c : Consumers()) {
      if (absl::Status s = c->Start(); !s.ok()) return s;
    }
    for (ChainParts& p : chains_) {
      if (p.webhook) {
        absl::StatusOr<int> port = p.webhook->Start();
        if (!port.ok()) return port.status();
        p.webhook_url =
            absl::StrCat(p.chain->config().webhook().cert_file().empty() ? "http" : "https", "://",
                         p.webhook_options.host, ":", *port, p.webhook_options.path);
      }
      p.deliverer->Start();
    }
    started_ = true;
    scanning_->Start();
    pruning_->Start();
    return absl::OkStatus();
  }

  void Stop() override {
    for (ChainParts& p : chains_) {
      if (p.webhook) p.webhook->Stop();
    }
    if (scanning_) scanning_->Stop();
    if (pruning_) pruning_->Stop();
    started_ = false;
    for (ChainParts& p : chains_) {
      if (p.deliverer) p.deliverer->Stop();
    }
    for (bus::Consumer* c : Consumers()) c->Stop();
  }

  // The process reports the database and the consumers.
  absl::Status FillStatus(olifantenpad::admin::v1::GetStatusResponse* /*status*/) override {
    return absl::OkStatus();
  }

  std::vector<std::pair<std::string, std::string>> Describe() const override {
    std::vector<std::pair<std::string, std::string>> d = {
        {"database", db_.path}, {"referrals_bus", config_.referrals_bus().endpoint()}};
    for (const ChainParts& p : chains_) {
      d.push_back({p.chain->id() + ".folder", p.folder_options.root});
      if (!p.webhook_url.empty()) {
        d.push_back({p.chain->id() + ".webhook", p.webhook_url});
      }
      const cfg::ChildcareOutbox& o = p.chain->config().outbox();
      d.push_back({p.chain->id() + ".outbox", o.folder().empty() ? o.url() : o.folder()});
    }
    return d;
  }

  ~ChildcareAdapter() override { Stop(); }

 private:
  ChildcareAdapter(const cfg::ChildcareConfig& config, adapters::AdapterContext& context)
      : config_(config), settings_(SettingsFromConfig(config.childcare())), context_(context) {}

  std::vector<bus::Consumer*> Consumers() const {
    std::vector<bus::Consumer*> out;
    for (const auto& c : consumers_) out.push_back(c.get());
    return out;
  }

  absl::Status Open() {
    if (absl::Status s = OpenDatabase(); !s.ok()) return s;
    auto directory = directory::DirectoryHolder::Load(config_.childcare().directory_path());
    if (!directory.ok()) return directory.status();
    directory_ = std::move(*directory);
    const cfg::ChildcareSettings& s = config_.childcare();
    const auto timeout =
        std::chrono::milliseconds(absl::ToInt64Milliseconds(settings_.request_timeout));
    hub_ = std::make_unique<GrpcHub>(
        grpc::CreateChannel(s.consent_address(), grpc::InsecureChannelCredentials()),
        grpc::CreateChannel(s.referrals_address(), grpc::InsecureChannelCredentials()),
        grpc::CreateChannel(s.handover_address(), grpc::InsecureChannelCredentials()), timeout);
    absl::TimeZone zone;
    if (!absl::LoadTimeZone(settings_.time_zone, &zone)) {
      return absl::InvalidArgumentError(absl::StrCat("childcare.time_zone: \"", settings_.time_zone,
                                                     "\" is not a known time zone"));
    }
    std::vector<std::shared_ptr<const Chain>> chains;
    for (int i = 0; i < s.chains_size(); ++i) {
      auto chain = Chain::Build(s.chains(i), *directory_->Get(), zone,
                                absl::StrCat("childcare.chains[", i, "]"));
      if (!chain.ok()) return chain.status();
      chains.push_back(*chain);
      if (absl::Status st = WireChain(*chain); !st.ok()) return st;
    }
    WireConsumers(chains);
    WireScanning();
    WirePruning();
    std::vector<std::string> destinations;
    for (const auto& c : chains) destinations.push_back(Destination(c->id()));
    admin_ = std::make_unique<adapters::AdapterAdminServiceImpl>(*db_.queue, *db_.history,
                                                                 destinations, context_.clock);
    context_.process.AddService(admin_.get());
    return absl::OkStatus();
  }

  // The adapter's database: queue, history, children and origins, cursors.
  absl::Status OpenDatabase() {
    absl::StatusOr<std::string> file = context_.process.DataFile("childcare.db");
    if (!file.ok()) return file.status();
    auto db = adapters::OpenAdapterDatabase(
        *file, {.retry = config_.childcare().retry(),
                .retry_field = "childcare.retry",
                .tables = {ChildcareStore::CreateTables},
                // A commit may have queued notifications: the deliverers look at once.
                .on_commit = [this] {
                  if (!started_.load()) return;
                  for (ChainParts& p : chains_) p.deliverer->Wake();
                }});
    if (!db.ok()) return db.status();
    context_.process.SetDatabase(db->path);
    db_ = std::move(*db);
    auto store = ChildcareStore::Open(db_.path, *db_.writer);
    if (!store.ok()) return store.status();
    store_ = std::move(*store);
    return absl::OkStatus();
  }

  absl::Status WireChain(const std::shared_ptr<const Chain>& chain) {
    const cfg::ChildcareChain& c = chain->config();
    metrics::Registry& metrics = context_.process.metrics();
    ChainParts& p = chains_.emplace_back();
    p.chain = chain;
    auto folder = adapters::FolderOptionsFromConfig(c.folder(), "folder", c.id());
    if (!folder.ok()) return folder.status();
    p.folder_options = *folder;
    p.folder_options.read_body = false;  // exports are streamed from disk
    p.folder_options.max_size = c.folder().max_size_bytes() > 0
                                    ? static_cast<size_t>(c.folder().max_size_bytes())
                                    : size_t{256} << 20;
    p.intake = std::make_unique<ChainIntake>(
        chain, [this] { return directory_->Get(); }, *store_, *hub_, context_.clock, metrics,
        p.folder_options.root + "/inbox", p.folder_options.root + "/quarantine",
        [this] { scan_now_.store(true); });
    p.folder = std::make_unique<adapters::FolderConnector>(p.folder_options, *p.intake, metrics,
                                                           context_.clock);
    if (absl::Status s = p.folder->Prepare(); !s.ok()) return s;
    if (c.has_webhook()) {
      auto webhook = adapters::WebhookOptionsFromConfig(
          c.webhook(), absl::StrCat("chain ", c.id(), " webhook"), config_.runtime().dev_mode(),
          settings_.webhook_path + "/" + c.id());
      if (!webhook.ok()) return webhook.status();
      p.webhook_options = *webhook;
      p.webhook_options.name = c.id() + "-webhook";
      p.webhook =
          std::make_unique<adapters::HttpServerConnector>(p.webhook_options, *p.intake, metrics);
    }
    const cfg::ChildcareOutbox& o = c.outbox();
    if (!o.folder().empty()) {
      p.connector = std::make_unique<adapters::OutboxFolderConnector>(o.folder());
    } else {
      adapters::HttpClientOptions http;
      http.url = o.url();
      http.timeout = settings_.request_timeout;
      if (!o.bearer_token().empty()) {
        http.headers.push_back({"Authorization", "Bearer " + o.bearer_token()});
      }
      if (absl::Status s = adapters::ApplyTlsConfig(o.tls(), "outbox.tls", http); !s.ok()) return s;
      p.connector = std::make_unique<adapters::HttpClientConnector>(http);
    }
    p.deliverer = std::make_unique<adapters::Deliverer>(
        *db_.queue, Destination(c.id()), *p.connector, context_.clock, metrics,
        adapters::DelivererOptions{.max_in_flight = 4, .history = db_.history.get()});
    return absl::OkStatus();
  }

  void WireConsumers(const std::vector<std::shared_ptr<const Chain>>& chains) {
    metrics::Registry& metrics = context_.process.metrics();
    const std::vector<std::tuple<const cfg::BusConsumerConfig*, const char*, Notifier::Source>>
        sources = {{&config_.referrals_bus(), "referrals", Notifier::Source::kReferrals},
                   {&config_.scheduling_bus(), "scheduling", Notifier::Source::kScheduling},
                   {&config_.handover_bus(), "handover", Notifier::Source::kHandover}};
    for (const auto& [bus_config, name, source] : sources) {
      if (bus_config->endpoint().empty()) continue;
      notifiers_.push_back(std::make_unique<Notifier>(source, chains, context_.clock, metrics));
      consumers_.push_back(std::make_unique<bus::Consumer>(
          bus::ToConsumerOptions(*bus_config, name, Notifier::Topics(source)), *db_.writer,
          *notifiers_.back(), metrics));
      context_.process.AddConsumer(*consumers_.back());
    }
  }

  // Every chain's folder is looked at each scan interval, and at once when a
  // posted export was put into an inbox.
  void WireScanning() {
    scanning_ = std::make_unique<Periodic>(absl::Milliseconds(200), [this] {
      const absl::Time now = context_.clock.Now();
      if (!scan_now_.exchange(false) && now - last_scan_ < settings_.scan_interval) return;
      last_scan_ = now;
      for (ChainParts& p : chains_) {
        absl::StatusOr<int> n = p.folder->ScanOnce();
        if (!n.ok()) {
          log::Warn("scanning a chain's folder",
                    {{"chain", p.chain->id()}, {"error", std::string(n.status().message())}});
        }
      }
    });
  }

  // The history and the delivered notifications are kept for the retention,
  // then forgotten.
  void WirePruning() {
    pruning_ = adapters::NewPruningJob(db_, context_.clock, settings_.history_retention);
  }

  const cfg::ChildcareConfig config_;
  const Settings settings_;
  adapters::AdapterContext& context_;
  std::atomic<bool> started_{false};
  std::atomic<bool> scan_now_{false};
  absl::Time last_scan_ = absl::InfinitePast();  // the scanning thread's
  // Declared in the order they are built; destroyed in reverse.
  adapters::AdapterDatabase db_;
  std::unique_ptr<ChildcareStore> store_;
  std::unique_ptr<directory::DirectoryHolder> directory_;
  std::unique_ptr<GrpcHub> hub_;
  std::deque<ChainParts> chains_;
  std::vector<std::unique_ptr<Notifier>> notifiers_;
  std::vector<std::unique_ptr<bus::Consumer>> consumers_;
  std::unique_ptr<Periodic> scanning_;
  std::unique_ptr<Periodic> pruning_;
  std::unique_ptr<adapters::AdapterAdminServiceImpl> admin_;
};

class ChildcareFactory final : public adapters::TypedAdapterFactory<cfg::ChildcareConfig> {
 public:
  std::string name() const override { return "childcare"; }

 protected:
  absl::Status ValidateConfig(const cfg::ChildcareConfig& c) const override {
    const bool dev = c.runtime().dev_mode();
    if (absl::Status s = bus::ValidateConsumerConfig(c.referrals_bus(), "referrals_bus", dev);
        !s.ok()) {
      return s;
    }
    for (const auto& [bus, field] : {std::pair{&c.scheduling_bus(), "scheduling_bus"},
                                     std::pair{&c.handover_bus(), "handover_bus"}}) {
      if (bus->endpoint().empty()) continue;
      if (absl::Status s = bus::ValidateConsumerConfig(*bus, field, dev); !s.ok()) return s;
    }
    const cfg::ChildcareSettings& s = c.childcare();
    if (s.chains_size() == 0) {
      return absl::InvalidArgumentError("childcare.chains: at least one chain is required");
    }
    std::set<std::string> ids;
    for (int i = 0; i < s.chains_size(); ++i) {
      const std::string field = absl::StrCat("childcare.chains[", i, "]");
      if (!ids.insert(s.chains(i).id()).second) {
        return absl::InvalidArgumentError(
            absl::StrCat(field, ".id: \"", s.chains(i).id(), "\" is used twice"));
      }
      if (absl::Status st = ValidateChainConnectors(s.chains(i), field, dev); !st.ok()) return st;
    }
    return adapters::RetryPolicyFromConfig(s.retry(), "childcare.retry").status();
  }

  absl::StatusOr<std::unique_ptr<adapters::Adapter>> CreateAdapter(
      const cfg::ChildcareConfig& config, adapters::AdapterContext& context) const override {
    auto adapter = ChildcareAdapter::Create(config, context);
    if (!adapter.ok()) return adapter.status();
    return std::unique_ptr<adapters::Adapter>(std::move(*adapter));
  }
};

}  // namespace

Settings SettingsFromConfig(const cfg::ChildcareSettings& config) {
  Settings s;
  if (config.has_scan_interval()) s.scan_interval = config::ToDuration(config.scan_interval());
  if (config.has_request_timeout())
    s.request_timeout = config::ToDuration(config.request_timeout());
  if (config.has_history_retention()) {
    s.history_retention = config::ToDuration(config.history_retention());
  }
  if (!config.time_zone().empty()) s.time_zone = config.time_zone();
  return s;
}

std::unique_ptr<adapters::AdapterFactory> NewFactory() {
  return std::make_unique<ChildcareFactory>();
}

}  // namespace olif::childcare
