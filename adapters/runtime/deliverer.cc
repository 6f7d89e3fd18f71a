#include "adapters/runtime/deliverer.h"

#include <pthread.h>

#include <algorithm>

#include "services/common/logging/logging.h"

namespace olif::adapters {

Deliverer::Deliverer(DeliveryQueue& queue, std::string destination, Connector& connector,
                     const Clock& clock, metrics::Registry& metrics, DelivererOptions options)
    : queue_(queue),
      destination_(std::move(destination)),
      connector_(connector),
      clock_(clock),
      options_(options),
      delivered_(metrics.GetCounter("olif_adapter_deliveries_total", "Delivery attempts by result",
                                    {{"destination", destination_}, {"result", "delivered"}})),
      failed_(metrics.GetCounter("olif_adapter_deliveries_total", "Delivery attempts by result",
                                 {{"destination", destination_}, {"result", "failed"}})),
      dead_(metrics.GetCounter("olif_adapter_deliveries_total", "Delivery attempts by result",
                               {{"destination", destination_}, {"result", "dead_lettered"}})),
      depth_(metrics.GetGauge("olif_adapter_queue_depth", "Messages waiting to be delivered",
                              {{"destination", destination_}})),
      latency_(metrics.GetHistogram("olif_adapter_delivery_seconds",
                                    "Time one delivery attempt took",
                                    {{"destination", destination_}})) {}

Deliverer::~Deliverer() { Stop(); }

absl::Status Deliverer::Attempt(const Delivery& d) {
  const absl::Time at = clock_.Now();
  const absl::Time started = absl::Now();
  const SendResult result = connector_.Send(d);
  const absl::Duration took = absl::Now() - started;
  latency_.Observe(absl::ToDoubleSeconds(took));
  // The history line is written in the transaction that records the outcome,
  // and says what the attempt made of the message there (a failure may have
  // made it a dead letter).
  DeliveryQueue::Also remember = nullptr;
  if (options_.history != nullptr) {
    remember = [this, &d, &result, at, took](sqlite::Database& db, const Delivery& after) {
      const char* outcome = after.state == DeliveryState::kDelivered ? "delivered"
                            : after.state == DeliveryState::kDead    ? "dead_lettered"
                                                                     : "failed";
      return MessageHistory::RecordIn(db, Entry(d, result, outcome, at, took));
    };
  }
  if (result.ok) {
    delivered_.Inc();
    return queue_.Delivered(d.id, clock_.Now(), remember);
  }
  failed_.Inc();
  absl::StatusOr<Delivery> after =
      queue_.Failed(d.id, result.detail, result.retryable, clock_.Now(), remember);
  if (!after.ok()) return after.status();
  if (after->state == DeliveryState::kDead) {
    dead_.Inc();
    log::Warn("dead letter", {{"destination", destination_},
                              {"event_id", d.event_id},
                              {"attempts", std::to_string(after->attempts)},
                              {"error", result.detail}});
  }
  return absl::OkStatus();
}

absl::StatusOr<int> Deliverer::RunOnce() {
  absl::StatusOr<std::vector<Delivery>> due =
      queue_.Due(destination_, clock_.Now(), options_.batch);
  if (!due.ok()) return due.status();
  for (const Delivery& d : *due) {
    if (absl::Status s = Attempt(d); !s.ok()) return s;
  }
  if (absl::StatusOr<int64_t> depth = queue_.Depth(destination_); depth.ok()) {
    depth_.Set(static_cast<double>(*depth));
  }
  return static_cast<int>(due->size());
}

HistoryEntry Deliverer::Entry(const Delivery& d, const SendResult& result, const char* outcome,
                              absl::Time at, absl::Duration took) const {
  return HistoryEntry{.at = at,
                      .direction = "out",
                      .destination = destination_,
                      .key = d.key,
                      .event_id = d.event_id,
                      .topic = d.topic,
                      .outcome = outcome,
                      .detail = result.detail,
                      .sent = result.sent.empty() ? d.payload : result.sent,
                      .response = result.response,
                      .took = took};
}

void Deliverer::Start() {
  const int senders = std::max(1, options_.max_in_flight);
  for (int i = 0; i < senders; ++i) senders_.emplace_back([this] { Send(); });
  thread_ = std::thread([this] { Loop(); });
}

void Deliverer::Stop() {
  {
    olif::MutexLock lock(&mu_);
    stopping_ = true;
    woken_ = true;
  }
  if (thread_.joinable()) thread_.join();
  for (std::thread& t : senders_) t.join();
  senders_.clear();
}

void Deliverer::Wake() {
  olif::MutexLock lock(&mu_);
  woken_ = true;
}

void Deliverer::Loop() {
  pthread_setname_np(pthread_self(), "deliver");
  int free = 0;
  std::set<std::string> busy;
  for (;;) {
    {
      olif::MutexLock lock(&mu_);
      if (!woken_) mu_.AwaitWithTimeout(&woken_, options_.idle_poll);
      if (stopping_) return;
      woken_ = false;
      // Every sender busy: what is due now is looked at when one finishes.
      free = options_.max_in_flight - static_cast<int>(in_flight_.size());
      if (free <= 0) continue;
      finished_.clear();
      busy = in_flight_;
    }
    // Only as many as there are free senders, passing over the keys on their
    // way (a key finishing meanwhile is caught below).
    absl::StatusOr<std::vector<Delivery>> due =
        queue_.Due(destination_, clock_.Now(), free,
                   [&busy](const std::string& key) { return busy.count(key) != 0; });
    if (!due.ok()) {
      log::Error("delivery loop",
                 {{"destination", destination_}, {"error", std::string(due.status().message())}});
      continue;
    }
    // Counting what waits reads the whole backlog's index: at most every
    // 200 ms, not on every wake (thousands a second under load).
    if (const absl::Time now = absl::Now(); now - depth_counted_ >= absl::Milliseconds(200)) {
      depth_counted_ = now;
      if (absl::StatusOr<int64_t> depth = queue_.Depth(destination_); depth.ok()) {
        depth_.Set(static_cast<double>(*depth));
      }
    }
    olif::MutexLock lock(&mu_);
    for (Delivery& d : *due) {
      if (static_cast<int>(in_flight_.size()) >= options_.max_in_flight) break;
      // Its key's head is on its way, or was sent while Due was reading (so
      // what Due read of that key may be from before the outcome).
      if (finished_.count(d.key) != 0 || !in_flight_.insert(d.key).second) continue;
      ready_.push_back(std::move(d));
    }
  }
}

void Deliverer::Send() {
  pthread_setname_np(pthread_self(), "deliver-send");
  for (;;) {
    Delivery d;
    {
      olif::MutexLock lock(&mu_);
      mu_.Await(this, &Deliverer::WorkOrStopping);
      if (stopping_) return;  // what was not sent stays pending in the queue
      d = std::move(ready_.front());
      ready_.pop_front();
    }
    if (absl::Status s = Attempt(d); !s.ok()) {
      log::Error("delivery outcome not recorded; the message goes again",
                 {{"destination", destination_},
                  {"event_id", d.event_id},
                  {"error", std::string(s.message())}});
    }
    olif::MutexLock lock(&mu_);
    in_flight_.erase(d.key);
    finished_.insert(d.key);
    woken_ = true;  // the key's next message may be due now
  }
}

}  // namespace olif::adapters
