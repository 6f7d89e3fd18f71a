#include "services/scheduling/sqlite_scheduling_store.h"

#include <google/protobuf/util/time_util.h>

#include <limits>

#include "absl/strings/str_cat.h"
#include "services/common/clock/timestamp.h"
#include "services/common/consent/projection.h"
#include "services/common/records/records.h"
#include "services/common/status/status.h"

namespace olif::scheduling {
namespace {

using google::protobuf::util::TimeUtil;
using Visits = std::vector<v1::Visit>;

absl::Status Corrupt(const std::string& what) {
  return absl::DataLossError(absl::StrCat(what, ": stored record does not parse"));
}

int64_t Micros(const google::protobuf::Timestamp& t) {
  return TimeUtil::TimestampToMicroseconds(t);
}

// Visits matching `where` (over the visits table's columns, parameters bound
// by `bind`), by start then id.
absl::StatusOr<Visits> SelectVisits(sqlite::Database& db, const std::string& where,
                                    const std::function<void(sqlite::Statement&)>& bind) {
  absl::StatusOr<sqlite::Statement*> stmt = db.Prepare(
      absl::StrCat("SELECT id, record FROM visits WHERE ", where, " ORDER BY start_us, id"));
  if (!stmt.ok()) return stmt.status();
  bind(**stmt);
  Visits out;
  absl::Status s = (*stmt)->ForEachRow([&](const sqlite::Statement& row) -> absl::Status {
    if (!out.emplace_back().ParseFromString(row.ColumnBlob(1))) {
      return Corrupt(absl::StrCat("visit ", row.ColumnText(0)));
    }
    return absl::OkStatus();
  });
  if (!s.ok()) return s;
  return out;
}

// NULL for an empty text: the UNIQUE columns allow many NULLs, not many ''.
void BindOrNull(sqlite::Statement& stmt, int i, const std::string& value) {
  if (value.empty()) {
    stmt.BindNull(i);
  } else {
    stmt.Bind(i, value);
  }
}

absl::Status InsertVisit(sqlite::Database& db, const v1::Visit& v, const std::string& content) {
  absl::StatusOr<sqlite::Statement*> stmt = db.Prepare(
      "INSERT INTO visits (id, request_id, handover_id, kind, location_id, group_id, expert_id,"
      " status, start_us, end_us, school_year, create_time_us, update_time_us, content, record)"
      " VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?10, ?11, ?12, ?13, ?14, ?15)");
  if (!stmt.ok()) return stmt.status();
  sqlite::Statement& s = **stmt;
  s.Bind(1, v.id());
  BindOrNull(s, 2, v.request_id());
  BindOrNull(s, 3, v.handover_id());
  return s.Bind(4, static_cast<int64_t>(v.kind()))
      .Bind(5, v.location_id())
      .Bind(6, v.group_id())
      .Bind(7, v.expert_id())
      .Bind(8, static_cast<int64_t>(v.status()))
      .Bind(9, v.has_start() ? Micros(v.start()) : int64_t{0})
      .Bind(10, v.has_end() ? Micros(v.end()) : int64_t{0})
      .Bind(11, v.school_year())
      .Bind(12, Micros(v.create_time()))
      .Bind(13, Micros(v.update_time()))
      .BindBlob(14, content)
      .BindBlob(15, v.SerializeAsString())
      .Run();
}

absl::Status SaveVisit(sqlite::Database& db, const v1::Visit& v) {
  absl::StatusOr<sqlite::Statement*> stmt = db.Prepare(
      "UPDATE visits SET group_id = ?2, expert_id = ?3, status = ?4, start_us = ?5, end_us = ?6,"
      " school_year = ?7, update_time_us = ?8, record = ?9 WHERE id = ?1");
  if (!stmt.ok()) return stmt.status();
  return (*stmt)
      ->Bind(1, v.id())
      .Bind(2, v.group_id())
      .Bind(3, v.expert_id())
      .Bind(4, static_cast<int64_t>(v.status()))
      .Bind(5, v.has_start() ? Micros(v.start()) : int64_t{0})
      .Bind(6, v.has_end() ? Micros(v.end()) : int64_t{0})
      .Bind(7, v.school_year())
      .Bind(8, Micros(v.update_time()))
      .BindBlob(9, v.SerializeAsString())
      .Run();
}

absl::StatusOr<v1::Availability> ReadAvailability(sqlite::Database& db,
                                                  const std::string& expert_id) {
  absl::StatusOr<sqlite::Statement*> stmt =
      db.Prepare("SELECT record FROM availability WHERE expert_id = ?1");
  if (!stmt.ok()) return stmt.status();
  v1::Availability a;
  bool parsed = true;
  absl::StatusOr<bool> row = (*stmt)->Bind(1, expert_id).ReadOne([&](const sqlite::Statement& r) {
    parsed = a.ParseFromString(r.ColumnBlob(0));
  });
  if (!row.ok()) return row.status();
  if (!parsed) return Corrupt(absl::StrCat("availability of ", expert_id));
  if (!*row) a.set_expert_id(expert_id);
  return a;
}

const char* KindName(FeedRef::Kind kind) {
  return kind == FeedRef::Kind::kExpert ? "expert" : "location";
}

class Transaction final : public SchedulingTransaction {
 public:
  explicit Transaction(sqlite::Database& db) : db_(db) {}

