#pragma once

// The hub as olifantctl sees it: every process configured in a config
// directory (a <process>.yaml for a process of the build's list), where its
// gRPC server listens (read from that file as the process reads it), and a
// channel to each. The calls themselves are the Admin services'
// (olifantenpad.admin.v1) and the services' own.

#include <grpcpp/grpcpp.h>

#include <chrono>
#include <memory>
#include <optional>
#include <string>
#include <vector>

#include "absl/status/statusor.h"
#include "olifantenpad/admin/v1/adapter.pb.h"
#include "olifantenpad/admin/v1/admin.pb.h"
#include "services/common/config/config_loader.h"

namespace olif::ctl {

struct HubProcess {
  std::string name;      // e.g. "referrals"
  std::string config;    // its config file
  std::string address;   // host:port of its gRPC server
  bool adapter = false;  // serves AdapterAdminService (dead letters, history)
};

// One process as a look at it found it.
struct ProcessState {
  const HubProcess* process = nullptr;
  std::string health;  // SERVING, NOT_SERVING, or UNREACHABLE (no answer)
  std::string error;   // the first call that failed: "CODE: message"
  olifantenpad::admin::v1::GetStatusResponse status;
  olifantenpad::admin::v1::GetQueueDepthResponse queues;  // adapters only
};

class Hub {
 public:
  // The processes configured in `config_dir`, in start order. NOT_FOUND when
  // none is; INVALID_ARGUMENT when a config file cannot be read.
  static absl::StatusOr<Hub> Load(const std::string& config_dir, const config::EnvLookup& env);

  const std::vector<HubProcess>& processes() const { return processes_; }
  // The process named `name`; NOT_FOUND names the configured ones.
  absl::StatusOr<const HubProcess*> Find(const std::string& name) const;
  // The adapters (one when `name` is given, checked to be an adapter).
  absl::StatusOr<std::vector<const HubProcess*>> Adapters(const std::string& name) const;

  std::shared_ptr<grpc::Channel> Channel(const HubProcess& process) const;

  // Asks `process` for its health, its admin status and (an adapter) its
  // queue depths, each call within `timeout`.
  ProcessState Probe(const HubProcess& process, std::chrono::milliseconds timeout) const;

 private:
  std::vector<HubProcess> processes_;
};

// "CODE: message" of a failed call.
std::string Describe(const grpc::Status& status);

// A deadline `timeout` from now, for a ClientContext.
inline std::chrono::system_clock::time_point Deadline(std::chrono::milliseconds timeout) {
  return std::chrono::system_clock::now() + timeout;
}

}  // namespace olif::ctl
