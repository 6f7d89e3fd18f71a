#include "services/referrals/sqlite_referrals_store.h"

#include <google/protobuf/util/time_util.h>

#include <future>

#include "absl/strings/str_cat.h"
#include "services/common/clock/timestamp.h"
#include "services/common/consent/projection.h"
#include "services/common/outbox/outbox.h"

namespace olif::referrals {
namespace {

using google::protobuf::util::TimeUtil;

absl::Status Corrupt(const std::string& id) {
  return absl::DataLossError(absl::StrCat("request ", id, ": stored record does not parse"));
}

using Requests = std::vector<v1::DirectLineRequest>;

// Requests matching `where` (over the requests table's columns, parameters
// bound by `bind`), oldest first.
absl::StatusOr<Requests> SelectRequests(sqlite::Database& db, const char* where,
                                        const std::function<void(sqlite::Statement&)>& bind) {
  absl::StatusOr<sqlite::Statement*> stmt = db.Prepare(absl::StrCat(
      "SELECT id, record FROM requests WHERE ", where, " ORDER BY create_time_us, id"));
  if (!stmt.ok()) return stmt.status();
  bind(**stmt);
  Requests out;
  absl::Status s = (*stmt)->ForEachRow([&](const sqlite::Statement& row) -> absl::Status {
    if (!out.emplace_back().ParseFromString(row.ColumnBlob(1))) return Corrupt(row.ColumnText(0));
    return absl::OkStatus();
  });
  if (!s.ok()) return s;
  return out;
}

// When a first response is due (microseconds since the Unix epoch), 0 when
// none is.
int64_t DueMicros(const v1::DirectLineRequest& r) {
  const bool due = r.has_first_response_due() && !r.has_first_response_time();
  return due ? TimeUtil::TimestampToMicroseconds(r.first_response_due()) : int64_t{0};
}

// Writes the request's queried columns and its record.
absl::Status SaveRequest(sqlite::Database& db, const v1::DirectLineRequest& r) {
  absl::StatusOr<sqlite::Statement*> stmt = db.Prepare(
      "UPDATE requests SET status = ?2, update_time_us = ?3, child_ref = ?4, consent_id = ?5,"
      " due_us = ?6, overdue = ?7, record = ?8 WHERE id = ?1");
  if (!stmt.ok()) return stmt.status();
  return (*stmt)
      ->Bind(1, r.id())
      .Bind(2, static_cast<int64_t>(r.status()))
      .Bind(3, TimeUtil::TimestampToMicroseconds(r.update_time()))
      .Bind(4, r.child().child_ref())
      .Bind(5, r.consent_id())
      .Bind(6, DueMicros(r))
      .Bind(7, static_cast<int64_t>(r.overdue() ? 1 : 0))
      .BindBlob(8, r.SerializeAsString())
      .Run();
}

absl::Status PublishEvents(sqlite::Database& db, const Events& events, const std::string& trace_id,
                           absl::Time at) {
  return outbox::AppendAll(db, SqliteReferralsStore::kProducer, events, trace_id, at);
}

absl::Status InsertRequest(sqlite::Database& db, const v1::DirectLineRequest& r,
                           const std::string& content) {
  // Every column in one INSERT: the row is written once, with the columns
  // the jobs and the consent gate query (as SaveRequest keeps them).
  absl::StatusOr<sqlite::Statement*> insert = db.Prepare(
      "INSERT INTO requests (id, request_id, kind, location_id, status, create_time_us,"
      " update_time_us, content, record, child_ref, consent_id, due_us, overdue)"
      " VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?10, ?11, ?12, ?13)");
  if (!insert.ok()) return insert.status();
  return (*insert)
      ->Bind(1, r.id())
      .Bind(2, r.request_id())
      .Bind(3, static_cast<int64_t>(r.kind()))
      .Bind(4, r.requester().location_id())
      .Bind(5, static_cast<int64_t>(r.status()))
      .Bind(6, TimeUtil::TimestampToMicroseconds(r.create_time()))
      .Bind(7, TimeUtil::TimestampToMicroseconds(r.update_time()))
      .BindBlob(8, content)
      .BindBlob(9, r.SerializeAsString())
      .Bind(10, r.child().child_ref())
      .Bind(11, r.consent_id())
      .Bind(12, DueMicros(r))
      .Bind(13, static_cast<int64_t>(r.overdue() ? 1 : 0))
      .Run();
}

absl::Status InsertIdentity(sqlite::Database& db, const v1::DirectLineRequest& r,
                            const v1::ChildIdentity& identity) {
  absl::StatusOr<sqlite::Statement*> stmt = db.Prepare(
      "INSERT INTO child_identities (request_id, child_ref, identity) VALUES (?1, ?2, ?3)");
  if (!stmt.ok()) return stmt.status();
  return (*stmt)
      ->Bind(1, r.id())
      .Bind(2, r.child().child_ref())
      .BindBlob(3, identity.SerializeAsString())
      .Run();
}

// A ReferralsTransaction on the Writer's connection, inside its transaction.
class Transaction final : public ReferralsTransaction {
 public:
  explicit Transaction(sqlite::Database& db) : db_(db) {}

