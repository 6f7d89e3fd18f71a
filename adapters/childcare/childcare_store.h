#pragma once

// What the childcare adapter keeps in its own database beside the delivery
// queue and the message history:
//
// - children: per chain, the chain's child number → the child's pseudonym
//   (child_ref, a random UUID issued here on first sight: the reference the
//   parents' consent, the questions and the handover form share), and from
//   the roster export the birth date, location and group. No names: a
//   child's identity travels in the record that needs it, to the service
//   that holds it.
// - requests and handovers: the hub's id → the chain and the chain's own
//   id (question or form), so what comes back reaches the chain that asked,
//   under the id its system knows.
//
// Writes go through the adapter's Writer; reads use a connection of their
// own. Thread-safe.

#include <map>
#include <memory>
#include <optional>
#include <string>
#include <vector>

#include "absl/base/thread_annotations.h"
#include "absl/status/statusor.h"
#include "absl/time/time.h"
#include "adapters/childcare/mapping.h"
#include "services/common/sqlite/database.h"
#include "services/common/sqlite/writer.h"
#include "services/common/sync/mutex.h"

namespace olif::childcare {

struct Child {
  std::string child_ref;
  std::string birth_date;  // empty until a roster gave it
  std::string location_id;
  std::string group_id;
};

// The chain and its own id of something the hub issued an id for.
struct Origin {
  std::string chain;
  std::string external_id;  // empty when it was not made through this adapter
};

class ChildcareStore {
 public:
  // Creates the tables when missing (run through the Writer).
  static absl::Status CreateTables(sqlite::Database& db);
  static absl::StatusOr<std::unique_ptr<ChildcareStore>> Open(const std::string& path,
                                                              sqlite::Writer& writer);

  // The pseudonyms of the chain's children (by child number), issued now
  // for those who are new: one transaction for all.
  absl::StatusOr<std::map<std::string, Child>> Children(const std::string& chain,
                                                        const std::vector<std::string>& numbers);
  // Records roster entries (and the pseudonyms of new children): one
  // transaction for all.
  absl::Status PutRoster(const std::string& chain, const std::vector<RosterEntry>& entries,
                         absl::Time now);
  absl::StatusOr<std::optional<Child>> FindChild(const std::string& chain,
                                                 const std::string& child_number);

  // Remembers whose request / form an id of the hub is (a second call for
  // the same id keeps the first).
  absl::Status RememberRequest(const std::string& request_id, const Origin& origin, absl::Time now);
  absl::Status RememberHandover(const std::string& handover_id, const Origin& origin,
                                absl::Time now);
  // The same, inside the caller's transaction (a bus consumer's).
  static absl::Status RememberRequestIn(sqlite::Database& db, const std::string& request_id,
                                        const Origin& origin, absl::Time now);
  static absl::Status RememberHandoverIn(sqlite::Database& db, const std::string& handover_id,
                                         const Origin& origin, absl::Time now);
  // Read inside the caller's transaction.
  static absl::StatusOr<std::optional<Origin>> FindRequestIn(sqlite::Database& db,
                                                             const std::string& request_id);
  static absl::StatusOr<std::optional<Origin>> FindHandoverIn(sqlite::Database& db,
                                                              const std::string& handover_id);

 private:
  ChildcareStore(std::unique_ptr<sqlite::Database> reader, sqlite::Writer& writer)
      : reader_(std::move(reader)), writer_(writer) {}

  olif::Mutex mu_;
  std::unique_ptr<sqlite::Database> reader_ ABSL_GUARDED_BY(mu_);
  sqlite::Writer& writer_;
};

}  // namespace olif::childcare
