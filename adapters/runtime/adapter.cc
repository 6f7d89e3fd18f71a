#include "adapters/runtime/adapter.h"

#include "absl/strings/str_cat.h"
#include "absl/strings/str_join.h"
#include "services/common/logging/logging.h"

namespace olif::adapters {

SendResult TranslatingHttpConnector::Send(const Delivery& delivery) {
  absl::StatusOr<std::string> message = translator_.ToExternal(delivery);
  if (!message.ok()) {
    const bool held =
        absl::IsFailedPrecondition(message.status()) || absl::IsUnavailable(message.status());
    return {.ok = false, .retryable = held, .detail = std::string(message.status().message())};
  }
  return SendBody(options_, std::move(*message), delivery.event_id);
}

absl::Status AdapterRegistry::Register(std::unique_ptr<AdapterFactory> factory) {
  const std::string name = factory->name();
  if (!factories_.emplace(name, std::move(factory)).second) {
    return absl::AlreadyExistsError(
        absl::StrCat("an adapter named '", name, "' is already registered"));
  }
  return absl::OkStatus();
}

const AdapterFactory* AdapterRegistry::Find(const std::string& name) const {
  auto it = factories_.find(name);
  return it == factories_.end() ? nullptr : it->second.get();
}

std::vector<std::string> AdapterRegistry::Names() const {
  std::vector<std::string> names;
  for (const auto& [name, factory] : factories_) names.push_back(name);
  return names;
}

int RunAdapter(const AdapterRegistry& registry, const std::string& name, int argc, char** argv) {
  const AdapterFactory* factory = registry.Find(name);
  if (factory == nullptr) {
    std::fprintf(stderr, "no adapter named '%s' is built in (built in: %s)\n", name.c_str(),
                 absl::StrJoin(registry.Names(), ", ").c_str());
    return 2;
  }
  std::unique_ptr<google::protobuf::Message> config = factory->EmptyConfig();
  if (auto exit_code = PrepareProcess(argc, argv, name, config.get(),
                                      [factory](const auto& c) { return factory->Validate(c); })) {
    return *exit_code;
  }
  const auto* field = config->GetDescriptor()->FindFieldByName("runtime");
  const auto& runtime = static_cast<const olifantenpad::config::v1::RuntimeConfig&>(
      config->GetReflection()->GetMessage(*config, field));
  Process process(name, runtime);
  AdapterContext context{.process = process, .clock = Clock::Real()};
  absl::StatusOr<std::unique_ptr<Adapter>> adapter = factory->Create(*config, context);
  if (!adapter.ok()) return ExitWith("cannot start", adapter.status());
  process.SetStatusFiller([a = adapter->get()](auto* status) { return a->FillStatus(status); });
  if (absl::Status s = process.Start(); !s.ok()) return ExitWith("cannot start", s);
  if (absl::Status s = (*adapter)->Start(); !s.ok()) {
    (*adapter)->Stop();
    return ExitWith("cannot start", s);
  }
  const std::vector<std::pair<std::string, std::string>> described = (*adapter)->Describe();
  log::Fields fields;
  for (const auto& [key, value] : described) fields.push_back({key, value});
  log::Info("serving", fields);
  process.RunUntilSignal();
  (*adapter)->Stop();
  return 0;
}

}  // namespace olif::adapters
