#include "adapters/school/school_store.h"

#include "absl/strings/escaping.h"
#include "absl/strings/str_cat.h"
#include "services/common/records/records.h"

namespace olif::school {
namespace {

constexpr char kTablesSql[] = R"sql(
CREATE TABLE IF NOT EXISTS school_handovers (
  handover_id TEXT PRIMARY KEY,
  brin TEXT NOT NULL,
  vestiging TEXT NOT NULL,
  school_organisation_id TEXT NOT NULL,
  location_id TEXT NOT NULL,
  revision INTEGER NOT NULL,
  state INTEGER NOT NULL,  -- HandoverState
  sent_at_us INTEGER NOT NULL
) WITHOUT ROWID;
CREATE INDEX IF NOT EXISTS school_handovers_open ON school_handovers (state, sent_at_us);
CREATE TABLE IF NOT EXISTS receipt_links (
  token_hash TEXT PRIMARY KEY,
  handover_id TEXT NOT NULL,
  revision INTEGER NOT NULL,
  created_us INTEGER NOT NULL,
  expires_us INTEGER NOT NULL,
  used_us INTEGER,
  revoked INTEGER NOT NULL DEFAULT 0
) WITHOUT ROWID;
CREATE INDEX IF NOT EXISTS receipt_links_handover ON receipt_links (handover_id);
)sql";

constexpr char kColumns[] =
    "handover_id, brin, vestiging, school_organisation_id, location_id, revision, state, "
    "sent_at_us";

SentHandover FromRow(const sqlite::Statement& r, int first) {
  SentHandover h;
  h.handover_id = r.ColumnText(first);
  h.brin = r.ColumnText(first + 1);
  h.vestiging = r.ColumnText(first + 2);
  h.school_organisation_id = r.ColumnText(first + 3);
  h.location_id = r.ColumnText(first + 4);
  h.revision = static_cast<int>(r.ColumnInt64(first + 5));
  h.state = static_cast<HandoverState>(r.ColumnInt64(first + 6));
  h.sent_at = absl::FromUnixMicros(r.ColumnInt64(first + 7));
  return h;
}

absl::Status SetState(sqlite::Database& db, const std::string& handover_id, HandoverState state) {
  absl::StatusOr<sqlite::Statement*> stmt =
      db.Prepare("UPDATE school_handovers SET state = ?2 WHERE handover_id = ?1");
  if (!stmt.ok()) return stmt.status();
  return (*stmt)->Bind(1, handover_id).Bind(2, static_cast<int64_t>(state)).Run();
}

}  // namespace

std::string TokenHash(const std::string& token) {
  return absl::BytesToHexString(records::ContentFingerprint(token).substr(7));
}

absl::Status SchoolStore::CreateTables(sqlite::Database& db) { return db.Exec(kTablesSql); }

absl::StatusOr<std::unique_ptr<SchoolStore>> SchoolStore::Open(const std::string& path,
                                                               sqlite::Writer& writer) {
  absl::StatusOr<std::unique_ptr<sqlite::Database>> reader = sqlite::Database::Open(path, {});
  if (!reader.ok()) return reader.status();
  return std::unique_ptr<SchoolStore>(new SchoolStore(std::move(*reader), writer));
}

absl::Status SchoolStore::SentIn(sqlite::Database& db, const SentHandover& h) {
  absl::StatusOr<sqlite::Statement*> stmt = db.Prepare(
      "INSERT INTO school_handovers (handover_id, brin, vestiging, school_organisation_id,"
      " location_id, revision, state, sent_at_us) VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8)"
      " ON CONFLICT (handover_id) DO UPDATE SET revision = excluded.revision,"
      " state = excluded.state, sent_at_us = excluded.sent_at_us"
      " WHERE excluded.revision > school_handovers.revision");
  if (!stmt.ok()) return stmt.status();
  return (*stmt)
      ->Bind(1, h.handover_id)
      .Bind(2, h.brin)
      .Bind(3, h.vestiging)
      .Bind(4, h.school_organisation_id)
      .Bind(5, h.location_id)
      .Bind(6, int64_t{h.revision})
      .Bind(7, static_cast<int64_t>(HandoverState::kSent))
      .Bind(8, absl::ToUnixMicros(h.sent_at))
      .Run();
}

absl::Status SchoolStore::AcknowledgedIn(sqlite::Database& db, const std::string& handover_id) {
  if (absl::Status s = SetState(db, handover_id, HandoverState::kAcknowledged); !s.ok()) return s;
  return RevokeLinksIn(db, handover_id);
}

absl::Status SchoolStore::WithdrawnIn(sqlite::Database& db, const std::string& handover_id) {
  if (absl::Status s = SetState(db, handover_id, HandoverState::kWithdrawn); !s.ok()) return s;
  return RevokeLinksIn(db, handover_id);
}