  absl::StatusOr<Requests> AwaitingConsent(const std::string& child_ref) override {
    return SelectRequests(db_, "child_ref = ?1 AND status = ?2", [&](sqlite::Statement& stmt) {
      stmt.Bind(1, child_ref).Bind(2, static_cast<int64_t>(v1::REQUEST_STATUS_AWAITING_CONSENT));
    });
  }
  absl::StatusOr<Requests> AwaitingConsentSince(absl::Time cutoff) override {
    return SelectRequests(db_, "status = ?1 AND create_time_us <= ?2",
                          [&](sqlite::Statement& stmt) {
                            stmt.Bind(1, static_cast<int64_t>(v1::REQUEST_STATUS_AWAITING_CONSENT))
                                .Bind(2, absl::ToUnixMicros(cutoff));
                          });
  }
  absl::StatusOr<Requests> RelyingOn(const std::string& consent_id) override {
    return SelectRequests(db_, "consent_id = ?1",
                          [&](sqlite::Statement& stmt) { stmt.Bind(1, consent_id); });
  }
  absl::StatusOr<Requests> OverdueAt(absl::Time now) override {
    return SelectRequests(db_, "status = ?1 AND overdue = 0 AND due_us > 0 AND due_us <= ?2",
                          [&](sqlite::Statement& stmt) {
                            stmt.Bind(1, static_cast<int64_t>(v1::REQUEST_STATUS_SUBMITTED))
                                .Bind(2, absl::ToUnixMicros(now));
                          });
  }
  absl::StatusOr<olifantenpad::consent::v1::Decision> PermitsDirectLine(
      const std::string& child_ref, const std::string& organisation_id, absl::Time at) override {
    return consent::ConsentProjection::PermitsIn(
        db_, child_ref, olifantenpad::consent::v1::PURPOSE_DIRECT_LINE, organisation_id, at);
  }
  absl::Status ApplyConsentEvent(const olifantenpad::common::v1::EventEnvelope& event) override {
    return consent::ConsentProjection::ApplyIn(db_, event);
  }
  absl::Status Save(const v1::DirectLineRequest& request, const Events& events,
                    absl::Time at) override {
    if (absl::Status s = SaveRequest(db_, request); !s.ok()) return s;
    return PublishEvents(db_, events, request.trace_id(), at);
  }

