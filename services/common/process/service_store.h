#pragma once

// What every service process opens before it serves: its database in the data
// directory, and the bus producer that publishes the database's outbox, woken
// by each commit so waiting consumers get events at once.

#include <functional>
#include <memory>
#include <string>

#include "absl/status/statusor.h"
#include "absl/strings/str_cat.h"
#include "olifantenpad/config/v1/bus.pb.h"
#include "services/common/bus/producer.h"
#include "services/common/bus/producer_config.h"
#include "services/common/bus/signal.h"
#include "services/common/process/process.h"

namespace olif {

template <typename Store>
struct ServiceStore {
  std::string path;  // the database file
  std::unique_ptr<Store> store;
  std::unique_ptr<bus::Producer> producer;  // declared last: stopped and freed before the store
};

// Opens `file` in `process`'s data directory with `open(path, on_commit)` (a
// store's Open) and the bus producer `name` configured by `bus` over its
// outbox. The error names what could not be opened.
template <typename Store, typename Open>
absl::StatusOr<ServiceStore<Store>> OpenServiceStore(
    Process& process, const olifantenpad::config::v1::BusProducerConfig& bus,
    const std::string& name, const std::string& file, Open open) {
  absl::StatusOr<std::string> path = process.DataFile(file);
  if (!path.ok()) return path.status();
  auto commits = std::make_shared<bus::Signal>();
  absl::StatusOr<std::unique_ptr<Store>> store =
      open(*path, std::function<void(int)>([commits](int) { commits->Raise(); }));
  if (!store.ok()) {
    return absl::Status(store.status().code(), absl::StrCat("cannot open database ", *path, ": ",
                                                            store.status().message()));
  }
  process.SetDatabase(*path);
  ServiceStore<Store> out{*path, std::move(*store), nullptr};
  out.producer = std::make_unique<bus::Producer>(bus::ToProducerOptions(bus, name, *path, commits),
                                                 out.store->writer(), process.metrics());
  return out;
}

}  // namespace olif
