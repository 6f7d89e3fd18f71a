// The bus across processes: producer and consumer as separate processes,
// killed with SIGKILL at random moments, restarted, and checked at the end:
// every event applied exactly once, in order.

#include <arpa/inet.h>
#include <netinet/in.h>
#include <signal.h>
#include <spawn.h>
#include <sys/socket.h>
#include <sys/wait.h>
#include <unistd.h>

#include <gtest/gtest.h>

#include <filesystem>
#include <random>
#include <thread>

#include "absl/strings/str_cat.h"
#include "absl/time/clock.h"
#include "services/common/sqlite/database.h"
#include "services/common/testing/testing.h"

extern char** environ;

namespace olif::bus {
namespace {

// A free loopback port: bound, read, released (the peer binds it again).
int FreePort() {
  const int fd = socket(AF_INET, SOCK_STREAM, 0);
  sockaddr_in addr{};
  addr.sin_family = AF_INET;
  addr.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
  bind(fd, reinterpret_cast<sockaddr*>(&addr), sizeof addr);
  socklen_t len = sizeof addr;
  getsockname(fd, reinterpret_cast<sockaddr*>(&addr), &len);
  close(fd);
  return ntohs(addr.sin_port);
}

class Peer {
 public:
  explicit Peer(std::vector<std::string> args) : args_(std::move(args)) {}
  ~Peer() { Kill(SIGKILL); }
  void Start() {
    std::vector<char*> argv;
    for (auto& a : args_) argv.push_back(a.data());
    argv.push_back(nullptr);
    ASSERT_EQ(posix_spawn(&pid_, argv[0], nullptr, nullptr, argv.data(), environ), 0);
  }
  void Kill(int sig) {
    if (pid_ <= 0) return;
    kill(pid_, sig);
    int status = 0;
    waitpid(pid_, &status, 0);
    pid_ = 0;
  }
  bool running() const { return pid_ > 0; }

 private:
  std::vector<std::string> args_;
  pid_t pid_ = 0;
};

// Reads one integer from a database another process writes (WAL allows it).
int64_t ReadInt(const std::string& path, const std::string& sql) {
  if (!std::filesystem::exists(path)) return 0;
  auto db = sqlite::Database::Open(path, {});
  if (!db.ok()) return 0;
  auto stmt = (*db)->Prepare(sql);
  if (!stmt.ok()) return 0;  // table not created yet
  int64_t v = 0;
  (void)(*stmt)->ReadOne([&](const sqlite::Statement& r) { v = r.ColumnInt64(0); });
  return v;
}

class BusCrashTest : public testing::Test {
 protected:
  void SetUp() override {
    dir_ = testing_util::FreshTestDir("bus_crash");
    endpoint_ = absl::StrCat("tcp://127.0.0.1:", FreePort());
  }
  void TearDown() override { std::filesystem::remove_all(dir_); }

  std::string producer_db() const { return (dir_ / "producer.db").string(); }
  std::string consumer_db() const { return (dir_ / "consumer.db").string(); }
  int64_t ProducerHead() const {
    return ReadInt(producer_db(), "SELECT COALESCE(MAX(seq), 0) FROM outbox");
  }
  int64_t ConsumerCursor() const {
    return ReadInt(consumer_db(), "SELECT COALESCE(MAX(last_seq), 0) FROM bus_cursors");
  }

  std::unique_ptr<Peer> Producer(int64_t target, int chunk = 50) {
    return std::make_unique<Peer>(std::vector<std::string>{
        OLIF_BUS_PEER, "producer", "--db", producer_db(), "--endpoint", endpoint_, "--target",
        std::to_string(target), "--chunk", std::to_string(chunk)});
  }
  std::unique_ptr<Peer> Consumer(std::vector<std::string> extra = {}) {
    std::vector<std::string> args = {OLIF_BUS_PEER, "consumer",   "--db",
                                     consumer_db(), "--endpoint", endpoint_};
    args.insert(args.end(), extra.begin(), extra.end());
    return std::make_unique<Peer>(args);
  }

  // Waits, bounded, for the consumer's cursor to reach `seq`.
  bool WaitForConsumer(int64_t seq, absl::Duration limit) {
    const absl::Time until = absl::Now() + limit;
    while (absl::Now() < until) {
      if (ConsumerCursor() >= seq) return true;
      std::this_thread::sleep_for(std::chrono::milliseconds(50));
    }
    return ConsumerCursor() >= seq;
  }

