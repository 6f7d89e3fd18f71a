#include "adapters/runtime/adapter_database.h"

#include "absl/strings/str_cat.h"
#include "services/common/logging/logging.h"

namespace olif::adapters {

absl::StatusOr<AdapterDatabase> OpenAdapterDatabase(const std::string& path,
                                                    const AdapterDatabaseOptions& options) {
  AdapterDatabase out;
  out.path = path;
  absl::StatusOr<RetryPolicy> policy = RetryPolicyFromConfig(options.retry, options.retry_field);
  if (!policy.ok()) return policy.status();
  auto db = sqlite::Database::Open(out.path, {});
  if (!db.ok()) return db.status();
  sqlite::WriterOptions writer_options;
  if (options.on_commit) writer_options.on_commit = [wake = options.on_commit](int) { wake(); };
  out.writer = std::make_unique<sqlite::Writer>(std::move(*db), writer_options);
  std::vector<std::function<absl::Status(sqlite::Database&)>> tables = {
      DeliveryQueue::CreateTables, MessageHistory::CreateTables};
  tables.insert(tables.end(), options.tables.begin(), options.tables.end());
  for (const auto& create : tables) {
    if (absl::Status s = out.writer->Run(create); !s.ok()) return s;
  }
  auto queue = DeliveryQueue::Open(out.path, *out.writer, *policy);
  if (!queue.ok()) return queue.status();
  out.queue = std::move(*queue);
  auto history = MessageHistory::Open(out.path, *out.writer);
  if (!history.ok()) return history.status();
  out.history = std::move(*history);
  return out;
}

std::function<absl::StatusOr<int64_t>()> Pruning(AdapterDatabase& db, const Clock& clock,
                                                 absl::Duration retention,
                                                 std::vector<PruneStep> more) {
  more.insert(more.begin(),
              {{"history_lines", [&db](absl::Time before) { return db.history->Prune(before); }},
               {"messages", [&db](absl::Time before) { return db.queue->PruneFinished(before); }}});
  return [&db, &clock, retention, steps = std::move(more)]() -> absl::StatusOr<int64_t> {
    const absl::Time before = clock.Now() - retention;
    log::Fields pruned;
    int64_t total = 0;
    for (const PruneStep& step : steps) {
      absl::StatusOr<int64_t> n = step.prune(before);
      if (!n.ok()) {
        log::Error("pruning what is past its retention",
                   {{"what", step.name}, {"error", std::string(n.status().message())}});
        return n.status();
      }
      pruned.push_back({step.name, absl::StrCat(*n)});
      total += *n;
    }
    if (total == 0) return total;
    log::Info("pruned what is past its retention", pruned);
    // The pages the rows held go back to the file system, not only to SQLite.
    if (absl::Status s = db.writer->Run([](sqlite::Database& d) { return d.IncrementalVacuum(); });
        !s.ok()) {
      log::Error("giving pruned pages back", {{"error", std::string(s.message())}});
    }
    return total;
  };
}

std::unique_ptr<Periodic> NewPruningJob(AdapterDatabase& db, const Clock& clock,
                                        absl::Duration retention, std::vector<PruneStep> more) {
  return std::make_unique<Periodic>(
      absl::Hours(1), [prune = Pruning(db, clock, retention, std::move(more))] { (void)prune(); });
}

}  // namespace olif::adapters
