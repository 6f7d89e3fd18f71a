#include "services/referrals/referrals_store.h"

#include <google/protobuf/util/time_util.h>

#include <future>

#include "absl/strings/str_cat.h"

namespace olif::referrals {
namespace {

using google::protobuf::util::TimeUtil;

absl::Status Corrupt(const std::string& id) {
  return absl::DataLossError(absl::StrCat("request ", id, ": stored record does not parse"));
}

}  // namespace

absl::StatusOr<std::unique_ptr<SqliteReferralsStore>> SqliteReferralsStore::Open(
    const std::string& path, const sqlite::OpenOptions& options,
    std::function<void(int)> on_commit) {
  absl::StatusOr<std::unique_ptr<sqlite::Database>> db =
      sqlite::Database::Open(path, Migrations(), options);
  if (!db.ok()) return db.status();
  absl::StatusOr<std::unique_ptr<sqlite::Database>> reader = sqlite::Database::Open(path, {});
  if (!reader.ok()) return reader.status();
  auto writer = std::make_unique<sqlite::Writer>(
      std::move(*db), sqlite::WriterOptions{.on_commit = std::move(on_commit)});
  return std::unique_ptr<SqliteReferralsStore>(
      new SqliteReferralsStore(path, std::move(writer), std::move(*reader)));
}

void SqliteReferralsStore::Create(NewRequest in, CreateDone done) {
  auto request = std::make_shared<NewRequest>(std::move(in));
  auto outcome = std::make_shared<CreateOutcome>();
  writer_->Submit(
      [request, outcome](sqlite::Database& db) -> absl::Status {
        // Checked inside the write transaction, so two calls with one
        // request_id cannot both insert.
        auto existing = records::FindRecord<v1::DirectLineRequest>(db, "requests", "request_id",
                                                                   request->request.request_id());
        if (!existing.ok()) return existing.status();
        if (existing->has_value()) {
          if ((*existing)->content != request->content) {
            return absl::AlreadyExistsError(
                absl::StrCat("request_id ", request->request.request_id(),
                             " was used before for a different request (", (*existing)->record.id(),
                             "); use a new request_id for a new request"));
          }
          outcome->request = std::move((*existing)->record);
          outcome->created = false;
          return absl::OkStatus();
        }
        const v1::DirectLineRequest& r = request->request;
        absl::StatusOr<sqlite::Statement*> insert = db.Prepare(
            "INSERT INTO requests (id, request_id, kind, location_id, status, create_time_us,"
            " update_time_us, content, record) VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9)");
        if (!insert.ok()) return insert.status();
        (*insert)
            ->Bind(1, r.id())
            .Bind(2, r.request_id())
            .Bind(3, static_cast<int64_t>(r.kind()))
            .Bind(4, r.requester().location_id())
            .Bind(5, static_cast<int64_t>(r.status()))
            .Bind(6, TimeUtil::TimestampToMicroseconds(r.create_time()))
            .Bind(7, TimeUtil::TimestampToMicroseconds(r.update_time()))
            .BindBlob(8, request->content)
            .BindBlob(9, r.SerializeAsString());
        if (absl::Status s = (*insert)->Run(); !s.ok()) return s;
        auto event = outbox::Append(db, kProducer,
                                    {.topic = request->topic,
                                     .payload = request->event.get(),
                                     .trace_id = r.trace_id(),
                                     .occurred_at = request->occurred_at});
        if (!event.ok()) return event.status();
        outcome->request = r;
        outcome->created = true;
        return absl::OkStatus();
      },
      [outcome, done = std::move(done)](const absl::Status& s) {
        if (!s.ok()) {
          done(s);
        } else {
          done(std::move(*outcome));
        }
      });
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
  std::lock_guard<std::mutex> lock(mu_);
  auto found = records::FindRecord<v1::DirectLineRequest>(*db_, "requests", "id", id);
  if (!found.ok()) return found.status();
  if (!found->has_value()) return absl::NotFoundError(absl::StrCat("request ", id, " not found"));
  return std::move((*found)->record);
}

absl::StatusOr<ListResult> SqliteReferralsStore::List(const ListQuery& q) {
  std::lock_guard<std::mutex> lock(mu_);
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
  std::lock_guard<std::mutex> lock(mu_);
  return outbox::FillStatus(*db_, status);
}

absl::StatusOr<std::vector<olifantenpad::common::v1::EventEnvelope>>
SqliteReferralsStore::EventsAfter(int64_t after_seq, int max) {
  std::lock_guard<std::mutex> lock(mu_);
  return outbox::ReadAfter(*db_, kProducer, after_seq, max);
}

}  // namespace olif::referrals
