#pragma once

// The message history of an adapter: every attempt to send (what went out,
// what came back, the outcome, how long it took) and every message that came
// in (applied, ignored or rejected, and why), in the adapter's SQLite. Kept
// for a configurable retention (Prune) and searchable by destination, key,
// event, outcome, direction and time.
//
// Thread-safe: writes go through the Writer, reads use a connection of their own.

#include <cstdint>
#include <memory>
#include <string>
#include <vector>

#include "absl/base/thread_annotations.h"
#include "absl/status/statusor.h"
#include "absl/time/time.h"
#include "services/common/sqlite/database.h"
#include "services/common/sqlite/writer.h"
#include "services/common/sync/mutex.h"

namespace olif::adapters {

struct HistoryEntry {
  int64_t id = 0;
  absl::Time at;
  std::string direction;  // "out" or "in"
  std::string destination;
  std::string key;
  std::string event_id;
  std::string topic;
  // out: delivered, failed, dead_lettered; in: applied, ignored, rejected.
  std::string outcome;
  std::string detail;
  std::string sent;      // out: the message sent; in: what came in
  std::string response;  // out: the response body
  absl::Duration took;
};

struct HistoryQuery {
  std::string destination;  // each field: empty matches all
  std::string key;
  std::string event_id;
  std::string outcome;
  std::string direction;
  int64_t id = 0;                          // 0 matches all
  absl::Time from = absl::InfinitePast();  // [from, to)
  absl::Time to = absl::InfiniteFuture();
  int limit = 100;  // newest first
};

// How many entries of one kind fell in one bucket of a time range.
struct HistoryCount {
  std::string destination;
  std::string direction;
  std::string outcome;
  int bucket = 0;  // 0 is the bucket starting at `from`
  int64_t count = 0;
};

class MessageHistory {
 public:
  static absl::Status CreateTables(sqlite::Database& db);
  static absl::StatusOr<std::unique_ptr<MessageHistory>> Open(const std::string& path,
                                                              sqlite::Writer& writer);

  // Records `entry` durably (its id is assigned).
  absl::Status Record(const HistoryEntry& entry);
  // The same inside the caller's transaction.
  static absl::Status RecordIn(sqlite::Database& db, const HistoryEntry& entry);
  absl::StatusOr<std::vector<HistoryEntry>> Search(const HistoryQuery& query);
  // How SQLite would run `query` (EXPLAIN QUERY PLAN, one step per line): each
  // filter is served by an index, never by a scan of the whole history.
  absl::StatusOr<std::string> Explain(const HistoryQuery& query);
  // The entries in [from, to) counted per destination, direction, outcome and
  // bucket of `bucket` (e.g. the last hour per minute, for a chart).
  absl::StatusOr<std::vector<HistoryCount>> Count(absl::Time from, absl::Time to,
                                                  absl::Duration bucket);
  // Forgets entries before `before`; returns how many.
  absl::StatusOr<int64_t> Prune(absl::Time before);

 private:
  MessageHistory(std::unique_ptr<sqlite::Database> reader, sqlite::Writer& writer)
      : reader_(std::move(reader)), writer_(writer) {}

  // The search statement for `query`, bound; `prefix` goes before SELECT.
  absl::StatusOr<sqlite::Statement*> Prepare(const HistoryQuery& query, absl::string_view prefix)
      ABSL_EXCLUSIVE_LOCKS_REQUIRED(mu_);

  olif::Mutex mu_;
  std::unique_ptr<sqlite::Database> reader_ ABSL_GUARDED_BY(mu_);
  sqlite::Writer& writer_;
};

}  // namespace olif::adapters
