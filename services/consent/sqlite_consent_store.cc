#include "services/consent/sqlite_consent_store.h"
#include "services/common/clock/timestamp.h"

#include <google/protobuf/util/time_util.h>

#include "absl/strings/str_cat.h"
#include "olifantenpad/consent/v1/events.pb.h"
#include "services/common/consent/projection.h"
#include "services/common/outbox/outbox.h"

namespace olif::consent {
namespace {

using google::protobuf::util::TimeUtil;

absl::Status Corrupt(const std::string& id) {
  return absl::DataLossError(absl::StrCat("consent ", id, ": stored record does not parse"));
}

int64_t Micros(const google::protobuf::Timestamp& t) {
  return TimeUtil::TimestampToMicroseconds(t);
}

constexpr audit::Table kAuditTable{"consent_audit", "consent_id"};

absl::Status InsertAudit(sqlite::Database& db, const AuditEntry& a) {
  return audit::Append(db, kAuditTable, a);
}

absl::StatusOr<std::optional<records::Stored<v1::Consent>>> FindBy(sqlite::Database& db,
                                                                   const char* column,
                                                                   const std::string& value) {
  return records::FindRecord<v1::Consent>(db, "consents", column, value);
}

absl::Status UpdateRecord(sqlite::Database& db, const v1::Consent& c) {
  absl::StatusOr<sqlite::Statement*> stmt =
      db.Prepare("UPDATE consents SET status = ?2, update_time_us = ?3, record = ?4 WHERE id = ?1");
  if (!stmt.ok()) return stmt.status();
  return (*stmt)
      ->Bind(1, c.id())
      .Bind(2, static_cast<int64_t>(c.status()))
      .Bind(3, Micros(c.update_time()))
      .BindBlob(4, c.SerializeAsString())
      .Run();
}

absl::Status Publish(sqlite::Database& db, const char* topic,
                     const google::protobuf::Message& event, const std::string& trace_id,
                     absl::Time at) {
  return outbox::Append(
             db, SqliteConsentStore::kProducer,
             {.topic = topic, .payload = &event, .trace_id = trace_id, .occurred_at = at})
      .status();
}

// Rows of `stmt` (id, create_time_us, record) into `out`; the cursor is the last row.
absl::Status ReadRows(sqlite::Statement& stmt, std::vector<v1::Consent>* out,
                      records::PageCursor* last) {
  return stmt.ForEachRow([&](const sqlite::Statement& row) -> absl::Status {
    last->id = row.ColumnText(0);
    last->create_time_us = row.ColumnInt64(1);
    if (!out->emplace_back().ParseFromString(row.ColumnBlob(2))) return Corrupt(last->id);
    return absl::OkStatus();
  });
}

}  // namespace

absl::StatusOr<std::unique_ptr<SqliteConsentStore>> SqliteConsentStore::Open(
    const std::string& path, std::function<void(int)> on_commit) {
  absl::StatusOr<sqlite::StoreConnections> c =
      sqlite::OpenStoreConnections(path, Migrations(), {}, std::move(on_commit));
  if (!c.ok()) return c.status();
  return std::unique_ptr<SqliteConsentStore>(
      new SqliteConsentStore(std::move(c->writer), std::move(c->reader)));
}

void SqliteConsentStore::Record(NewConsent in, Done<v1::Consent> done) {
  auto call = std::make_shared<NewConsent>(std::move(in));
  auto stored = std::make_shared<v1::Consent>();
  writer_->Submit(
      [call, stored](sqlite::Database& db) -> absl::Status {
        const v1::Consent& c = call->consent;
        // Checked inside the write transaction, so two calls with one
        // request_id cannot both insert.
        auto earlier = records::FindEarlierCreate<v1::Consent>(db, "consents", c.request_id(),
                                                               call->content, "consent");
        if (!earlier.ok()) return earlier.status();
        if (earlier->has_value()) {
          *stored = std::move(**earlier);
          AuditEntry line = call->audit;
          line.object_id = stored->id();
          return InsertAudit(db, line);
        }
        absl::StatusOr<sqlite::Statement*> insert = db.Prepare(
            "INSERT INTO consents (id, request_id, child_ref, status, valid_until_us,"
            " create_time_us, update_time_us, content, record)"
            " VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9)");
        if (!insert.ok()) return insert.status();
        (*insert)
            ->Bind(1, c.id())
            .Bind(2, c.request_id())
            .Bind(3, c.child().child_ref())
            .Bind(4, static_cast<int64_t>(c.status()))
            .Bind(5, Micros(c.valid_until()))
            .Bind(6, Micros(c.create_time()))
            .Bind(7, Micros(c.update_time()))
            .BindBlob(8, call->content)
            .BindBlob(9, c.SerializeAsString());
        if (absl::Status s = (*insert)->Run(); !s.ok()) return s;
        absl::StatusOr<sqlite::Statement*> recipient = db.Prepare(
            "INSERT OR IGNORE INTO consent_recipients (consent_id, organisation_id) VALUES (?1, "
            "?2)");
        if (!recipient.ok()) return recipient.status();
        for (const std::string& org : c.recipient_organisation_ids()) {
          if (absl::Status s = (*recipient)->Bind(1, c.id()).Bind(2, org).Run(); !s.ok()) return s;
        }
        v1::ConsentGranted event;
        event.set_consent_id(c.id());
        *event.mutable_child() = c.child();
        *event.mutable_purposes() = c.purposes();
        *event.mutable_recipient_organisation_ids() = c.recipient_organisation_ids();
        *event.mutable_valid_from() = c.valid_from();
        *event.mutable_valid_until() = c.valid_until();
        if (absl::Status s = Publish(db, kTopicGranted, event, c.trace_id(), call->audit.at);
            !s.ok()) {
          return s;
        }
        if (absl::Status s = InsertAudit(db, call->audit); !s.ok()) return s;
        *stored = c;
        return absl::OkStatus();
      },
      sqlite::Deliver(stored, std::move(done)));
}

void SqliteConsentStore::Withdraw(const std::string& id, v1::Withdrawal withdrawal,
                                  AuditEntry audit, Done<v1::Consent> done) {
  auto result = std::make_shared<v1::Consent>();
  writer_->Submit(
      [id, withdrawal = std::move(withdrawal), audit = std::move(audit),
       result](sqlite::Database& db) -> absl::Status {
        auto found = FindBy(db, "id", id);
        if (!found.ok()) return found.status();
        if (!found->has_value())
          return absl::NotFoundError(absl::StrCat("consent ", id, " not found"));
        v1::Consent& c = (*found)->record;
        if (c.status() == v1::CONSENT_STATUS_WITHDRAWN) {
          *result = std::move(c);  // withdrawn before: nothing changes
          return absl::OkStatus();
        }
        if (c.status() != v1::CONSENT_STATUS_ACTIVE) {
          return absl::FailedPreconditionError(
              absl::StrCat("consent ", id, " is ", v1::ConsentStatus_Name(c.status()),
                           "; only an active consent can be withdrawn"));
        }
        c.set_status(v1::CONSENT_STATUS_WITHDRAWN);
        *c.mutable_withdrawal() = withdrawal;
        *c.mutable_update_time() = withdrawal.withdrawn_at();
        if (absl::Status s = UpdateRecord(db, c); !s.ok()) return s;
        v1::ConsentWithdrawn event;
        event.set_consent_id(c.id());
        *event.mutable_child() = c.child();
        *event.mutable_purposes() = c.purposes();
        *event.mutable_recipient_organisation_ids() = c.recipient_organisation_ids();
        *event.mutable_withdrawn_at() = withdrawal.withdrawn_at();
        if (absl::Status s = Publish(db, kTopicWithdrawn, event, audit.trace_id, audit.at);
            !s.ok()) {
          return s;
        }
        AuditEntry line = audit;
        line.child_ref = c.child().child_ref();
        if (absl::Status s = InsertAudit(db, line); !s.ok()) return s;
        *result = std::move(c);
        return absl::OkStatus();
      },
      sqlite::Deliver(result, std::move(done)));
}

absl::StatusOr<int> SqliteConsentStore::ExpireDue(absl::Time now) {
  int expired = 0;
  absl::Status s = writer_->Run([&](sqlite::Database& db) -> absl::Status {
    expired = 0;
    absl::StatusOr<sqlite::Statement*> due =
        db.Prepare("SELECT id, record FROM consents WHERE status = ?1 AND valid_until_us <= ?2");
    if (!due.ok()) return due.status();
    std::vector<v1::Consent> consents;
    absl::Status read = (*due)
                            ->Bind(1, static_cast<int64_t>(v1::CONSENT_STATUS_ACTIVE))
                            .Bind(2, absl::ToUnixMicros(now))
                            .ForEachRow([&](const sqlite::Statement& row) -> absl::Status {
                              if (!consents.emplace_back().ParseFromString(row.ColumnBlob(1))) {
                                return Corrupt(row.ColumnText(0));
                              }
                              return absl::OkStatus();
                            });
    if (!read.ok()) return read;
    for (v1::Consent& c : consents) {
      c.set_status(v1::CONSENT_STATUS_EXPIRED);
      *c.mutable_update_time() = ToTimestamp(now);
      if (absl::Status u = UpdateRecord(db, c); !u.ok()) return u;
      v1::ConsentExpired event;
      event.set_consent_id(c.id());
      *event.mutable_child() = c.child();
      *event.mutable_expired_at() = c.valid_until();
      if (absl::Status p = Publish(db, kTopicExpired, event, "", now); !p.ok()) return p;
      if (absl::Status a = InsertAudit(db, {.at = now,
                                            .actor = "consent-expiry",
                                            .action = "expire",
                                            .object_id = c.id(),
                                            .child_ref = c.child().child_ref(),
                                            .outcome = "OK",
                                            .reason = "validity period ended"});
          !a.ok()) {
        return a;
      }
      ++expired;
    }
    return absl::OkStatus();
  });
  if (!s.ok()) return s;
  return expired;
}

void SqliteConsentStore::Audit(AuditEntry entry, std::function<void(const absl::Status&)> done) {
  writer_->Submit(
      [entry = std::move(entry)](sqlite::Database& db) { return InsertAudit(db, entry); },
      std::move(done));
}

absl::StatusOr<v1::Consent> SqliteConsentStore::Get(const std::string& id) {
  olif::MutexLock lock(&mu_);
  auto found = FindBy(*db_, "id", id);
  if (!found.ok()) return found.status();
  if (!found->has_value()) return absl::NotFoundError(absl::StrCat("consent ", id, " not found"));
  return std::move((*found)->record);
}

absl::StatusOr<ConsentPage> SqliteConsentStore::List(const ConsentQuery& q) {
  olif::MutexLock lock(&mu_);
  // By child or by recipient; a NULL parameter means "no filter". Newest
  // first; one row more than asked tells whether a page follows.
  absl::StatusOr<sqlite::Statement*> stmt = db_->Prepare(
      q.recipient.empty()
          ? "SELECT id, create_time_us, record FROM consents WHERE child_ref = ?1"
            " AND (?2 IS NULL OR status = ?2) AND (?3 IS NULL OR (create_time_us, id) < (?3, ?4))"
            " ORDER BY create_time_us DESC, id DESC LIMIT ?5"
          : "SELECT c.id, c.create_time_us, c.record FROM consent_recipients r"
            " JOIN consents c ON c.id = r.consent_id WHERE r.organisation_id = ?1"
            " AND (?2 IS NULL OR c.status = ?2)"
            " AND (?3 IS NULL OR (c.create_time_us, c.id) < (?3, ?4))"
            " ORDER BY c.create_time_us DESC, c.id DESC LIMIT ?5");
  if (!stmt.ok()) return stmt.status();
  (*stmt)->Bind(1, q.recipient.empty() ? q.child_ref : q.recipient);
  if (q.status != v1::CONSENT_STATUS_UNSPECIFIED) {
    (*stmt)->Bind(2, static_cast<int64_t>(q.status));
  } else {
    (*stmt)->BindNull(2);
  }
  records::BindPage(**stmt, 3, q.after, q.limit);
  ConsentPage page;
  records::PageCursor last;
  if (absl::Status s = ReadRows(**stmt, &page.consents, &last); !s.ok()) return s;
  if (static_cast<int>(page.consents.size()) > q.limit) {
    page.consents.pop_back();
    page.next =
        records::PageCursor{Micros(page.consents.back().create_time()), page.consents.back().id()};
  }
  return page;
}

absl::StatusOr<std::vector<v1::Consent>> SqliteConsentStore::ForChild(
    const std::string& child_ref) {
  olif::MutexLock lock(&mu_);
  absl::StatusOr<sqlite::Statement*> stmt =
      db_->Prepare("SELECT id, create_time_us, record FROM consents WHERE child_ref = ?1");
  if (!stmt.ok()) return stmt.status();
  std::vector<v1::Consent> out;
  records::PageCursor last;
  if (absl::Status s = ReadRows((*stmt)->Bind(1, child_ref), &out, &last); !s.ok()) return s;
  return out;
}

absl::StatusOr<std::vector<AuditEntry>> SqliteConsentStore::AuditTrail() {
  olif::MutexLock lock(&mu_);
  return audit::Read(*db_, kAuditTable);
}

absl::StatusOr<std::vector<AuditEntry>> SqliteConsentStore::SearchAudit(const audit::Query& query) {
  olif::MutexLock lock(&mu_);
  return audit::Search(*db_, kAuditTable, query);
}

absl::Status SqliteConsentStore::FillStatus(olifantenpad::admin::v1::GetStatusResponse* status) {
  olif::MutexLock lock(&mu_);
  return outbox::FillStatus(*db_, status);
}

}  // namespace olif::consent
