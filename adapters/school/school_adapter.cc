#include "adapters/school/school_adapter.h"

#include <grpcpp/create_channel.h>

#include <atomic>
#include <deque>
#include <filesystem>

#include "absl/strings/ascii.h"
#include "absl/strings/str_cat.h"
#include "adapters/runtime/adapter_database.h"
#include "adapters/runtime/admin_service.h"
#include "adapters/runtime/folder.h"
#include "adapters/runtime/http_client.h"
#include "adapters/runtime/http_server.h"
#include "adapters/school/connectors.h"
#include "adapters/school/mail.h"
#include "adapters/school/receipt_page.h"
#include "adapters/school/receipts.h"
#include "adapters/school/routing.h"
#include "services/common/bus/consumer.h"
#include "services/common/bus/producer_config.h"
#include "services/common/clock/periodic.h"
#include "services/common/clock/timestamp.h"
#include "services/common/config/config_loader.h"
#include "services/common/logging/logging.h"
#include "services/common/strings/host_port.h"

namespace olif::school {
namespace {

namespace cfg = olifantenpad::config::v1;

struct MailFrom {
  std::string name;
  std::string address;
};

// "Name <address>" (or a bare address). INVALID_ARGUMENT naming the key.
absl::StatusOr<MailFrom> ParseMailFrom(const std::string& from) {
  const size_t open = from.find('<');
  MailFrom m;
  if (open == std::string::npos) {
    m.name = "Olifantenpad";
    m.address = std::string(absl::StripAsciiWhitespace(from));
  } else {
    const size_t close = from.find('>', open);
    if (close == std::string::npos || close != from.size() - 1) {
      return absl::InvalidArgumentError(
          absl::StrCat("school.mail_from: \"", from, "\" is not Name <address>"));
    }
    m.name = std::string(absl::StripAsciiWhitespace(from.substr(0, open)));
    m.address = from.substr(open + 1, close - open - 1);
  }
  if (!IsMailAddress(m.address) || m.name.find_first_of("<>\"\r\n") != std::string::npos) {
    return absl::InvalidArgumentError(
        absl::StrCat("school.mail_from: \"", from, "\" is not Name <address>"));
  }
  return m;
}

absl::StatusOr<adapters::HttpClientOptions> SchoolHttp(const cfg::SchoolEndpoint& s,
                                                       const std::string& field,
                                                       absl::Duration timeout) {
  adapters::HttpClientOptions http;
  http.url = s.fhir_base_url();
  http.timeout = timeout;
  if (!s.bearer_token().empty()) {
    http.headers.push_back({"Authorization", "Bearer " + s.bearer_token()});
  }
  if (absl::Status st = adapters::ApplyTlsConfig(s.tls(), field + ".tls", http); !st.ok())
    return st;
  return http;
}

class SchoolAdapter final : public adapters::Adapter {
 public:
  static absl::StatusOr<std::unique_ptr<SchoolAdapter>> Create(const cfg::SchoolConfig& config,
                                                               adapters::AdapterContext& context) {
    std::unique_ptr<SchoolAdapter> a(new SchoolAdapter(config, context));
    if (absl::Status s = a->Open(); !s.ok()) return s;
    return a;
  }

  absl::Status Start() override {
    for (const auto& c : consumers_) {
      if (absl::Status s = c->Start(); !s.ok()) return s;
    }
    absl::StatusOr<int> port = page_->Start();
    if (!port.ok()) return port.status();
    page_url_ = absl::StrCat("http://", page_options_.host, ":", *port);
    if (page_settings_.public_url.empty()) page_settings_.public_url = page_url_;
    if (webhook_) {
      absl::StatusOr<int> w = webhook_->Start();
      if (!w.ok()) return w.status();
      webhook_url_ = absl::StrCat(config_.school().webhook().cert_file().empty() ? "http" : "https",
                                  "://", webhook_options_.host, ":", *w, webhook_options_.path);
    }
    for (auto& d : deliverers_) d->Start();
    started_ = true;
    overdue_->Start();
    pruning_->Start();
    return absl::OkStatus();
  }

