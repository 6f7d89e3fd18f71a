#include "services/common/sqlite/writer.h"
#include "services/common/sync/mutex.h"
#include "services/common/testing/testing.h"

#include <gtest/gtest.h>

#include <atomic>
#include <filesystem>
#include <future>
#include <numeric>
#include <thread>

#include "absl/strings/str_cat.h"

namespace olif::sqlite {
namespace {

const std::vector<Migration> kSchema = {
    {1, "0001_items.sql", "CREATE TABLE items (n INTEGER PRIMARY KEY);"}};

class WriterTest : public testing::Test {
 protected:
  void SetUp() override {
    path_ = (testing_util::FreshTestDir("writer") / "test.db").string();
    auto db = Database::Open(path_, kSchema);
    ASSERT_TRUE(db.ok()) << db.status();
    writer_ = std::make_unique<Writer>(
        std::move(*db),
        WriterOptions{.max_group = 64, .on_commit = [this](int n) { committed_units_ += n; }});
  }

  static Writer::Work Insert(int n) {
    return [n](Database& db) -> absl::Status {
      return db.Exec(absl::StrCat("INSERT INTO items (n) VALUES (", n, ")"));
    };
  }

  // Holds the writer inside a unit of its own until `gate` opens, so that
  // what is submitted meanwhile queues up behind it as one group.
  void HoldWriter(std::shared_future<void> gate) {
    auto entered = std::make_shared<std::promise<void>>();
    std::future<void> running = entered->get_future();
    writer_->Submit(
        [gate, entered](Database&) {
          entered->set_value();
          gate.wait();
          return absl::OkStatus();
        },
        [](const absl::Status&) {});
    running.wait();
  }

  // What a separate connection sees, i.e. what is committed.
  std::vector<int64_t> Committed() {
    auto db = Database::Open(path_, kSchema);
    EXPECT_TRUE(db.ok());
    std::vector<int64_t> out;
    EXPECT_TRUE((*(*db)->Prepare("SELECT n FROM items ORDER BY n"))
                    ->ForEachRow([&](const Statement& row) {
                      out.push_back(row.ColumnInt64(0));
                      return absl::OkStatus();
                    })
                    .ok());
    return out;
  }

