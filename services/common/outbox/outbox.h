#pragma once

// The producer's outbox: events written in the same SQLite transaction as the
// state change they report, so that a committed change always has its event
// and an event never reports an uncommitted change.
//
// The owning service creates the table in one of its migrations:
//
//   CREATE TABLE outbox (
//     seq INTEGER PRIMARY KEY AUTOINCREMENT,  -- never reused, even after pruning
//     event_id TEXT NOT NULL UNIQUE,
//     topic TEXT NOT NULL,
//     occurred_at_us INTEGER NOT NULL,        -- microseconds since the Unix epoch
//     trace_id TEXT NOT NULL,
//     payload BLOB NOT NULL                   -- a serialized google.protobuf.Any
//   );
//
// Functions take the caller's Database and inherit its thread-safety rules.

#include <cstdint>
#include <memory>
#include <string>
#include <vector>

#include <google/protobuf/message.h>

#include "absl/status/statusor.h"
#include "absl/time/time.h"
#include "olifantenpad/admin/v1/admin.pb.h"
#include "olifantenpad/common/v1/event.pb.h"
#include "services/common/sqlite/database.h"

namespace olif::outbox {

// The table as the comment above describes it, for databases that hold only
// an outbox (tests, benchmarks, tools); services keep it in their migrations.
inline constexpr char kTableSql[] =
    "CREATE TABLE outbox (seq INTEGER PRIMARY KEY AUTOINCREMENT, event_id TEXT NOT NULL UNIQUE,"
    " topic TEXT NOT NULL, occurred_at_us INTEGER NOT NULL, trace_id TEXT NOT NULL,"
    " payload BLOB NOT NULL);";

struct Draft {
  std::string topic;
  const google::protobuf::Message* payload = nullptr;
  std::string trace_id;
  absl::Time occurred_at;
};

// Appends an event; must run inside the caller's write transaction. Returns
// the envelope as stored (event_id and seq assigned).
absl::StatusOr<olifantenpad::common::v1::EventEnvelope> Append(sqlite::Database& db,
                                                               const std::string& producer,
                                                               const Draft& draft);

// An event to append with a change, its payload kept alive until the commit.
struct Event {
  std::string topic;
  std::shared_ptr<const google::protobuf::Message> payload;
};
using Events = std::vector<Event>;

// Appends `events` in order, all stamped `at` and `trace_id`; must run inside
// the caller's write transaction.
absl::Status AppendAll(sqlite::Database& db, const std::string& producer, const Events& events,
                       const std::string& trace_id, absl::Time at);

struct Stats {
  int64_t head_seq = 0;   // newest seq ever assigned; 0 when none
  int64_t row_count = 0;  // rows stored now
};
// Works inside or outside a transaction.
absl::StatusOr<Stats> GetStats(sqlite::Database& db);

// The outbox's head and size, for a producer's admin status (the process
// adds its database's figures: Process::SetDatabase).
absl::Status FillStatus(sqlite::Database& db, olifantenpad::admin::v1::GetStatusResponse* status);

// Up to `max` events with seq > after_seq, oldest first.
absl::StatusOr<std::vector<olifantenpad::common::v1::EventEnvelope>> ReadAfter(
    sqlite::Database& db, const std::string& producer, int64_t after_seq, int max);

}  // namespace olif::outbox
