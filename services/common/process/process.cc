#include "services/common/process/process.h"

#include "absl/synchronization/mutex.h"

#include <pthread.h>
#include <signal.h>
#include <unistd.h>

#include <algorithm>
#include <filesystem>
#include <system_error>

#include <cstdio>
#include <iostream>
#include <thread>

#include <google/protobuf/util/time_util.h>

#include "absl/strings/match.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/str_join.h"
#include "absl/time/clock.h"
#include "services/common/bus/curve.h"
#include "services/common/config/config_loader.h"
#include "services/common/logging/logging.h"
#include "services/common/strings/host_port.h"

#ifndef OLIF_VERSION
#define OLIF_VERSION "0.0.0-dev"
#endif

namespace olif {
namespace {

namespace cfg = olifantenpad::config::v1;

sigset_t TerminationSignals() {
  sigset_t set;
  sigemptyset(&set);
  sigaddset(&set, SIGTERM);
  sigaddset(&set, SIGINT);
  return set;
}

std::chrono::milliseconds Grace(const cfg::RuntimeConfig& runtime) {
  if (!runtime.has_shutdown_grace()) return std::chrono::seconds(10);
  return std::chrono::milliseconds(
      google::protobuf::util::TimeUtil::DurationToMilliseconds(runtime.shutdown_grace()));
}

constexpr char kUsage[] =
    "usage: %s --config FILE [--check-config]\n"
    "       %s --version | --help | --gen-curve-keypair\n"
    "\n"
    "  --config FILE    the process's YAML config (see config/dev/)\n"
    "  --check-config   validate the config, print what is wrong, and exit\n"
    "  --version        print the version and exit\n"
    "  --gen-curve-keypair  print a new CURVE key pair for the bus (Z85) and exit\n";

}  // namespace

const char* Version() { return OLIF_VERSION; }

absl::StatusOr<CommandLine> ParseCommandLine(int argc, const char* const* argv) {
  CommandLine cl;
  for (int i = 1; i < argc; ++i) {
    const absl::string_view arg = argv[i];
    if (arg == "--version") {
      cl.version = true;
    } else if (arg == "--help" || arg == "-h") {
      cl.help = true;
    } else if (arg == "--check-config") {
      cl.check_config = true;
    } else if (arg == "--gen-curve-keypair") {
      cl.gen_curve_keypair = true;
    } else if (arg == "--config") {
      if (i + 1 >= argc) return absl::InvalidArgumentError("--config needs a file");
      cl.config_path = argv[++i];
    } else if (absl::StartsWith(arg, "--config=")) {
      cl.config_path = std::string(arg.substr(9));
    } else {
      return absl::InvalidArgumentError(absl::StrCat("unknown argument '", arg, "'"));
    }
  }
  if (!cl.version && !cl.help && !cl.gen_curve_keypair && cl.config_path.empty()) {
    return absl::InvalidArgumentError("--config FILE is required");
  }
  return cl;
}

absl::Status ValidateRuntimeConfig(const cfg::RuntimeConfig& runtime) {
  for (const auto& [key, address] :
       {std::pair{"runtime.grpc.listen_address", runtime.grpc().listen_address()},
        std::pair{"runtime.metrics.listen_address", runtime.metrics().listen_address()}}) {
    absl::StatusOr<HostPort> hp = ParseHostPort(address);
    if (!hp.ok()) return absl::InvalidArgumentError(absl::StrCat(key, ": ", hp.status().message()));
    if (runtime.dev_mode() && !IsLoopbackHost(hp->host)) {
      return absl::InvalidArgumentError(
          absl::StrCat(key, ": dev_mode binds loopback only, not ", address));
    }
  }
  if (!runtime.dev_mode()) {
    return absl::InvalidArgumentError(
        "runtime.dev_mode: must be true; TLS settings for production are not available in this "
        "version");
  }
  return absl::OkStatus();
}

std::optional<int> PrepareProcess(
    int argc, const char* const* argv, absl::string_view process, google::protobuf::Message* config,
    const std::function<absl::Status(const google::protobuf::Message&)>& validate) {
  // gRPC's locks are abseil's, whose lock-order graph (kept for deadlock
  // reports in debug builds) costs a few percent of every call.
  absl::SetMutexDeadlockDetectionMode(absl::OnDeadlockCycle::kIgnore);
  absl::StatusOr<CommandLine> cl = ParseCommandLine(argc, argv);
  if (!cl.ok()) {
    std::fprintf(stderr, "%.*s: %s\n", static_cast<int>(process.size()), process.data(),
                 std::string(cl.status().message()).c_str());
    std::fprintf(stderr, kUsage, argv[0], argv[0]);
    return 2;
  }
  if (cl->help) {
    std::printf(kUsage, argv[0], argv[0]);
    return 0;
  }
  if (cl->version) {
    std::printf("%.*s %s\n", static_cast<int>(process.size()), process.data(), Version());
    return 0;
  }
  if (cl->gen_curve_keypair) {
    absl::StatusOr<bus::CurveKeyPair> pair = bus::GenerateCurveKeyPair();
    if (!pair.ok()) {
      std::fprintf(stderr, "%s\n", std::string(pair.status().message()).c_str());
      return 1;
    }
    // The secret key belongs in the environment or a secret store, never in a file under git.
    std::printf("public_key: %s\nsecret_key: %s\n", pair->public_key.c_str(),
                pair->secret_key.c_str());
    return 0;
  }
  absl::Status status = config::LoadFile(cl->config_path, config);
  if (status.ok()) {
    const auto* field = config->GetDescriptor()->FindFieldByName("runtime");
    if (field == nullptr || field->message_type() != cfg::RuntimeConfig::descriptor()) {
      status = absl::InternalError("config message has no RuntimeConfig field 'runtime'");
    } else {
      status = ValidateRuntimeConfig(static_cast<const cfg::RuntimeConfig&>(
          config->GetReflection()->GetMessage(*config, field)));
    }
  }
  if (status.ok() && validate) status = validate(*config);
  if (!status.ok()) {
    std::fprintf(stderr, "%.*s: config %s: %s\n", static_cast<int>(process.size()), process.data(),
                 cl->config_path.c_str(), std::string(status.message()).c_str());
    return 1;
  }
  if (cl->check_config) {
    std::printf("%s: OK\n", cl->config_path.c_str());
    return 0;
  }
  return std::nullopt;
}

Process::Process(std::string name, const cfg::RuntimeConfig& runtime)
    : name_(std::move(name)),
      runtime_(runtime),
      server_({.process = name_,
               .listen_address = runtime.grpc().listen_address(),
               .dev_mode = runtime.dev_mode(),
               .shutdown_grace = Grace(runtime)},
              registry_),
      http_(registry_, [this] { return server_.serving(); }) {
  sigset_t set = TerminationSignals();
  sigaddset(&set, SIGHUP);
  pthread_sigmask(SIG_BLOCK, &set, nullptr);
  log::Init(name_, runtime.logging());
}

Process::~Process() { Shutdown(); }

int ExitWith(absl::string_view what, const absl::Status& status) {
  log::Error(std::string(what), {{"error", std::string(status.message())}});
  return 1;
}

absl::StatusOr<std::string> Process::DataFile(const std::string& file) const {
  std::error_code ec;
  std::filesystem::create_directories(runtime_.data_dir(), ec);
  if (ec) {
    return absl::FailedPreconditionError(
        absl::StrCat("cannot create data directory ", runtime_.data_dir(), ": ", ec.message()));
  }
  return (std::filesystem::path(runtime_.data_dir()) / file).string();
}

void Process::SetStatusFiller(grpcx::AdminService::Filler filler) { filler_ = std::move(filler); }

void Process::SetDatabase(std::string path) { database_path_ = std::move(path); }

absl::Status Process::FillStatus(olifantenpad::admin::v1::GetStatusResponse* status) {
  if (filler_) {
    if (absl::Status s = filler_(status); !s.ok()) return s;
  }
  for (const bus::Consumer* c : consumers_) c->FillStatus(status);
  if (database_path_.empty()) return absl::OkStatus();
  return FillDatabase(status->mutable_database());
}

absl::Status Process::FillDatabase(olifantenpad::admin::v1::DatabaseStatus* database) {
  olif::MutexLock lock(&db_mu_);
  if (absl::Status s = OpenStatusDb(); !s.ok()) return s;
  absl::StatusOr<sqlite::Database::Space> space = status_db_->SpaceUsed();
  if (!space.ok()) return space.status();
  absl::StatusOr<int> version = status_db_->SchemaVersion();
  if (!version.ok()) return version.status();
  database->set_path(database_path_);
  database->set_size_bytes(space->size_bytes);
  database->set_schema_version(*version);
  database->set_page_size(space->page_size);
  database->set_page_count(space->page_count);
  database->set_free_pages(space->free_pages);
  database->set_incremental_vacuum(space->incremental_vacuum);
  return absl::OkStatus();
}

absl::Status Process::OpenStatusDb() {
  if (status_db_ != nullptr) return absl::OkStatus();
  absl::StatusOr<std::unique_ptr<sqlite::Database>> db = sqlite::Database::Open(database_path_, {});
  if (!db.ok()) return db.status();
  status_db_ = std::move(*db);
  return absl::OkStatus();
}

absl::StatusOr<olifantenpad::admin::v1::SearchAuditResponse> Process::SearchAudit(
    const olifantenpad::admin::v1::SearchAuditRequest& request) {
  absl::StatusOr<audit::Query> query = audit::QueryFromAdmin(request);
  if (!query.ok()) return query.status();
  std::vector<audit::Entry> lines;
  if (audit_search_) {
    absl::StatusOr<std::vector<audit::Entry>> own = audit_search_(*query);
    if (!own.ok()) return own.status();
    lines = std::move(*own);
  }
  if (!consumers_.empty() && !database_path_.empty()) {
    olif::MutexLock lock(&db_mu_);
    if (absl::Status s = OpenStatusDb(); !s.ok()) return s;
    absl::StatusOr<std::vector<audit::Entry>> replays = bus::Replays(*status_db_, *query);
    if (!replays.ok()) return replays.status();
    lines.insert(lines.end(), replays->begin(), replays->end());
  }
  std::stable_sort(lines.begin(), lines.end(),
                   [](const audit::Entry& a, const audit::Entry& b) { return a.at > b.at; });
  if (lines.size() > static_cast<size_t>(query->limit)) lines.resize(query->limit);
  return audit::ToAdmin(lines);
}

absl::StatusOr<olifantenpad::admin::v1::VacuumResponse> Process::Vacuum(
    const olifantenpad::admin::v1::VacuumRequest& request) {
  if (request.who().empty() || request.why().empty()) {
    return absl::InvalidArgumentError("a vacuum needs who and why");
  }
  olifantenpad::admin::v1::VacuumResponse out;
  if (absl::Status s = FillDatabase(out.mutable_before()); !s.ok()) return s;
  absl::StatusOr<sqlite::Reclaimed> reclaimed = sqlite::Reclaim(database_path_);
  if (!reclaimed.ok()) return reclaimed.status();
  out.set_rebuilt(reclaimed->rebuilt);
  if (absl::Status s = FillDatabase(out.mutable_after()); !s.ok()) return s;
  log::Info("database vacuumed", {{"database", database_path_},
                                  {"bytes_before", absl::StrCat(out.before().size_bytes())},
                                  {"bytes_after", absl::StrCat(out.after().size_bytes())},
                                  {"rebuilt", out.rebuilt() ? "true" : "false"},
                                  {"who", request.who()},
                                  {"why", request.why()}});
  return out;
}

absl::StatusOr<olifantenpad::admin::v1::ReplayConsumerResponse> Process::Replay(
    const olifantenpad::admin::v1::ReplayConsumerRequest& request) {
  std::vector<std::string> producers;
  for (bus::Consumer* c : consumers_) {
    if (c->producer() != request.producer()) {
      producers.push_back(c->producer());
      continue;
    }
    absl::StatusOr<int64_t> previous = c->Replay(request.from_seq(), request.who(), request.why());
    if (!previous.ok()) return previous.status();
    olifantenpad::admin::v1::ReplayConsumerResponse out;
    out.set_previous_cursor(*previous);
    out.set_cursor(request.from_seq() - 1);
    return out;
  }
  return absl::NotFoundError(
      absl::StrCat(name_, " consumes no producer named '", request.producer(), "' (it consumes: ",
                   producers.empty() ? std::string("none") : absl::StrJoin(producers, ", "), ")"));
}

absl::Status Process::Start() {
  grpcx::AdminService::Hooks hooks{
      .status = [this](auto* status) { return FillStatus(status); },
      .replay = [this](const auto& request) { return Replay(request); }};
  if (audit_search_ || !consumers_.empty()) {
    hooks.audit = [this](const auto& request) { return SearchAudit(request); };
  }
  if (!database_path_.empty()) {
    hooks.vacuum = [this](const auto& request) { return Vacuum(request); };
  }
  admin_ = std::make_unique<grpcx::AdminService>(name_, Version(), std::move(hooks));
  // The same facts as the Admin status, for Prometheus.
  registry_.GetGauge("olif_process_start_time_seconds", "When the process started (Unix time)")
      .Set(static_cast<double>(absl::ToUnixMicros(absl::Now())) / 1e6);
  if (filler_ || !database_path_.empty()) {
    registry_.AddCollector([this](metrics::Registry& r) {
      olifantenpad::admin::v1::GetStatusResponse status;
      if (!FillStatus(&status).ok()) return;  // the gauges keep their last values
      r.GetGauge("olif_database_size_bytes", "Database file plus WAL, in bytes")
          .Set(static_cast<double>(status.database().size_bytes()));
      r.GetGauge("olif_database_free_pages", "Pages free inside the database file")
          .Set(static_cast<double>(status.database().free_pages()));
      r.GetGauge("olif_outbox_head_seq", "Newest outbox sequence number")
          .Set(static_cast<double>(status.outbox().head_seq()));
      r.GetGauge("olif_outbox_rows", "Events stored in the outbox")
          .Set(static_cast<double>(status.outbox().row_count()));
    });
  }
  server_.AddService(admin_.get());
  if (absl::Status s = server_.Start(); !s.ok()) return s;
  absl::StatusOr<int> port = http_.Start(runtime_.metrics().listen_address());
  if (!port.ok()) {
    server_.Shutdown();
    return port.status();
  }
  metrics_port_ = *port;
  const HostPort grpc_hp = *ParseHostPort(runtime_.grpc().listen_address());
  const HostPort metrics_hp = *ParseHostPort(runtime_.metrics().listen_address());
  log::Info("listening", {{"grpc", absl::StrCat(grpc_hp.host, ":", server_.port())},
                          {"metrics", absl::StrCat(metrics_hp.host, ":", metrics_port_)},
                          {"version", Version()}});
  return absl::OkStatus();
}

int Process::RunUntilSignal() {
  sigset_t set = TerminationSignals();
  sigset_t with_hup = set;
  sigaddset(&with_hup, SIGHUP);
  int sig = 0;
  for (;;) {
    sigwait(&with_hup, &sig);
    if (sig != SIGHUP) break;
    if (reload_) {
      log::Info("SIGHUP: reloading");
      reload_();
    } else {
      log::Info("SIGHUP: nothing to reload");
    }
  }
  log::Info("stopping", {{"signal", sig == SIGTERM ? "SIGTERM" : "SIGINT"},
                         {"grace_ms", absl::StrCat(Grace(runtime_).count())}});
  // An operator who signals again does not want to wait for the drain.
  std::thread([set] {
    int again = 0;
    sigwait(&set, &again);
    std::fprintf(stderr, "second signal: stopping now\n");
    _exit(128 + again);
  }).detach();
  Shutdown();
  log::Info("stopped");
  return sig;
}

void Process::Shutdown() {
  server_.Shutdown();
  http_.Stop();
}

}  // namespace olif
