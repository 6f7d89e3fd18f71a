#include "tools/olifantctl/hub.h"

#include <algorithm>
#include <filesystem>

#include "absl/strings/match.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/str_join.h"
#include "grpc/health/v1/health.grpc.pb.h"
#include "olifantenpad/admin/v1/adapter.grpc.pb.h"
#include "olifantenpad/admin/v1/admin.grpc.pb.h"
#include "services/common/grpc/call_observer.h"
#include "services/common/strings/host_port.h"
#include "tools/launcher/endpoints.h"
#include "tools/launcher/hub_processes.h"

namespace olif::ctl {
namespace {

bool IsAdapter(const std::string& name) {
  return std::any_of(std::begin(launcher::kAdapters), std::end(launcher::kAdapters),
                     [&](const char* a) { return name == a; });
}

// Where to connect to a server that listens on `listen`: a wildcard address
// is reached on loopback.
std::string ConnectAddress(const std::string& listen) {
  absl::StatusOr<HostPort> hp = ParseHostPort(listen);
  if (!hp.ok()) return listen;
  if (hp->host == "0.0.0.0" || hp->host.empty()) return absl::StrCat("127.0.0.1:", hp->port);
  if (hp->host == "::") return absl::StrCat("[::1]:", hp->port);
  return listen;
}

}  // namespace

absl::StatusOr<Hub> Hub::Load(const std::string& config_dir, const config::EnvLookup& env) {
  Hub hub;
  for (const char* name : launcher::kHubProcesses) {
    const std::string file = (std::filesystem::path(config_dir) / absl::StrCat(name, ".yaml"));
    if (!std::filesystem::exists(file)) continue;
    absl::StatusOr<std::vector<launcher::Endpoint>> endpoints = launcher::EndpointsOf(file, env);
    if (!endpoints.ok()) return endpoints.status();
    for (const launcher::Endpoint& e : *endpoints) {
      if (e.what != "grpc") continue;
      hub.processes_.push_back({name, file, ConnectAddress(e.where), IsAdapter(name)});
      break;
    }
  }
  if (hub.processes_.empty()) {
    return absl::NotFoundError(
        absl::StrCat("no process of the hub is configured in ", config_dir,
                     " (expected files such as consent.yaml); give --config-dir"));
  }
  return hub;
}

absl::StatusOr<const HubProcess*> Hub::Find(const std::string& name) const {
  for (const HubProcess& p : processes_) {
    if (p.name == name) return &p;
  }
  return absl::NotFoundError(absl::StrCat(
      "no process '", name, "' is configured; configured: ",
      absl::StrJoin(processes_, ", ",
                    [](std::string* out, const HubProcess& p) { out->append(p.name); })));
}

absl::StatusOr<std::vector<const HubProcess*>> Hub::Adapters(const std::string& name) const {
  std::vector<const HubProcess*> out;
  if (!name.empty()) {
    absl::StatusOr<const HubProcess*> p = Find(name);
    if (!p.ok()) return p.status();
    if (!(*p)->adapter) {
      return absl::InvalidArgumentError(absl::StrCat(
          name, " is not an adapter: dead letters and message history are the adapters' (",
          absl::StrJoin(launcher::kAdapters, ", "), ")"));
    }
    out.push_back(*p);
    return out;
  }
  for (const HubProcess& p : processes_) {
    if (p.adapter) out.push_back(&p);
  }
  return out;
}

std::shared_ptr<grpc::Channel> Hub::Channel(const HubProcess& process) const {
  // Dev and loopback: plaintext, as the processes serve it there.
  return grpc::CreateChannel(process.address, grpc::InsecureChannelCredentials());
}

std::string Describe(const grpc::Status& s) {
  return absl::StrCat(grpcx::CodeName(s.error_code()), ": ", s.error_message());
}

ProcessState Hub::Probe(const HubProcess& p, std::chrono::milliseconds timeout) const {
  namespace admin = olifantenpad::admin::v1;
  ProcessState st{&p, "UNREACHABLE", "", {}, {}};
  auto channel = Channel(p);
  {
    grpc::ClientContext ctx;
    ctx.set_deadline(Deadline(timeout));
    grpc::health::v1::HealthCheckRequest req;
    grpc::health::v1::HealthCheckResponse res;
    grpc::Status s = grpc::health::v1::Health::NewStub(channel)->Check(&ctx, req, &res);
    if (!s.ok()) {
      st.error = Describe(s);
      return st;
    }
    st.health =
        res.status() == grpc::health::v1::HealthCheckResponse::SERVING ? "SERVING" : "NOT_SERVING";
  }
  {
    grpc::ClientContext ctx;
    ctx.set_deadline(Deadline(timeout));
    grpc::Status s = admin::AdminService::NewStub(channel)->GetStatus(&ctx, {}, &st.status);
    if (!s.ok()) st.error = Describe(s);
  }
  if (p.adapter && st.error.empty()) {
    grpc::ClientContext ctx;
    ctx.set_deadline(Deadline(timeout));
    grpc::Status s =
        admin::AdapterAdminService::NewStub(channel)->GetQueueDepth(&ctx, {}, &st.queues);
    if (!s.ok()) st.error = Describe(s);
  }
  return st;
}

}  // namespace olif::ctl
