#pragma once

// What every Olifantenpad process shares: the command line (--config,
// --check-config, --version, --help), logging set up from the runtime config,
// the metrics endpoint, the gRPC server with the Admin service, and a
// graceful stop on SIGTERM or SIGINT (a second signal stops at once), and
// SIGHUP for a reload of what the process reloads (e.g. the directory).
//
// A service's main.cc parses the command line, opens its store, builds its
// service objects and hands them to a Process; see services/referrals/main.cc.

#include <functional>
#include <memory>
#include <optional>
#include <string>
#include "absl/strings/string_view.h"

#include <google/protobuf/message.h>

#include "absl/status/status.h"
#include "olifantenpad/config/v1/runtime.pb.h"
#include "services/common/audit/audit.h"
#include "services/common/bus/consumer.h"
#include "services/common/grpc/admin_service.h"
#include "services/common/grpc/server_runner.h"
#include "services/common/metrics/http_endpoint.h"
#include "services/common/metrics/metrics.h"
#include "services/common/sqlite/database.h"
#include "services/common/sync/mutex.h"

namespace olif {

// The build's version, e.g. "0.1.0".
const char* Version();

struct CommandLine {
  std::string config_path;
  bool check_config = false;
  bool version = false;
  bool help = false;
  bool gen_curve_keypair = false;
};

// Parses the flags every process takes. --config is required unless
// --version or --help is given.
absl::StatusOr<CommandLine> ParseCommandLine(int argc, const char* const* argv);

// Checks what the loader cannot: addresses parse, plaintext only in dev mode
// and on loopback.
absl::Status ValidateRuntimeConfig(const olifantenpad::config::v1::RuntimeConfig& runtime);

// Parses the command line and loads the config file into `config`, whose
// field `runtime` (an olifantenpad.config.v1.RuntimeConfig, as in every
// process's config) is validated. Returns an exit code when the process
// should stop here (--version, --help, --check-config, or an error, which is
// printed to stderr), and nothing when it should run.
// `validate` checks the rest of the process's config (nullptr: nothing more).
std::optional<int> PrepareProcess(
    int argc, const char* const* argv, absl::string_view process, google::protobuf::Message* config,
    const std::function<absl::Status(const google::protobuf::Message&)>& validate = nullptr);

// Logs `what` failed with `status`'s message and returns the exit code 1,
// for a main() that cannot go on: `return olif::ExitWith("cannot ...", s);`.
int ExitWith(absl::string_view what, const absl::Status& status);

class Process {
 public:
  // Sets up logging and blocks SIGTERM/SIGINT so that only WaitForSignal()
  // receives them; construct it before any thread is started.
  Process(std::string name, const olifantenpad::config::v1::RuntimeConfig& runtime);
  ~Process();

  metrics::Registry& metrics() { return registry_; }
  // The path of `file` in the runtime's data_dir, which is created when
  // missing; the error names the directory.
  absl::StatusOr<std::string> DataFile(const std::string& file) const;
  void AddService(grpc::Service* service) { server_.AddService(service); }
  void SetStatusFiller(grpcx::AdminService::Filler filler);
  // The process's database (a file in the data directory): its size and
  // free pages in the status, and the Admin service's Vacuum.
  void SetDatabase(std::string path);
  // A bus consumer of the process (it must outlive serving): its position in
  // the status, and the Admin service's ReplayConsumer.
  void AddConsumer(bus::Consumer& consumer) { consumers_.push_back(&consumer); }
  // The audit trail of a process that keeps one, for the Admin service's
  // SearchAudit (which adds the replays of the process's consumers).
  using AuditSearch =
      std::function<absl::StatusOr<std::vector<audit::Entry>>(const audit::Query& query)>;
  void SetAuditSearch(AuditSearch search) { audit_search_ = std::move(search); }
  // Runs on SIGHUP, on the thread in RunUntilSignal(); calls keep being served
  // meanwhile. `reload` logs what it did.
  void OnReload(std::function<void()> reload) { reload_ = std::move(reload); }

  // Starts gRPC and the metrics endpoint and logs where they listen.
  absl::Status Start();
  int grpc_port() const { return server_.port(); }
  int metrics_port() const { return metrics_port_; }

  // Blocks until SIGTERM or SIGINT, then drains; returns the signal number.
  // SIGHUP in the meantime runs the reload handler.
  int RunUntilSignal();
  void Shutdown();

 private:
  // The whole status: the filler's part, the consumers', the database's.
  absl::Status FillStatus(olifantenpad::admin::v1::GetStatusResponse* status);
  absl::Status FillDatabase(olifantenpad::admin::v1::DatabaseStatus* database)
      ABSL_LOCKS_EXCLUDED(db_mu_);
  absl::StatusOr<olifantenpad::admin::v1::VacuumResponse> Vacuum(
      const olifantenpad::admin::v1::VacuumRequest& request);
  absl::StatusOr<olifantenpad::admin::v1::ReplayConsumerResponse> Replay(
      const olifantenpad::admin::v1::ReplayConsumerRequest& request);
  // The audit trail's lines and the consumers' replays, newest first.
  absl::StatusOr<olifantenpad::admin::v1::SearchAuditResponse> SearchAudit(
      const olifantenpad::admin::v1::SearchAuditRequest& request);
  // Opens status_db_ when it is not yet open.
  absl::Status OpenStatusDb() ABSL_EXCLUSIVE_LOCKS_REQUIRED(db_mu_);

  std::string name_;
  olifantenpad::config::v1::RuntimeConfig runtime_;
  metrics::Registry registry_;
  grpcx::ServerRunner server_;
  std::unique_ptr<grpcx::AdminService> admin_;
  grpcx::AdminService::Filler filler_;
  std::vector<bus::Consumer*> consumers_;
  AuditSearch audit_search_;
  std::string database_path_;
  olif::Mutex db_mu_;
  // A connection of its own for the database's figures, opened at first use.
  std::unique_ptr<sqlite::Database> status_db_ ABSL_GUARDED_BY(db_mu_);
  std::function<void()> reload_;
  metrics::HttpEndpoint http_;
  int metrics_port_ = 0;
};

}  // namespace olif
