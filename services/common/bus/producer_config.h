#pragma once

// Turning a process's `bus:` config section into ProducerOptions.

#include "absl/status/statusor.h"
#include "olifantenpad/config/v1/bus.pb.h"
#include "services/common/bus/consumer.h"
#include "services/common/bus/producer.h"

namespace olif::bus {

// Checks the section: a tcp:// endpoint; without CURVE, dev mode and a
// loopback host; with CURVE, valid keys for the producer and every consumer;
// consumer names unique directory-style ids. Errors name the key.
absl::Status ValidateProducerConfig(const olifantenpad::config::v1::BusProducerConfig& config,
                                    bool dev_mode);

// `commits` is the signal the store's Writer raises on each commit (may be null).
ProducerOptions ToProducerOptions(const olifantenpad::config::v1::BusProducerConfig& config,
                                  std::string name, std::string db_path,
                                  std::shared_ptr<Signal> commits = nullptr);

// A consumer's config (`key` names it in errors, e.g. "consent_bus"): the
// endpoint parses; plaintext (no keys) only in dev mode on loopback; with
// CURVE all three keys valid.
absl::Status ValidateConsumerConfig(const olifantenpad::config::v1::BusConsumerConfig& config,
                                    const std::string& key, bool dev_mode);

ConsumerOptions ToConsumerOptions(const olifantenpad::config::v1::BusConsumerConfig& config,
                                  std::string producer, std::vector<std::string> topics);

}  // namespace olif::bus
