#include "services/common/sqlite/writer.h"

#include <pthread.h>

#include <future>

#include "services/common/logging/logging.h"

namespace olif::sqlite {

Writer::Writer(std::unique_ptr<Database> db, WriterOptions options)
    : db_(std::move(db)), options_(std::move(options)) {
  if (options_.checkpoint_pages > 0 && db_->path() != ":memory:" && !db_->path().empty()) {
    // A second connection to the same file, with no migrations of its own.
    absl::StatusOr<std::unique_ptr<Database>> second = Database::Open(db_->path(), {});
    if (second.ok()) {
      checkpointer_ = std::move(*second);
      db_->TakeOverCheckpoints();
      checkpoint_thread_ = std::thread([this] { CheckpointLoop(); });
    } else {
      // SQLite's checkpoint inside COMMIT still keeps the log bounded.
      log::Warn("database checkpoints stay inside COMMIT",
                {{"database", db_->path()}, {"error", std::string(second.status().message())}});
    }
  }
  completion_thread_ = std::thread([this] { CompleteLoop(); });
  thread_ = std::thread([this] { Loop(); });
}

Writer::~Writer() {
  {
    olif::MutexLock lock(&mu_);
    stopping_ = true;
  }
  thread_.join();  // every unit submitted is committed and its completion queued
  {
    olif::MutexLock lock(&completion_mu_);
    completions_stop_ = true;
  }
  completion_thread_.join();
  if (checkpoint_thread_.joinable()) {
    {
      olif::MutexLock lock(&checkpoint_mu_);
      checkpoint_stop_ = true;
    }
    checkpoint_thread_.join();
  }
}

void Writer::Submit(Work work, Done done) {
  {
    olif::MutexLock lock(&mu_);
    if (!stopping_) {
      queue_.push_back({std::move(work), std::move(done)});
      return;
    }
  }
  done(absl::UnavailableError("the database writer is shutting down"));
}

absl::Status Writer::Run(Work work) {
  std::promise<absl::Status> result;
  std::future<absl::Status> future = result.get_future();
  Submit(std::move(work), [&result](const absl::Status& s) { result.set_value(Unshared(s)); });
  return future.get();
}

absl::StatusOr<int64_t> Writer::Change(const std::string& sql,
                                       const std::function<void(Statement&)>& bind) {
  int64_t changed = 0;
  absl::Status s = Run([&](Database& db) -> absl::Status {
    absl::StatusOr<Statement*> stmt = db.Prepare(sql);
    if (!stmt.ok()) return stmt.status();
    bind(**stmt);
    if (absl::Status run = (*stmt)->Run(); !run.ok()) return run;
    changed = db.Changes();
    return absl::OkStatus();
  });
  if (!s.ok()) return s;
  return changed;
}

Writer::Stats Writer::stats() const {
  olif::MutexLock lock(&mu_);
  return stats_;
}

void Writer::Loop() {
  pthread_setname_np(pthread_self(), "db-writer");
  while (true) {
    std::deque<Unit> group;
    {
      olif::MutexLock lock(&mu_);
      mu_.Await(this, &Writer::HasWorkOrStopping);
      if (queue_.empty()) return;  // stopping, and everything submitted is done
      while (!queue_.empty() && static_cast<int>(group.size()) < options_.max_group) {
        group.push_back(std::move(queue_.front()));
        queue_.pop_front();
      }
    }
    CommitGroup(group);
  }
}

void Writer::CommitGroup(std::deque<Unit>& group) {
  std::vector<absl::Status> outcomes(group.size());
  absl::Status commit = db_->WriteTransaction([&]() -> absl::Status {
    for (size_t i = 0; i < group.size(); ++i) {
      if (absl::Status s = db_->Run("SAVEPOINT unit"); !s.ok()) return s;
      outcomes[i] = group[i].work(*db_);
      // RELEASE keeps the unit's changes; ROLLBACK TO undoes them alone.
      if (!outcomes[i].ok()) {
        if (absl::Status s = db_->Run("ROLLBACK TO unit"); !s.ok()) return s;
      }
      if (absl::Status s = db_->Run("RELEASE unit"); !s.ok()) return s;
    }
    return absl::OkStatus();
  });
  int committed = 0;
  for (size_t i = 0; i < group.size(); ++i) {
    // A failed transaction or COMMIT means no unit of the group is durable.
    if (!commit.ok()) outcomes[i] = commit;
    if (outcomes[i].ok()) ++committed;
  }
  {
    olif::MutexLock lock(&mu_);
    ++stats_.transactions;
    stats_.units += group.size();
    stats_.largest_group = std::max<uint64_t>(stats_.largest_group, group.size());
  }
  if (commit.ok() && committed > 0 && options_.on_commit) options_.on_commit(committed);
  if (checkpointer_ != nullptr && db_->WalPages() >= options_.checkpoint_pages) {
    if (db_->WalPages() >= 8 * options_.checkpoint_pages) {
      // The log only starts again from its beginning when a checkpoint
      // copied all of it before the next write; under writes without pause
      // the checkpoint thread never quite gets there. Here, between two
      // transactions, it does, so the log stays bounded.
      if (absl::Status s = db_->CheckpointPassive(); !s.ok()) {
        log::Warn("database checkpoint failed",
                  {{"database", db_->path()}, {"error", std::string(s.message())}});
      }
    }
    olif::MutexLock lock(&checkpoint_mu_);
    checkpoint_due_ = true;
  }
  olif::MutexLock lock(&completion_mu_);
  for (size_t i = 0; i < group.size(); ++i) {
    completions_.push_back({std::move(group[i].done), std::move(outcomes[i])});
  }
}

void Writer::CompleteLoop() {
  pthread_setname_np(pthread_self(), "db-done");
  while (true) {
    std::deque<Completion> ready;
    {
      olif::MutexLock lock(&completion_mu_);
      completion_mu_.Await(this, &Writer::HasCompletionsOrStopped);
      if (completions_.empty()) return;  // stopped, and every completion ran
      ready.swap(completions_);
    }
    for (Completion& c : ready) c.done(c.status);
  }
}

void Writer::CheckpointLoop() {
  pthread_setname_np(pthread_self(), "db-checkpoint");
  while (true) {
    {
      olif::MutexLock lock(&checkpoint_mu_);
      checkpoint_mu_.Await(this, &Writer::CheckpointDueOrStopped);
      if (checkpoint_stop_) return;  // closing the last connection checkpoints
      checkpoint_due_ = false;
    }
    if (absl::Status s = checkpointer_->CheckpointPassive(); !s.ok()) {
      log::Warn("database checkpoint failed; the next commit asks again",
                {{"database", checkpointer_->path()}, {"error", std::string(s.message())}});
    }
    olif::MutexLock lock(&mu_);
    ++stats_.checkpoints;
  }
}

absl::StatusOr<StoreConnections> OpenStoreConnections(
    const std::string& path, const std::vector<Migration>& migrations, const OpenOptions& options,
    std::function<void(int)> on_commit, const std::function<absl::Status(Database&)>& prepare) {
  absl::StatusOr<std::unique_ptr<Database>> db = Database::Open(path, migrations, options);
  if (!db.ok()) return db.status();
  absl::StatusOr<std::unique_ptr<Database>> reader = Database::Open(path, {});
  if (!reader.ok()) return reader.status();
  if (prepare) {
    if (absl::Status s = prepare(**db); !s.ok()) return s;
  }
  StoreConnections c;
  c.writer =
      std::make_unique<Writer>(std::move(*db), WriterOptions{.on_commit = std::move(on_commit)});
  c.reader = std::move(*reader);
  return c;
}

}  // namespace olif::sqlite
