#pragma once

// The durable delivery queue of an adapter: per destination, every message to
// send with its attempts, next attempt time and last error, in the adapter's
// own SQLite database.
//
// Ordering is kept per key (e.g. per request): only the oldest undelivered
// message of a key is ever due, so a message waiting for its retry, or dead,
// holds back the later messages of its own key and of no other. A failure is
// retried with exponential backoff and jitter up to `max_attempts`; a failure
// that cannot succeed by retrying (e.g. HTTP 400) or the last attempt makes the
// message a dead letter. Operators retry, skip, or edit and resend a dead
// letter; each action is recorded with who and why.
//
// Enqueue runs inside the caller's transaction (the bus consumer's, so that an
// event is queued exactly once with the cursor that passed it); the other
// writes go through the Writer; reads use a connection of their own.
// Thread-safe.

#include <cstdint>
#include <functional>
#include <memory>
#include <optional>
#include <random>
#include <string>
#include <vector>

#include "absl/base/thread_annotations.h"
#include "absl/status/statusor.h"
#include "absl/time/time.h"
#include "olifantenpad/config/v1/connectors.pb.h"
#include "services/common/sqlite/database.h"
#include "services/common/sqlite/writer.h"
#include "services/common/sync/mutex.h"

namespace olif::adapters {

enum class DeliveryState { kPending = 0, kDelivered = 1, kDead = 2, kSkipped = 3 };

struct Delivery {
  int64_t id = 0;
  std::string event_id;  // the idempotency key sent to the external system
  std::string destination;
  std::string key;  // ordering key
  std::string topic;
  std::string payload;  // what the translator made of the event
  int attempts = 0;
  absl::Time next_attempt;
  DeliveryState state = DeliveryState::kPending;
  std::string last_error;
};

// An action on a dead letter, as recorded.
struct DeliveryAction {
  std::string action;  // retried, skipped, edited and resent
  std::string who;
  std::string why;
  absl::Time at;
};

struct RetryPolicy {
  int max_attempts = 8;
  absl::Duration initial_backoff = absl::Seconds(1);
  absl::Duration max_backoff = absl::Minutes(10);
  double jitter = 0.2;  // the wait is drawn from [1 - jitter, 1 + jitter] × the backoff
};

// The wait before attempt `attempt + 1` after `attempt` failed attempts
// (1-based): initial × 2^(attempt-1), capped, with jitter from `random01`
// (a number in [0, 1)).
absl::Duration Backoff(const RetryPolicy& policy, int attempt, double random01);

class DeliveryQueue {
 public:
  // Creates the queue's tables in `db` when missing (run through the Writer).
  static absl::Status CreateTables(sqlite::Database& db);
  // Opens a read connection to the database at `path`.
  static absl::StatusOr<std::unique_ptr<DeliveryQueue>> Open(const std::string& path,
                                                             sqlite::Writer& writer,
                                                             RetryPolicy policy);

  // Queues a message inside the caller's transaction; a second enqueue of
  // the same event for the same destination changes nothing.
  static absl::Status Enqueue(sqlite::Database& db, const std::string& destination,
                              const std::string& key, const std::string& event_id,
                              const std::string& topic, const std::string& payload, absl::Time now);

  // The messages due at `now`: for each key, its oldest undelivered message
  // if it is pending and its next attempt has come. Oldest first. Reads the
  // pending messages' ids and keys from one covering index, in id order, and
  // stops at `limit` due (a long backlog costs no sort and no subquery per
  // row); only the chosen messages are read whole.
  // Keys for which `skip` is true are passed over (e.g. those already on
  // their way) without counting towards `limit`.
  absl::StatusOr<std::vector<Delivery>> Due(
      const std::string& destination, absl::Time now, int limit,
      const std::function<bool(const std::string& key)>& skip = nullptr);

  // The outcome of an attempt. `retryable` false makes the message dead at
  // once. `also` (when given) runs in the same transaction with the message
  // as it now stands, e.g. to write the message history: one commit, one
  // fsync, per attempt.
  using Also = std::function<absl::Status(sqlite::Database&, const Delivery&)>;
  absl::Status Delivered(int64_t id, absl::Time now, const Also& also = nullptr);
  // Failed returns the message as it now stands (pending again, or dead).
  absl::StatusOr<Delivery> Failed(int64_t id, const std::string& error, bool retryable,
                                  absl::Time now, const Also& also = nullptr);

  // Operator actions on a dead letter; FAILED_PRECONDITION when the message
  // is not dead, NOT_FOUND when there is none. Each is recorded.
  absl::Status Retry(int64_t id, const std::string& who, const std::string& why, absl::Time now);
  absl::Status Skip(int64_t id, const std::string& who, const std::string& why, absl::Time now);
  absl::Status EditAndResend(int64_t id, const std::string& payload, const std::string& who,
                             const std::string& why, absl::Time now);

  // Dead letters that may go again by themselves once what held them back
  // changed (e.g. a consent arrived): those of `topic` whose last error starts
  // with `error_prefix` and whose payload (JSON) has `value` at `json_path`
  // (SQLite JSON path, e.g. "$.child.child_ref").
  struct DeadLetterMatch {
    std::string topic;
    std::string error_prefix;
    std::string json_path;
    std::string value;
  };
  // Makes them pending again inside the caller's transaction, each recorded
  // as retried by `who` for `why`; returns how many.
  static absl::StatusOr<int64_t> RetryMatching(sqlite::Database& db, const std::string& destination,
                                               const DeadLetterMatch& match, const std::string& who,
                                               const std::string& why, absl::Time now);

  absl::StatusOr<Delivery> Get(int64_t id);
  // The actions recorded on message `id`, oldest first.
  absl::StatusOr<std::vector<DeliveryAction>> Actions(int64_t id);
  absl::StatusOr<std::vector<Delivery>> DeadLetters(const std::string& destination, int limit);
  // Forgets delivered and skipped messages last changed before `before`
  // (the message history keeps what was sent); those an operator acted on
  // stay with their actions. Returns how many went.
  absl::StatusOr<int64_t> PruneFinished(absl::Time before);
  // Whether `destination` has (or had, before pruning) a message of `key`,
  // read in the caller's transaction.
  static absl::StatusOr<bool> HasKey(sqlite::Database& db, const std::string& destination,
                                     const std::string& key);
  // Messages of `destination` in `state`.
  absl::StatusOr<int64_t> Count(const std::string& destination, DeliveryState state);
  // Messages not yet delivered, skipped or dead.
  absl::StatusOr<int64_t> Depth(const std::string& destination) {
    return Count(destination, DeliveryState::kPending);
  }

 private:
  DeliveryQueue(std::unique_ptr<sqlite::Database> reader, sqlite::Writer& writer,
                RetryPolicy policy)
      : reader_(std::move(reader)), writer_(writer), policy_(policy) {}
  absl::Status Act(int64_t id, const char* action, const std::string& who, const std::string& why,
                   absl::Time now, const std::optional<std::string>& payload, DeliveryState to);

  olif::Mutex mu_;
  std::unique_ptr<sqlite::Database> reader_ ABSL_GUARDED_BY(mu_);
  sqlite::Writer& writer_;
  RetryPolicy policy_;
  std::mt19937_64 random_ ABSL_GUARDED_BY(mu_){std::random_device{}()};
};

// The retry policy configured as `config`, the defaults above for what it
// leaves out; INVALID_ARGUMENT naming `field` for a negative max_attempts.
absl::StatusOr<RetryPolicy> RetryPolicyFromConfig(
    const olifantenpad::config::v1::DeliveryRetryConfig& config, const std::string& field);

}  // namespace olif::adapters
