#pragma once

// What the referrals service asks of its storage. The interface names what is
// stored and found (a request, the requests awaiting consent for a child,
// those overdue at a time, ...); how — SQL, the single Writer, the schema —
// stays in sqlite_referrals_store.h, behind it.

#include <cstdint>
#include <functional>
#include <memory>
#include <optional>
#include <string>
#include <vector>

#include "absl/status/statusor.h"
#include "absl/time/time.h"
#include "olifantenpad/admin/v1/admin.pb.h"
#include "olifantenpad/common/v1/event.pb.h"
#include "olifantenpad/consent/v1/consent.pb.h"
#include "olifantenpad/referrals/v1/referrals.pb.h"
#include "services/common/outbox/outbox.h"
#include "services/common/records/records.h"

namespace olif::referrals {

namespace v1 = olifantenpad::referrals::v1;

// The position after which a listing continues: the last request returned.
using ListCursor = records::PageCursor;

struct ListQuery {
  std::string location_id;
  v1::RequestStatus status = v1::REQUEST_STATUS_UNSPECIFIED;  // any
  int limit = 50;
  std::optional<ListCursor> after;
};

struct ListResult {
  std::vector<v1::DirectLineRequest> requests;  // newest first
  std::optional<ListCursor> next;               // set when more follow
};

// An event to append to the outbox with a change.
using Event = outbox::Event;
using Events = outbox::Events;

// What one write transaction of the store can do. Handed to the function that
// runs inside it, and valid only during that call; everything it changes
// commits together, or nothing does.
class ReferralsTransaction {
 public:
  virtual ~ReferralsTransaction() = default;

  // The child's requests awaiting consent, oldest first.
  virtual absl::StatusOr<std::vector<v1::DirectLineRequest>> AwaitingConsent(
      const std::string& child_ref) = 0;
  // Requests awaiting consent created at or before `cutoff`, oldest first.
  virtual absl::StatusOr<std::vector<v1::DirectLineRequest>> AwaitingConsentSince(
      absl::Time cutoff) = 0;
  // Requests released under consent `consent_id`, oldest first.
  virtual absl::StatusOr<std::vector<v1::DirectLineRequest>> RelyingOn(
      const std::string& consent_id) = 0;
  // Submitted requests whose first response was due at or before `now` and
  // that were not yet announced overdue, oldest first.
  virtual absl::StatusOr<std::vector<v1::DirectLineRequest>> OverdueAt(absl::Time now) = 0;

  // Whether the consents known to the service (its consent projection, read
  // in this transaction) permit the direct line for `child_ref` to
  // `organisation_id` at `at`.
  virtual absl::StatusOr<olifantenpad::consent::v1::Decision> PermitsDirectLine(
      const std::string& child_ref, const std::string& organisation_id, absl::Time at) = 0;
  // Applies one consent event to the consent projection.
  virtual absl::Status ApplyConsentEvent(const olifantenpad::common::v1::EventEnvelope& event) = 0;

  // Stores `request` as it now is and appends `events` (stamped `at`).
  virtual absl::Status Save(const v1::DirectLineRequest& request, const Events& events,
                            absl::Time at) = 0;
};

// A request to store with the event that announces it.
struct NewRequest {
  v1::DirectLineRequest request;  // complete: id, status and times assigned
  std::string content;            // records::ContentFingerprint of the client's content
  Events events;                  // announcing it (more may come from `decide`)
  absl::Time occurred_at;
  // A named child's identity, stored apart from the request.
  std::optional<v1::ChildIdentity> identity;
  // Runs inside the write transaction, after the idempotency check and before
  // the insert: may change the request (e.g. its status once consent is
  // checked) and returns further events.
  std::function<absl::StatusOr<Events>(ReferralsTransaction&, v1::DirectLineRequest&)> decide;
};

// Changes a stored request inside the write transaction; returns the events
// of the change, or an error that leaves everything as it was.
using Mutation =
    std::function<absl::StatusOr<Events>(ReferralsTransaction&, v1::DirectLineRequest&)>;

struct CreateOutcome {
  v1::DirectLineRequest request;  // as stored
  bool created = false;           // false: an earlier call with this request_id
};

// Implementations are thread-safe. Writes never block the caller: `done` runs
// once the change is durable (or refused), on a thread of the store's, and
// must not block on the store.
class ReferralsStore {
 public:
  virtual ~ReferralsStore() = default;

  using CreateDone = std::function<void(absl::StatusOr<CreateOutcome>)>;
  using UpdateDone = std::function<void(absl::StatusOr<v1::DirectLineRequest>)>;
  using Work = std::function<absl::Status(ReferralsTransaction&)>;

  // Stores the request and its events in one transaction. When the
  // request_id is taken: the stored request if the content is the same,
  // ALREADY_EXISTS if it differs.
  virtual void Create(NewRequest request, CreateDone done) = 0;
  // Loads request `id`, checks its version (ABORTED when it is not
  // `expected_version`), applies `mutate`, bumps the version, stamps `now` as
  // update time and stores it with the events, all in one transaction.
  // NOT_FOUND for an unknown id.
  virtual void Update(const std::string& id, int64_t expected_version, absl::Time now,
                      std::string trace_id, Mutation mutate, UpdateDone done) = 0;
  // Runs `work` in one write transaction and waits until it is durable (for
  // jobs, never for a gRPC handler).
  virtual absl::Status RunTransaction(Work work) = 0;

  // NOT_FOUND for an unknown id.
  virtual absl::StatusOr<v1::DirectLineRequest> Get(const std::string& id) = 0;
  // The identity stored with a named-child request; NOT_FOUND when none.
  virtual absl::StatusOr<v1::ChildIdentity> Identity(const std::string& request_id) = 0;
  virtual absl::StatusOr<ListResult> List(const ListQuery& query) = 0;
  // Requests created in [start, end), at `location_id` (empty: all).
  virtual absl::StatusOr<std::vector<v1::DirectLineRequest>> CreatedBetween(
      absl::Time start, absl::Time end, const std::string& location_id) = 0;
  // Database and outbox facts for the admin status.
  virtual absl::Status FillStatus(olifantenpad::admin::v1::GetStatusResponse* status) = 0;
};

}  // namespace olif::referrals
