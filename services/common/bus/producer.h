#pragma once

// The producer side of the bus: serves a process's outbox to its consumers
// over a ZeroMQ ROUTER socket with the pull protocol of
// proto/olifantenpad/bus/v1/bus.proto.
//
// It keeps its own read connection to the database (WAL lets it read while
// the service writes) and sends its few writes (consumer acks, pruning)
// through the process's Writer. Fetches that find nothing new are parked
// until Notify() reports a commit or their wait runs out. Retention prunes
// events every registered consumer acknowledged, once older than the window.
//
// Thread-safe: Notify() may be called from any thread (typically the
// Writer's on_commit). The socket lives on the producer's own thread.

#include <atomic>
#include <map>
#include <memory>
#include <set>
#include <string>
#include <thread>
#include <vector>

#include <zmq.hpp>

#include "absl/base/thread_annotations.h"
#include "absl/status/status.h"
#include "absl/time/time.h"
#include "olifantenpad/admin/v1/admin.pb.h"
#include "olifantenpad/bus/v1/bus.pb.h"
#include "services/common/bus/signal.h"
#include "services/common/clock/clock.h"
#include "services/common/metrics/metrics.h"
#include "services/common/sqlite/writer.h"
#include "services/common/sync/mutex.h"

namespace olif::bus {

struct ProducerOptions {
  std::string name;      // the producer's name, e.g. "referrals"
  std::string endpoint;  // e.g. "tcp://127.0.0.1:7402"; port 0 is not allowed by ZeroMQ, use "*"
  std::string db_path;   // the database holding the outbox
  // Consumers allowed to fetch; retention keeps what any of them still needs.
  std::vector<std::string> consumers;
  int max_batch = 1000;
  int max_wait_ms = 30000;                      // cap on a Fetch's wait_ms
  absl::Duration retention = absl::Hours(168);  // keep acknowledged events this long
  absl::Duration prune_every = absl::Minutes(1);
  // Raised when the process commits events (typically from the Writer's
  // on_commit): parked fetches are answered then. Shared, so that the writer
  // may outlive or predate the producer. Created when not given.
  std::shared_ptr<Signal> commits;
  // CURVE: the producer's secret key (Z85). Empty: plaintext, which the
  // config allows only on loopback in dev mode.
  std::string curve_secret_key;
  // CURVE: the consumers' public keys (Z85); only these may connect.
  std::set<std::string> curve_client_keys;
};

class Producer {
 public:
  Producer(ProducerOptions options, sqlite::Writer& writer, metrics::Registry& metrics,
           const Clock& clock = Clock::Real());
  ~Producer();

  // Creates the bus tables, registers the consumers, binds and starts serving.
  absl::Status Start();
  void Stop();

  // New events were committed: answer parked fetches.
  void Notify() { options_.commits->Raise(); }

  // The endpoint bound (with the real port when "tcp://host:*" was asked).
  std::string endpoint() const;

  // Head seq, rows and each consumer's acked seq and lag, for GetStatus.
  absl::Status FillStatus(olifantenpad::admin::v1::GetStatusResponse* status);

  // Prunes now (normally periodic); returns the number of events removed.
  absl::StatusOr<int64_t> Prune();

 private:
  struct Parked;
  void Loop();
  void Handle(const std::string& identity, const std::vector<std::string>& parts,
              std::vector<Parked>& parked);
  bool Serve(const std::string& identity, const olifantenpad::bus::v1::Fetch& fetch,
             bool deadline_passed);
  void Send(const std::string& identity, const olifantenpad::bus::v1::ProducerFrame& frame);
  void RecordAck(const std::string& consumer, int64_t seq);

  ProducerOptions options_;
  sqlite::Writer& writer_;
  metrics::Registry& metrics_;
  const Clock& clock_;
  Signal stop_;
  std::thread thread_;
  std::map<std::string, absl::Time> LastSeen() const {
    olif::MutexLock lock(&mu_);
    return last_seen_;
  }

  mutable olif::Mutex mu_;
  std::string bound_endpoint_ ABSL_GUARDED_BY(mu_);
  std::map<std::string, absl::Time> last_seen_ ABSL_GUARDED_BY(mu_);
  std::atomic<bool> started_{false};
  // Used on the producer thread only.
  std::shared_ptr<zmq::socket_t> socket_;
  std::unique_ptr<sqlite::Database> read_db_;
  std::map<std::string, int64_t> acked_;
};

}  // namespace olif::bus