  // Every event 1..n applied exactly once, in order, with the producer's ids.
  void ExpectExactlyOnceInOrder(int64_t n) {
    auto consumer = sqlite::Database::Open(consumer_db(), {});
    auto producer = sqlite::Database::Open(producer_db(), {});
    ASSERT_TRUE(consumer.ok() && producer.ok());
    std::vector<std::pair<int64_t, std::string>> applied;
    ASSERT_TRUE((*(*consumer)->Prepare("SELECT seq, event_id FROM applied ORDER BY n"))
                    ->ForEachRow([&](const sqlite::Statement& r) {
                      applied.emplace_back(r.ColumnInt64(0), r.ColumnText(1));
                      return absl::OkStatus();
                    })
                    .ok());
    ASSERT_EQ(static_cast<int64_t>(applied.size()), n) << "each event applied once";
    auto ids = (*producer)->Prepare("SELECT event_id FROM outbox WHERE seq = ?1");
    ASSERT_TRUE(ids.ok());
    for (int64_t i = 0; i < n; ++i) {
      ASSERT_EQ(applied[i].first, i + 1) << "in producer order";
      std::string id;
      (void)(*ids)->Bind(1, i + 1).ReadOne(
          [&](const sqlite::Statement& r) { id = r.ColumnText(0); });
      ASSERT_EQ(applied[i].second, id) << "seq " << i + 1;
    }
  }

  std::filesystem::path dir_;
  std::string endpoint_;
};

TEST_F(BusCrashTest, SurvivesRandomKillsOfBothSidesWithEveryEventAppliedOnceInOrder) {
  constexpr int64_t kEvents = 50000;
  constexpr int kMinKills = 20;
  std::mt19937 rng(std::random_device{}());
  auto producer = Producer(kEvents, 25);
  auto consumer = Consumer();
  producer->Start();
  consumer->Start();
  int kills = 0;
  const absl::Time give_up = absl::Now() + absl::Seconds(240);
  // Kill until both the kill count and the producer's last event are reached,
  // so that kills land while events are still being committed and consumed.
  while ((kills < kMinKills || ProducerHead() < kEvents) && absl::Now() < give_up) {
    std::this_thread::sleep_for(
        std::chrono::milliseconds(std::uniform_int_distribution<>(50, 400)(rng)));
    Peer& victim = std::uniform_int_distribution<>(0, 1)(rng) ? *producer : *consumer;
    victim.Kill(SIGKILL);
    ++kills;
    std::this_thread::sleep_for(
        std::chrono::milliseconds(std::uniform_int_distribution<>(0, 300)(rng)));
    victim.Start();
  }
  ASSERT_GE(kills, kMinKills);
  ASSERT_EQ(ProducerHead(), kEvents) << "the producer finished within the time limit";
  ASSERT_TRUE(WaitForConsumer(kEvents, absl::Seconds(120)))
      << "consumer at " << ConsumerCursor() << " of " << kEvents;
  producer->Kill(SIGTERM);
  consumer->Kill(SIGTERM);
  ExpectExactlyOnceInOrder(kEvents);
  std::printf("kills: %d\n", kills);
}

TEST_F(BusCrashTest, ASlowConsumerLosesNothing) {
  constexpr int64_t kEvents = 3000;
  auto producer = Producer(kEvents, 200);
  auto consumer = Consumer({"--apply-delay-ms", "1", "--max-batch", "50"});
  producer->Start();
  consumer->Start();
  ASSERT_TRUE(WaitForConsumer(kEvents, absl::Seconds(120)));
  producer->Kill(SIGTERM);
  consumer->Kill(SIGTERM);
  ExpectExactlyOnceInOrder(kEvents);
}

TEST_F(BusCrashTest, AConsumerResumesByItselfAfterTheProducerWasDownTwentySeconds) {
  auto producer = Producer(1000, 100);
  auto consumer = Consumer();
  producer->Start();
  consumer->Start();
  ASSERT_TRUE(WaitForConsumer(1000, absl::Seconds(60)));
  producer->Kill(SIGKILL);
  std::this_thread::sleep_for(std::chrono::seconds(20));
  // Back with more to send; the consumer was never restarted.
  producer = Producer(2000, 100);
  producer->Start();
  ASSERT_TRUE(WaitForConsumer(2000, absl::Seconds(60)));
  producer->Kill(SIGTERM);
  consumer->Kill(SIGTERM);
  ExpectExactlyOnceInOrder(2000);
}

}  // namespace
}  // namespace olif::bus