  absl::StatusOr<Visits> ExpertVisitsOverlapping(const std::string& expert_id, absl::Time start,
                                                 absl::Time end,
                                                 const std::string& except_id) override {
    // start_us < end bounds the index range; end_us > start filters.
    return SelectVisits(db_,
                        "expert_id = ?1 AND start_us > 0 AND start_us < ?3 AND end_us > ?2"
                        " AND id != ?4 AND status IN (?5, ?6)",
                        [&](sqlite::Statement& s) {
                          s.Bind(1, expert_id)
                              .Bind(2, absl::ToUnixMicros(start))
                              .Bind(3, absl::ToUnixMicros(end))
                              .Bind(4, except_id)
                              .Bind(5, static_cast<int64_t>(v1::VISIT_STATUS_BOOKED))
                              .Bind(6, static_cast<int64_t>(v1::VISIT_STATUS_HELD));
                        });
  }
  absl::StatusOr<Visits> GroupVisits(const std::string& location_id, const std::string& group_id,
                                     const std::string& school_year, v1::VisitKind kind) override {
    return SelectVisits(db_,
                        "location_id = ?1 AND group_id = ?2 AND school_year = ?3 AND kind = ?4",
                        [&](sqlite::Statement& s) {
                          s.Bind(1, location_id)
                              .Bind(2, group_id)
                              .Bind(3, school_year)
                              .Bind(4, static_cast<int64_t>(kind));
                        });
  }
  absl::StatusOr<v1::Availability> Availability(const std::string& expert_id) override {
    return ReadAvailability(db_, expert_id);
  }
  absl::Status SaveAvailability(const v1::Availability& a) override {
    absl::StatusOr<sqlite::Statement*> stmt = db_.Prepare(
        "INSERT INTO availability (expert_id, version, record) VALUES (?1, ?2, ?3)"
        " ON CONFLICT (expert_id) DO UPDATE SET version = ?2, record = ?3");
    if (!stmt.ok()) return stmt.status();
    return (*stmt)
        ->Bind(1, a.expert_id())
        .Bind(2, a.version())
        .BindBlob(3, a.SerializeAsString())
        .Run();
  }
  absl::StatusOr<ComplianceState> Compliance(const std::string& location_id,
                                             const std::string& group_id,
                                             const std::string& school_year) override {
    absl::StatusOr<sqlite::Statement*> stmt = db_.Prepare(
        "SELECT state FROM compliance WHERE location_id = ?1 AND group_id = ?2"
        " AND school_year = ?3");
    if (!stmt.ok()) return stmt.status();
    int64_t state = 0;
    absl::StatusOr<bool> row =
        (*stmt)
            ->Bind(1, location_id)
            .Bind(2, group_id)
            .Bind(3, school_year)
            .ReadOne([&](const sqlite::Statement& r) { state = r.ColumnInt64(0); });
    if (!row.ok()) return row.status();
    return static_cast<ComplianceState>(state);
  }
  absl::Status SetCompliance(const std::string& location_id, const std::string& group_id,
                             const std::string& school_year, ComplianceState state,
                             absl::Time at) override {
    absl::StatusOr<sqlite::Statement*> stmt = db_.Prepare(
        "INSERT INTO compliance (location_id, group_id, school_year, state, changed_at_us)"
        " VALUES (?1, ?2, ?3, ?4, ?5) ON CONFLICT (location_id, group_id, school_year)"
        " DO UPDATE SET state = ?4, changed_at_us = ?5");
    if (!stmt.ok()) return stmt.status();
    return (*stmt)
        ->Bind(1, location_id)
        .Bind(2, group_id)
        .Bind(3, school_year)
        .Bind(4, static_cast<int64_t>(state))
        .Bind(5, absl::ToUnixMicros(at))
        .Run();
  }
  absl::StatusOr<std::optional<v1::Visit>> MeetingFor(const std::string& handover_id) override {
    auto found = records::FindRecord<v1::Visit>(db_, "visits", "handover_id", handover_id);
    if (!found.ok()) return found.status();
    if (!found->has_value()) return std::nullopt;
    return std::move((*found)->record);
  }
  absl::Status Insert(const v1::Visit& visit, const std::string& content, const Events& events,
                      absl::Time at) override {
    if (absl::Status s = InsertVisit(db_, visit, content); !s.ok()) return s;
    return Publish(events, visit.trace_id(), at);
  }
  absl::Status Save(const v1::Visit& visit, const Events& events, absl::Time at) override {
    if (absl::Status s = SaveVisit(db_, visit); !s.ok()) return s;
    return Publish(events, visit.trace_id(), at);
  }
  absl::Status Publish(const Events& events, const std::string& trace_id, absl::Time at) override {
    return outbox::AppendAll(db_, SqliteSchedulingStore::kProducer, events, trace_id, at);
  }
  absl::Status SaveFeedToken(const FeedRef& feed, const std::string& token_hash,
                             absl::Time at) override {
    absl::StatusOr<sqlite::Statement*> drop =
        db_.Prepare("DELETE FROM feed_tokens WHERE feed_kind = ?1 AND subject_id = ?2");
    if (!drop.ok()) return drop.status();
    if (absl::Status s = (*drop)->Bind(1, KindName(feed.kind)).Bind(2, feed.subject_id).Run();
        !s.ok()) {
      return s;
    }
    absl::StatusOr<sqlite::Statement*> add = db_.Prepare(
        "INSERT INTO feed_tokens (token_hash, feed_kind, subject_id, issued_at_us)"
        " VALUES (?1, ?2, ?3, ?4)");
    if (!add.ok()) return add.status();
    return (*add)
        ->BindBlob(1, token_hash)
        .Bind(2, KindName(feed.kind))
        .Bind(3, feed.subject_id)
        .Bind(4, absl::ToUnixMicros(at))
        .Run();
  }
  absl::StatusOr<olifantenpad::consent::v1::Decision> PermitsGroupDiscussion(
      const std::string& child_ref, const std::string& organisation_id, absl::Time at) override {
    return consent::ConsentProjection::PermitsIn(
        db_, child_ref, olifantenpad::consent::v1::PURPOSE_GROUP_DISCUSSION, organisation_id, at);
  }
  absl::Status ApplyConsentEvent(const olifantenpad::common::v1::EventEnvelope& event) override {
    return consent::ConsentProjection::ApplyIn(db_, event);
  }

