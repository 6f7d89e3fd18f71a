#pragma once

// Where the referrals service keeps its requests: the ReferralsStore interface
// the service is written against, and its SQLite implementation, which owns
// all SQL of the service.

#include <cstdint>
#include <functional>
#include <memory>
#include <mutex>
#include <optional>
#include <string>
#include <vector>

#include "absl/status/statusor.h"
#include "olifantenpad/admin/v1/admin.pb.h"
#include "olifantenpad/referrals/v1/referrals.pb.h"
#include "services/common/outbox/outbox.h"
#include "services/common/records/records.h"
#include "services/common/sqlite/database.h"
#include "services/common/sqlite/writer.h"

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
struct Event {
  std::string topic;
  std::shared_ptr<const google::protobuf::Message> payload;
};
using Events = std::vector<Event>;

// A request to store with the event that announces it.
struct NewRequest {
  v1::DirectLineRequest request;  // complete: id, status and times assigned
  std::string content;            // the client's content, for idempotency
  std::string topic;              // of the event; empty: none (unless `decide` adds some)
  std::shared_ptr<const google::protobuf::Message> event;
  absl::Time occurred_at;
  // A named child's identity, stored apart from the request.
  std::optional<v1::ChildIdentity> identity;
  // Runs inside the write transaction, after the idempotency check and before
  // the insert: may change the request (e.g. its status once consent is
  // checked) and returns further events.
  std::function<absl::StatusOr<Events>(sqlite::Database&, v1::DirectLineRequest&)> decide;
};

// Changes a stored request inside the write transaction; returns the events
// of the change, or an error that leaves everything as it was.
using Mutation = std::function<absl::StatusOr<Events>(sqlite::Database&, v1::DirectLineRequest&)>;

struct CreateOutcome {
  v1::DirectLineRequest request;  // as stored
  bool created = false;           // false: an earlier call with this request_id
};

class ReferralsStore {
 public:
  virtual ~ReferralsStore() = default;

  using CreateDone = std::function<void(absl::StatusOr<CreateOutcome>)>;

  // Stores the request and appends its event in one transaction; `done` runs
  // once that is durable (or failed), on a thread of the store's. When the
  // request_id is taken: the stored request if the content is the same,
  // ALREADY_EXISTS if it differs. Never blocks on the database.
  virtual void Create(NewRequest request, CreateDone done) = 0;
  // NOT_FOUND for an unknown id.
  virtual absl::StatusOr<v1::DirectLineRequest> Get(const std::string& id) = 0;
  // The identity stored with a named-child request; NOT_FOUND when none.
  virtual absl::StatusOr<v1::ChildIdentity> Identity(const std::string& request_id) = 0;
  virtual absl::StatusOr<ListResult> List(const ListQuery& query) = 0;
  using UpdateDone = std::function<void(absl::StatusOr<v1::DirectLineRequest>)>;
  // Loads request `id`, checks its version (ABORTED when it is not
  // `expected_version`), applies `mutate`, bumps the version, stamps
  // `now` as update time and stores it with the events, all in one
  // transaction. NOT_FOUND for an unknown id.
  virtual void Update(const std::string& id, int64_t expected_version, absl::Time now,
                      std::string trace_id, Mutation mutate, UpdateDone done) = 0;
  // The store's single writer (jobs run their transactions through it).
  virtual sqlite::Writer& writer() = 0;
  // Requests created in [start, end), at `location_id` (empty: all).
  virtual absl::StatusOr<std::vector<v1::DirectLineRequest>> CreatedBetween(
      absl::Time start, absl::Time end, const std::string& location_id) = 0;
  // Database and outbox facts for the admin status.
  virtual absl::Status FillStatus(olifantenpad::admin::v1::GetStatusResponse* status) = 0;
};

// The SQLite store. Thread-safe: writes go through one Writer thread (group
// commit), reads through a connection of their own, serialised by a mutex.
class SqliteReferralsStore final : public ReferralsStore {
 public:
  static constexpr char kProducer[] = "referrals";

  // Opens (and migrates) the database at `path`. `on_commit` runs after each
  // durable commit (e.g. to wake the bus producer).
  static absl::StatusOr<std::unique_ptr<SqliteReferralsStore>> Open(
      const std::string& path, const sqlite::OpenOptions& options = {},
      std::function<void(int)> on_commit = nullptr);

  void Create(NewRequest request, CreateDone done) override;
  // Create, waiting for the outcome (tools, tests, benchmarks).
  absl::StatusOr<CreateOutcome> CreateAndWait(NewRequest request);
  sqlite::Writer& writer() override { return *writer_; }
  const std::string& path() const { return path_; }
  absl::StatusOr<v1::DirectLineRequest> Get(const std::string& id) override;
  absl::StatusOr<ListResult> List(const ListQuery& query) override;
  void Update(const std::string& id, int64_t expected_version, absl::Time now, std::string trace_id,
              Mutation mutate, UpdateDone done) override;
  absl::StatusOr<std::vector<v1::DirectLineRequest>> CreatedBetween(
      absl::Time start, absl::Time end, const std::string& location_id) override;
  absl::StatusOr<v1::ChildIdentity> Identity(const std::string& request_id) override;
  absl::Status FillStatus(olifantenpad::admin::v1::GetStatusResponse* status) override;

  // The outbox's events after `after_seq`, oldest first (for tests and tools).
  absl::StatusOr<std::vector<olifantenpad::common::v1::EventEnvelope>> EventsAfter(
      int64_t after_seq, int max);

 private:
  SqliteReferralsStore(std::string path, std::unique_ptr<sqlite::Writer> writer,
                       std::unique_ptr<sqlite::Database> reader)
      : path_(std::move(path)), writer_(std::move(writer)), db_(std::move(reader)) {}

  std::string path_;
  std::unique_ptr<sqlite::Writer> writer_;
  std::mutex mu_;
  std::unique_ptr<sqlite::Database> db_;  // reads; guarded by mu_
};

// Inside a write transaction (the consent gate and the jobs use these on the
// Writer's connection): requests matching `where` (SQL over the requests
// table's columns, parameters bound by `bind`), a request saved back with its
// columns, and events appended to the outbox.
absl::StatusOr<std::vector<v1::DirectLineRequest>> SelectRequests(
    sqlite::Database& db, const std::string& where,
    const std::function<void(sqlite::Statement&)>& bind);
absl::Status SaveRequest(sqlite::Database& db, const v1::DirectLineRequest& request);
absl::Status PublishEvents(sqlite::Database& db, const Events& events, const std::string& trace_id,
                           absl::Time at);

// The compiled-in schema/*.sql migrations.
const std::vector<sqlite::Migration>& Migrations();

}  // namespace olif::referrals