  void Stop() override {
    if (webhook_) webhook_->Stop();
    if (page_) page_->Stop();
    if (overdue_) overdue_->Stop();
    if (pruning_) pruning_->Stop();
    started_ = false;
    for (auto& d : deliverers_) d->Stop();
    for (auto& c : consumers_) c->Stop();
  }

  absl::Status FillStatus(olifantenpad::admin::v1::GetStatusResponse* status) override {
    olif::MutexLock lock(&mu_);
    for (const auto& a : attention_) *status->add_attention() = a;
    return absl::OkStatus();
  }

  std::vector<std::pair<std::string, std::string>> Describe() const override {
    std::vector<std::pair<std::string, std::string>> d = {
        {"database", db_.path},
        {"handover_bus", config_.handover_bus().endpoint()},
        {"receipt_page", page_url_},
        {"links", page_settings_.public_url},
        {"mail_outbox", config_.school().mail_outbox()}};
    if (!webhook_url_.empty()) d.push_back({"webhook", webhook_url_});
    return d;
  }

  ~SchoolAdapter() override { Stop(); }

 private:
  SchoolAdapter(const cfg::SchoolConfig& config, adapters::AdapterContext& context)
      : config_(config),
        settings_(SettingsFromConfig(config.school())),
        schools_(SchoolsFromConfig(config.school())),
        context_(context) {}

  absl::Status Open() {
    const cfg::SchoolSettings& s = config_.school();
    absl::StatusOr<std::string> file = context_.process.DataFile("school.db");
    if (!file.ok()) return file.status();
    auto db = adapters::OpenAdapterDatabase(
        *file, {.retry = s.retry(),
                .retry_field = "school.retry",
                .tables = {SchoolStore::CreateTables},
                // A commit may have queued messages: the deliverers look at once.
                .on_commit = [this] {
                  if (!started_.load()) return;
                  for (auto& d : deliverers_) d->Wake();
                }});
    if (!db.ok()) return db.status();
    context_.process.SetDatabase(db->path);
    db_ = std::move(*db);
    auto store = SchoolStore::Open(db_.path, *db_.writer);
    if (!store.ok()) return store.status();
    store_ = std::move(*store);
    auto directory = directory::DirectoryHolder::Load(s.directory_path());
    if (!directory.ok()) return directory.status();
    directory_ = std::move(*directory);
    handover_ = std::make_unique<GrpcHandoverClient>(
        grpc::CreateChannel(s.handover_address(), grpc::InsecureChannelCredentials()),
        std::chrono::milliseconds(absl::ToInt64Milliseconds(settings_.request_timeout)));
    absl::StatusOr<MailFrom> from = ParseMailFrom(s.mail_from());
    if (!from.ok()) return from.status();
    std::error_code ec;
    std::filesystem::create_directories(s.mail_outbox(), ec);
    if (ec) {
      return absl::InvalidArgumentError(
          absl::StrCat("school.mail_outbox: cannot make ", s.mail_outbox(), ": ", ec.message()));
    }
    if (!absl::LoadTimeZone(settings_.time_zone, &zone_)) {
      return absl::InvalidArgumentError(
          absl::StrCat("school.time_zone: \"", settings_.time_zone, "\" is not a known time zone"));
    }
    page_settings_ = ReceiptPageSettings{.public_url = s.receipt_page().public_url(),
                                         .link_lifetime = settings_.link_lifetime,
                                         .mail_outbox = s.mail_outbox(),
                                         .mail_from_name = from->name,
                                         .mail_from_address = from->address,
                                         .zone = zone_};
    if (absl::Status st = WireRouting(*from); !st.ok()) return st;
    if (absl::Status st = WireDeliveries(); !st.ok()) return st;
    if (absl::Status st = WireInbound(); !st.ok()) return st;
    WireOverdue();
    pruning_ = adapters::NewPruningJob(db_, context_.clock, settings_.history_retention);
    std::vector<std::string> destinations = {kMailDestination};
    for (const auto& [key, school] : schools_) {
      destinations.push_back(SchoolDestination(school.brin(), school.vestiging()));
    }
    admin_ = std::make_unique<adapters::AdapterAdminServiceImpl>(*db_.queue, *db_.history,
                                                                 destinations, context_.clock);
    context_.process.AddService(admin_.get());
    return absl::OkStatus();
  }

