#pragma once

// The handover store on SQLite: owns the service's schema and all its SQL.
// Writes go through one Writer thread (group commit, a savepoint per form, so
// a form is stored whole or not at all); reads through a connection of their
// own, serialised by a mutex. Thread-safe.
//
// The consent projection lives in the same database, so a consent event
// applies in the consumer's transaction (ConsumerHandler), as do the
// scheduling service's meeting events.

#include <functional>
#include <memory>
#include <string>
#include <vector>

#include "absl/base/thread_annotations.h"
#include "services/common/bus/consumer.h"
#include "services/common/sqlite/database.h"
#include "services/common/sqlite/writer.h"
#include "services/common/sync/mutex.h"
#include "services/handover/handover_store.h"

namespace olif::handover {

class SqliteHandoverStore final : public HandoverStore {
 public:
  static constexpr char kProducer[] = "handover";

  // Opens (and migrates) the database at `path`, with the consent
  // projection's table. `on_commit` runs after each durable commit.
  static absl::StatusOr<std::unique_ptr<SqliteHandoverStore>> Open(
      const std::string& path, const sqlite::OpenOptions& options = {},
      std::function<void(int)> on_commit = nullptr);

  void Create(NewHandover handover, CreateDone done) override;
  void Update(const std::string& id, int64_t expected_version, absl::Time now, std::string trace_id,
              AuditEntry audit, Mutation mutate, FormDone done) override;
  void Audit(AuditEntry entry, WriteDone done) override;
  absl::Status RunTransaction(Work work) override;
  absl::StatusOr<v1::HandoverForm> Get(const std::string& id) override;
  absl::StatusOr<std::vector<v1::HandoverForm>> List(const HandoverQuery& query) override;
  absl::StatusOr<olifantenpad::consent::v1::Decision> PermitsSchoolHandover(
      const std::string& child_ref, const std::string& school_organisation_id,
      absl::Time at) override;
  absl::StatusOr<std::vector<AuditEntry>> AuditTrail(const std::string& handover_id) override;
  // The audit lines matching `query`, newest first (the Admin service's SearchAudit).
  absl::StatusOr<std::vector<AuditEntry>> SearchAudit(const audit::Query& query);
  absl::Status FillStatus(olifantenpad::admin::v1::GetStatusResponse* status) override;

  // The outbox's events after `after_seq`, oldest first (tests and tools).
  absl::StatusOr<std::vector<olifantenpad::common::v1::EventEnvelope>> EventsAfter(
      int64_t after_seq, int max);

  // A bus consumer's handler that runs `apply` in the consumer's transaction
  // on this store. The store must outlive it.
  using Apply = std::function<absl::Status(HandoverTransaction&,
                                           const olifantenpad::common::v1::EventEnvelope&)>;
  std::unique_ptr<bus::EventHandler> ConsumerHandler(Apply apply);

  // For wiring the bus producer and consumers; not for the service.
  sqlite::Writer& writer() { return *writer_; }

 private:
  SqliteHandoverStore(std::unique_ptr<sqlite::Writer> writer,
                      std::unique_ptr<sqlite::Database> reader)
      : writer_(std::move(writer)), db_(std::move(reader)) {}

  const std::unique_ptr<sqlite::Writer> writer_;
  olif::Mutex mu_;
  const std::unique_ptr<sqlite::Database> db_ ABSL_PT_GUARDED_BY(mu_);  // reads
};

// The compiled-in schema/*.sql migrations.
const std::vector<sqlite::Migration>& Migrations();

}  // namespace olif::handover
