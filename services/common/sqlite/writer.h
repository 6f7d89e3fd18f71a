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
// The writer thread does nothing but run units and commit. Completions run on
// a completion thread of their own, in commit order, while the next group is
// already being written (answering a gRPC call, its log line and metrics cost
// as much as the unit). The write-ahead log is copied into the database by a
// checkpoint thread on a second connection, not inside a COMMIT.
//
// Thread-safe. The Database is owned by the writer and used only on its
// thread. Completions may submit more work but must not wait for it.

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
  // publishers); gets the number of units committed. Must be quick.
  std::function<void(int)> on_commit;
  // The log is checkpointed (on another connection, beside the writer) once
  // it holds this many pages after a commit. 0: SQLite's own checkpoint
  // inside COMMIT (for an in-memory or test database).
  int checkpoint_pages = 1000;
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
    uint64_t checkpoints = 0;
  };
  Stats stats() const;

 private:
  struct Unit {
    Work work;
    Done done;
  };
  struct Completion {
    Done done;
    absl::Status status;
  };
  void Loop();
  void CompleteLoop();
  void CheckpointLoop();
  bool HasWorkOrStopping() const ABSL_EXCLUSIVE_LOCKS_REQUIRED(mu_) {
    return stopping_ || !queue_.empty();
  }
  bool HasCompletionsOrStopped() const ABSL_EXCLUSIVE_LOCKS_REQUIRED(completion_mu_) {
    return completions_stop_ || !completions_.empty();
  }
  bool CheckpointDueOrStopped() const ABSL_EXCLUSIVE_LOCKS_REQUIRED(checkpoint_mu_) {
    return checkpoint_stop_ || checkpoint_due_;
  }
  void CommitGroup(std::deque<Unit>& group);

  std::unique_ptr<Database> db_;            // used on thread_ only
  std::unique_ptr<Database> checkpointer_;  // used on checkpoint_thread_ only
  WriterOptions options_;
  // Three locks, so submitters, the completion thread and the checkpoint
  // thread never wake one another.
  mutable olif::Mutex mu_;
  std::deque<Unit> queue_ ABSL_GUARDED_BY(mu_);
  bool stopping_ ABSL_GUARDED_BY(mu_) = false;
  Stats stats_ ABSL_GUARDED_BY(mu_);
  olif::Mutex completion_mu_;
  std::deque<Completion> completions_ ABSL_GUARDED_BY(completion_mu_);
  bool completions_stop_ ABSL_GUARDED_BY(completion_mu_) = false;
  olif::Mutex checkpoint_mu_;
  bool checkpoint_due_ ABSL_GUARDED_BY(checkpoint_mu_) = false;
  bool checkpoint_stop_ ABSL_GUARDED_BY(checkpoint_mu_) = false;
  std::thread thread_;
  std::thread completion_thread_;
  std::thread checkpoint_thread_;
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

// A store's two connections to its database: the Writer's (migrated, then
// `prepare` run on it, e.g. to create a projection's tables) and one for
// reads.
struct StoreConnections {
  std::unique_ptr<Writer> writer;
  std::unique_ptr<Database> reader;
};
absl::StatusOr<StoreConnections> OpenStoreConnections(
    const std::string& path, const std::vector<Migration>& migrations, const OpenOptions& options,
    std::function<void(int)> on_commit,
    const std::function<absl::Status(Database&)>& prepare = nullptr);

}  // namespace olif::sqlite