  absl::Status WireRouting(const MailFrom& from) {
    metrics::Registry& metrics = context_.process.metrics();
    handover_router_ = std::make_unique<HandoverRouter>(schools_, context_.clock, metrics);
    consumers_.push_back(std::make_unique<bus::Consumer>(
        bus::ToConsumerOptions(config_.handover_bus(), "handover", HandoverRouter::Topics()),
        *db_.writer, *handover_router_, metrics));
    context_.process.AddConsumer(*consumers_.back());
    if (!config_.scheduling_bus().endpoint().empty()) {
      meeting_router_ = std::make_unique<MeetingRouter>(
          schools_, *directory_,
          MeetingSettings{from.name, from.address, settings_.time_zone, zone_}, context_.clock,
          metrics);
      consumers_.push_back(std::make_unique<bus::Consumer>(
          bus::ToConsumerOptions(config_.scheduling_bus(), "scheduling", MeetingRouter::Topics()),
          *db_.writer, *meeting_router_, metrics));
      context_.process.AddConsumer(*consumers_.back());
    }
    return absl::OkStatus();
  }

  absl::Status WireDeliveries() {
    metrics::Registry& metrics = context_.process.metrics();
    const auto deliverer = [&](const std::string& destination, adapters::Connector& connector) {
      deliverers_.push_back(std::make_unique<adapters::Deliverer>(
          *db_.queue, destination, connector, context_.clock, metrics,
          adapters::DelivererOptions{.max_in_flight = 4, .history = db_.history.get()}));
    };
    connectors_.push_back(
        std::make_unique<adapters::OutboxFolderConnector>(config_.school().mail_outbox(), ".eml"));
    deliverer(kMailDestination, *connectors_.back());
    for (const auto& [key, school] : schools_) {
      if (school.fhir_base_url().empty()) {
        connectors_.push_back(std::make_unique<ReceiptPageConnector>(
            school, page_settings_, *db_.writer, *directory_, context_.clock));
      } else {
        absl::StatusOr<adapters::HttpClientOptions> http =
            SchoolHttp(school, absl::StrCat("school ", key), settings_.request_timeout);
        if (!http.ok()) return http.status();
        connectors_.push_back(std::make_unique<FhirSchoolConnector>(*http, *handover_, key));
      }
      deliverer(SchoolDestination(school.brin(), school.vestiging()), *connectors_.back());
    }
    return absl::OkStatus();
  }

  absl::Status WireInbound() {
    const cfg::SchoolSettings& s = config_.school();
    absl::StatusOr<HostPort> address = ParseHostPort(s.receipt_page().listen_address());
    if (!address.ok()) return address.status();
    page_options_ = ReceiptPageOptions{.host = address->host, .port = address->port};
    if (!s.receipt_page().public_url().empty()) {
      // The origin of the links: scheme://host[:port], without a path.
      const std::string& url = s.receipt_page().public_url();
      const size_t path = url.find('/', url.find("://") + 3);
      page_options_.public_origin = url.substr(0, path);
    }
    page_ = std::make_unique<ReceiptPage>(page_options_, *store_, *handover_, *directory_,
                                          context_.clock, context_.process.metrics());
    if (!s.has_webhook()) return absl::OkStatus();
    absl::StatusOr<adapters::HttpServerOptions> webhook = adapters::WebhookOptionsFromConfig(
        s.webhook(), "school.webhook", config_.runtime().dev_mode(), settings_.webhook_path);
    if (!webhook.ok()) return webhook.status();
    webhook_options_ = *webhook;
    receipts_ = std::make_unique<ReceiptWebhook>(schools_, *handover_);
    webhook_ = std::make_unique<adapters::HttpServerConnector>(webhook_options_, *receipts_,
                                                               context_.process.metrics());
    return absl::OkStatus();
  }

