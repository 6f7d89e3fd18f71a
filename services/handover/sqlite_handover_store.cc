#include "services/handover/sqlite_handover_store.h"

#include "absl/strings/str_cat.h"
#include "services/common/clock/timestamp.h"
#include "services/common/consent/projection.h"
#include "services/common/records/records.h"
#include "services/common/status/status.h"

namespace olif::handover {
namespace {

using Forms = std::vector<v1::HandoverForm>;

int64_t Micros(const google::protobuf::Timestamp& t) {
  return absl::ToUnixMicros(FromTimestamp(t));
}

int64_t MicrosOrZero(bool has, const google::protobuf::Timestamp& t) { return has ? Micros(t) : 0; }

// When the retention clock of `f` started: its receipt, its withdrawal or
// its lapse; 0 while it is still on its way (draft, review, awaiting consent,
// sent or amended and not yet acknowledged).
int64_t RetainFromMicros(const v1::HandoverForm& f) {
  switch (f.status()) {
    case v1::HANDOVER_STATUS_ACKNOWLEDGED:
      return MicrosOrZero(f.receipt().has_received_at(), f.receipt().received_at());
    case v1::HANDOVER_STATUS_WITHDRAWN:
      return MicrosOrZero(f.withdrawal().has_at(), f.withdrawal().at());
    case v1::HANDOVER_STATUS_LAPSED:
      return Micros(f.update_time());
    default:
      return 0;
  }
}

// Forms matching `where` (over the handovers table's columns, parameters
// bound by `bind`), ordered by `order`.
absl::StatusOr<Forms> SelectForms(sqlite::Database& db, const std::string& where,
                                  const std::string& order,
                                  const std::function<void(sqlite::Statement&)>& bind) {
  absl::StatusOr<sqlite::Statement*> stmt = db.Prepare(
      absl::StrCat("SELECT id, record FROM handovers WHERE ", where, " ORDER BY ", order));
  if (!stmt.ok()) return stmt.status();
  bind(**stmt);
  Forms out;
  absl::Status s = (*stmt)->ForEachRow([&](const sqlite::Statement& row) -> absl::Status {
    if (!out.emplace_back().ParseFromString(row.ColumnBlob(1))) {
      return absl::DataLossError(absl::StrCat("handover ", row.ColumnText(0), ": does not parse"));
    }
    return absl::OkStatus();
  });
  if (!s.ok()) return s;
  return out;
}

// Binds the looked-up columns of `f` as ?1 .. ?11 (id first, record last).
void BindColumns(sqlite::Statement& s, const v1::HandoverForm& f) {
  s.Bind(1, f.id())
      .Bind(2, f.child().child_ref())
      .Bind(3, f.sender().location_id())
      .Bind(4, SchoolKey(f.receiver().brin(), f.receiver().vestiging()))
      .Bind(5, static_cast<int64_t>(f.status()))
      .Bind(6, f.consent_id())
      .Bind(7, MicrosOrZero(f.has_finalise_time(), f.finalise_time()))
      .Bind(8, RetainFromMicros(f))
      .Bind(9, int64_t{f.has_purge_time() ? 1 : 0})
      .Bind(10, Micros(f.update_time()))
      .BindBlob(11, f.SerializeAsString());
}

absl::Status InsertForm(sqlite::Database& db, const v1::HandoverForm& f,
                        const std::string& content) {
  absl::StatusOr<sqlite::Statement*> stmt = db.Prepare(
      "INSERT INTO handovers (id, child_ref, location_id, school_key, status, consent_id,"
      " finalise_us, retain_from_us, purged, update_us, record, request_id, content)"
      " VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?10, ?11, ?12, ?13)");
  if (!stmt.ok()) return stmt.status();
  BindColumns(**stmt, f);
  return (*stmt)->Bind(12, f.request_id()).BindBlob(13, content).Run();
}

absl::Status SaveForm(sqlite::Database& db, const v1::HandoverForm& f) {
  absl::StatusOr<sqlite::Statement*> stmt = db.Prepare(
      "UPDATE handovers SET child_ref = ?2, location_id = ?3, school_key = ?4, status = ?5,"
      " consent_id = ?6, finalise_us = ?7, retain_from_us = ?8, purged = ?9, update_us = ?10,"
      " record = ?11 WHERE id = ?1");
  if (!stmt.ok()) return stmt.status();
  BindColumns(**stmt, f);
  return (*stmt)->Run();
}

constexpr audit::Table kAuditTable{"handover_audit", "handover_id"};

absl::Status InsertAudit(sqlite::Database& db, const AuditEntry& a) {
  return audit::Append(db, kAuditTable, a);
}

// Form `id` for a change at `expected_version` (kAnyVersion: whatever its
// version): NOT_FOUND, ABORTED when stale.
absl::StatusOr<v1::HandoverForm> LoadForm(sqlite::Database& db, const std::string& id,
                                          int64_t expected_version) {
  if (expected_version != kAnyVersion) {
    return records::LoadForChange<v1::HandoverForm>(db, "handovers", id, expected_version,
                                                    "handover");
  }
  auto found = records::FindRecord<v1::HandoverForm>(db, "handovers", "id", id);
  if (!found.ok()) return found.status();
  if (!found->has_value()) return absl::NotFoundError(absl::StrCat("handover ", id, " not found"));
  return std::move((*found)->record);
}

// The status of the awaiting-consent and withdrawn states, written into the
// SQL so the partial indexes apply.
const std::string kAwaiting = absl::StrCat(static_cast<int>(v1::HANDOVER_STATUS_AWAITING_CONSENT));
const std::string kWithdrawn = absl::StrCat(static_cast<int>(v1::HANDOVER_STATUS_WITHDRAWN));

class Transaction final : public HandoverTransaction {
 public:
  explicit Transaction(sqlite::Database& db) : db_(db) {}

