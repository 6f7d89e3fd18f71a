#pragma once

// The scheduling store on SQLite: owns the service's schema and all its SQL.
// Writes go through one Writer thread (group commit); reads through a
// connection of their own, serialised by a mutex. Thread-safe.
//
// The consent projection reports are checked against lives in the same
// database, so a consent event applies in the consumer's transaction
// (ConsumerHandler), as do warm-handover requests.

#include <functional>
#include <memory>
#include <string>
#include <vector>

#include "absl/base/thread_annotations.h"
#include "services/common/bus/consumer.h"
#include "services/common/sqlite/database.h"
#include "services/common/sqlite/writer.h"
#include "services/common/sync/mutex.h"
#include "services/scheduling/scheduling_store.h"

namespace olif::scheduling {

class SqliteSchedulingStore final : public SchedulingStore {
 public:
  static constexpr char kProducer[] = "scheduling";

  // Opens (and migrates) the database at `path`, with the consent
  // projection's table. `on_commit` runs after each durable commit.
  static absl::StatusOr<std::unique_ptr<SqliteSchedulingStore>> Open(
      const std::string& path, const sqlite::OpenOptions& options = {},
      std::function<void(int)> on_commit = nullptr);

  void Create(NewVisit visit, VisitDone done) override;
  void Update(const std::string& id, int64_t expected_version, absl::Time now, std::string trace_id,
              Mutation mutate, VisitDone done) override;
  void Write(Work work, WriteDone done) override;
  absl::Status RunTransaction(Work work) override;
  absl::StatusOr<v1::Visit> Get(const std::string& id) override;
  absl::StatusOr<std::vector<v1::Visit>> List(const VisitQuery& query) override;
  absl::StatusOr<v1::Availability> GetAvailability(const std::string& expert_id) override;
  absl::StatusOr<std::optional<FeedRef>> FeedFor(const std::string& token_hash) override;
  absl::Status FillStatus(olifantenpad::admin::v1::GetStatusResponse* status) override;

  // The outbox's events after `after_seq`, oldest first (tests and tools).
  absl::StatusOr<std::vector<olifantenpad::common::v1::EventEnvelope>> EventsAfter(
      int64_t after_seq, int max);

  // A bus consumer's handler that runs `apply` in the consumer's transaction
  // on this store. The store must outlive it.
  using Apply = std::function<absl::Status(SchedulingTransaction&,
                                           const olifantenpad::common::v1::EventEnvelope&)>;
  std::unique_ptr<bus::EventHandler> ConsumerHandler(Apply apply);

  // For wiring the bus producer and consumers; not for the service.
  sqlite::Writer& writer() { return *writer_; }

 private:
  SqliteSchedulingStore(std::unique_ptr<sqlite::Writer> writer,
                        std::unique_ptr<sqlite::Database> reader)
      : writer_(std::move(writer)), db_(std::move(reader)) {}

  const std::unique_ptr<sqlite::Writer> writer_;
  olif::Mutex mu_;
  const std::unique_ptr<sqlite::Database> db_ ABSL_PT_GUARDED_BY(mu_);  // reads
};

// The compiled-in schema/*.sql migrations.
const std::vector<sqlite::Migration>& Migrations();

}  // namespace olif::scheduling