  // Handovers a school has not acknowledged in time: a gauge, and an item of
  // the admin status each.
  void WireOverdue() {
    metrics::Gauge& gauge = context_.process.metrics().GetGauge(
        "olif_school_handovers_overdue",
        "Handovers sent to a school and not acknowledged within acknowledge_within", {});
    const absl::Duration every =
        std::clamp(settings_.acknowledge_within / 4, absl::Seconds(1), settings_.overdue_check);
    overdue_ = std::make_unique<Periodic>(every, [this, &gauge] {
      const absl::Time now = context_.clock.Now();
      absl::StatusOr<std::vector<SentHandover>> late =
          store_->Unacknowledged(now - settings_.acknowledge_within);
      if (!late.ok()) {
        log::Warn("looking for overdue schools", {{"error", std::string(late.status().message())}});
        return;
      }
      std::vector<olifantenpad::admin::v1::Attention> items;
      for (const SentHandover& h : *late) {
        olifantenpad::admin::v1::Attention a;
        a.set_kind("handover_unacknowledged");
        a.set_subject(absl::StrCat("handovers/", h.handover_id));
        a.set_detail(absl::StrCat(
            "school ", h.brin, "-", h.vestiging, " (", h.school_organisation_id,
            ") has not acknowledged revision ", h.revision, " sent ",
            absl::FormatDuration(absl::Trunc(now - h.sent_at, absl::Minutes(1))), " ago"));
        *a.mutable_since() = ToTimestamp(h.sent_at + settings_.acknowledge_within);
        items.push_back(std::move(a));
      }
      gauge.Set(static_cast<double>(items.size()));
      olif::MutexLock lock(&mu_);
      attention_ = std::move(items);
    });
  }

  const cfg::SchoolConfig config_;
  const Settings settings_;
  const Schools schools_;
  adapters::AdapterContext& context_;
  absl::TimeZone zone_;
  std::atomic<bool> started_{false};
  ReceiptPageSettings page_settings_;
  ReceiptPageOptions page_options_;
  std::string page_url_;
  adapters::HttpServerOptions webhook_options_;
  std::string webhook_url_;
  olif::Mutex mu_;
  std::vector<olifantenpad::admin::v1::Attention> attention_ ABSL_GUARDED_BY(mu_);
  // Declared in the order they are built; destroyed in reverse.
  adapters::AdapterDatabase db_;
  std::unique_ptr<SchoolStore> store_;
  std::unique_ptr<directory::DirectoryHolder> directory_;
  std::unique_ptr<GrpcHandoverClient> handover_;
  std::unique_ptr<HandoverRouter> handover_router_;
  std::unique_ptr<MeetingRouter> meeting_router_;
  std::vector<std::unique_ptr<bus::Consumer>> consumers_;
  std::deque<std::unique_ptr<adapters::Connector>> connectors_;
  std::vector<std::unique_ptr<adapters::Deliverer>> deliverers_;
  std::unique_ptr<ReceiptPage> page_;
  std::unique_ptr<ReceiptWebhook> receipts_;
  std::unique_ptr<adapters::HttpServerConnector> webhook_;
  std::unique_ptr<Periodic> overdue_;
  std::unique_ptr<Periodic> pruning_;
  std::unique_ptr<adapters::AdapterAdminServiceImpl> admin_;
};

class SchoolFactory final : public adapters::TypedAdapterFactory<cfg::SchoolConfig> {
 public:
  std::string name() const override { return "school"; }

