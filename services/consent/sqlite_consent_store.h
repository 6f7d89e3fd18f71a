#pragma once

// The consent store on SQLite: owns the service's schema and all its SQL.
// Writes go through one Writer thread (group commit) and finish through
// callbacks; reads use a connection of their own, serialised by a mutex.
// Thread-safe.

#include <functional>
#include <memory>
#include <string>
#include <vector>

#include "absl/base/thread_annotations.h"
#include "services/common/sqlite/database.h"
#include "services/common/sqlite/writer.h"
#include "services/common/sync/mutex.h"
#include "services/consent/consent_store.h"

namespace olif::consent {

class SqliteConsentStore final : public ConsentStore {
 public:
  static constexpr char kProducer[] = "consent";

  // Opens (and migrates) the database at `path`; `on_commit` runs after each
  // durable commit (to wake the bus producer).
  static absl::StatusOr<std::unique_ptr<SqliteConsentStore>> Open(
      const std::string& path, std::function<void(int)> on_commit = nullptr);

  void Record(NewConsent consent, Done<v1::Consent> done) override;
  void Withdraw(const std::string& id, v1::Withdrawal withdrawal, AuditEntry audit,
                Done<v1::Consent> done) override;
  absl::StatusOr<int> ExpireDue(absl::Time now) override;
  void Audit(AuditEntry entry, std::function<void(const absl::Status&)> done) override;
  absl::StatusOr<v1::Consent> Get(const std::string& id) override;
  absl::StatusOr<ConsentPage> List(const ConsentQuery& query) override;
  absl::StatusOr<std::vector<v1::Consent>> ForChild(const std::string& child_ref) override;
  absl::StatusOr<std::vector<AuditEntry>> AuditTrail() override;
  // The audit lines matching `query`, newest first (the Admin service's SearchAudit).
  absl::StatusOr<std::vector<AuditEntry>> SearchAudit(const audit::Query& query);
  absl::Status FillStatus(olifantenpad::admin::v1::GetStatusResponse* status) override;

  // For wiring the bus producer, which reads the outbox through the same
  // single writer; not for the service.
  sqlite::Writer& writer() { return *writer_; }

 private:
  SqliteConsentStore(std::unique_ptr<sqlite::Writer> writer,
                     std::unique_ptr<sqlite::Database> reader)
      : writer_(std::move(writer)), db_(std::move(reader)) {}

  const std::unique_ptr<sqlite::Writer> writer_;
  olif::Mutex mu_;
  const std::unique_ptr<sqlite::Database> db_ ABSL_PT_GUARDED_BY(mu_);  // reads
};

// The compiled-in schema/*.sql migrations.
const std::vector<sqlite::Migration>& Migrations();

}  // namespace olif::consent
