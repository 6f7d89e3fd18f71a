#pragma once

// The audit trail every service that holds a child's data keeps (NEN 7513):
// one line per read or write, with who, what, which object, whose child, the
// outcome, why and the trace. Each service has its own table (its schema
// creates it: at_us, actor, action, <object column>, child_ref, outcome,
// reason, trace_id, seq); these read and write it.

#include <string>
#include <vector>

#include "absl/status/statusor.h"
#include "absl/time/time.h"
#include "olifantenpad/admin/v1/admin.pb.h"
#include "services/common/sqlite/database.h"

namespace olif::audit {

struct Entry {
  absl::Time at;
  std::string actor;      // a directory id or process name; "unidentified" when empty
  std::string action;     // e.g. record | get | read | disclose | withdraw | purge
  std::string object_id;  // the consent, form, ... the call concerned; '' when none
  std::string child_ref;  // '' when unknown
  std::string outcome;    // "OK" or "<CODE>: <message>" (Outcome())
  std::string reason;
  std::string trace_id;
};

// A service's audit table: its name and the column that holds object_id.
struct Table {
  const char* name;
  const char* object_column;
};

// "OK", or the code's name and the message.
std::string Outcome(const absl::Status& status);

// Appends `entry` to `table` (inside the caller's transaction).
absl::Status Append(sqlite::Database& db, const Table& table, const Entry& entry);

// The lines of `table` about `object_id` ('' for all), oldest first.
absl::StatusOr<std::vector<Entry>> Read(sqlite::Database& db, const Table& table,
                                        const std::string& object_id = "");

// What to search for; empty strings and infinite times match all.
struct Query {
  std::string actor;
  std::string action;
  std::string object_id;
  std::string child_ref;
  absl::Time from = absl::InfinitePast();
  absl::Time to = absl::InfiniteFuture();  // exclusive
  int limit = 100;
};

// The lines of `table` matching `query`, newest first.
absl::StatusOr<std::vector<Entry>> Search(sqlite::Database& db, const Table& table,
                                          const Query& query);

// The query of the Admin service's SearchAudit (limit 100 when 0, 1000 at
// most): INVALID_ARGUMENT for a negative limit or a time range that ends
// before it starts.
absl::StatusOr<Query> QueryFromAdmin(const olifantenpad::admin::v1::SearchAuditRequest& request);

// Its answer.
olifantenpad::admin::v1::SearchAuditResponse ToAdmin(const std::vector<Entry>& entries);

}  // namespace olif::audit