 protected:
  absl::Status ValidateConfig(const cfg::SchoolConfig& c) const override {
    const bool dev = c.runtime().dev_mode();
    if (absl::Status s = bus::ValidateConsumerConfig(c.handover_bus(), "handover_bus", dev);
        !s.ok()) {
      return s;
    }
    if (!c.scheduling_bus().endpoint().empty()) {
      if (absl::Status s = bus::ValidateConsumerConfig(c.scheduling_bus(), "scheduling_bus", dev);
          !s.ok()) {
        return s;
      }
    }
    const cfg::SchoolSettings& s = c.school();
    if (absl::Status st = ParseMailFrom(s.mail_from()).status(); !st.ok()) return st;
    if (absl::Status st = ParseHostPort(s.receipt_page().listen_address()).status(); !st.ok()) {
      return absl::InvalidArgumentError(
          absl::StrCat("school.receipt_page.listen_address: ", st.message()));
    }
    if (!s.receipt_page().public_url().empty()) {
      if (absl::Status st = adapters::ValidateBaseUrl(s.receipt_page().public_url(),
                                                      "school.receipt_page.public_url", dev);
          !st.ok()) {
        return st;
      }
    }
    if (s.has_webhook()) {
      if (absl::Status st =
              adapters::WebhookOptionsFromConfig(s.webhook(), "school.webhook", dev, "/").status();
          !st.ok()) {
        return st;
      }
    }
    std::set<std::string> seen;
    for (int i = 0; i < s.schools_size(); ++i) {
      const cfg::SchoolEndpoint& e = s.schools(i);
      const std::string field = absl::StrCat("school.schools[", i, "]");
      if (!seen.insert(absl::StrCat(e.brin(), "-", e.vestiging())).second) {
        return absl::InvalidArgumentError(
            absl::StrCat(field, ": ", e.brin(), "-", e.vestiging(), " is listed twice"));
      }
      if (!IsMailAddress(e.contact_email())) {
        return absl::InvalidArgumentError(
            absl::StrCat(field, ".contact_email: \"", e.contact_email(), "\" is not an address"));
      }
      if (!e.fhir_base_url().empty()) {
        if (absl::Status st =
                adapters::ValidateBaseUrl(e.fhir_base_url(), field + ".fhir_base_url", dev);
            !st.ok()) {
          return st;
        }
        if (absl::Status st = SchoolHttp(e, field, absl::Seconds(1)).status(); !st.ok()) return st;
      }
    }
    return adapters::RetryPolicyFromConfig(s.retry(), "school.retry").status();
  }

  absl::StatusOr<std::unique_ptr<adapters::Adapter>> CreateAdapter(
      const cfg::SchoolConfig& config, adapters::AdapterContext& context) const override {
    auto adapter = SchoolAdapter::Create(config, context);
    if (!adapter.ok()) return adapter.status();
    return std::unique_ptr<adapters::Adapter>(std::move(*adapter));
  }
};

}  // namespace

Settings SettingsFromConfig(const cfg::SchoolSettings& config) {
  Settings s;
  if (config.has_acknowledge_within()) {
    s.acknowledge_within = config::ToDuration(config.acknowledge_within());
  }
  if (config.has_request_timeout())
    s.request_timeout = config::ToDuration(config.request_timeout());
  if (config.has_history_retention()) {
    s.history_retention = config::ToDuration(config.history_retention());
  }
  if (config.receipt_page().has_link_lifetime()) {
    s.link_lifetime = config::ToDuration(config.receipt_page().link_lifetime());
  }
  if (!config.time_zone().empty()) s.time_zone = config.time_zone();
  if (config.has_webhook() && !config.webhook().path().empty()) {
    s.webhook_path = config.webhook().path();
  }
  return s;
}

std::unique_ptr<adapters::AdapterFactory> NewFactory() { return std::make_unique<SchoolFactory>(); }

}  // namespace olif::school
