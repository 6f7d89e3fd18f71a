#pragma once

// What every adapter keeps in a database of its own, opened one way: the
// durable delivery queue and the message history behind one Writer (with
// the adapter's own tables beside them), and the job that forgets what is
// past its retention so nothing grows without bound.

#include <functional>
#include <memory>
#include <string>
#include <vector>

#include "absl/status/statusor.h"
#include "absl/time/time.h"
#include "adapters/runtime/delivery_queue.h"
#include "adapters/runtime/history.h"
#include "olifantenpad/config/v1/connectors.pb.h"
#include "services/common/clock/clock.h"
#include "services/common/clock/periodic.h"
#include "services/common/sqlite/writer.h"

namespace olif::adapters {

struct AdapterDatabase {
  std::string path;
  // Declared in the order they are made; destroyed in reverse.
  std::unique_ptr<sqlite::Writer> writer;
  std::unique_ptr<DeliveryQueue> queue;
  std::unique_ptr<MessageHistory> history;
};

struct AdapterDatabaseOptions {
  olifantenpad::config::v1::DeliveryRetryConfig retry;  // the queue's retries as configured
  std::string retry_field;  // names them in errors, e.g. "childcare.retry"
  // The adapter's own tables (each a CreateTables), created beside the queue's.
  std::vector<std::function<absl::Status(sqlite::Database&)>> tables;
  // Runs after each durable commit (e.g. to wake the deliverers: a consumer
  // may have queued messages in it); must be quick.
  std::function<void()> on_commit;
};

// Opens (creating when missing) the adapter's database at `path` (a file in
// the process's data directory: Process::DataFile) with the queue, the
// history and `options.tables`. The error names what could not be opened or
// which setting is wrong.
absl::StatusOr<AdapterDatabase> OpenAdapterDatabase(const std::string& path,
                                                    const AdapterDatabaseOptions& options);

// What else an adapter prunes with the history: a name for the log and the
// pruning itself (returns how many rows went).
struct PruneStep {
  std::string name;
  std::function<absl::StatusOr<int64_t>(absl::Time before)> prune;
};

// One pruning: forgets history lines and delivered or skipped messages last
// changed more than `retention` before now, and runs `more` with the same
// horizon; logs what went, or the first failure (and stops there), and gives
// the freed pages back to the file system (incremental vacuum). Returns how
// many rows went in all.
std::function<absl::StatusOr<int64_t>()> Pruning(AdapterDatabase& db, const Clock& clock,
                                                 absl::Duration retention,
                                                 std::vector<PruneStep> more = {});

// The same every hour. Start() it with the adapter, Stop() it before the
// database closes.
std::unique_ptr<Periodic> NewPruningJob(AdapterDatabase& db, const Clock& clock,
                                        absl::Duration retention, std::vector<PruneStep> more = {});

}  // namespace olif::adapters
