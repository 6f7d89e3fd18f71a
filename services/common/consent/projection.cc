#include "services/common/consent/projection.h"
#include "services/common/clock/timestamp.h"

#include <google/protobuf/util/time_util.h>

#include "absl/strings/str_cat.h"
#include "olifantenpad/consent/v1/events.pb.h"
#include "services/common/bus/unpack.h"

namespace olif::consent {
namespace {

using google::protobuf::util::TimeUtil;

// `grant` holds the serialized ConsentGranted; state and changed_at follow
// the later events.
constexpr char kTableSql[] =
    "CREATE TABLE IF NOT EXISTS consent_projection ("
    " consent_id TEXT PRIMARY KEY,"
    " child_ref TEXT NOT NULL,"
    " state INTEGER NOT NULL,"  // TermsState
    " changed_at_us INTEGER NOT NULL,"
    " grant BLOB NOT NULL) STRICT;"
    "CREATE INDEX IF NOT EXISTS consent_projection_by_child ON consent_projection (child_ref);";

using bus::Unpack;

// Moves a consent to `state` unless it already left the active state (a
// withdrawal is never undone by a later expiry, nor the other way round).
absl::Status SetState(sqlite::Database& db, const std::string& consent_id, TermsState state,
                      absl::Time at) {
  absl::StatusOr<sqlite::Statement*> stmt = db.Prepare(
      "UPDATE consent_projection SET state = ?2, changed_at_us = ?3"
      " WHERE consent_id = ?1 AND state = ?4");
  if (!stmt.ok()) return stmt.status();
  return (*stmt)
      ->Bind(1, consent_id)
      .Bind(2, static_cast<int64_t>(state))
      .Bind(3, absl::ToUnixMicros(at))
      .Bind(4, static_cast<int64_t>(TermsState::kActive))
      .Run();
}

}  // namespace

std::vector<std::string> ConsentProjection::Topics() {
  return {kTopicGranted, kTopicWithdrawn, kTopicExpired};
}

absl::Status ConsentProjection::CreateTables(sqlite::Database& db) { return db.Exec(kTableSql); }

absl::StatusOr<std::unique_ptr<ConsentProjection>> ConsentProjection::Open(
    const std::string& path) {
  absl::StatusOr<std::unique_ptr<sqlite::Database>> reader = sqlite::Database::Open(path, {});
  if (!reader.ok()) return reader.status();
  return std::unique_ptr<ConsentProjection>(new ConsentProjection(std::move(*reader)));
}

absl::Status ConsentProjection::ApplyIn(sqlite::Database& db,
                                        const olifantenpad::common::v1::EventEnvelope& event) {
  if (event.topic() == kTopicGranted) {
    absl::StatusOr<v1::ConsentGranted> granted = Unpack<v1::ConsentGranted>(event);
    if (!granted.ok()) return granted.status();
    // OR IGNORE: a replayed grant leaves a later withdrawal in force.
    absl::StatusOr<sqlite::Statement*> stmt = db.Prepare(
        "INSERT OR IGNORE INTO consent_projection (consent_id, child_ref, state, changed_at_us,"
        " grant) VALUES (?1, ?2, ?3, ?4, ?5)");
    if (!stmt.ok()) return stmt.status();
    return (*stmt)
        ->Bind(1, granted->consent_id())
        .Bind(2, granted->child().child_ref())
        .Bind(3, static_cast<int64_t>(TermsState::kActive))
        .Bind(4, TimeUtil::TimestampToMicroseconds(event.occurred_at()))
        .BindBlob(5, granted->SerializeAsString())
        .Run();
  }
  if (event.topic() == kTopicWithdrawn) {
    absl::StatusOr<v1::ConsentWithdrawn> withdrawn = Unpack<v1::ConsentWithdrawn>(event);
    if (!withdrawn.ok()) return withdrawn.status();
    return SetState(db, withdrawn->consent_id(), TermsState::kWithdrawn,
                    FromTimestamp(withdrawn->withdrawn_at()));
  }
  if (event.topic() == kTopicExpired) {
    absl::StatusOr<v1::ConsentExpired> expired = Unpack<v1::ConsentExpired>(event);
    if (!expired.ok()) return expired.status();
    return SetState(db, expired->consent_id(), TermsState::kExpired,
                    FromTimestamp(expired->expired_at()));
  }
  return absl::OkStatus();
}

absl::StatusOr<v1::Decision> ConsentProjection::Permits(const std::string& child_ref,
                                                        v1::Purpose purpose,
                                                        const std::string& recipient,
                                                        absl::Time at) {
  olif::MutexLock lock(&mu_);
  return PermitsIn(*reader_, child_ref, purpose, recipient, at);
}

absl::StatusOr<v1::Decision> ConsentProjection::PermitsIn(sqlite::Database& db,
                                                          const std::string& child_ref,
                                                          v1::Purpose purpose,
                                                          const std::string& recipient,
                                                          absl::Time at) {
  std::vector<ConsentTerms> terms;
  absl::StatusOr<sqlite::Statement*> stmt = db.Prepare(
      "SELECT consent_id, state, changed_at_us, grant FROM consent_projection"
      " WHERE child_ref = ?1");
  if (!stmt.ok()) return stmt.status();
  absl::Status s =
      (*stmt)->Bind(1, child_ref).ForEachRow([&](const sqlite::Statement& row) -> absl::Status {
        v1::ConsentGranted g;
        if (!g.ParseFromString(row.ColumnBlob(3))) {
          return absl::DataLossError(
              absl::StrCat("consent ", row.ColumnText(0), ": stored grant does not parse"));
        }
        ConsentTerms& t = terms.emplace_back();
        t.consent_id = g.consent_id();
        for (int p : g.purposes()) t.purposes.push_back(static_cast<v1::Purpose>(p));
        t.recipients.assign(g.recipient_organisation_ids().begin(),
                            g.recipient_organisation_ids().end());
        t.valid_from = FromTimestamp(g.valid_from());
        t.valid_until = FromTimestamp(g.valid_until());
        t.state = static_cast<TermsState>(row.ColumnInt64(1));
        t.state_changed_at = absl::FromUnixMicros(row.ColumnInt64(2));
        return absl::OkStatus();
      });
  if (!s.ok()) return s;
  return Decide(terms, purpose, recipient, at);
}

}  // namespace olif::consent
