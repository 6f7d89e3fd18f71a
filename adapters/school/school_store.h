#pragma once

// What the school adapter keeps beside the delivery queue and the history:
//
// - handovers: each form that went to a school (from handover's events):
//   the school, the revision sent, when, and whether it was acknowledged or
//   withdrawn — what routes a meeting invitation and what makes a school
//   overdue;
// - receipt links: the one-time links of the receipt page, by the SHA-256 of
//   their token (the token itself is only in the mail), each for one
//   revision, until it expires, is used (receipt confirmed) or revoked (a
//   newer revision, a withdrawal);
//
// Writes of the bus consumers run in their transaction (the *In functions);
// the receipt page writes through the Writer; reads use a connection of
// their own. Thread-safe.

#include <memory>
#include <optional>
#include <string>
#include <vector>

#include "absl/base/thread_annotations.h"
#include "absl/status/statusor.h"
#include "absl/time/time.h"
#include "services/common/sqlite/database.h"
#include "services/common/sqlite/writer.h"
#include "services/common/sync/mutex.h"

namespace olif::school {

enum class HandoverState { kSent, kAcknowledged, kWithdrawn };

struct SentHandover {
  std::string handover_id;
  std::string brin;
  std::string vestiging;
  std::string school_organisation_id;
  std::string location_id;
  int revision = 0;
  HandoverState state = HandoverState::kSent;
  absl::Time sent_at;
};

// A receipt link as the page finds it.
struct ReceiptLink {
  std::string handover_id;
  int revision = 0;
  absl::Time expires;
  std::optional<absl::Time> used;
  bool revoked = false;
  SentHandover handover;
};

// The hash a link's token is kept under.
std::string TokenHash(const std::string& token);

class SchoolStore {
 public:
  static absl::Status CreateTables(sqlite::Database& db);
  static absl::StatusOr<std::unique_ptr<SchoolStore>> Open(const std::string& path,
                                                           sqlite::Writer& writer);

  // A revision went to the school (state sent again, after an amendment too).
  static absl::Status SentIn(sqlite::Database& db, const SentHandover& h);
  static absl::Status AcknowledgedIn(sqlite::Database& db, const std::string& handover_id);
  static absl::Status WithdrawnIn(sqlite::Database& db, const std::string& handover_id);
  static absl::StatusOr<std::optional<SentHandover>> FindIn(sqlite::Database& db,
                                                            const std::string& handover_id);
  // A new link for a revision; the handover's earlier links are revoked.
  static absl::Status AddLinkIn(sqlite::Database& db, const std::string& token_hash,
                                const std::string& handover_id, int revision, absl::Time created,
                                absl::Time expires);
  static absl::Status RevokeLinksIn(sqlite::Database& db, const std::string& handover_id);

  absl::StatusOr<std::optional<ReceiptLink>> FindLink(const std::string& token_hash);
  // Marks the link used; FAILED_PRECONDITION when it was used already.
  absl::Status UseLink(const std::string& token_hash, absl::Time at);
  // Handovers sent before `sent_before` and neither acknowledged nor withdrawn, oldest first.
  absl::StatusOr<std::vector<SentHandover>> Unacknowledged(absl::Time sent_before);

 private:
  SchoolStore(std::unique_ptr<sqlite::Database> reader, sqlite::Writer& writer)
      : reader_(std::move(reader)), writer_(writer) {}

  olif::Mutex mu_;
  std::unique_ptr<sqlite::Database> reader_ ABSL_GUARDED_BY(mu_);
  sqlite::Writer& writer_;
};

}  // namespace olif::school