  std::string path_;
  std::atomic<int> committed_units_{0};
  std::unique_ptr<Writer> writer_;
};

TEST_F(WriterTest, DoneRunsAfterTheCommitIsVisibleToOthers) {
  std::promise<std::vector<int64_t>> seen;
  writer_->Submit(Insert(1), [&](const absl::Status& s) {
    EXPECT_TRUE(s.ok()) << s;
    seen.set_value(Committed());
  });
  EXPECT_EQ(seen.get_future().get(), std::vector<int64_t>{1});
}

TEST_F(WriterTest, UnitsWaitingTogetherShareOneTransaction) {
  std::promise<void> release;
  std::shared_future<void> gate = release.get_future().share();
  // The writer is held until twenty units are queued behind it.
  HoldWriter(gate);
  olif::Mutex results_mu;
  std::vector<std::future<absl::Status>> results;  // filled under results_mu
  std::vector<std::thread> submitters;
  for (int t = 0; t < 4; ++t) {
    submitters.emplace_back([&, t] {
      for (int i = 1; i <= 5; ++i) {
        auto p = std::make_shared<std::promise<absl::Status>>();
        {
          olif::MutexLock lock(&results_mu);
          results.push_back(p->get_future());
        }
        writer_->Submit(Insert(t * 10 + i), [p](const absl::Status& s) { p->set_value(s); });
      }
    });
  }
  for (auto& s : submitters) s.join();
  release.set_value();
  for (auto& r : results) EXPECT_TRUE(r.get().ok());

  EXPECT_EQ(Committed().size(), 20u);
  const Writer::Stats stats = writer_->stats();
  EXPECT_EQ(stats.units, 21u);
  EXPECT_EQ(stats.transactions, 2u) << "the twenty queued units committed together";
  EXPECT_EQ(stats.largest_group, 20u);
  EXPECT_EQ(committed_units_, 21);
}

TEST_F(WriterTest, AFailingUnitIsRolledBackAloneAndItsNeighboursCommit) {
  std::promise<void> release;
  std::shared_future<void> gate = release.get_future().share();
  HoldWriter(gate);
  std::promise<absl::Status> a, b, c;
  writer_->Submit(Insert(1), [&](const absl::Status& s) { a.set_value(s); });
  writer_->Submit(
      [](Database& db) -> absl::Status {
        // Writes, then fails: the write must not survive.
        if (absl::Status s = db.Exec("INSERT INTO items (n) VALUES (2)"); !s.ok()) return s;
        return absl::FailedPreconditionError("request changed meanwhile");
      },
      [&](const absl::Status& s) { b.set_value(s); });
  writer_->Submit(Insert(1), [&](const absl::Status& s) { c.set_value(s); });  // duplicate key
  std::promise<absl::Status> d;
  writer_->Submit(Insert(3), [&](const absl::Status& s) { d.set_value(s); });
  release.set_value();
  EXPECT_TRUE(a.get_future().get().ok());
  EXPECT_EQ(b.get_future().get().code(), absl::StatusCode::kFailedPrecondition);
  EXPECT_EQ(c.get_future().get().code(), absl::StatusCode::kAlreadyExists);
  EXPECT_TRUE(d.get_future().get().ok());
  EXPECT_EQ(Committed(), (std::vector<int64_t>{1, 3}));
  EXPECT_EQ(writer_->stats().transactions, 2u);
}

TEST_F(WriterTest, DestructionFinishesEverythingSubmitted) {
  std::atomic<int> done{0};
  for (int i = 1; i <= 100; ++i) {
    writer_->Submit(Insert(i), [&](const absl::Status& s) {
      EXPECT_TRUE(s.ok());
      ++done;
    });
  }
  writer_.reset();
  EXPECT_EQ(done, 100);
  EXPECT_EQ(Committed().size(), 100u);
}

TEST_F(WriterTest, RunWaitsForTheOutcome) {
  EXPECT_TRUE(writer_->Run(Insert(7)).ok());
  EXPECT_EQ(writer_->Run(Insert(7)).code(), absl::StatusCode::kAlreadyExists);
  EXPECT_EQ(Committed(), std::vector<int64_t>{7});
}

TEST_F(WriterTest, ChangeSaysHowManyRowsItChanged) {
  for (int n : {1, 2, 3, 4}) ASSERT_TRUE(writer_->Run(Insert(n)).ok());
  auto bind_limit = [](Statement& stmt) { stmt.Bind(1, int64_t{3}); };
  EXPECT_EQ(*writer_->Change("DELETE FROM items WHERE n < ?1", bind_limit), 2);
  EXPECT_EQ(*writer_->Change("DELETE FROM items WHERE n < ?1", bind_limit), 0);
  EXPECT_EQ(Committed(), (std::vector<int64_t>{3, 4}));
  EXPECT_EQ(writer_->Change("DELETE FROM nowhere", [](Statement&) {}).status().code(),
            absl::StatusCode::kInternal);
}

TEST_F(WriterTest, CompletionsRunInSubmissionOrderOffTheWriterThread) {
  std::vector<int> order;
  std::thread::id writer_thread, done_thread;
  olif::Mutex mu;
  for (int i = 1; i <= 200; ++i) {
    writer_->Submit(
        [i, &writer_thread](Database& db) {
          writer_thread = std::this_thread::get_id();
          return Insert(i)(db);
        },
        [i, &order, &done_thread, &mu](const absl::Status& s) {
          EXPECT_TRUE(s.ok());
          olif::MutexLock lock(&mu);
          done_thread = std::this_thread::get_id();
          order.push_back(i);
        });
  }
  writer_.reset();
  std::vector<int> expected(200);
  std::iota(expected.begin(), expected.end(), 1);
  EXPECT_EQ(order, expected);
  EXPECT_NE(writer_thread, done_thread) << "a completion held up the writer";
}

TEST(WriterCheckpointTest, TheLogIsCopiedBesideTheWriterAndStaysBounded) {
  const std::string path = (testing_util::FreshTestDir("writer-checkpoint") / "t.db").string();
  auto db = Database::Open(path, {{1, "0001_blobs.sql", "CREATE TABLE blobs (b BLOB);"}});
  ASSERT_TRUE(db.ok()) << db.status();
  Writer writer(std::move(*db), WriterOptions{.checkpoint_pages = 16});
  // 2,000 commits of 8 KiB each: 4,000 pages at least (16 MiB) pass through
  // the log.
  for (int i = 0; i < 2000; ++i) {
    ASSERT_TRUE(writer
                    .Run([](Database& d) {
                      auto insert = d.Prepare("INSERT INTO blobs (b) VALUES (zeroblob(8192))");
                      if (!insert.ok()) return insert.status();
                      return (*insert)->Run();
                    })
                    .ok());
  }
  EXPECT_GT(writer.stats().checkpoints, 0u);
  // Without checkpoints the log would hold every page written (over 16 MiB);
  // restarted after checkpoints, it stays far below that (near 8 x 16 pages
  // when nothing else runs; the margin is for a busy machine, where the
  // checkpoint thread may wait a while and the log's high-water mark rise).
  EXPECT_LT(std::filesystem::file_size(path + "-wal"), 6u << 20);
}

}  // namespace
}  // namespace olif::sqlite
