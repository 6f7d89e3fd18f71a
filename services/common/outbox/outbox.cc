#include "services/common/outbox/outbox.h"

#include <google/protobuf/any.pb.h>
#include <google/protobuf/util/time_util.h>

#include "services/common/ids/ids.h"

namespace olif::outbox {

namespace common = olifantenpad::common::v1;
using google::protobuf::util::TimeUtil;

absl::StatusOr<common::EventEnvelope> Append(sqlite::Database& db, const std::string& producer,
                                             const Draft& draft) {
  common::EventEnvelope envelope;
  envelope.set_event_id(NewTimeOrderedUuid());
  envelope.set_producer(producer);
  envelope.set_topic(draft.topic);
  envelope.set_trace_id(draft.trace_id);
  const int64_t micros = absl::ToUnixMicros(draft.occurred_at);
  *envelope.mutable_occurred_at() = TimeUtil::MicrosecondsToTimestamp(micros);
  envelope.mutable_payload()->PackFrom(*draft.payload);

  absl::StatusOr<sqlite::Statement*> stmt = db.Prepare(
      "INSERT INTO outbox (event_id, topic, occurred_at_us, trace_id, payload) "
      "VALUES (?1, ?2, ?3, ?4, ?5)");
  if (!stmt.ok()) return stmt.status();
  (*stmt)
      ->Bind(1, envelope.event_id())
      .Bind(2, envelope.topic())
      .Bind(3, micros)
      .Bind(4, envelope.trace_id())
      .BindBlob(5, envelope.payload().SerializeAsString());
  if (absl::Status s = (*stmt)->Run(); !s.ok()) return s;
  envelope.set_seq(db.LastInsertRowId());
  return envelope;
}

absl::StatusOr<Stats> GetStats(sqlite::Database& db) {
  // One statement reads a consistent snapshot; no transaction of its own, so
  // it also works inside the caller's.
  absl::StatusOr<sqlite::Statement*> stmt = db.Prepare(
      "SELECT (SELECT COUNT(*) FROM outbox), "
      "COALESCE((SELECT seq FROM sqlite_sequence WHERE name = 'outbox'), 0)");
  if (!stmt.ok()) return stmt.status();
  Stats stats;
  absl::StatusOr<bool> row = (*stmt)->ReadOne([&](const sqlite::Statement& r) {
    stats.row_count = r.ColumnInt64(0);
    stats.head_seq = r.ColumnInt64(1);
  });
  if (!row.ok()) return row.status();
  return stats;
}

absl::StatusOr<std::vector<common::EventEnvelope>> ReadAfter(sqlite::Database& db,
                                                             const std::string& producer,
                                                             int64_t after_seq, int max) {
  absl::StatusOr<sqlite::Statement*> stmt = db.Prepare(
      "SELECT seq, event_id, topic, occurred_at_us, trace_id, payload FROM outbox "
      "WHERE seq > ?1 ORDER BY seq LIMIT ?2");
  if (!stmt.ok()) return stmt.status();
  (*stmt)->Bind(1, after_seq).Bind(2, static_cast<int64_t>(max));
  std::vector<common::EventEnvelope> out;
  absl::Status status = (*stmt)->ForEachRow([&](const sqlite::Statement& row) -> absl::Status {
    common::EventEnvelope& e = out.emplace_back();
    e.set_seq(row.ColumnInt64(0));
    e.set_event_id(row.ColumnText(1));
    e.set_topic(row.ColumnText(2));
    *e.mutable_occurred_at() = TimeUtil::MicrosecondsToTimestamp(row.ColumnInt64(3));
    e.set_trace_id(row.ColumnText(4));
    e.set_producer(producer);
    if (!e.mutable_payload()->ParseFromString(row.ColumnBlob(5))) {
      return absl::DataLossError("outbox: payload of seq " + std::to_string(e.seq()) +
                                 " does not parse");
    }
    return absl::OkStatus();
  });
  if (!status.ok()) return status;
  return out;
}

absl::Status FillStatus(sqlite::Database& db, olifantenpad::admin::v1::GetStatusResponse* status) {
  absl::StatusOr<Stats> stats = GetStats(db);
  if (!stats.ok()) return stats.status();
  status->mutable_outbox()->set_head_seq(stats->head_seq);
  status->mutable_outbox()->set_row_count(stats->row_count);
  return absl::OkStatus();
}

absl::Status AppendAll(sqlite::Database& db, const std::string& producer, const Events& events,
                       const std::string& trace_id, absl::Time at) {
  for (const Event& e : events) {
    auto appended = Append(
        db, producer,
        {.topic = e.topic, .payload = e.payload.get(), .trace_id = trace_id, .occurred_at = at});
    if (!appended.ok()) return appended.status();
  }
  return absl::OkStatus();
}

}  // namespace olif::outbox
