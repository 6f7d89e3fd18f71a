#include "tools/launcher/endpoints.h"

#include <yaml-cpp/yaml.h>

#include "absl/strings/match.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/str_join.h"

namespace olif::launcher {
namespace {

constexpr absl::string_view kListen = "listen_address";

absl::StatusOr<std::string> Value(const YAML::Node& node, const config::EnvLookup& env) {
  return config::ExpandEnv(node.as<std::string>(), env);
}

// The endpoint a `*listen_address` key under `parent` (a map) declares.
absl::StatusOr<Endpoint> Listening(const std::string& key, const YAML::Node& parent,
                                   const std::string& parent_key, const config::EnvLookup& env) {
  absl::StatusOr<std::string> address = Value(parent[key], env);
  if (!address.ok()) return address.status();
  Endpoint e;
  // "listen_address" names its parent ("grpc", "webhook"); "fhir_listen_address" itself.
  e.what = key == kListen ? parent_key : key.substr(0, key.size() - kListen.size() - 1);
  const bool tls = parent["cert_file"] && !parent["cert_file"].as<std::string>().empty();
  if (e.what == "metrics") {
    e.where = absl::StrCat("http://", *address, "/metrics");
  } else if (e.what == "grpc") {
    e.where = *address;
  } else {
    std::string path = parent["path"] ? parent["path"].as<std::string>() : "";
    e.where = absl::StrCat(tls ? "https://" : "http://", *address, path);
  }
  return e;
}

absl::Status Walk(const YAML::Node& map, const std::string& key_of_map,
                  const config::EnvLookup& env, std::vector<Endpoint>& out) {
  for (const auto& entry : map) {
    const std::string key = entry.first.as<std::string>();
    const YAML::Node& value = entry.second;
    if (value.IsMap()) {
      if (absl::Status s = Walk(value, key, env, out); !s.ok()) return s;
    } else if (value.IsScalar() && absl::EndsWith(key, kListen)) {
      absl::StatusOr<Endpoint> e = Listening(key, map, key_of_map, env);
      if (!e.ok()) return e.status();
      out.push_back(std::move(*e));
    } else if (value.IsScalar() && key == "endpoint" && key_of_map == "bus") {
      // The producer's; a consumer's (`referrals_bus`, ...) is where it follows.
      absl::StatusOr<std::string> endpoint = Value(value, env);
      if (!endpoint.ok()) return endpoint.status();
      out.push_back({"bus", *endpoint});
    }
  }
  return absl::OkStatus();
}

}  // namespace

absl::StatusOr<std::vector<Endpoint>> EndpointsOf(const std::string& config_path,
                                                  const config::EnvLookup& env) {
  YAML::Node root;
  try {
    root = YAML::LoadFile(config_path);
  } catch (const YAML::Exception& e) {
    return absl::InvalidArgumentError(absl::StrCat(config_path, ": ", e.what()));
  }
  std::vector<Endpoint> out;
  if (!root.IsMap()) return out;
  if (absl::Status s = Walk(root, "", env, out); !s.ok()) {
    return absl::InvalidArgumentError(absl::StrCat(config_path, ": ", s.message()));
  }
  return out;
}

std::string Describe(const std::vector<Endpoint>& endpoints) {
  return absl::StrJoin(endpoints, ", ", [](std::string* out, const Endpoint& e) {
    absl::StrAppend(out, e.what, " ", e.where);
  });
}

}  // namespace olif::launcher