 private:
  sqlite::Database& db_;
};

}  // namespace

absl::StatusOr<std::unique_ptr<SqliteReferralsStore>> SqliteReferralsStore::Open(
    const std::string& path, const sqlite::OpenOptions& options,
    std::function<void(int)> on_commit) {
  absl::StatusOr<sqlite::StoreConnections> c = sqlite::OpenStoreConnections(
      path, Migrations(), options, std::move(on_commit), consent::ConsentProjection::CreateTables);
  if (!c.ok()) return c.status();
  return std::unique_ptr<SqliteReferralsStore>(
      new SqliteReferralsStore(path, std::move(c->writer), std::move(c->reader)));
}

void SqliteReferralsStore::Create(NewRequest in, CreateDone done) {
  auto request = std::make_shared<NewRequest>(std::move(in));
  auto outcome = std::make_shared<CreateOutcome>();
  writer_->Submit(
      [request, outcome](sqlite::Database& db) -> absl::Status {
        // Checked inside the write transaction, so two calls with one
        // request_id cannot both insert.
        auto earlier = records::FindEarlierCreate<v1::DirectLineRequest>(
            db, "requests", request->request.request_id(), request->content, "request");
        if (!earlier.ok()) return earlier.status();
        if (earlier->has_value()) {
          outcome->request = std::move(**earlier);
          outcome->created = false;
          return absl::OkStatus();
        }
        v1::DirectLineRequest& r = request->request;
        Events events = std::move(request->events);
        if (request->decide) {
          Transaction txn(db);
          absl::StatusOr<Events> more = request->decide(txn, r);
          if (!more.ok()) return more.status();
          events.insert(events.end(), more->begin(), more->end());
        }
        if (absl::Status s = InsertRequest(db, r, request->content); !s.ok()) return s;
        if (request->identity.has_value()) {
          if (absl::Status s = InsertIdentity(db, r, *request->identity); !s.ok()) return s;
        }
        if (absl::Status s = PublishEvents(db, events, r.trace_id(), request->occurred_at);
            !s.ok()) {
          return s;
        }
        outcome->request = r;
        outcome->created = true;
        return absl::OkStatus();
      },
      sqlite::Deliver(outcome, std::move(done)));
}

absl::StatusOr<CreateOutcome> SqliteReferralsStore::CreateAndWait(NewRequest request) {
  std::promise<absl::StatusOr<CreateOutcome>> result;
  auto future = result.get_future();
  Create(std::move(request), [&result](absl::StatusOr<CreateOutcome> outcome) {
    result.set_value(std::move(outcome));
  });
  return future.get();
}

absl::StatusOr<v1::DirectLineRequest> SqliteReferralsStore::Get(const std::string& id) {
  olif::MutexLock lock(&mu_);
  auto found = records::FindRecord<v1::DirectLineRequest>(*db_, "requests", "id", id);
  if (!found.ok()) return found.status();
  if (!found->has_value()) return absl::NotFoundError(absl::StrCat("request ", id, " not found"));
  return std::move((*found)->record);
}

void SqliteReferralsStore::Update(const std::string& id, int64_t expected_version, absl::Time now,
                                  std::string trace_id, Mutation mutate, UpdateDone done) {
  auto result = std::make_shared<v1::DirectLineRequest>();
  writer_->Submit(
      [id, expected_version, now, trace_id = std::move(trace_id), mutate = std::move(mutate),
       result](sqlite::Database& db) -> absl::Status {
        auto found = records::LoadForChange<v1::DirectLineRequest>(db, "requests", id,
                                                                   expected_version, "request");
        if (!found.ok()) return found.status();
        v1::DirectLineRequest& r = *found;
        Transaction txn(db);
        absl::StatusOr<Events> events = mutate(txn, r);
        if (!events.ok()) return events.status();
        r.set_version(r.version() + 1);
        *r.mutable_update_time() = TimeUtil::MicrosecondsToTimestamp(absl::ToUnixMicros(now));
        if (absl::Status s = SaveRequest(db, r); !s.ok()) return s;
        if (absl::Status s = PublishEvents(db, *events, trace_id, now); !s.ok()) return s;
        *result = std::move(r);
        return absl::OkStatus();
      },
      sqlite::Deliver(result, std::move(done)));
}

absl::Status SqliteReferralsStore::RunTransaction(Work work) {
  return writer_->Run([&work](sqlite::Database& db) {
    Transaction txn(db);
    return work(txn);
  });
}

std::unique_ptr<bus::EventHandler> SqliteReferralsStore::ConsumerHandler(Apply apply) {
  return std::make_unique<bus::TransactionHandler<Transaction, ReferralsTransaction>>(
      std::move(apply));
}

absl::StatusOr<std::vector<v1::DirectLineRequest>> SqliteReferralsStore::CreatedBetween(
    absl::Time start, absl::Time end, const std::string& location_id) {
  olif::MutexLock lock(&mu_);
  return SelectRequests(
      *db_, "create_time_us >= ?1 AND create_time_us < ?2 AND (?3 = '' OR location_id = ?3)",
      [&](sqlite::Statement& stmt) {
        stmt.Bind(1, absl::ToUnixMicros(start))
            .Bind(2, absl::ToUnixMicros(end))
            .Bind(3, location_id);
      });
}

absl::StatusOr<v1::ChildIdentity> SqliteReferralsStore::Identity(const std::string& request_id) {
  olif::MutexLock lock(&mu_);
  absl::StatusOr<sqlite::Statement*> stmt =
      db_->Prepare("SELECT identity FROM child_identities WHERE request_id = ?1");
  if (!stmt.ok()) return stmt.status();
  v1::ChildIdentity identity;
  bool parsed = false;
  absl::StatusOr<bool> row = (*stmt)->Bind(1, request_id).ReadOne([&](const sqlite::Statement& r) {
    parsed = identity.ParseFromString(r.ColumnBlob(0));
  });
  if (!row.ok()) return row.status();
  if (!*row)
    return absl::NotFoundError(absl::StrCat("no identity stored for request ", request_id));
  if (!parsed) return Corrupt(request_id);
  return identity;
}

absl::StatusOr<ListResult> SqliteReferralsStore::List(const ListQuery& q) {
  olif::MutexLock lock(&mu_);
  // One statement for every filter combination: a NULL parameter means "no
  // filter". Rows come newest first; the cursor is the last row returned.
  absl::StatusOr<sqlite::Statement*> stmt = db_->Prepare(
      "SELECT id, create_time_us, record FROM requests"
      " WHERE location_id = ?1 AND (?2 IS NULL OR status = ?2)"
      " AND (?3 IS NULL OR (create_time_us, id) < (?3, ?4))"
      " ORDER BY create_time_us DESC, id DESC LIMIT ?5");
  if (!stmt.ok()) return stmt.status();
  (*stmt)->Bind(1, q.location_id);
  if (q.status != v1::REQUEST_STATUS_UNSPECIFIED) {
    (*stmt)->Bind(2, static_cast<int64_t>(q.status));
  } else {
    (*stmt)->BindNull(2);
  }
  records::BindPage(**stmt, 3, q.after, q.limit);
  ListResult result;
  ListCursor last;
  absl::Status status = (*stmt)->ForEachRow([&](const sqlite::Statement& row) -> absl::Status {
    if (static_cast<int>(result.requests.size()) == q.limit) {
      result.next = last;  // the extra row only tells that a page follows
      return absl::OkStatus();
    }
    last.id = row.ColumnText(0);
    last.create_time_us = row.ColumnInt64(1);
    if (!result.requests.emplace_back().ParseFromString(row.ColumnBlob(2))) return Corrupt(last.id);
    return absl::OkStatus();
  });
  if (!status.ok()) return status;
  return result;
}

absl::Status SqliteReferralsStore::FillStatus(olifantenpad::admin::v1::GetStatusResponse* status) {
  olif::MutexLock lock(&mu_);
  if (absl::Status s = outbox::FillStatus(*db_, status); !s.ok()) return s;
  // Requests announced overdue that still wait for their first response,
  // longest waiting first (the requests_due index).
  auto overdue = db_->Prepare(
      "SELECT id, location_id, due_us FROM requests WHERE status = ?1 AND overdue = 1"
      " ORDER BY due_us LIMIT 100");
  if (!overdue.ok()) return overdue.status();
  return (*overdue)
      ->Bind(1, static_cast<int64_t>(v1::REQUEST_STATUS_SUBMITTED))
      .ForEachRow([status](const sqlite::Statement& r) {
        auto* a = status->add_attention();
        a->set_kind("first_response_overdue");
        a->set_subject(absl::StrCat("requests/", r.ColumnText(0)));
        a->set_detail(absl::StrCat("a direct-line question from ", r.ColumnText(1),
                                   " has had no first response from its expert in time"));
        *a->mutable_since() =
            google::protobuf::util::TimeUtil::MicrosecondsToTimestamp(r.ColumnInt64(2));
        return absl::OkStatus();
      });
}

absl::StatusOr<std::vector<olifantenpad::common::v1::EventEnvelope>>
SqliteReferralsStore::EventsAfter(int64_t after_seq, int max) {
  olif::MutexLock lock(&mu_);
  return outbox::ReadAfter(*db_, kProducer, after_seq, max);
}

}  // namespace olif::referrals
