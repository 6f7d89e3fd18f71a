#include "adapters/runtime/history.h"

#include <algorithm>

#include "absl/strings/str_cat.h"
#include "services/common/clock/timestamp.h"

namespace olif::adapters {
namespace {

constexpr char kTablesSql[] =
    "CREATE TABLE IF NOT EXISTS message_history ("
    " id INTEGER PRIMARY KEY AUTOINCREMENT,"
    " at_us INTEGER NOT NULL,"
    " direction TEXT NOT NULL,"
    " destination TEXT NOT NULL,"
    " key TEXT NOT NULL,"
    " event_id TEXT NOT NULL,"
    " topic TEXT NOT NULL,"
    " outcome TEXT NOT NULL,"
    " detail TEXT NOT NULL,"
    " sent BLOB NOT NULL,"
    " response BLOB NOT NULL,"
    " took_us INTEGER NOT NULL) STRICT;"
    // Search filters on any of these and reads newest first: each filter has
    // an index that ends in the time, so a search walks one index backwards
    // from where its time range ends and stops at the limit.
    "CREATE INDEX IF NOT EXISTS message_history_at ON message_history (at_us);"
    "CREATE INDEX IF NOT EXISTS message_history_key ON message_history (key, at_us);"
    "DROP INDEX IF EXISTS message_history_event;"
    "CREATE INDEX IF NOT EXISTS message_history_event_at ON message_history (event_id, at_us);"
    "CREATE INDEX IF NOT EXISTS message_history_destination"
    " ON message_history (destination, at_us);"
    "CREATE INDEX IF NOT EXISTS message_history_outcome ON message_history (outcome, at_us);"
    "CREATE INDEX IF NOT EXISTS message_history_direction ON message_history (direction, at_us);";

}  // namespace

absl::Status MessageHistory::CreateTables(sqlite::Database& db) { return db.Exec(kTablesSql); }

absl::StatusOr<std::unique_ptr<MessageHistory>> MessageHistory::Open(const std::string& path,
                                                                     sqlite::Writer& writer) {
  absl::StatusOr<std::unique_ptr<sqlite::Database>> reader = sqlite::Database::Open(path, {});
  if (!reader.ok()) return reader.status();
  return std::unique_ptr<MessageHistory>(new MessageHistory(std::move(*reader), writer));
}

absl::Status MessageHistory::RecordIn(sqlite::Database& db, const HistoryEntry& e) {
  absl::StatusOr<sqlite::Statement*> stmt = db.Prepare(
      "INSERT INTO message_history (at_us, direction, destination, key, event_id, topic, outcome,"
      " detail, sent, response, took_us) VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?10, ?11)");
  if (!stmt.ok()) return stmt.status();
  return (*stmt)
      ->Bind(1, absl::ToUnixMicros(e.at))
      .Bind(2, e.direction)
      .Bind(3, e.destination)
      .Bind(4, e.key)
      .Bind(5, e.event_id)
      .Bind(6, e.topic)
      .Bind(7, e.outcome)
      .Bind(8, e.detail)
      .BindBlob(9, e.sent)
      .BindBlob(10, e.response)
      .Bind(11, absl::ToInt64Microseconds(e.took))
      .Run();
}

absl::Status MessageHistory::Record(const HistoryEntry& entry) {
  return writer_.Run([&entry](sqlite::Database& db) { return RecordIn(db, entry); });
}

absl::StatusOr<sqlite::Statement*> MessageHistory::Prepare(const HistoryQuery& q,
                                                           absl::string_view prefix) {
  // Only the filters given are in the statement, so SQLite can pick the
  // index of the most selective one (a "?1 = '' OR column = ?1" form would
  // make it scan); each form is prepared once and cached.
  std::string where = "at_us >= ?1 AND at_us < ?2";
  std::vector<const std::string*> values;
  for (const auto& [column, value] :
       {std::pair{"destination", &q.destination}, std::pair{"key", &q.key},
        std::pair{"event_id", &q.event_id}, std::pair{"outcome", &q.outcome},
        std::pair{"direction", &q.direction}}) {
    if (value->empty()) continue;
    values.push_back(value);
    absl::StrAppend(&where, " AND ", column, " = ?", values.size() + 3);
  }
  const int id_param = static_cast<int>(values.size()) + 4;
  if (q.id != 0) absl::StrAppend(&where, " AND id = ?", id_param);
  absl::StatusOr<sqlite::Statement*> stmt = reader_->Prepare(
      absl::StrCat(prefix,
                   "SELECT id, at_us, direction, destination, key, event_id, topic, outcome,"
                   " detail, sent, response, took_us FROM message_history WHERE ",
                   where, " ORDER BY at_us DESC, id DESC LIMIT ?3"));
  if (!stmt.ok()) return stmt.status();
  (*stmt)->Bind(1, StoredMicros(q.from)).Bind(2, StoredMicros(q.to));
  (*stmt)->Bind(3, static_cast<int64_t>(q.limit > 0 ? q.limit : 100));
  for (size_t i = 0; i < values.size(); ++i) (*stmt)->Bind(static_cast<int>(i) + 4, *values[i]);
  if (q.id != 0) (*stmt)->Bind(id_param, q.id);
  return stmt;
}

absl::StatusOr<std::string> MessageHistory::Explain(const HistoryQuery& q) {
  olif::MutexLock lock(&mu_);
  absl::StatusOr<sqlite::Statement*> stmt = Prepare(q, "EXPLAIN QUERY PLAN ");
  if (!stmt.ok()) return stmt.status();
  std::string plan;
  absl::Status s = (*stmt)->ForEachRow([&plan](const sqlite::Statement& r) {
    absl::StrAppend(&plan, plan.empty() ? "" : "\n", r.ColumnText(3));
    return absl::OkStatus();
  });
  if (!s.ok()) return s;
  return plan;
}

absl::StatusOr<std::vector<HistoryEntry>> MessageHistory::Search(const HistoryQuery& q) {
  olif::MutexLock lock(&mu_);
  absl::StatusOr<sqlite::Statement*> stmt = Prepare(q, "");
  if (!stmt.ok()) return stmt.status();
  std::vector<HistoryEntry> out;
  absl::Status s = (*stmt)->ForEachRow([&out](const sqlite::Statement& r) {
    HistoryEntry e;
    e.id = r.ColumnInt64(0);
    e.at = absl::FromUnixMicros(r.ColumnInt64(1));
    e.direction = r.ColumnText(2);
    e.destination = r.ColumnText(3);
    e.key = r.ColumnText(4);
    e.event_id = r.ColumnText(5);
    e.topic = r.ColumnText(6);
    e.outcome = r.ColumnText(7);
    e.detail = r.ColumnText(8);
    e.sent = r.ColumnBlob(9);
    e.response = r.ColumnBlob(10);
    e.took = absl::Microseconds(r.ColumnInt64(11));
    out.push_back(std::move(e));
    return absl::OkStatus();
  });
  if (!s.ok()) return s;
  return out;
}

absl::StatusOr<std::vector<HistoryCount>> MessageHistory::Count(absl::Time from, absl::Time to,
                                                                absl::Duration bucket) {
  const int64_t width = std::max<int64_t>(1, absl::ToInt64Microseconds(bucket));
  olif::MutexLock lock(&mu_);
  absl::StatusOr<sqlite::Statement*> stmt = reader_->Prepare(
      "SELECT destination, direction, outcome, (at_us - ?1) / ?3 AS bucket, COUNT(*)"
      " FROM message_history WHERE at_us >= ?1 AND at_us < ?2"
      " GROUP BY destination, direction, outcome, bucket"
      " ORDER BY destination, direction, outcome, bucket");
  if (!stmt.ok()) return stmt.status();
  (*stmt)->Bind(1, StoredMicros(from)).Bind(2, StoredMicros(to)).Bind(3, width);
  std::vector<HistoryCount> out;
  absl::Status s = (*stmt)->ForEachRow([&out](const sqlite::Statement& r) {
    out.push_back({.destination = r.ColumnText(0),
                   .direction = r.ColumnText(1),
                   .outcome = r.ColumnText(2),
                   .bucket = static_cast<int>(r.ColumnInt64(3)),
                   .count = r.ColumnInt64(4)});
    return absl::OkStatus();
  });
  if (!s.ok()) return s;
  return out;
}

absl::StatusOr<int64_t> MessageHistory::Prune(absl::Time before) {
  return writer_.Change("DELETE FROM message_history WHERE at_us < ?1",
                        [&](sqlite::Statement& stmt) { stmt.Bind(1, absl::ToUnixMicros(before)); });
}

}  // namespace olif::adapters
