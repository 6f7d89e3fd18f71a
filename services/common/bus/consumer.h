#pragma once

// The consumer side of the bus: fetches a producer's events and applies each
// exactly once in effect, in producer order, across crashes of either side.
//
// A batch is applied in one transaction (through the process's Writer) that
// also advances the durable cursor and records each event id as processed; a
// redelivered event is skipped. Only then is the batch acknowledged. A Fetch
// not answered within its wait plus `reply_grace` means the producer is gone:
// the socket is replaced and the next Fetch starts again from the cursor. A
// batch that does not follow the cursor is refused and reported, never
// applied; while a batch is being applied the Fetch for the next one is
// already on its way (sent "ahead", which the producer does not take as an
// acknowledgement), and its answer is used only once the cursor is there; a producer that pruned
// past the cursor is reported and retried, never skipped.
//
// Thread-safe: the socket and the fetching live on the consumer's thread; the
// handler runs on the Writer's thread inside the transaction.

#include <atomic>
#include <functional>
#include <memory>
#include <optional>
#include <string>
#include <thread>
#include <vector>

#include <zmq.hpp>

#include "absl/base/thread_annotations.h"
#include "absl/status/status.h"
#include "absl/status/statusor.h"
#include "absl/time/time.h"
#include "olifantenpad/admin/v1/admin.pb.h"
#include "olifantenpad/bus/v1/bus.pb.h"
#include "olifantenpad/common/v1/event.pb.h"
#include "services/common/audit/audit.h"
#include "services/common/bus/signal.h"
#include "services/common/metrics/metrics.h"
#include "services/common/sqlite/writer.h"
#include "services/common/sync/mutex.h"

namespace olif::bus {

// Applies one event inside the consumer's transaction. An error rolls the
// whole batch back; it is retried after a pause.
class EventHandler {
 public:
  virtual ~EventHandler() = default;
  virtual absl::Status Apply(sqlite::Database& db,
                             const olifantenpad::common::v1::EventEnvelope& event) = 0;
};

// An EventHandler that hands each event to `apply` with a store's
// transaction type `Txn` made on the consumer's connection (a store's
// ConsumerHandler), so a service applies events through the same interface
// its writes use.
template <typename Txn, typename TxnInterface = Txn>
class TransactionHandler final : public EventHandler {
 public:
  using Fn =
      std::function<absl::Status(TxnInterface&, const olifantenpad::common::v1::EventEnvelope&)>;
  explicit TransactionHandler(Fn apply) : apply_(std::move(apply)) {}
  absl::Status Apply(sqlite::Database& db,
                     const olifantenpad::common::v1::EventEnvelope& event) override {
    Txn txn(db);
    return apply_(txn, event);
  }

 private:
  Fn apply_;
};

struct ConsumerOptions {
  std::string name;                 // this consumer's name, as configured at the producer
  std::string producer;             // the producer's name
  std::string endpoint;             // the producer's endpoint
  std::vector<std::string> topics;  // empty: all
  int max_batch = 500;
  int wait_ms = 1000;         // long-poll wait asked of the producer
  int reply_grace_ms = 3000;  // on top of wait_ms before the producer counts as gone
  int retry_pause_ms = 500;   // after an error, before fetching again
  // CURVE (all three or none, Z85): the producer's public key and this
  // consumer's key pair. None: plaintext.
  std::string curve_server_key;
  std::string curve_public_key;
  std::string curve_secret_key;
};

// The replays recorded in `db` (a consumer's database; its bus_replays
// table), as audit lines matching `query`, newest first: actor who, action
// "replay", object the producer, reason why with the cursor's move. None
// when no consumer ever ran on `db`.
absl::StatusOr<std::vector<audit::Entry>> Replays(sqlite::Database& db, const audit::Query& query);

class Consumer {
 public:
  // `writer` and `handler` must outlive the consumer.
  Consumer(ConsumerOptions options, sqlite::Writer& writer, EventHandler& handler,
           metrics::Registry& metrics);
  ~Consumer();

  // Creates the bus tables when missing, reads the cursor and starts fetching.
  absl::Status Start();
  void Stop();

  void FillStatus(olifantenpad::admin::v1::GetStatusResponse* status) const;
  int64_t cursor() const { return cursor_.load(); }
  const std::string& producer() const { return options_.producer; }

  // Moves the cursor so that the next Fetch asks for the events from
  // `from_seq` on (an operator's replay): events from there are applied again
  // (their ids are forgotten as processed), and events before it that were
  // never applied are stepped over. Done on the consumer's thread between
  // batches, in one transaction with a row in bus_replays (who, why, from
  // where to where). Returns the cursor it replaced. INVALID_ARGUMENT for a
  // seq below 1 or a missing who/why; UNAVAILABLE when the consumer is not
  // running or did not get to it within `timeout`.
  absl::StatusOr<int64_t> Replay(int64_t from_seq, const std::string& who, const std::string& why,
                                 absl::Duration timeout = absl::Seconds(10));

 private:
  // The loop: fetch, await the reply, take it (apply a batch), acknowledge.
  void Loop();
  // Asks for the events after `after_seq`; `ahead` while the batch ending
  // there is still being applied.
  void SendFetch(zmq::socket_t& socket, uint64_t request_no, int64_t after_seq, bool ahead);
  void Send(zmq::socket_t& socket, const olifantenpad::bus::v1::ConsumerFrame& frame);
  struct Awaited {
    std::optional<olifantenpad::bus::v1::ProducerFrame> reply;  // none: timed out
    bool stopping = false;
  };
  // The answer to Fetch `request_no` (earlier answers are dropped), or none
  // within the wait plus the grace.
  Awaited AwaitReply(zmq::socket_t& socket, uint64_t request_no);
  // Applies a batch (or records the producer's error); an error means pause.
  absl::Status Take(const olifantenpad::bus::v1::ProducerFrame& reply);
  // Waits `ms`; true when asked to stop meanwhile.
  bool Pause(int ms);
  // Checks that `batch` follows the cursor; the error says how it does not.
  absl::Status CheckBatch(const olifantenpad::bus::v1::Batch& batch) const;
  absl::Status ApplyBatch(const olifantenpad::bus::v1::Batch& batch);
  void SetError(std::string error, bool behind_horizon = false);
  // Carries out a pending Replay (the loop thread's); true when one was done.
  bool RewindIfAsked();

  ConsumerOptions options_;
  sqlite::Writer& writer_;
  EventHandler& handler_;
  metrics::Registry& metrics_;
  Signal stop_;
  std::thread thread_;
  std::atomic<bool> started_{false};
  std::atomic<int64_t> cursor_{0};
  std::atomic<int64_t> head_{0};
  std::atomic<bool> connected_{false};
  // Ids of events before this seq are forgotten (the loop thread's).
  int64_t forgotten_below_ = 0;
  mutable olif::Mutex mu_;
  std::string last_error_ ABSL_GUARDED_BY(mu_);
  bool behind_horizon_ ABSL_GUARDED_BY(mu_) = false;
  // A replay asked for and not yet done, and its answer once done.
  struct ReplayAsk {
    int64_t from_seq = 0;
    std::string who;
    std::string why;
    bool taken = false;  // the loop is carrying it out
    bool done = false;
    absl::StatusOr<int64_t> previous = 0;
  };
  std::shared_ptr<ReplayAsk> replay_ ABSL_GUARDED_BY(mu_);
};

}  // namespace olif::bus
