#include "adapters/childcare/childcare_store.h"

#include "services/common/ids/ids.h"

namespace olif::childcare {
namespace {

constexpr char kTablesSql[] = R"sql(
CREATE TABLE IF NOT EXISTS childcare_children (
  chain TEXT NOT NULL,
  child_number TEXT NOT NULL,
  child_ref TEXT NOT NULL UNIQUE,
  birth_date TEXT NOT NULL DEFAULT '',
  location_id TEXT NOT NULL DEFAULT '',
  group_id TEXT NOT NULL DEFAULT '',
  roster_at_us INTEGER,
  PRIMARY KEY (chain, child_number)
) WITHOUT ROWID;
CREATE TABLE IF NOT EXISTS childcare_origins (
  kind TEXT NOT NULL,  -- request | handover
  hub_id TEXT NOT NULL,
  chain TEXT NOT NULL,
  external_id TEXT NOT NULL,
  at_us INTEGER NOT NULL,
  PRIMARY KEY (kind, hub_id)
) WITHOUT ROWID;
)sql";

absl::Status InsertChild(sqlite::Database& db, const std::string& chain,
                         const std::string& child_number) {
  absl::StatusOr<sqlite::Statement*> stmt = db.Prepare(
      "INSERT INTO childcare_children (chain, child_number, child_ref) VALUES (?1, ?2, ?3)"
      " ON CONFLICT (chain, child_number) DO NOTHING");
  if (!stmt.ok()) return stmt.status();
  return (*stmt)->Bind(1, chain).Bind(2, child_number).Bind(3, NewUuid()).Run();
}

absl::Status RememberIn(sqlite::Database& db, const char* kind, const std::string& hub_id,
                        const Origin& origin, absl::Time now) {
  absl::StatusOr<sqlite::Statement*> stmt = db.Prepare(
      "INSERT INTO childcare_origins (kind, hub_id, chain, external_id, at_us)"
      " VALUES (?1, ?2, ?3, ?4, ?5) ON CONFLICT (kind, hub_id) DO UPDATE SET"
      " external_id = excluded.external_id WHERE external_id = '' AND chain = excluded.chain");
  if (!stmt.ok()) return stmt.status();
  return (*stmt)
      ->Bind(1, kind)
      .Bind(2, hub_id)
      .Bind(3, origin.chain)
      .Bind(4, origin.external_id)
      .Bind(5, absl::ToUnixMicros(now))
      .Run();
}

absl::StatusOr<std::optional<Origin>> FindIn(sqlite::Database& db, const char* kind,
                                             const std::string& hub_id) {
  absl::StatusOr<sqlite::Statement*> stmt = db.Prepare(
      "SELECT chain, external_id FROM childcare_origins WHERE kind = ?1 AND hub_id = ?2");
  if (!stmt.ok()) return stmt.status();
  std::optional<Origin> found;
  absl::StatusOr<bool> row =
      (*stmt)->Bind(1, kind).Bind(2, hub_id).ReadOne([&found](const sqlite::Statement& r) {
        found = Origin{r.ColumnText(0), r.ColumnText(1)};
      });
  if (!row.ok()) return row.status();
  return found;
}

}  // namespace

absl::Status ChildcareStore::CreateTables(sqlite::Database& db) { return db.Exec(kTablesSql); }

absl::StatusOr<std::unique_ptr<ChildcareStore>> ChildcareStore::Open(const std::string& path,
                                                                     sqlite::Writer& writer) {
  absl::StatusOr<std::unique_ptr<sqlite::Database>> reader = sqlite::Database::Open(path, {});
  if (!reader.ok()) return reader.status();
  return std::unique_ptr<ChildcareStore>(new ChildcareStore(std::move(*reader), writer));
}

