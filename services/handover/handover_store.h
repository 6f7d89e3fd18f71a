#pragma once

// What the handover service asks of its storage: the forms, the audit trail
// of every read and write of a child's data, and the consent projection the
// gate to the school is checked against. How — SQL, the single Writer, the
// schema — stays in sqlite_handover_store.h.

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
#include "olifantenpad/handover/v1/handover.pb.h"
#include "services/common/audit/audit.h"
#include "services/common/outbox/outbox.h"

namespace olif::handover {

namespace v1 = olifantenpad::handover::v1;

using Event = outbox::Event;
using Events = outbox::Events;

// One line of the audit trail (NEN 7513), in handover_audit; its object is
// the form.
using AuditEntry = audit::Entry;

// Which forms a listing returns; exactly one of location_id and school_key.
struct HandoverQuery {
  std::string location_id;
  std::string school_key;                                       // SchoolKey(brin, vestiging)
  v1::HandoverStatus status = v1::HANDOVER_STATUS_UNSPECIFIED;  // any
};

// How a school is keyed in the store: "BRIN/vestiging".
std::string SchoolKey(const std::string& brin, const std::string& vestiging);

// What one write transaction of the store can do; valid only during the call
// it is handed to. Everything it changes commits together, or nothing does.
class HandoverTransaction {
 public:
  virtual ~HandoverTransaction() = default;

  // The child's forms awaiting consent, oldest first.
  virtual absl::StatusOr<std::vector<v1::HandoverForm>> AwaitingConsent(
      const std::string& child_ref) = 0;
  // Forms awaiting consent finalised at or before `cutoff`, oldest first.
  virtual absl::StatusOr<std::vector<v1::HandoverForm>> AwaitingConsentSince(absl::Time cutoff) = 0;
  // Forms sent under consent `consent_id` and not withdrawn, oldest first.
  virtual absl::StatusOr<std::vector<v1::HandoverForm>> RelyingOn(
      const std::string& consent_id) = 0;
  // Forms not yet purged whose retention clock (receipt, withdrawal or
  // lapse) started at or before `cutoff`, oldest first.
  virtual absl::StatusOr<std::vector<v1::HandoverForm>> RetainedSince(absl::Time cutoff) = 0;
  // Form `id`, if stored.
  virtual absl::StatusOr<std::optional<v1::HandoverForm>> Find(const std::string& id) = 0;

  // Whether the consent projection permits the form of `child_ref` to go to
  // school organisation `school_organisation_id` at `at`.
  virtual absl::StatusOr<olifantenpad::consent::v1::Decision> PermitsSchoolHandover(
      const std::string& child_ref, const std::string& school_organisation_id, absl::Time at) = 0;
  // Applies one consent event to the consent projection.
  virtual absl::Status ApplyConsentEvent(const olifantenpad::common::v1::EventEnvelope& event) = 0;

  // Stores `form` as it now is and appends `events` (stamped `at`).
  virtual absl::Status Save(const v1::HandoverForm& form, const Events& events, absl::Time at) = 0;
  // Appends one line to the audit trail.
  virtual absl::Status Audit(const AuditEntry& entry) = 0;
};

// A form to store with the events that announce it.
struct NewHandover {
  v1::HandoverForm form;  // complete: id, status and times assigned
  std::string content;    // records::ContentFingerprint of the client's content
  Events events;
  AuditEntry audit;
};

struct CreateOutcome {
  v1::HandoverForm form;  // as stored
  bool created = false;   // false: an earlier call with this request_id
};

// Changes a stored form inside the write transaction; returns the events of
// the change, or an error that leaves everything as it was.
using Mutation = std::function<absl::StatusOr<Events>(HandoverTransaction&, v1::HandoverForm&)>;

// Passed as expected_version when the change is not made against a version
// the caller read (a school's receipt names a revision).
inline constexpr int64_t kAnyVersion = -1;

// Implementations are thread-safe. Writes never block the caller: `done`
// runs once the change is durable (or refused), on a thread of the store's,
// and must not block on the store.
class HandoverStore {
 public:
  virtual ~HandoverStore() = default;

  using CreateDone = std::function<void(absl::StatusOr<CreateOutcome>)>;
  using FormDone = std::function<void(absl::StatusOr<v1::HandoverForm>)>;
  using WriteDone = std::function<void(absl::Status)>;
  using Work = std::function<absl::Status(HandoverTransaction&)>;

  // Stores the form, its events and its audit line in one transaction (a
  // form is stored whole or not at all). When the request_id is taken: the
  // stored form if the content is the same, ALREADY_EXISTS if it differs.
  virtual void Create(NewHandover handover, CreateDone done) = 0;
  // Loads form `id`, checks its version (ABORTED when stale; kAnyVersion
  // skips the check), bumps the version and stamps `now` as update time,
  // applies `mutate` and stores it with the events and `audit`, all in one
  // transaction. NOT_FOUND for an unknown id.
  virtual void Update(const std::string& id, int64_t expected_version, absl::Time now,
                      std::string trace_id, AuditEntry audit, Mutation mutate, FormDone done) = 0;
  // Appends one audit line; `done` when it is durable.
  virtual void Audit(AuditEntry entry, WriteDone done) = 0;
  // Runs `work` in one write transaction and waits until it is durable (for
  // jobs and the bus consumers, never for a gRPC handler).
  virtual absl::Status RunTransaction(Work work) = 0;

  // NOT_FOUND for an unknown id.
  virtual absl::StatusOr<v1::HandoverForm> Get(const std::string& id) = 0;
  // Newest change first.
  virtual absl::StatusOr<std::vector<v1::HandoverForm>> List(const HandoverQuery& query) = 0;
  // Whether the consent projection permits the form of `child_ref` to go to
  // `school_organisation_id` at `at` (read on the store's read connection).
  virtual absl::StatusOr<olifantenpad::consent::v1::Decision> PermitsSchoolHandover(
      const std::string& child_ref, const std::string& school_organisation_id, absl::Time at) = 0;
  // The audit trail of form `handover_id` ('' for all), oldest first.
  virtual absl::StatusOr<std::vector<AuditEntry>> AuditTrail(const std::string& handover_id) = 0;
  // Database and outbox facts for the admin status.
  virtual absl::Status FillStatus(olifantenpad::admin::v1::GetStatusResponse* status) = 0;
};

}  // namespace olif::handover
