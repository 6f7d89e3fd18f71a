#pragma once

// What the scheduling service asks of its storage: visits, experts'
// availability, the compliance announcements made, calendar feed tokens
// (hashes only) and the consent projection reports are checked against. How
// — SQL, the single Writer, the schema — stays in sqlite_scheduling_store.h.

#include <cstdint>
#include <functional>
#include <optional>
#include <string>
#include <vector>

#include "absl/status/statusor.h"
#include "absl/time/time.h"
#include "olifantenpad/admin/v1/admin.pb.h"
#include "olifantenpad/common/v1/event.pb.h"
#include "olifantenpad/consent/v1/decision.pb.h"
#include "olifantenpad/scheduling/v1/scheduling.pb.h"
#include "services/common/outbox/outbox.h"

namespace olif::scheduling {

namespace v1 = olifantenpad::scheduling::v1;

using Event = outbox::Event;
using Events = outbox::Events;

// What a group's compliance announcements have said this school year.
enum class ComplianceState : int {
  kNone = 0,      // nothing announced
  kAtRisk = 1,    // VisitMinimumAtRisk announced
  kRestored = 2,  // VisitMinimumRestored announced after it
};

// A calendar feed: an expert's or a location's.
struct FeedRef {
  enum class Kind { kExpert, kLocation };
  Kind kind = Kind::kExpert;
  std::string subject_id;  // the expert's or the location's directory id
};

// Which visits a listing returns; exactly one of expert_id and location_id.
struct VisitQuery {
  std::string expert_id;
  std::string location_id;
  std::string school_year;                                // empty: any
  absl::Time from = absl::InfinitePast();                 // start at or after
  absl::Time to = absl::InfiniteFuture();                 // start before
  v1::VisitStatus status = v1::VISIT_STATUS_UNSPECIFIED;  // any
  bool include_proposed = false;                          // meetings without a time yet (start 0)
};

// What one write transaction of the store can do; valid only during the call
// it is handed to. Everything it changes commits together, or nothing does.
class SchedulingTransaction {
 public:
  virtual ~SchedulingTransaction() = default;

  // The expert's visits that hold a slot overlapping [start, end), other
  // than `except_id`.
  virtual absl::StatusOr<std::vector<v1::Visit>> ExpertVisitsOverlapping(
      const std::string& expert_id, absl::Time start, absl::Time end,
      const std::string& except_id) = 0;
  // A group's visits of one kind in a school year.
  virtual absl::StatusOr<std::vector<v1::Visit>> GroupVisits(const std::string& location_id,
                                                             const std::string& group_id,
                                                             const std::string& school_year,
                                                             v1::VisitKind kind) = 0;
  // The expert's availability; version 0 and empty when none was set.
  virtual absl::StatusOr<v1::Availability> Availability(const std::string& expert_id) = 0;
  virtual absl::Status SaveAvailability(const v1::Availability& availability) = 0;

  virtual absl::StatusOr<ComplianceState> Compliance(const std::string& location_id,
                                                     const std::string& group_id,
                                                     const std::string& school_year) = 0;
  virtual absl::Status SetCompliance(const std::string& location_id, const std::string& group_id,
                                     const std::string& school_year, ComplianceState state,
                                     absl::Time at) = 0;

  // The warm-handover meeting of `handover_id`, if one exists.
  virtual absl::StatusOr<std::optional<v1::Visit>> MeetingFor(const std::string& handover_id) = 0;
  // Stores a new visit (with the fingerprint of the client's content; empty
  // for a meeting) and its events.
  virtual absl::Status Insert(const v1::Visit& visit, const std::string& content,
                              const Events& events, absl::Time at) = 0;
  // Stores a changed visit and its events.
  virtual absl::Status Save(const v1::Visit& visit, const Events& events, absl::Time at) = 0;
  // Appends events that change no visit (compliance announcements).
  virtual absl::Status Publish(const Events& events, const std::string& trace_id,
                               absl::Time at) = 0;

  // Replaces the feed token of `feed` with the one hashed `token_hash`.
  virtual absl::Status SaveFeedToken(const FeedRef& feed, const std::string& token_hash,
                                     absl::Time at) = 0;

  // Whether the consent projection permits discussing `child_ref` in a group
  // report for `organisation_id` at `at`.
  virtual absl::StatusOr<olifantenpad::consent::v1::Decision> PermitsGroupDiscussion(
      const std::string& child_ref, const std::string& organisation_id, absl::Time at) = 0;
  // Applies one consent event to the consent projection.
  virtual absl::Status ApplyConsentEvent(const olifantenpad::common::v1::EventEnvelope& event) = 0;
};

// A visit to book, with what decides it inside the write transaction.
struct NewVisit {
  v1::Visit visit;      // complete: id, status, times and school year assigned
  std::string content;  // records::ContentFingerprint of the client's content
  Events events;
  absl::Time occurred_at;
  // Runs inside the write transaction after the idempotency check and before
  // the insert (the conflict rules that read stored visits); returns further
  // events, or an error that stores nothing.
  std::function<absl::StatusOr<Events>(SchedulingTransaction&, v1::Visit&)> decide;
};

using Mutation = std::function<absl::StatusOr<Events>(SchedulingTransaction&, v1::Visit&)>;

// Implementations are thread-safe. Writes never block the caller: `done`
// runs once the change is durable (or refused), on a thread of the store's,
// and must not block on the store.
class SchedulingStore {
 public:
  virtual ~SchedulingStore() = default;

  using VisitDone = std::function<void(absl::StatusOr<v1::Visit>)>;
  using WriteDone = std::function<void(absl::Status)>;
  using Work = std::function<absl::Status(SchedulingTransaction&)>;

  // Stores the visit and its events. When the request_id is taken: the
  // stored visit if the content is the same, ALREADY_EXISTS if it differs.
  virtual void Create(NewVisit visit, VisitDone done) = 0;
  // Loads visit `id`, checks its version (ABORTED when stale), bumps the
  // version and stamps `now` as update time, applies `mutate` (which so sees
  // the visit as the change will leave it) and stores it with the events.
  // NOT_FOUND for an unknown id.
  virtual void Update(const std::string& id, int64_t expected_version, absl::Time now,
                      std::string trace_id, Mutation mutate, VisitDone done) = 0;
  // Runs `work` in one write transaction; `done` when it is durable.
  virtual void Write(Work work, WriteDone done) = 0;
  // Runs `work` in one write transaction and waits until it is durable (for
  // jobs and the bus consumer, never for a gRPC handler).
  virtual absl::Status RunTransaction(Work work) = 0;

  virtual absl::StatusOr<v1::Visit> Get(const std::string& id) = 0;
  // By start, then id.
  virtual absl::StatusOr<std::vector<v1::Visit>> List(const VisitQuery& query) = 0;
  virtual absl::StatusOr<v1::Availability> GetAvailability(const std::string& expert_id) = 0;
  // The feed whose token hashes to `token_hash`, if any.
  virtual absl::StatusOr<std::optional<FeedRef>> FeedFor(const std::string& token_hash) = 0;
  // Database and outbox facts for the admin status.
  virtual absl::Status FillStatus(olifantenpad::admin::v1::GetStatusResponse* status) = 0;
};

}  // namespace olif::scheduling
