#include "adapters/runtime/history.h"

#include <limits>

#include "absl/strings/str_cat.h"

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
    "CREATE INDEX IF NOT EXISTS message_history_at ON message_history (at_us);"
    "CREATE INDEX IF NOT EXISTS message_history_key ON message_history (key, at_us);"
    "CREATE INDEX IF NOT EXISTS message_history_event ON message_history (event_id);";

int64_t Micros(absl::Time t) {
  if (t == absl::InfinitePast()) return std::numeric_limits<int64_t>::min();
  if (t == absl::InfiniteFuture()) return std::numeric_limits<int64_t>::max();
  return absl::ToUnixMicros(t);
}

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

absl::StatusOr<std::vector<HistoryEntry>> MessageHistory::Search(const HistoryQuery& q) {
  olif::MutexLock lock(&mu_);
  absl::StatusOr<sqlite::Statement*> stmt = reader_->Prepare(
      "SELECT id, at_us, direction, destination, key, event_id, topic, outcome, detail, sent,"
      " response, took_us FROM message_history"
      " WHERE (?1 = '' OR destination = ?1) AND (?2 = '' OR key = ?2)"
      " AND (?3 = '' OR event_id = ?3) AND (?4 = '' OR outcome = ?4)"
      " AND (?5 = '' OR direction = ?5) AND at_us >= ?6 AND at_us < ?7"
      " ORDER BY id DESC LIMIT ?8");
  if (!stmt.ok()) return stmt.status();
  std::vector<HistoryEntry> out;
  absl::Status s = (*stmt)
                       ->Bind(1, q.destination)
                       .Bind(2, q.key)
                       .Bind(3, q.event_id)
                       .Bind(4, q.outcome)
                       .Bind(5, q.direction)
                       .Bind(6, Micros(q.from))
                       .Bind(7, Micros(q.to))
                       .Bind(8, static_cast<int64_t>(q.limit > 0 ? q.limit : 100))
                       .ForEachRow([&out](const sqlite::Statement& r) {
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

absl::StatusOr<int64_t> MessageHistory::Prune(absl::Time before) {
  return writer_.Change("DELETE FROM message_history WHERE at_us < ?1",
                        [&](sqlite::Statement& stmt) { stmt.Bind(1, absl::ToUnixMicros(before)); });
}

}  // namespace olif::adapters
