#pragma once

// The single writer of a database, with group commit.
//
// Units of work are submitted from any thread and run, in submission order,
// on the writer's own thread. Units that are waiting together share one
// transaction (BEGIN IMMEDIATE ... COMMIT), each inside its own savepoint: a
// unit that fails is rolled back alone and its neighbours still commit. Each
// unit's completion runs only after the COMMIT is durable (the database keeps
// synchronous=FULL), so a caller is never told "done" for a change a crash
// could lose. One fsync then covers a whole group, which is what lifts
// throughput above one commit per fsync.
//
// Thread-safe. The Database is owned by the writer and used only on its
// thread; completions run on that thread too and must not block on the writer.

#include <cstdint>
#include <deque>
#include <functional>
#include <memory>
#include <string>
#include <thread>

#include "absl/base/thread_annotations.h"
#include "absl/status/status.h"
#include "absl/status/statusor.h"
#include "services/common/sqlite/database.h"
#include "services/common/status/status.h"
#include "services/common/sync/mutex.h"

namespace olif::sqlite {

struct WriterOptions {
  // Most units in one transaction.
  int max_group = 256;
  // Runs on the writer thread after each durable COMMIT (e.g. to wake
  // publishers); gets the number of units committed.
  std::function<void(int)> on_commit;
};

class Writer {
 public:
  using Work = std::function<absl::Status(Database&)>;
  using Done = std::function<void(const absl::Status&)>;

  Writer(std::unique_ptr<Database> db, WriterOptions options = {});
  // Finishes every unit already submitted, then stops the thread.
  ~Writer();
  Writer(const Writer&) = delete;
  Writer& operator=(const Writer&) = delete;

  // Queues `work`; `done` gets its outcome once it is committed (or failed).
  // After shutdown began, `done` gets UNAVAILABLE at once.
  void Submit(Work work, Done done);

  // Submits and waits: for tools, migrations of data and tests, never for a
  // gRPC handler.
  absl::Status Run(Work work);
  // Runs one statement that changes rows (e.g. a periodic DELETE of what is
  // past its retention) and waits; returns how many rows it changed.
  // `bind` binds its parameters.
  absl::StatusOr<int64_t> Change(const std::string& sql,
                                 const std::function<void(Statement&)>& bind);

  struct Stats {
    uint64_t transactions = 0;
    uint64_t units = 0;
    uint64_t largest_group = 0;
  };
  Stats stats() const;

 private:
  struct Unit {
    Work work;
    Done done;
  };
  void Loop();
  bool HasWorkOrStopping() const ABSL_EXCLUSIVE_LOCKS_REQUIRED(mu_) {
    return stopping_ || !queue_.empty();
  }
  void CommitGroup(std::deque<Unit>& group);

  std::unique_ptr<Database> db_;  // used on thread_ only
  WriterOptions options_;
  mutable olif::Mutex mu_;
  std::deque<Unit> queue_ ABSL_GUARDED_BY(mu_);
  bool stopping_ ABSL_GUARDED_BY(mu_) = false;
  Stats stats_ ABSL_GUARDED_BY(mu_);
  std::thread thread_;
};

// A Writer::Done that hands `*result` (filled in by the unit) to `done` once
// the unit is committed, or the unit's error.
template <typename T>
Writer::Done Deliver(std::shared_ptr<T> result, std::function<void(absl::StatusOr<T>)> done) {
  return [result = std::move(result), done = std::move(done)](const absl::Status& s) {
    if (!s.ok()) {
      done(Unshared(s));  // the caller's thread gets a status of its own
    } else {
      done(std::move(*result));
    }
  };
}

}  // namespace olif::sqlite
