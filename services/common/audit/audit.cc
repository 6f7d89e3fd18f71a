#include "services/common/audit/audit.h"

#include "absl/strings/str_cat.h"

namespace olif::audit {

std::string Outcome(const absl::Status& status) {
  if (status.ok()) return "OK";
  return absl::StrCat(absl::StatusCodeToString(status.code()), ": ", status.message());
}

absl::Status Append(sqlite::Database& db, const Table& table, const Entry& e) {
  absl::StatusOr<sqlite::Statement*> stmt = db.Prepare(absl::StrCat(
      "INSERT INTO ", table.name, " (at_us, actor, action, ", table.object_column,
      ", child_ref, outcome, reason, trace_id) VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8)"));
  if (!stmt.ok()) return stmt.status();
  return (*stmt)
      ->Bind(1, absl::ToUnixMicros(e.at))
      .Bind(2, e.actor.empty() ? std::string("unidentified") : e.actor)
      .Bind(3, e.action)
      .Bind(4, e.object_id)
      .Bind(5, e.child_ref)
      .Bind(6, e.outcome)
      .Bind(7, e.reason)
      .Bind(8, e.trace_id)
      .Run();
}

absl::StatusOr<std::vector<Entry>> Read(sqlite::Database& db, const Table& table,
                                        const std::string& object_id) {
  absl::StatusOr<sqlite::Statement*> stmt =
      db.Prepare(absl::StrCat("SELECT at_us, actor, action, ", table.object_column,
                              ", child_ref, outcome, reason, trace_id FROM ", table.name,
                              " WHERE ?1 = '' OR ", table.object_column, " = ?1 ORDER BY seq"));
  if (!stmt.ok()) return stmt.status();
  (*stmt)->Bind(1, object_id);
  std::vector<Entry> out;
  absl::Status s = (*stmt)->ForEachRow([&](const sqlite::Statement& r) -> absl::Status {
    out.push_back({absl::FromUnixMicros(r.ColumnInt64(0)), r.ColumnText(1), r.ColumnText(2),
                   r.ColumnText(3), r.ColumnText(4), r.ColumnText(5), r.ColumnText(6),
                   r.ColumnText(7)});
    return absl::OkStatus();
  });
  if (!s.ok()) return s;
  return out;
}

}  // namespace olif::audit
