#include "services/console/console_audit.h"

namespace olif::console {

const std::vector<sqlite::Migration>& Migrations();  // schema/*.sql, embedded

absl::StatusOr<std::unique_ptr<ConsoleAudit>> ConsoleAudit::Open(const std::string& path,
                                                                 const Clock& clock) {
  absl::StatusOr<std::unique_ptr<sqlite::Database>> db = sqlite::Database::Open(path, Migrations());
  if (!db.ok()) return db.status();
  return std::unique_ptr<ConsoleAudit>(new ConsoleAudit(std::move(*db), clock));
}

absl::Status ConsoleAudit::Record(audit::Entry entry) {
  entry.at = clock_.Now();
  olif::MutexLock lock(&mu_);
  sqlite::Database& db = *db_;  // the lambda runs inside this lock
  return db.WriteTransaction([&] { return audit::Append(db, kAuditTable, entry); });
}

absl::StatusOr<std::vector<audit::Entry>> ConsoleAudit::Search(const audit::Query& query) {
  olif::MutexLock lock(&mu_);
  return audit::Search(*db_, kAuditTable, query);
}

}  // namespace olif::console
