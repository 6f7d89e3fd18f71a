#include "adapters/runtime/deliverer.h"

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

absl::StatusOr<int> Deliverer::RunOnce() {
  absl::StatusOr<std::vector<Delivery>> due =
      queue_.Due(destination_, clock_.Now(), options_.batch);
  if (!due.ok()) return due.status();
  for (const Delivery& d : *due) {
    const absl::Time at = clock_.Now();
    const absl::Time started = absl::Now();
    const SendResult result = connector_.Send(d);
    const absl::Duration took = absl::Now() - started;
    latency_.Observe(absl::ToDoubleSeconds(took));
    absl::Status recorded;
    if (result.ok) {
      delivered_.Inc();
      recorded = queue_.Delivered(d.id, clock_.Now());
      Remember(d, result, "delivered", at, took);
    } else {
      failed_.Inc();
      absl::StatusOr<Delivery> after =
          queue_.Failed(d.id, result.detail, result.retryable, clock_.Now());
      recorded = after.status();
      const bool dead = after.ok() && after->state == DeliveryState::kDead;
      Remember(d, result, dead ? "dead_lettered" : "failed", at, took);
      if (dead) {
        dead_.Inc();
        log::Warn("dead letter", {{"destination", destination_},
                                  {"event_id", d.event_id},
                                  {"attempts", std::to_string(after->attempts)},
                                  {"error", result.detail}});
      }
    }
    if (!recorded.ok()) return recorded;
  }
  if (absl::StatusOr<int64_t> depth = queue_.Depth(destination_); depth.ok()) {
    depth_.Set(static_cast<double>(*depth));
  }
  return static_cast<int>(due->size());
}

void Deliverer::Remember(const Delivery& d, const SendResult& result, const std::string& outcome,
                         absl::Time at, absl::Duration took) {
  if (options_.history == nullptr) return;
  HistoryEntry e{.at = at,
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
  if (absl::Status s = options_.history->Record(e); !s.ok()) {
    log::Error("cannot record the message history",
               {{"destination", destination_}, {"error", std::string(s.message())}});
  }
}

void Deliverer::Start() {
  thread_ = std::thread([this] { Loop(); });
}

void Deliverer::Stop() {
  {
    olif::MutexLock lock(&mu_);
    stopping_ = true;
  }
  if (thread_.joinable()) thread_.join();
}

void Deliverer::Loop() {
  for (;;) {
    absl::StatusOr<int> attempted = RunOnce();
    if (!attempted.ok()) {
      log::Error("delivery loop", {{"destination", destination_},
                                   {"error", std::string(attempted.status().message())}});
    }
    olif::MutexLock lock(&mu_);
    if (stopping_) return;
    if (attempted.ok() && *attempted > 0) continue;  // more may be due at once
    if (mu_.AwaitWithTimeout(&stopping_, options_.idle_poll)) return;
  }
}

}  // namespace olif::adapters
