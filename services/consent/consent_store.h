#pragma once

// What the consent service asks of its storage: its consents, their audit
// trail and the events announcing them. How (SQL, the Writer, the schema)
// stays behind it, in sqlite_consent_store.h.

#include <cstdint>
#include <functional>
#include <memory>
#include <optional>
#include <string>
#include <vector>

#include "absl/status/statusor.h"
#include "absl/time/time.h"
#include "olifantenpad/admin/v1/admin.pb.h"
#include "olifantenpad/consent/v1/consent.pb.h"
#include "services/common/audit/audit.h"
#include "services/common/records/records.h"

namespace olif::consent {

namespace v1 = olifantenpad::consent::v1;

// One line of the audit table (consent_audit); its object is the consent.
using AuditEntry = audit::Entry;
using audit::Outcome;

// A consent to store, with its audit line.
struct NewConsent {
  v1::Consent consent;  // complete: id, status and times assigned
  std::string content;  // records::ContentFingerprint of the client's content
  AuditEntry audit;
};

struct ConsentQuery {
  std::string child_ref;  // one of child_ref and recipient
  std::string recipient;
  v1::ConsentStatus status = v1::CONSENT_STATUS_UNSPECIFIED;  // any
  int limit = 50;
  std::optional<records::PageCursor> after;
};

struct ConsentPage {
  std::vector<v1::Consent> consents;  // newest first
  std::optional<records::PageCursor> next;
};

// Implementations are thread-safe. Writes never block the caller: `done`
// runs once the change is durable (or refused), on a thread of the store's,
// and must not block on the store.
class ConsentStore {
 public:
  virtual ~ConsentStore() = default;

  template <typename T>
  using Done = std::function<void(absl::StatusOr<T>)>;

  // Stores the consent, its ConsentGranted event and its audit line in one
  // transaction. When the request_id is taken: the stored consent if the
  // content is the same, ALREADY_EXISTS if it differs.
  virtual void Record(NewConsent consent, Done<v1::Consent> done) = 0;

  // Withdraws consent `id` at `at` and appends ConsentWithdrawn and the audit
  // line, in one transaction. A consent already withdrawn is returned as it
  // is (a repeated call changes nothing); NOT_FOUND for an unknown id;
  // FAILED_PRECONDITION for an expired one.
  virtual void Withdraw(const std::string& id, v1::Withdrawal withdrawal, AuditEntry audit,
                        Done<v1::Consent> done) = 0;

  // Marks every active consent whose period ended at or before `now` as
  // expired, with its ConsentExpired event and audit line. Blocks until
  // durable (for the expiry job's thread); returns how many expired.
  virtual absl::StatusOr<int> ExpireDue(absl::Time now) = 0;

  // Appends an audit line on its own (reads and refused calls); `done` runs
  // once it is durable.
  virtual void Audit(AuditEntry entry, std::function<void(const absl::Status&)> done) = 0;

  virtual absl::StatusOr<v1::Consent> Get(const std::string& id) = 0;
  virtual absl::StatusOr<ConsentPage> List(const ConsentQuery& query) = 0;
  // Every consent of the child, any status.
  virtual absl::StatusOr<std::vector<v1::Consent>> ForChild(const std::string& child_ref) = 0;
  // The audit lines, oldest first (tests and tools).
  virtual absl::StatusOr<std::vector<AuditEntry>> AuditTrail() = 0;

  virtual absl::Status FillStatus(olifantenpad::admin::v1::GetStatusResponse* status) = 0;
};

}  // namespace olif::consent
