#pragma once

// The referrals store on SQLite: owns the service's schema and all its SQL.
// Writes go through one Writer thread (group commit); reads through a
// connection of their own, serialised by a mutex. Thread-safe.
//
// The consent projection the service enforces from lives in the same
// database, so a consent event and the requests it releases or restricts
// commit together (ConsumerHandler).

#include <functional>
#include <memory>
#include <string>
#include <vector>

#include "absl/base/thread_annotations.h"
#include "olifantenpad/common/v1/event.pb.h"
#include "services/common/bus/consumer.h"
#include "services/common/sqlite/database.h"
#include "services/common/sqlite/writer.h"
#include "services/common/sync/mutex.h"
#include "services/referrals/referrals_store.h"

namespace olif::referrals {

class SqliteReferralsStore final : public ReferralsStore {
 public:
  static constexpr char kProducer[] = "referrals";

  // Opens (and migrates) the database at `path`, with the consent
  // projection's table. `on_commit` runs after each durable commit (e.g. to
  // wake the bus producer).
  static absl::StatusOr<std::unique_ptr<SqliteReferralsStore>> Open(
      const std::string& path, const sqlite::OpenOptions& options = {},
      std::function<void(int)> on_commit = nullptr);

  void Create(NewRequest request, CreateDone done) override;
  void Update(const std::string& id, int64_t expected_version, absl::Time now, std::string trace_id,
              Mutation mutate, UpdateDone done) override;
  absl::Status RunTransaction(Work work) override;
  absl::StatusOr<v1::DirectLineRequest> Get(const std::string& id) override;
  absl::StatusOr<v1::ChildIdentity> Identity(const std::string& request_id) override;
  absl::StatusOr<ListResult> List(const ListQuery& query) override;
  absl::StatusOr<std::vector<v1::DirectLineRequest>> CreatedBetween(
      absl::Time start, absl::Time end, const std::string& location_id) override;
  // The outbox's figures, and each request announced overdue that still
  // waits for its first response as an `attention` item
  // ("first_response_overdue", "requests/<id>").
  absl::Status FillStatus(olifantenpad::admin::v1::GetStatusResponse* status) override;

  // Create, waiting for the outcome (tools, tests, benchmarks).
  absl::StatusOr<CreateOutcome> CreateAndWait(NewRequest request);
  // The outbox's events after `after_seq`, oldest first (for tests and tools).
  absl::StatusOr<std::vector<olifantenpad::common::v1::EventEnvelope>> EventsAfter(
      int64_t after_seq, int max);

  // A bus consumer's handler that runs `apply` in the consumer's transaction
  // on this store, as a ReferralsTransaction. The store must outlive it.
  using Apply = std::function<absl::Status(ReferralsTransaction&,
                                           const olifantenpad::common::v1::EventEnvelope&)>;
  std::unique_ptr<bus::EventHandler> ConsumerHandler(Apply apply);

  // For wiring the bus producer and consumers, which commit through the same
  // single writer; not for the service.
  sqlite::Writer& writer() { return *writer_; }
  const std::string& path() const { return path_; }

 private:
  SqliteReferralsStore(std::string path, std::unique_ptr<sqlite::Writer> writer,
                       std::unique_ptr<sqlite::Database> reader)
      : path_(std::move(path)), writer_(std::move(writer)), db_(std::move(reader)) {}

  const std::string path_;
  const std::unique_ptr<sqlite::Writer> writer_;
  olif::Mutex mu_;
  const std::unique_ptr<sqlite::Database> db_ ABSL_PT_GUARDED_BY(mu_);  // reads
};

// The compiled-in schema/*.sql migrations.
const std::vector<sqlite::Migration>& Migrations();

}  // namespace olif::referrals
