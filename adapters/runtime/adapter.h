#pragma once

// What an adapter is, to the runtime and to whoever adds one (the Envoy
// extension model):
//
// - a Translator turns a queued canonical event into the external system's
//   message at the moment of sending; a Connector carries it (HTTP client,
//   HTTP server for webhooks, watched folder);
// - an AdapterFactory has a name, an empty config message of its own type
//   (proto/olifantenpad/config/v1/<adapter>.proto: the YAML file is loaded
//   into it and checked) and Create(config) → the running Adapter; adapters
//   derive from TypedAdapterFactory<Config>, which hands them their config
//   typed; the connectors' shared settings (connectors.proto) are checked
//   and turned into options beside each connector;
// - built-in adapters are registered explicitly in one function
//   (adapters/builtin.cc), and RunAdapter() is the main() of every adapter
//   process: config, process, adapter, serve, stop.

#include <cstdio>
#include <cstdlib>
#include <map>
#include <memory>
#include <string>
#include <utility>
#include <vector>

#include <google/protobuf/message.h>

#include "absl/status/statusor.h"
#include "adapters/runtime/deliverer.h"
#include "adapters/runtime/http_client.h"
#include "olifantenpad/admin/v1/admin.pb.h"
#include "services/common/clock/clock.h"
#include "services/common/process/process.h"

namespace olif::adapters {

// Canonical event → external message.
class Translator {
 public:
  virtual ~Translator() = default;
  // The external message `delivery` (a queued event) becomes now.
  // FAILED_PRECONDITION or UNAVAILABLE: not now — held, tried again with
  // backoff (the message says why); any other error: it can never be sent
  // as it is (a dead letter an operator can edit).
  virtual absl::StatusOr<std::string> ToExternal(const Delivery& delivery) = 0;
};

// The HTTP client connector with a translator in front: sends each queued
// event as what the translator makes of it.
class TranslatingHttpConnector final : public Connector {
 public:
  // Both must outlive the connector.
  TranslatingHttpConnector(Translator& translator, HttpClientOptions options)
      : translator_(translator), options_(std::move(options)) {}
  SendResult Send(const Delivery& delivery) override;

 private:
  Translator& translator_;
  HttpClientOptions options_;
};

// A running adapter. Create() has set it up (and added its gRPC services to
// the process); Start() begins its work once the process serves.
class Adapter {
 public:
  virtual ~Adapter() = default;
  virtual absl::Status Start() = 0;
  // Stops its threads; runs before the process's database connections close.
  virtual void Stop() = 0;
  // Its part of the admin status (bus consumers, ...).
  virtual absl::Status FillStatus(olifantenpad::admin::v1::GetStatusResponse* status) = 0;
  // What it serves, for the "serving" log line: key/value pairs.
  virtual std::vector<std::pair<std::string, std::string>> Describe() const = 0;
};

// What an adapter gets from the process it runs in.
struct AdapterContext {
  Process& process;  // metrics, data files, gRPC services
  const Clock& clock;
};

class AdapterFactory {
 public:
  virtual ~AdapterFactory() = default;
  // The adapter's name: its binary, its config file (<name>.yaml), its logs.
  virtual std::string name() const = 0;
  // An empty config message of the adapter's own type.
  virtual std::unique_ptr<google::protobuf::Message> EmptyConfig() const = 0;
  // Checks what the config loader cannot (after the runtime section).
  virtual absl::Status Validate(const google::protobuf::Message& config) const = 0;
  virtual absl::StatusOr<std::unique_ptr<Adapter>> Create(const google::protobuf::Message& config,
                                                          AdapterContext& context) const = 0;
};

// The base every adapter's factory derives from (Envoy's FactoryBase): the
// runtime hands it the config message it asked for, already of type
// `Config`, so no adapter casts. An adapter implements name(),
// ValidateConfig() and CreateAdapter().
template <typename Config>
class TypedAdapterFactory : public AdapterFactory {
 public:
  std::unique_ptr<google::protobuf::Message> EmptyConfig() const final {
    return std::make_unique<Config>();
  }
  absl::Status Validate(const google::protobuf::Message& config) const final {
    return ValidateConfig(Typed(config));
  }
  absl::StatusOr<std::unique_ptr<Adapter>> Create(const google::protobuf::Message& config,
                                                  AdapterContext& context) const final {
    return CreateAdapter(Typed(config), context);
  }

 protected:
  // Checks what the config loader cannot (after the runtime section).
  virtual absl::Status ValidateConfig(const Config& config) const = 0;
  // A running adapter for a config that passed ValidateConfig.
  virtual absl::StatusOr<std::unique_ptr<Adapter>> CreateAdapter(const Config& config,
                                                                 AdapterContext& context) const = 0;

 private:
  // The runtime only ever passes what EmptyConfig() made; anything else is a
  // broken invariant, not bad input.
  static const Config& Typed(const google::protobuf::Message& config) {
    const Config* typed = google::protobuf::DynamicCastToGenerated<Config>(&config);
    if (typed == nullptr) {
      std::fprintf(stderr, "adapter factory got a %s, not a %s\n",
                   config.GetDescriptor()->full_name().c_str(),
                   Config::descriptor()->full_name().c_str());
      std::abort();
    }
    return *typed;
  }
};

class AdapterRegistry {
 public:
  // ALREADY_EXISTS when the name is taken.
  absl::Status Register(std::unique_ptr<AdapterFactory> factory);
  // nullptr when none has that name.
  const AdapterFactory* Find(const std::string& name) const;
  std::vector<std::string> Names() const;

 private:
  std::map<std::string, std::unique_ptr<AdapterFactory>> factories_;
};

// The main() of an adapter process: finds `name` in `registry`, loads and
// checks its config from the command line, creates the adapter in a Process,
// serves until SIGTERM/SIGINT and stops. Returns the exit code.
int RunAdapter(const AdapterRegistry& registry, const std::string& name, int argc, char** argv);

}  // namespace olif::adapters
