#include "services/common/audit/audit.h"

#include "absl/strings/str_cat.h"
#include "services/common/clock/timestamp.h"

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

namespace {

std::string Columns(const Table& table) {
  return absl::StrCat("SELECT at_us, actor, action, ", table.object_column,
                      ", child_ref, outcome, reason, trace_id FROM ", table.name);
}

absl::StatusOr<std::vector<Entry>> Collect(sqlite::Statement& stmt) {
  std::vector<Entry> out;
  absl::Status s = stmt.ForEachRow([&](const sqlite::Statement& r) -> absl::Status {
    out.push_back({absl::FromUnixMicros(r.ColumnInt64(0)), r.ColumnText(1), r.ColumnText(2),
                   r.ColumnText(3), r.ColumnText(4), r.ColumnText(5), r.ColumnText(6),
                   r.ColumnText(7)});
    return absl::OkStatus();
  });
  if (!s.ok()) return s;
  return out;
}

}  // namespace

absl::StatusOr<std::vector<Entry>> Read(sqlite::Database& db, const Table& table,
                                        const std::string& object_id) {
  absl::StatusOr<sqlite::Statement*> stmt = db.Prepare(absl::StrCat(
      Columns(table), " WHERE ?1 = '' OR ", table.object_column, " = ?1 ORDER BY seq"));
  if (!stmt.ok()) return stmt.status();
  (*stmt)->Bind(1, object_id);
  return Collect(**stmt);
}

absl::StatusOr<std::vector<Entry>> Search(sqlite::Database& db, const Table& table,
                                          const Query& q) {
  absl::StatusOr<sqlite::Statement*> stmt = db.Prepare(
      absl::StrCat(Columns(table), " WHERE (?1 = '' OR actor = ?1) AND (?2 = '' OR action = ?2)",
                   " AND (?3 = '' OR ", table.object_column, " = ?3)",
                   " AND (?4 = '' OR child_ref = ?4) AND at_us >= ?5 AND at_us < ?6",
                   " ORDER BY seq DESC LIMIT ?7"));
  if (!stmt.ok()) return stmt.status();
  (*stmt)
      ->Bind(1, q.actor)
      .Bind(2, q.action)
      .Bind(3, q.object_id)
      .Bind(4, q.child_ref)
      .Bind(5, StoredMicros(q.from))
      .Bind(6, StoredMicros(q.to))
      .Bind(7, int64_t{q.limit});
  return Collect(**stmt);
}

absl::StatusOr<Query> QueryFromAdmin(const olifantenpad::admin::v1::SearchAuditRequest& request) {
  if (request.limit() < 0) {
    return absl::InvalidArgumentError(
        absl::StrCat("limit: must not be negative, got ", request.limit()));
  }
  Query q{.actor = request.actor(),
          .action = request.action(),
          .object_id = request.object_id(),
          .child_ref = request.child_ref(),
          .limit = request.limit() == 0 ? 100 : std::min(request.limit(), 1000)};
  if (request.has_from()) {
    q.from = FromTimestamp(request.from());
  }
  if (request.has_to()) {
    q.to = FromTimestamp(request.to());
  }
  if (q.to <= q.from) return absl::InvalidArgumentError("to: must be after from");
  return q;
}

olifantenpad::admin::v1::SearchAuditResponse ToAdmin(const std::vector<Entry>& entries) {
  olifantenpad::admin::v1::SearchAuditResponse out;
  for (const Entry& e : entries) {
    auto* line = out.add_entries();
    *line->mutable_at() = ToTimestamp(e.at);
    line->set_actor(e.actor);
    line->set_action(e.action);
    line->set_object_id(e.object_id);
    line->set_child_ref(e.child_ref);
    line->set_outcome(e.outcome);
    line->set_reason(e.reason);
    line->set_trace_id(e.trace_id);
  }
  return out;
}

}  // namespace olif::audit
