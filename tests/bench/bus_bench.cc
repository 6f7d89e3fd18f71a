// Bus benchmark: prints one table, every figure from this run on this machine.
//
//   1. floor   raw SQLite appends of the same outbox rows (WAL, synchronous=FULL)
//              at the group sizes the writer reaches
//   2. bus     events/s from producer commit to consumer-applied (both FULL),
//              with a window of unconfirmed events as RabbitMQ's publisher has; then p50/p99
//              latency at an offered rate
//   3. catch-up a consumer starting N events behind
//
// usage: bus_bench [--events N] [--window N] [--rate EVENTS_PER_S] [--seconds S] [--catchup N]
//                  [--dir DIR]

#include <algorithm>
#include <atomic>
#include <chrono>
#include <cstdio>
#include <filesystem>
#include <map>
#include <semaphore>
#include <string>
#include <thread>
#include <vector>

#include <google/protobuf/wrappers.pb.h>

#include "absl/strings/str_cat.h"
#include "absl/strings/str_format.h"
#include "services/common/bus/consumer.h"
#include "services/common/bus/producer.h"
#include "services/common/logging/logging.h"
#include "services/common/outbox/outbox.h"
#include "services/common/sync/mutex.h"

namespace olif::bench {
namespace {

using Clock = std::chrono::steady_clock;

const std::vector<sqlite::Migration> kOutbox = {{1, "0001_outbox.sql", olif::outbox::kTableSql}};
const std::vector<sqlite::Migration> kApplied = {
    {1, "0001_applied.sql",
     "CREATE TABLE applied (seq INTEGER PRIMARY KEY, event_id TEXT NOT NULL);"}};

// A payload the size of a RequestSubmitted with a typical question (~300 bytes).
const google::protobuf::StringValue& Payload() {
  static const auto* payload = [] {
    auto* p = new google::protobuf::StringValue();
    p->set_value(std::string(300, 'q'));
    return p;
  }();
  return *payload;
}

std::string Fresh(const std::filesystem::path& dir, const std::string& name) {
  for (const char* suffix : {"", "-wal", "-shm"}) std::filesystem::remove(dir / (name + suffix));
  return (dir / name).string();
}

double Seconds(Clock::duration d) { return std::chrono::duration<double>(d).count(); }

absl::Status AppendOne(sqlite::Database& db) {
  return outbox::Append(db, "bench",
                        {.topic = "bench.event", .payload = &Payload(), .occurred_at = absl::Now()})
      .status();
}

// 1. The floor: N appends in transactions of `group`, one connection, no bus.
double Floor(const std::filesystem::path& dir, int events, int group) {
  auto db = *sqlite::Database::Open(Fresh(dir, "floor.db"), kOutbox);
  const auto start = Clock::now();
  for (int done = 0; done < events; done += group) {
    absl::Status s = db->WriteTransaction([&]() -> absl::Status {
      for (int i = 0; i < group; ++i) {
        if (absl::Status e = AppendOne(*db); !e.ok()) return e;
      }
      return absl::OkStatus();
    });
    if (!s.ok()) std::fprintf(stderr, "floor: %s\n", std::string(s.message()).c_str());
  }
  return events / Seconds(Clock::now() - start);
}

// Records when each event was applied, in the consumer's transaction.
class Timer : public bus::EventHandler {
 public:
  absl::Status Apply(sqlite::Database& db,
                     const olifantenpad::common::v1::EventEnvelope& e) override {
    {
      olif::MutexLock lock(&mu_);
      applied_[e.seq()] = Clock::now();
    }
    auto insert = db.Prepare("INSERT INTO applied (seq, event_id) VALUES (?1, ?2)");
    if (!insert.ok()) return insert.status();
    return (*insert)->Bind(1, e.seq()).Bind(2, e.event_id()).Run();
  }
  std::map<int64_t, Clock::time_point> applied() {
    olif::MutexLock lock(&mu_);
    return applied_;
  }

