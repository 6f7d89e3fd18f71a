#include "services/common/sqlite/writer.h"

#include <future>

namespace olif::sqlite {

Writer::Writer(std::unique_ptr<Database> db, WriterOptions options)
    : db_(std::move(db)), options_(std::move(options)), thread_([this] { Loop(); }) {}

Writer::~Writer() {
  {
    olif::MutexLock lock(&mu_);
    stopping_ = true;
  }
  thread_.join();
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
      if (absl::Status s = db_->Exec("SAVEPOINT unit"); !s.ok()) return s;
      outcomes[i] = group[i].work(*db_);
      // RELEASE keeps the unit's changes; ROLLBACK TO undoes them alone.
      absl::Status end = outcomes[i].ok() ? db_->Exec("RELEASE unit")
                                          : db_->Exec("ROLLBACK TO unit; RELEASE unit");
      if (!end.ok()) return end;
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
  for (size_t i = 0; i < group.size(); ++i) group[i].done(outcomes[i]);
}

}  // namespace olif::sqlite
