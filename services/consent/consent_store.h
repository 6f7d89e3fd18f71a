#pragma once

// Where the consent service keeps its consents, their audit trail and its
// outbox; owns all SQL of the service. Writes go through one Writer thread
// (group commit) and finish through callbacks; reads use a connection of
// their own, serialised by a mutex. Thread-safe.

#include <cstdint>
#include <functional>
#include <memory>
#include <mutex>
#include <optional>
#include <string>
#include <vector>

#include "absl/status/statusor.h"
#include "absl/time/time.h"
#include "olifantenpad/admin/v1/admin.pb.h"
#include "olifantenpad/consent/v1/consent.pb.h"
#include "services/common/records/records.h"
#include "services/common/sqlite/database.h"
#include "services/common/sqlite/writer.h"

namespace olif::consent {

namespace v1 = olifantenpad::consent::v1;

// One line of the audit table.
struct AuditEntry {
  absl::Time at;
  std::string actor;
  std::string action;
  std::string consent_id;
  std::string child_ref;
  std::string outcome;  // "OK" or "<CODE>: <message>"
  std::string reason;
  std::string trace_id;
};

// "OK", or the code's name and the message.
std::string Outcome(const absl::Status& status);

// A consent to store, with its audit line.
struct NewConsent {
  v1::Consent consent;  // complete: id, status and times assigned
  std::string content;  // the client's content, for idempotency
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

class ConsentStore {
 public:
  static constexpr char kProducer[] = "consent";

  // Opens (and migrates) the database at `path`; `on_commit` runs after each
  // durable commit (to wake the bus producer).
  static absl::StatusOr<std::unique_ptr<ConsentStore>> Open(
      const std::string& path, std::function<void(int)> on_commit = nullptr);

  template <typename T>
  using Done = std::function<void(absl::StatusOr<T>)>;

  // Stores the consent, its ConsentGranted event and its audit line in one
  // transaction. When the request_id is taken: the stored consent if the
  // content is the same, ALREADY_EXISTS if it differs.
  void Record(NewConsent consent, Done<v1::Consent> done);

  // Withdraws consent `id` at `at` and appends ConsentWithdrawn and the audit
  // line, in one transaction. A consent already withdrawn is returned as it
  // is (a repeated call changes nothing); NOT_FOUND for an unknown id;
  // FAILED_PRECONDITION for an expired one.
  void Withdraw(const std::string& id, v1::Withdrawal withdrawal, AuditEntry audit,
                Done<v1::Consent> done);

  // Marks every active consent whose period ended at or before `now` as
  // expired, with its ConsentExpired event and audit line. Blocks until
  // durable (for the expiry job's thread); returns how many expired.
  absl::StatusOr<int> ExpireDue(absl::Time now);

  // Appends an audit line on its own (reads and refused calls); `done` runs
  // once it is durable.
  void Audit(AuditEntry entry, std::function<void(const absl::Status&)> done);

  absl::StatusOr<v1::Consent> Get(const std::string& id);
  absl::StatusOr<ConsentPage> List(const ConsentQuery& query);
  // Every consent of the child, any status.
  absl::StatusOr<std::vector<v1::Consent>> ForChild(const std::string& child_ref);
  // The audit lines, oldest first (tests and tools).
  absl::StatusOr<std::vector<AuditEntry>> AuditTrail();

  absl::Status FillStatus(olifantenpad::admin::v1::GetStatusResponse* status);
  sqlite::Writer& writer() { return *writer_; }

 private:
  ConsentStore(std::unique_ptr<sqlite::Writer> writer, std::unique_ptr<sqlite::Database> reader)
      : writer_(std::move(writer)), db_(std::move(reader)) {}

  std::unique_ptr<sqlite::Writer> writer_;
  std::mutex mu_;
  std::unique_ptr<sqlite::Database> db_;  // reads; guarded by mu_
};

// The compiled-in schema/*.sql migrations.
const std::vector<sqlite::Migration>& Migrations();

}  // namespace olif::consent
