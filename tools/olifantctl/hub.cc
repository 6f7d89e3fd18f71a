#include "tools/olifantctl/hub.h"

#include <algorithm>
#include <filesystem>

#include "absl/strings/match.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/str_join.h"
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

}  // namespace olif::ctl