 private:
  olif::Mutex mu_;
  std::map<int64_t, Clock::time_point> applied_ ABSL_GUARDED_BY(mu_);
};

// A producer and a consumer in one process, each with its own database.
struct Pair {
  Pair(const std::filesystem::path& dir, const std::string& tag, metrics::Registry& registry)
      : commits(std::make_shared<bus::Signal>()),
        producer_writer(*sqlite::Database::Open(Fresh(dir, tag + "-producer.db"), kOutbox),
                        {.on_commit = [c = commits](int) { c->Raise(); }}),
        consumer_writer(*sqlite::Database::Open(Fresh(dir, tag + "-consumer.db"), kApplied)),
        producer({.name = "bench",
                  .endpoint = "tcp://127.0.0.1:*",
                  .db_path = (dir / (tag + "-producer.db")).string(),
                  .consumers = {"bench-consumer"},
                  .commits = commits},
                 producer_writer, registry),
        registry_(registry) {}

  void StartConsumer() {
    consumer = std::make_unique<bus::Consumer>(bus::ConsumerOptions{.name = "bench-consumer",
                                                                    .producer = "bench",
                                                                    .endpoint = producer.endpoint(),
                                                                    .max_batch = 1000,
                                                                    .wait_ms = 1000},
                                               consumer_writer, timer, registry_);
    if (!consumer->Start().ok()) std::abort();
  }
  void WaitFor(int64_t seq) {
    while (consumer->cursor() < seq) std::this_thread::sleep_for(std::chrono::microseconds(200));
  }

  std::shared_ptr<bus::Signal> commits;
  sqlite::Writer producer_writer;
  sqlite::Writer consumer_writer;
  bus::Producer producer;
  Timer timer;
  std::unique_ptr<bus::Consumer> consumer;
  metrics::Registry& registry_;
};

int Flag(const std::map<std::string, std::string>& flags, const std::string& name, int fallback) {
  auto it = flags.find(name);
  return it == flags.end() ? fallback : std::atoi(it->second.c_str());
}

// 2a. Throughput: one publisher keeps at most `window` events submitted and
// not yet durable (as RabbitMQ's publisher keeps unconfirmed messages in
// rabbitmq_bench), one event per unit; the writer groups them.
// Prints the rate beside the floor nearest its commit size; returns the rate.
double Throughput(const std::filesystem::path& dir, int events, int window,
                  metrics::Registry& registry, const std::map<int, double>& floor) {
  Pair pair(dir, "throughput", registry);
  if (!pair.producer.Start().ok()) return 0;
  pair.StartConsumer();
  const auto start = Clock::now();
  std::counting_semaphore<> unconfirmed(window);
  for (int i = 0; i < events; ++i) {
    unconfirmed.acquire();
    pair.producer_writer.Submit([](sqlite::Database& db) { return AppendOne(db); },
                                [&unconfirmed](const absl::Status&) { unconfirmed.release(); });
  }
  pair.WaitFor(events);
  const double rate = events / Seconds(Clock::now() - start);
  const auto stats = pair.producer_writer.stats();
  pair.consumer->Stop();
  pair.producer.Stop();
  const double group_size =
      static_cast<double>(stats.units) / std::max<uint64_t>(1, stats.transactions);
  const int nearest = group_size < 8 ? 1 : group_size < 40 ? 16 : group_size < 160 ? 64 : 256;
  std::printf("%-58s %14.0f %10.2f\n",
              absl::StrFormat("2. bus: commit -> consumer-applied, %d unconfirmed (%.0f/commit)",
                              window, group_size)
                  .c_str(),
              rate, rate / floor.at(nearest));
  return rate;
}

// 2b. Latency at an offered rate: one event every 1/rate s for `seconds`.
void Latency(const std::filesystem::path& dir, int rate, int seconds, metrics::Registry& registry) {
  Pair pair(dir, "latency", registry);
  if (!pair.producer.Start().ok()) return;
  pair.StartConsumer();
  const int n = rate * seconds;
  std::vector<Clock::time_point> submitted(n + 1);
  std::atomic<int> done{0};
  const auto start = Clock::now();
  for (int i = 1; i <= n; ++i) {
    std::this_thread::sleep_until(start + std::chrono::nanoseconds(int64_t{1000000000} * i / rate));
    submitted[i] = Clock::now();
    pair.producer_writer.Submit([](sqlite::Database& db) { return AppendOne(db); },
                                [&done](const absl::Status&) { ++done; });
  }
  pair.WaitFor(n);
  // Seqs follow submission order: the writer is FIFO.
  std::vector<double> ms;
  for (const auto& [seq, at] : pair.timer.applied()) {
    if (seq >= 1 && seq <= n) ms.push_back(Seconds(at - submitted[seq]) * 1000);
  }
  std::sort(ms.begin(), ms.end());
  std::printf("%-58s %14s %10s\n",
              absl::StrFormat("2. bus latency at %d events/s offered (%d events)", rate, n).c_str(),
              absl::StrFormat("p50 %.1f ms", ms[ms.size() / 2]).c_str(),
              absl::StrFormat("p99 %.1f ms", ms[ms.size() * 99 / 100]).c_str());
  pair.consumer->Stop();
  pair.producer.Stop();
}

// 3. Catch-up: the consumer starts `catchup` events behind.
void CatchUp(const std::filesystem::path& dir, int catchup, metrics::Registry& registry,
             const std::map<int, double>& floor) {
  Pair pair(dir, "catchup", registry);
  (void)pair.producer_writer.Run([&](sqlite::Database& db) -> absl::Status {
    for (int i = 0; i < catchup; ++i) {
      if (absl::Status s = AppendOne(db); !s.ok()) return s;
    }
    return absl::OkStatus();
  });
  if (!pair.producer.Start().ok()) return;
  const auto start = Clock::now();
  pair.StartConsumer();
  pair.WaitFor(catchup);
  const double catchup_rate = catchup / Seconds(Clock::now() - start);
  std::printf("%-58s %14.0f %10.2f\n",
              absl::StrCat("3. catch-up: consumer ", catchup, " events behind").c_str(),
              catchup_rate, catchup_rate / floor.at(256));
  pair.consumer->Stop();
  pair.producer.Stop();
}

}  // namespace
}  // namespace olif::bench