 private:
  sqlite::Database& db_;
};

}  // namespace

absl::StatusOr<std::unique_ptr<SqliteSchedulingStore>> SqliteSchedulingStore::Open(
    const std::string& path, const sqlite::OpenOptions& options,
    std::function<void(int)> on_commit) {
  absl::StatusOr<sqlite::StoreConnections> c = sqlite::OpenStoreConnections(
      path, Migrations(), options, std::move(on_commit), consent::ConsentProjection::CreateTables);
  if (!c.ok()) return c.status();
  return std::unique_ptr<SqliteSchedulingStore>(
      new SqliteSchedulingStore(std::move(c->writer), std::move(c->reader)));
}

void SqliteSchedulingStore::Create(NewVisit in, VisitDone done) {
  auto n = std::make_shared<NewVisit>(std::move(in));
  auto result = std::make_shared<v1::Visit>();
  writer_->Submit(
      [n, result](sqlite::Database& db) -> absl::Status {
        // Checked inside the write transaction, so two calls with one
        // request_id cannot both insert.
        auto earlier = records::FindEarlierCreate<v1::Visit>(db, "visits", n->visit.request_id(),
                                                             n->content, "visit");
        if (!earlier.ok()) return earlier.status();
        if (earlier->has_value()) {
          *result = std::move(**earlier);
          return absl::OkStatus();
        }
        Transaction txn(db);
        Events events = std::move(n->events);
        if (n->decide) {
          absl::StatusOr<Events> more = n->decide(txn, n->visit);
          if (!more.ok()) return more.status();
          events.insert(events.end(), more->begin(), more->end());
        }
        if (absl::Status s = txn.Insert(n->visit, n->content, events, n->occurred_at); !s.ok()) {
          return s;
        }
        *result = n->visit;
        return absl::OkStatus();
      },
      sqlite::Deliver(result, std::move(done)));
}

void SqliteSchedulingStore::Update(const std::string& id, int64_t expected_version, absl::Time now,
                                   std::string trace_id, Mutation mutate, VisitDone done) {
  auto result = std::make_shared<v1::Visit>();
  writer_->Submit(
      [id, expected_version, now, trace_id = std::move(trace_id), mutate = std::move(mutate),
       result](sqlite::Database& db) -> absl::Status {
        auto found = records::LoadForChange<v1::Visit>(db, "visits", id, expected_version, "visit");
        if (!found.ok()) return found.status();
        v1::Visit& v = *found;
        // The change sees the visit at its new version: its events say so.
        v.set_version(v.version() + 1);
        *v.mutable_update_time() = ToTimestamp(now);
        Transaction txn(db);
        absl::StatusOr<Events> events = mutate(txn, v);
        if (!events.ok()) return events.status();
        if (absl::Status s = SaveVisit(db, v); !s.ok()) return s;
        if (absl::Status s = txn.Publish(*events, trace_id, now); !s.ok()) return s;
        *result = std::move(v);
        return absl::OkStatus();
      },
      sqlite::Deliver(result, std::move(done)));
}

void SqliteSchedulingStore::Write(Work work, WriteDone done) {
  writer_->Submit(
      [work = std::move(work)](sqlite::Database& db) {
        Transaction txn(db);
        return work(txn);
      },
      [done = std::move(done)](const absl::Status& s) { done(Unshared(s)); });
}

absl::Status SqliteSchedulingStore::RunTransaction(Work work) {
  return writer_->Run([&work](sqlite::Database& db) {
    Transaction txn(db);
    return work(txn);
  });
}

std::unique_ptr<bus::EventHandler> SqliteSchedulingStore::ConsumerHandler(Apply apply) {
  return std::make_unique<bus::TransactionHandler<Transaction, SchedulingTransaction>>(
      std::move(apply));
}

absl::StatusOr<v1::Visit> SqliteSchedulingStore::Get(const std::string& id) {
  olif::MutexLock lock(&mu_);
  auto found = records::FindRecord<v1::Visit>(*db_, "visits", "id", id);
  if (!found.ok()) return found.status();
  if (!found->has_value()) return absl::NotFoundError(absl::StrCat("visit ", id, " not found"));
  return std::move((*found)->record);
}

absl::StatusOr<std::vector<v1::Visit>> SqliteSchedulingStore::List(const VisitQuery& q) {
  olif::MutexLock lock(&mu_);
  const bool by_expert = !q.expert_id.empty();
  const std::string where =
      absl::StrCat(by_expert ? "expert_id = ?1" : "location_id = ?1",
                   " AND (?2 = '' OR school_year = ?2) AND (?5 = 0 OR status = ?5) AND (",
                   q.include_proposed ? "start_us = 0 OR " : "",
                   "(start_us > 0 AND start_us >= ?3 AND start_us < ?4))");
  return SelectVisits(*db_, where, [&](sqlite::Statement& s) {
    s.Bind(1, by_expert ? q.expert_id : q.location_id)
        .Bind(2, q.school_year)
        .Bind(3, q.from == absl::InfinitePast() ? int64_t{1} : absl::ToUnixMicros(q.from))
        .Bind(4, q.to == absl::InfiniteFuture() ? std::numeric_limits<int64_t>::max()
                                                : absl::ToUnixMicros(q.to))
        .Bind(5, static_cast<int64_t>(q.status));
  });
}

absl::StatusOr<v1::Availability> SqliteSchedulingStore::GetAvailability(
    const std::string& expert_id) {
  olif::MutexLock lock(&mu_);
  return ReadAvailability(*db_, expert_id);
}

absl::StatusOr<std::optional<FeedRef>> SqliteSchedulingStore::FeedFor(
    const std::string& token_hash) {
  olif::MutexLock lock(&mu_);
  absl::StatusOr<sqlite::Statement*> stmt =
      db_->Prepare("SELECT feed_kind, subject_id FROM feed_tokens WHERE token_hash = ?1");
  if (!stmt.ok()) return stmt.status();
  FeedRef feed;
  absl::StatusOr<bool> row =
      (*stmt)->BindBlob(1, token_hash).ReadOne([&](const sqlite::Statement& r) {
        feed.kind = r.ColumnText(0) == "expert" ? FeedRef::Kind::kExpert : FeedRef::Kind::kLocation;
        feed.subject_id = r.ColumnText(1);
      });
  if (!row.ok()) return row.status();
  if (!*row) return std::nullopt;
  return feed;
}

absl::Status SqliteSchedulingStore::FillStatus(olifantenpad::admin::v1::GetStatusResponse* status) {
  olif::MutexLock lock(&mu_);
  return outbox::FillStatus(*db_, status);
}

absl::StatusOr<std::vector<olifantenpad::common::v1::EventEnvelope>>
SqliteSchedulingStore::EventsAfter(int64_t after_seq, int max) {
  olif::MutexLock lock(&mu_);
  return outbox::ReadAfter(*db_, kProducer, after_seq, max);
}

}  // namespace olif::scheduling
