#include "services/common/bus/producer_config.h"

#include <google/protobuf/util/time_util.h>

#include <set>

#include "absl/strings/match.h"
#include "absl/strings/str_cat.h"
#include "services/common/bus/curve.h"
#include "services/common/ids/ids.h"
#include "services/common/strings/host_port.h"

namespace olif::bus {

namespace cfg = olifantenpad::config::v1;

absl::Status ValidateProducerConfig(const cfg::BusProducerConfig& config, bool dev_mode) {
  const std::string& endpoint = config.endpoint();
  if (!absl::StartsWith(endpoint, "tcp://")) {
    return absl::InvalidArgumentError(
        absl::StrCat("bus.endpoint: must be tcp://host:port, not '", endpoint, "'"));
  }
  std::string address = endpoint.substr(6);
  if (absl::EndsWith(address, ":*")) address.replace(address.size() - 1, 1, "0");
  absl::StatusOr<HostPort> hp = ParseHostPort(address);
  if (!hp.ok())
    return absl::InvalidArgumentError(absl::StrCat("bus.endpoint: ", hp.status().message()));
  const bool curve = !config.curve_secret_key().empty();
  if (curve) {
    if (absl::Status k = ValidateCurveKey(config.curve_secret_key(), "bus.curve_secret_key");
        !k.ok()) {
      return k;
    }
  } else if (!dev_mode || !IsLoopbackHost(hp->host)) {
    return absl::InvalidArgumentError(absl::StrCat(
        "bus.endpoint: without curve_secret_key the bus is plaintext, allowed in dev_mode on "
        "loopback only, not ",
        endpoint));
  }
  std::set<std::string> names;
  for (int i = 0; i < config.consumers_size(); ++i) {
    const std::string& name = config.consumers(i).name();
    const std::string key = absl::StrCat("bus.consumers[", i, "].name");
    if (!IsDirectoryId(name)) {
      return absl::InvalidArgumentError(
          absl::StrCat(key, ": '", name, "' must be 3-64 of a-z, 0-9 and '-'"));
    }
    if (!names.insert(name).second) {
      return absl::InvalidArgumentError(absl::StrCat(key, ": '", name, "' is listed twice"));
    }
    if (curve) {
      const std::string key_field = absl::StrCat("bus.consumers[", i, "].public_key");
      if (absl::Status k = ValidateCurveKey(config.consumers(i).public_key(), key_field); !k.ok()) {
        return k;
      }
    }
  }
  return absl::OkStatus();
}

ProducerOptions ToProducerOptions(const cfg::BusProducerConfig& config, std::string name,
                                  std::string db_path, std::shared_ptr<Signal> commits) {
  ProducerOptions options;
  options.commits = std::move(commits);
  options.name = std::move(name);
  options.endpoint = config.endpoint();
  options.db_path = std::move(db_path);
  for (const auto& c : config.consumers()) {
    options.consumers.push_back(c.name());
    if (!c.public_key().empty()) options.curve_client_keys.insert(c.public_key());
  }
  options.curve_secret_key = config.curve_secret_key();
  if (config.has_retention()) {
    options.retention = absl::Milliseconds(
        google::protobuf::util::TimeUtil::DurationToMilliseconds(config.retention()));
  }
  return options;
}

absl::Status ValidateConsumerConfig(const cfg::BusConsumerConfig& config, const std::string& key,
                                    bool dev_mode) {
  const std::string& endpoint = config.endpoint();
  if (!absl::StartsWith(endpoint, "tcp://")) {
    return absl::InvalidArgumentError(
        absl::StrCat(key, ".endpoint: must be tcp://host:port, not '", endpoint, "'"));
  }
  absl::StatusOr<HostPort> hp = ParseHostPort(endpoint.substr(6));
  if (!hp.ok()) {
    return absl::InvalidArgumentError(absl::StrCat(key, ".endpoint: ", hp.status().message()));
  }
  if (!IsDirectoryId(config.name())) {
    return absl::InvalidArgumentError(
        absl::StrCat(key, ".name: must be a directory-style id, not '", config.name(), "'"));
  }
  const bool curve = !config.server_public_key().empty() || !config.public_key().empty() ||
                     !config.secret_key().empty();
  if (!curve) {
    if (!dev_mode || !IsLoopbackHost(hp->host)) {
      return absl::InvalidArgumentError(
          absl::StrCat(key,
                       ".endpoint: without CURVE keys the bus is plaintext, allowed in dev_mode on "
                       "loopback only, not ",
                       endpoint));
    }
    return absl::OkStatus();
  }
  for (const auto& [value, name] : {std::pair{&config.server_public_key(), "server_public_key"},
                                    std::pair{&config.public_key(), "public_key"},
                                    std::pair{&config.secret_key(), "secret_key"}}) {
    if (absl::Status k = ValidateCurveKey(*value, absl::StrCat(key, ".", name)); !k.ok()) return k;
  }
  return absl::OkStatus();
}

ConsumerOptions ToConsumerOptions(const cfg::BusConsumerConfig& config, std::string producer,
                                  std::vector<std::string> topics) {
  ConsumerOptions options;
  options.name = config.name();
  options.producer = std::move(producer);
  options.endpoint = config.endpoint();
  options.topics = std::move(topics);
  options.curve_server_key = config.server_public_key();
  options.curve_public_key = config.public_key();
  options.curve_secret_key = config.secret_key();
  return options;
}

}  // namespace olif::bus