  absl::StatusOr<Forms> AwaitingConsent(const std::string& child_ref) override {
    return SelectForms(db_, absl::StrCat("status = ", kAwaiting, " AND child_ref = ?1"),
                       "finalise_us, id", [&](sqlite::Statement& s) { s.Bind(1, child_ref); });
  }
  absl::StatusOr<Forms> AwaitingConsentSince(absl::Time cutoff) override {
    return SelectForms(db_, absl::StrCat("status = ", kAwaiting, " AND finalise_us <= ?1"),
                       "finalise_us, id",
                       [&](sqlite::Statement& s) { s.Bind(1, absl::ToUnixMicros(cutoff)); });
  }
  absl::StatusOr<Forms> RelyingOn(const std::string& consent_id) override {
    return SelectForms(db_, absl::StrCat("consent_id = ?1 AND status != ", kWithdrawn),
                       "update_us, id", [&](sqlite::Statement& s) { s.Bind(1, consent_id); });
  }
  absl::StatusOr<Forms> RetainedSince(absl::Time cutoff) override {
    return SelectForms(db_, "purged = 0 AND retain_from_us > 0 AND retain_from_us <= ?1",
                       "retain_from_us, id",
                       [&](sqlite::Statement& s) { s.Bind(1, absl::ToUnixMicros(cutoff)); });
  }
  absl::StatusOr<std::optional<v1::HandoverForm>> Find(const std::string& id) override {
    auto found = records::FindRecord<v1::HandoverForm>(db_, "handovers", "id", id);
    if (!found.ok()) return found.status();
    if (!found->has_value()) return std::nullopt;
    return std::move((*found)->record);
  }
  absl::StatusOr<olifantenpad::consent::v1::Decision> PermitsSchoolHandover(
      const std::string& child_ref, const std::string& school_organisation_id,
      absl::Time at) override {
    return consent::ConsentProjection::PermitsIn(db_, child_ref,
                                                 olifantenpad::consent::v1::PURPOSE_SCHOOL_HANDOVER,
                                                 school_organisation_id, at);
  }
  absl::Status ApplyConsentEvent(const olifantenpad::common::v1::EventEnvelope& event) override {
    return consent::ConsentProjection::ApplyIn(db_, event);
  }
  absl::Status Save(const v1::HandoverForm& form, const Events& events, absl::Time at) override {
    if (absl::Status s = SaveForm(db_, form); !s.ok()) return s;
    return outbox::AppendAll(db_, SqliteHandoverStore::kProducer, events, form.trace_id(), at);
  }
  absl::Status Audit(const AuditEntry& entry) override { return InsertAudit(db_, entry); }