int main(int argc, char** argv) {
  using namespace olif::bench;
  std::map<std::string, std::string> flags;
  for (int i = 1; i + 1 < argc; i += 2) flags[argv[i]] = argv[i + 1];
  const int events = Flag(flags, "--events", 20000);
  const std::filesystem::path dir = flags.count("--dir")
                                        ? std::filesystem::path(flags["--dir"])
                                        : std::filesystem::temp_directory_path() / "olif-bus-bench";
  std::filesystem::create_directories(dir);
  olifantenpad::config::v1::LoggingConfig quiet;
  quiet.set_level(olifantenpad::config::v1::LOG_LEVEL_ERROR);
  olif::log::Init("bench", quiet);
  olif::metrics::Registry registry;

  std::printf("%-58s %14s %10s\n", "measure", "events/s", "vs floor");
  std::map<int, double> floor;
  for (int group : {1, 16, 64, 256}) {
    const int n = group == 1 ? std::min(events, 2000) : events;
    floor[group] = Floor(dir, n, group);
    std::printf("%-58s %14.0f %10s\n",
                absl::StrCat("1. floor: SQLite appends, ", group, " per transaction").c_str(),
                floor[group], "1.00");
  }
  const double bus_rate = Throughput(dir, events, Flag(flags, "--window", 256), registry, floor);
  if (bus_rate == 0) return 1;
  Latency(dir, Flag(flags, "--rate", 2000), Flag(flags, "--seconds", 5), registry);
  CatchUp(dir, Flag(flags, "--catchup", 1000000), registry, floor);
  std::filesystem::remove_all(dir);
  // For run.sh, which sets the RabbitMQ figure beside this one.
  std::printf("bus_events_per_s=%.0f\n", bus_rate);
  return 0;
}
