#pragma once

// Delivers one destination's queue: takes what is due, hands each message to
// the destination's Connector, and records the outcome in the queue (which
// decides retry, backoff and dead letters) and in the message history, in
// one transaction. Messages of different keys go out independently, up to
// `max_in_flight` at once, each on a sender thread of its own; within a key
// one at a time, in order: a key stays in flight until its outcome is
// committed, and only then can its next message be due.
//
// The loop sleeps until Wake() (called when something was queued or made
// pending again), until a sender finishes, or until `idle_poll` passes (for
// retries whose time came).
//
// Metrics per destination: olif_adapter_deliveries_total{destination,result}
// (delivered, failed, dead_lettered), olif_adapter_delivery_seconds and the
// queue depth olif_adapter_queue_depth.
//
// Thread-safe: Start() runs the loop on a thread of its own; RunOnce() is for
// tests and tools that drive it by hand (not both at once).

#include <atomic>
#include <deque>
#include <set>
#include <string>
#include <thread>
#include <vector>

#include "absl/base/thread_annotations.h"
#include "adapters/runtime/delivery_queue.h"
#include "adapters/runtime/history.h"
#include "services/common/clock/clock.h"
#include "services/common/metrics/metrics.h"
#include "services/common/sync/mutex.h"

namespace olif::adapters {

// What came of one attempt to send.
struct SendResult {
  bool ok = false;
  // For a failure: whether trying again can help (network errors, 5xx, 429)
  // or not (other 4xx: the message itself is refused).
  bool retryable = true;
  // What the destination answered, or why nothing came back.
  std::string detail;
  // For the message history: what went out (the translated message) and the
  // response body that came back.
  std::string sent;
  std::string response;
};

// The transport to one destination. Send() may block up to its own timeout.
class Connector {
 public:
  virtual ~Connector() = default;
  // `delivery.event_id` is the idempotency key to send along.
  virtual SendResult Send(const Delivery& delivery) = 0;
};

struct DelivererOptions {
  absl::Duration idle_poll = absl::Milliseconds(200);
  int batch = 100;
  // Messages of different keys sent at once (the Connector must be
  // thread-safe when this is above 1).
  int max_in_flight = 8;
  // Where every attempt is recorded; none when null (it must outlive the deliverer).
  MessageHistory* history = nullptr;
};

class Deliverer {
 public:
  // `queue`, `connector`, `clock` and `metrics` must outlive the deliverer.
  Deliverer(DeliveryQueue& queue, std::string destination, Connector& connector, const Clock& clock,
            metrics::Registry& metrics, DelivererOptions options = {});
  ~Deliverer();

  void Start();
  void Stop();
  // Something was queued or became pending: look for what is due at once.
  void Wake();
  // Attempts everything due now, once; returns how many attempts were made,
  // or the queue's error.
  absl::StatusOr<int> RunOnce();

 private:
  void Loop();
  void Send();
  // One attempt: send, then record the outcome (queue and history, one commit).
  absl::Status Attempt(const Delivery& d);
  HistoryEntry Entry(const Delivery& d, const SendResult& result, const char* outcome,
                     absl::Time at, absl::Duration took) const;
  bool WorkOrStopping() const ABSL_EXCLUSIVE_LOCKS_REQUIRED(mu_) {
    return stopping_ || !ready_.empty();
  }

  DeliveryQueue& queue_;
  const std::string destination_;
  Connector& connector_;
  const Clock& clock_;
  DelivererOptions options_;
  metrics::Counter& delivered_;
  metrics::Counter& failed_;
  metrics::Counter& dead_;
  metrics::Gauge& depth_;
  metrics::Histogram& latency_;
  olif::Mutex mu_;
  bool stopping_ ABSL_GUARDED_BY(mu_) = false;
  bool woken_ ABSL_GUARDED_BY(mu_) = false;
  // Handed to the senders, not yet taken.
  std::deque<Delivery> ready_ ABSL_GUARDED_BY(mu_);
  // Keys handed out whose outcome is not yet committed.
  std::set<std::string> in_flight_ ABSL_GUARDED_BY(mu_);
  // Keys whose attempt finished since the loop last began to read what is
  // due: that reading may not show the outcome, so they wait for the next.
  std::set<std::string> finished_ ABSL_GUARDED_BY(mu_);
  absl::Time depth_counted_ = absl::InfinitePast();  // the loop thread's
  std::thread thread_;
  std::vector<std::thread> senders_;
};

}  // namespace olif::adapters