absl::StatusOr<std::optional<SentHandover>> SchoolStore::FindIn(sqlite::Database& db,
                                                                const std::string& handover_id) {
  absl::StatusOr<sqlite::Statement*> stmt = db.Prepare(
      absl::StrCat("SELECT ", kColumns, " FROM school_handovers WHERE handover_id = ?1"));
  if (!stmt.ok()) return stmt.status();
  std::optional<SentHandover> found;
  absl::StatusOr<bool> row =
      (*stmt)->Bind(1, handover_id).ReadOne([&found](const sqlite::Statement& r) {
        found = FromRow(r, 0);
      });
  if (!row.ok()) return row.status();
  return found;
}

absl::Status SchoolStore::AddLinkIn(sqlite::Database& db, const std::string& token_hash,
                                    const std::string& handover_id, int revision,
                                    absl::Time created, absl::Time expires) {
  if (absl::Status s = RevokeLinksIn(db, handover_id); !s.ok()) return s;
  absl::StatusOr<sqlite::Statement*> stmt = db.Prepare(
      "INSERT INTO receipt_links (token_hash, handover_id, revision, created_us, expires_us)"
      " VALUES (?1, ?2, ?3, ?4, ?5)");
  if (!stmt.ok()) return stmt.status();
  return (*stmt)
      ->Bind(1, token_hash)
      .Bind(2, handover_id)
      .Bind(3, int64_t{revision})
      .Bind(4, absl::ToUnixMicros(created))
      .Bind(5, absl::ToUnixMicros(expires))
      .Run();
}

absl::Status SchoolStore::RevokeLinksIn(sqlite::Database& db, const std::string& handover_id) {
  absl::StatusOr<sqlite::Statement*> stmt =
      db.Prepare("UPDATE receipt_links SET revoked = 1 WHERE handover_id = ?1 AND revoked = 0");
  if (!stmt.ok()) return stmt.status();
  return (*stmt)->Bind(1, handover_id).Run();
}

absl::StatusOr<std::optional<ReceiptLink>> SchoolStore::FindLink(const std::string& token_hash) {
  olif::MutexLock lock(&mu_);
  absl::StatusOr<sqlite::Statement*> stmt = reader_->Prepare(
      "SELECT l.handover_id, l.revision, l.expires_us, l.used_us, l.revoked, h.handover_id,"
      " h.brin, h.vestiging, h.school_organisation_id, h.location_id, h.revision, h.state,"
      " h.sent_at_us FROM receipt_links l JOIN school_handovers h"
      " ON h.handover_id = l.handover_id WHERE l.token_hash = ?1");
  if (!stmt.ok()) return stmt.status();
  std::optional<ReceiptLink> found;
  absl::StatusOr<bool> row =
      (*stmt)->Bind(1, token_hash).ReadOne([&found](const sqlite::Statement& r) {
        ReceiptLink l;
        l.handover_id = r.ColumnText(0);
        l.revision = static_cast<int>(r.ColumnInt64(1));
        l.expires = absl::FromUnixMicros(r.ColumnInt64(2));
        if (!r.ColumnIsNull(3)) l.used = absl::FromUnixMicros(r.ColumnInt64(3));
        l.revoked = r.ColumnInt64(4) != 0;
        l.handover = FromRow(r, 5);
        found = std::move(l);
      });
  if (!row.ok()) return row.status();
  return found;
}

absl::Status SchoolStore::UseLink(const std::string& token_hash, absl::Time at) {
  return writer_.Run([&](sqlite::Database& db) -> absl::Status {
    absl::StatusOr<sqlite::Statement*> stmt = db.Prepare(
        "UPDATE receipt_links SET used_us = ?2 WHERE token_hash = ?1 AND used_us IS NULL");
    if (!stmt.ok()) return stmt.status();
    if (absl::Status s = (*stmt)->Bind(1, token_hash).Bind(2, absl::ToUnixMicros(at)).Run();
        !s.ok()) {
      return s;
    }
    if (db.Changes() == 0) return absl::FailedPreconditionError("the link was used already");
    return absl::OkStatus();
  });
}

absl::StatusOr<std::vector<SentHandover>> SchoolStore::Unacknowledged(absl::Time sent_before) {
  olif::MutexLock lock(&mu_);
  absl::StatusOr<sqlite::Statement*> stmt =
      reader_->Prepare(absl::StrCat("SELECT ", kColumns,
                                    " FROM school_handovers WHERE state = ?1 AND sent_at_us < ?2"
                                    " ORDER BY sent_at_us LIMIT 1000"));
  if (!stmt.ok()) return stmt.status();
  std::vector<SentHandover> out;
  absl::Status s = (*stmt)
                       ->Bind(1, static_cast<int64_t>(HandoverState::kSent))
                       .Bind(2, absl::ToUnixMicros(sent_before))
                       .ForEachRow([&out](const sqlite::Statement& r) {
                         out.push_back(FromRow(r, 0));
                         return absl::OkStatus();
                       });
  if (!s.ok()) return s;
  return out;
}

}  // namespace olif::school
