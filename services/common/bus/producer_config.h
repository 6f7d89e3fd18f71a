#pragma once

// Turning a process's `bus:` config section into ProducerOptions.

#include "absl/status/statusor.h"
#include "olifantenpad/config/v1/bus.pb.h"
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

}  // namespace olif::bus