 private:
  sqlite::Database& db_;
};

}  // namespace

std::string SchoolKey(const std::string& brin, const std::string& vestiging) {
  return absl::StrCat(brin, "/", vestiging);
}

absl::StatusOr<std::unique_ptr<SqliteHandoverStore>> SqliteHandoverStore::Open(
    const std::string& path, const sqlite::OpenOptions& options,
    std::function<void(int)> on_commit) {
  absl::StatusOr<sqlite::StoreConnections> c = sqlite::OpenStoreConnections(
      path, Migrations(), options, std::move(on_commit), consent::ConsentProjection::CreateTables);
  if (!c.ok()) return c.status();
  return std::unique_ptr<SqliteHandoverStore>(
      new SqliteHandoverStore(std::move(c->writer), std::move(c->reader)));
}

void SqliteHandoverStore::Create(NewHandover in, CreateDone done) {
  auto n = std::make_shared<NewHandover>(std::move(in));
  auto result = std::make_shared<CreateOutcome>();
  writer_->Submit(
      [n, result](sqlite::Database& db) -> absl::Status {
        // Checked inside the write transaction, so two calls with one
        // request_id cannot both insert.
        auto earlier = records::FindEarlierCreate<v1::HandoverForm>(
            db, "handovers", n->form.request_id(), n->content, "handover form");
        if (!earlier.ok()) return earlier.status();
        if (earlier->has_value()) {
          result->form = std::move(**earlier);
          return absl::OkStatus();
        }
        const absl::Time at = FromTimestamp(n->form.create_time());
        if (absl::Status s = InsertForm(db, n->form, n->content); !s.ok()) return s;
        if (absl::Status s = outbox::AppendAll(db, kProducer, n->events, n->form.trace_id(), at);
            !s.ok()) {
          return s;
        }
        if (absl::Status s = InsertAudit(db, n->audit); !s.ok()) return s;
        result->form = n->form;
        result->created = true;
        return absl::OkStatus();
      },
      sqlite::Deliver(result, std::move(done)));
}

void SqliteHandoverStore::Update(const std::string& id, int64_t expected_version, absl::Time now,
                                 std::string trace_id, AuditEntry audit, Mutation mutate,
                                 FormDone done) {
  auto result = std::make_shared<v1::HandoverForm>();
  writer_->Submit(
      [id, expected_version, now, trace_id = std::move(trace_id), audit = std::move(audit),
       mutate = std::move(mutate), result](sqlite::Database& db) -> absl::Status {
        absl::StatusOr<v1::HandoverForm> found = LoadForm(db, id, expected_version);
        if (!found.ok()) return found.status();
        v1::HandoverForm& f = *found;
        // The change sees the form at its new version: its events say so.
        f.set_version(f.version() + 1);
        *f.mutable_update_time() = ToTimestamp(now);
        Transaction txn(db);
        absl::StatusOr<Events> events = mutate(txn, f);
        if (!events.ok()) return events.status();
        if (absl::Status s = SaveForm(db, f); !s.ok()) return s;
        if (absl::Status s = outbox::AppendAll(db, kProducer, *events, trace_id, now); !s.ok()) {
          return s;
        }
        AuditEntry a = audit;
        a.child_ref = f.child().child_ref();
        if (absl::Status s = InsertAudit(db, a); !s.ok()) return s;
        *result = std::move(f);
        return absl::OkStatus();
      },
      sqlite::Deliver(result, std::move(done)));
}

void SqliteHandoverStore::Audit(AuditEntry entry, WriteDone done) {
  writer_->Submit(
      [entry = std::move(entry)](sqlite::Database& db) { return InsertAudit(db, entry); },
      [done = std::move(done)](const absl::Status& s) { done(Unshared(s)); });
}

absl::Status SqliteHandoverStore::RunTransaction(Work work) {
  return writer_->Run([&work](sqlite::Database& db) {
    Transaction txn(db);
    return work(txn);
  });
}

std::unique_ptr<bus::EventHandler> SqliteHandoverStore::ConsumerHandler(Apply apply) {
  return std::make_unique<bus::TransactionHandler<Transaction, HandoverTransaction>>(
      std::move(apply));
}

absl::StatusOr<v1::HandoverForm> SqliteHandoverStore::Get(const std::string& id) {
  olif::MutexLock lock(&mu_);
  return LoadForm(*db_, id, kAnyVersion);
}

absl::StatusOr<std::vector<v1::HandoverForm>> SqliteHandoverStore::List(const HandoverQuery& q) {
  olif::MutexLock lock(&mu_);
  const bool by_location = !q.location_id.empty();
  return SelectForms(*db_,
                     absl::StrCat(by_location ? "location_id = ?1" : "school_key = ?1",
                                  " AND (?2 = 0 OR status = ?2)"),
                     "update_us DESC, id DESC", [&](sqlite::Statement& s) {
                       s.Bind(1, by_location ? q.location_id : q.school_key)
                           .Bind(2, static_cast<int64_t>(q.status));
                     });
}

absl::StatusOr<olifantenpad::consent::v1::Decision> SqliteHandoverStore::PermitsSchoolHandover(
    const std::string& child_ref, const std::string& school_organisation_id, absl::Time at) {
  olif::MutexLock lock(&mu_);
  return consent::ConsentProjection::PermitsIn(*db_, child_ref,
                                               olifantenpad::consent::v1::PURPOSE_SCHOOL_HANDOVER,
                                               school_organisation_id, at);
}

absl::StatusOr<std::vector<AuditEntry>> SqliteHandoverStore::AuditTrail(
    const std::string& handover_id) {
  olif::MutexLock lock(&mu_);
  return audit::Read(*db_, kAuditTable, handover_id);
}

absl::StatusOr<std::vector<AuditEntry>> SqliteHandoverStore::SearchAudit(
    const audit::Query& query) {
  olif::MutexLock lock(&mu_);
  return audit::Search(*db_, kAuditTable, query);
}

absl::Status SqliteHandoverStore::FillStatus(olifantenpad::admin::v1::GetStatusResponse* status) {
  olif::MutexLock lock(&mu_);
  return outbox::FillStatus(*db_, status);
}

absl::StatusOr<std::vector<olifantenpad::common::v1::EventEnvelope>>
SqliteHandoverStore::EventsAfter(int64_t after_seq, int max) {
  olif::MutexLock lock(&mu_);
  return outbox::ReadAfter(*db_, kProducer, after_seq, max);
}

}  // namespace olif::handover
