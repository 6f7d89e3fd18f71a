#pragma once

// The console's audit trail in its own database (schema/0001_audit.sql):
// appended to on every sign-in, action and reveal, searched by the Admin
// service's SearchAudit. Thread-safe.

#include <memory>
#include <string>
#include <vector>

#include "absl/status/statusor.h"
#include "services/common/audit/audit.h"
#include "services/common/clock/clock.h"
#include "services/common/sqlite/database.h"
#include "services/common/sync/mutex.h"

namespace olif::console {

inline constexpr audit::Table kAuditTable{"console_audit", "object_id"};

class ConsoleAudit {
 public:
  // Opens (creating) the database at `path`.
  static absl::StatusOr<std::unique_ptr<ConsoleAudit>> Open(const std::string& path,
                                                            const Clock& clock);

  // Records one line, at the clock's now. A line that cannot be written is an
  // error the caller must answer with: an action that cannot be audited does
  // not happen.
  absl::Status Record(audit::Entry entry) ABSL_LOCKS_EXCLUDED(mu_);
  absl::StatusOr<std::vector<audit::Entry>> Search(const audit::Query& query)
      ABSL_LOCKS_EXCLUDED(mu_);

 private:
  ConsoleAudit(std::unique_ptr<sqlite::Database> db, const Clock& clock)
      : clock_(clock), db_(std::move(db)) {}

  const Clock& clock_;
  olif::Mutex mu_;
  std::unique_ptr<sqlite::Database> db_ ABSL_GUARDED_BY(mu_);
};

}  // namespace olif::console