absl::StatusOr<std::map<std::string, Child>> ChildcareStore::Children(
    const std::string& chain, const std::vector<std::string>& numbers) {
  std::map<std::string, Child> found;
  std::vector<std::string> missing;
  for (const std::string& n : numbers) {
    if (found.count(n)) continue;
    absl::StatusOr<std::optional<Child>> known = FindChild(chain, n);
    if (!known.ok()) return known.status();
    if (known->has_value()) {
      found[n] = **known;
    } else {
      missing.push_back(n);
    }
  }
  if (missing.empty()) return found;
  if (absl::Status s = writer_.Run([&](sqlite::Database& db) {
        for (const std::string& n : missing) {
          if (absl::Status st = InsertChild(db, chain, n); !st.ok()) return st;
        }
        return absl::OkStatus();
      });
      !s.ok()) {
    return s;
  }
  for (const std::string& n : missing) {
    absl::StatusOr<std::optional<Child>> made = FindChild(chain, n);
    if (!made.ok()) return made.status();
    if (!made->has_value()) return absl::InternalError("a child's pseudonym was not kept");
    found[n] = **made;
  }
  return found;
}

absl::Status ChildcareStore::PutRoster(const std::string& chain,
                                       const std::vector<RosterEntry>& entries, absl::Time now) {
  return writer_.Run([&](sqlite::Database& db) {
    for (const RosterEntry& e : entries) {
      if (absl::Status s = InsertChild(db, chain, e.child_number); !s.ok()) return s;
      absl::StatusOr<sqlite::Statement*> stmt = db.Prepare(
          "UPDATE childcare_children SET birth_date = ?3, location_id = ?4, group_id = ?5,"
          " roster_at_us = ?6 WHERE chain = ?1 AND child_number = ?2");
      if (!stmt.ok()) return stmt.status();
      if (absl::Status s = (*stmt)
                               ->Bind(1, chain)
                               .Bind(2, e.child_number)
                               .Bind(3, e.birth_date)
                               .Bind(4, e.location_id)
                               .Bind(5, e.group_id)
                               .Bind(6, absl::ToUnixMicros(now))
                               .Run();
          !s.ok()) {
        return s;
      }
    }
    return absl::OkStatus();
  });
}

absl::StatusOr<std::optional<Child>> ChildcareStore::FindChild(const std::string& chain,
                                                               const std::string& child_number) {
  olif::MutexLock lock(&mu_);
  absl::StatusOr<sqlite::Statement*> stmt = reader_->Prepare(
      "SELECT child_ref, birth_date, location_id, group_id FROM childcare_children"
      " WHERE chain = ?1 AND child_number = ?2");
  if (!stmt.ok()) return stmt.status();
  std::optional<Child> found;
  absl::StatusOr<bool> row =
      (*stmt)->Bind(1, chain).Bind(2, child_number).ReadOne([&found](const sqlite::Statement& r) {
        found = Child{r.ColumnText(0), r.ColumnText(1), r.ColumnText(2), r.ColumnText(3)};
      });
  if (!row.ok()) return row.status();
  return found;
}

absl::Status ChildcareStore::RememberRequest(const std::string& request_id, const Origin& origin,
                                             absl::Time now) {
  return writer_.Run(
      [&](sqlite::Database& db) { return RememberRequestIn(db, request_id, origin, now); });
}

absl::Status ChildcareStore::RememberHandover(const std::string& handover_id, const Origin& origin,
                                              absl::Time now) {
  return writer_.Run(
      [&](sqlite::Database& db) { return RememberHandoverIn(db, handover_id, origin, now); });
}

absl::Status ChildcareStore::RememberRequestIn(sqlite::Database& db, const std::string& request_id,
                                               const Origin& origin, absl::Time now) {
  return RememberIn(db, "request", request_id, origin, now);
}

absl::Status ChildcareStore::RememberHandoverIn(sqlite::Database& db,
                                                const std::string& handover_id,
                                                const Origin& origin, absl::Time now) {
  return RememberIn(db, "handover", handover_id, origin, now);
}

absl::StatusOr<std::optional<Origin>> ChildcareStore::FindRequestIn(sqlite::Database& db,
                                                                    const std::string& request_id) {
  return FindIn(db, "request", request_id);
}

absl::StatusOr<std::optional<Origin>> ChildcareStore::FindHandoverIn(
    sqlite::Database& db, const std::string& handover_id) {
  return FindIn(db, "handover", handover_id);
}

}  // namespace olif::childcare
