#pragma once

// A consumer's own copy of the consents it must enforce, fed by the consent
// service's events (ConsentGranted, ConsentWithdrawn, ConsentExpired) through
// a bus::Consumer, and asked with Permits(). Referrals, handover and the
// adapters keep one each; none of them asks the consent service per message.
//
// Apply() runs inside the consumer's transaction and is idempotent on its
// own: applying the same events twice leaves the same state, and a grant
// replayed after its withdrawal does not bring it back. A withdrawal counts
// from the moment its event's transaction commits: Permits() reads committed
// state on its own connection.
//
// Thread-safe: Apply() runs on the Writer's thread; Permits() from any thread
// (reads are serialised on the projection's connection).

#include <memory>
#include <string>
#include <vector>

#include "absl/base/thread_annotations.h"
#include "absl/status/statusor.h"
#include "absl/time/time.h"
#include "services/common/bus/consumer.h"
#include "services/common/consent/decision.h"
#include "services/common/sqlite/database.h"
#include "services/common/sync/mutex.h"

namespace olif::consent {

inline constexpr char kTopicGranted[] = "consent.granted";
inline constexpr char kTopicWithdrawn[] = "consent.withdrawn";
inline constexpr char kTopicExpired[] = "consent.expired";

class ConsentProjection final : public bus::EventHandler {
 public:
  // The topics to subscribe the consumer to.
  static std::vector<std::string> Topics();

  // Creates the projection's table in `db` when missing; run it through the
  // consumer's Writer before the consumer starts.
  static absl::Status CreateTables(sqlite::Database& db);

  // Opens a read connection to the consumer's database at `path` (the table
  // must exist).
  static absl::StatusOr<std::unique_ptr<ConsentProjection>> Open(const std::string& path);

  // Applies one consent event; other topics are ignored. INVALID_ARGUMENT
  // when a consent event's payload is not what its topic says.
  absl::Status Apply(sqlite::Database& db,
                     const olifantenpad::common::v1::EventEnvelope& event) override {
    return ApplyIn(db, event);
  }
  // The same, for a store that keeps the projection in its own transaction.
  static absl::Status ApplyIn(sqlite::Database& db,
                              const olifantenpad::common::v1::EventEnvelope& event);

  // Whether the consents known here permit data about `child_ref` to go to
  // `recipient` for `purpose` at `at`.
  absl::StatusOr<v1::Decision> Permits(const std::string& child_ref, v1::Purpose purpose,
                                       const std::string& recipient, absl::Time at);

  // The same, read on `db` (e.g. the Writer's connection inside the
  // transaction that applies an event or creates a request).
  static absl::StatusOr<v1::Decision> PermitsIn(sqlite::Database& db, const std::string& child_ref,
                                                v1::Purpose purpose, const std::string& recipient,
                                                absl::Time at);

 private:
  explicit ConsentProjection(std::unique_ptr<sqlite::Database> reader)
      : reader_(std::move(reader)) {}

  olif::Mutex mu_;
  std::unique_ptr<sqlite::Database> reader_ ABSL_GUARDED_BY(mu_);
};

}  // namespace olif::consent
