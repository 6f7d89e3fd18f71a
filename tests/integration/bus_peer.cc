// One side of the bus as its own process, for the multi-process tests.
//
//   bus_test_peer producer --db FILE --endpoint tcp://127.0.0.1:PORT --target N [--chunk K]
//     appends events (in transactions of K) until the outbox holds N, serving
//     them to the consumer "crash-consumer" until SIGTERM.
//   bus_test_peer consumer --db FILE --endpoint ... [--apply-delay-ms MS] [--max-batch B]
//     applies the events into table `applied` (seq, event_id), in order, until SIGTERM.
//
// Both may be killed at any moment; they resume from their databases.

#include <signal.h>

#include <cstdio>
#include <cstdlib>
#include <map>
#include <string>
#include <thread>

#include <google/protobuf/wrappers.pb.h>

#include "absl/strings/str_cat.h"
#include "services/common/bus/consumer.h"
#include "services/common/bus/producer.h"
#include "services/common/logging/logging.h"
#include "services/common/outbox/outbox.h"

namespace {

using olif::sqlite::Database;

const std::vector<olif::sqlite::Migration> kProducerSchema = {
    {1, "0001_outbox.sql", olif::outbox::kTableSql}};
const std::vector<olif::sqlite::Migration> kConsumerSchema = {
    {1, "0001_applied.sql",
     "CREATE TABLE applied (n INTEGER PRIMARY KEY AUTOINCREMENT, seq INTEGER NOT NULL,"
     " event_id TEXT NOT NULL);"}};

int WaitForTermination() {
  sigset_t set;
  sigemptyset(&set);
  sigaddset(&set, SIGTERM);
  sigaddset(&set, SIGINT);
  int sig = 0;
  sigwait(&set, &sig);
  return 0;
}

class Applier : public olif::bus::EventHandler {
 public:
  explicit Applier(int delay_ms) : delay_ms_(delay_ms) {}
  absl::Status Apply(Database& db, const olifantenpad::common::v1::EventEnvelope& e) override {
    if (delay_ms_ > 0) std::this_thread::sleep_for(std::chrono::milliseconds(delay_ms_));
    auto insert = db.Prepare("INSERT INTO applied (seq, event_id) VALUES (?1, ?2)");
    if (!insert.ok()) return insert.status();
    return (*insert)->Bind(1, e.seq()).Bind(2, e.event_id()).Run();
  }

 private:
  int delay_ms_;
};

int Fail(const std::string& what) {
  std::fprintf(stderr, "bus_test_peer: %s\n", what.c_str());
  return 1;
}

}  // namespace

int main(int argc, char** argv) {
  sigset_t set;
  sigemptyset(&set);
  sigaddset(&set, SIGTERM);
  sigaddset(&set, SIGINT);
  pthread_sigmask(SIG_BLOCK, &set, nullptr);  // before any thread starts
  if (argc < 2) return Fail("usage: bus_test_peer producer|consumer --db FILE --endpoint E ...");
  const std::string mode = argv[1];
  std::map<std::string, std::string> flags;
  for (int i = 2; i + 1 < argc; i += 2) flags[argv[i]] = argv[i + 1];
  const std::string db_path = flags["--db"];
  const std::string endpoint = flags["--endpoint"];
  olifantenpad::config::v1::LoggingConfig logging;
  logging.set_level(olifantenpad::config::v1::LOG_LEVEL_WARN);
  olif::log::Init("bus_test_" + mode, logging);
  olif::metrics::Registry registry;

  if (mode == "producer") {
    const int64_t target = std::atoll(flags["--target"].c_str());
    const int chunk = flags.count("--chunk") ? std::atoi(flags["--chunk"].c_str()) : 50;
    auto db = Database::Open(db_path, kProducerSchema);
    if (!db.ok()) return Fail(std::string(db.status().message()));
    auto commits = std::make_shared<olif::bus::Signal>();
    olif::sqlite::Writer writer(std::move(*db),
                                {.on_commit = [commits](int) { commits->Raise(); }});
    olif::bus::Producer p({.name = "crash-producer",
                           .endpoint = endpoint,
                           .db_path = db_path,
                           .consumers = {"crash-consumer"},
                           .commits = commits},
                          writer, registry);
    if (absl::Status s = p.Start(); !s.ok()) return Fail(std::string(s.message()));
    std::thread appender([&] {
      while (true) {
        int64_t head = 0;
        absl::Status s = writer.Run([&](Database& d) -> absl::Status {
          auto stats = olif::outbox::GetStats(d);
          if (!stats.ok()) return stats.status();
          head = stats->head_seq;
          google::protobuf::Int64Value payload;
          for (int64_t k = head + 1; k <= std::min<int64_t>(target, head + chunk); ++k) {
            payload.set_value(k);
            auto e = olif::outbox::Append(
                d, "crash-producer",
                {.topic = "crash.event", .payload = &payload, .occurred_at = absl::Now()});
            if (!e.ok()) return e.status();
          }
          return absl::OkStatus();
        });
        if (!s.ok()) std::fprintf(stderr, "append failed: %s\n", std::string(s.message()).c_str());
        if (head + chunk >= target) return;
        std::this_thread::sleep_for(std::chrono::milliseconds(2));
      }
    });
    appender.detach();  // killed or finished; SIGTERM ends the process either way
    WaitForTermination();
    p.Stop();
    std::_Exit(0);  // the appender may still hold the writer
  }

  if (mode == "consumer") {
    auto db = Database::Open(db_path, kConsumerSchema);
    if (!db.ok()) return Fail(std::string(db.status().message()));
    olif::sqlite::Writer writer(std::move(*db));
    Applier applier(flags.count("--apply-delay-ms") ? std::atoi(flags["--apply-delay-ms"].c_str())
                                                    : 0);
    olif::bus::Consumer c(
        {.name = "crash-consumer",
         .producer = "crash-producer",
         .endpoint = endpoint,
         .max_batch = flags.count("--max-batch") ? std::atoi(flags["--max-batch"].c_str()) : 500,
         .wait_ms = 500,
         .reply_grace_ms = 1000,
         .retry_pause_ms = 100},
        writer, applier, registry);
    if (absl::Status s = c.Start(); !s.ok()) return Fail(std::string(s.message()));
    WaitForTermination();
    c.Stop();
    return 0;
  }
  return Fail("unknown mode " + mode);
}
