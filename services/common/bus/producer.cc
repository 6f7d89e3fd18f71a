#include "services/common/bus/producer.h"

#include <pthread.h>

#include <google/protobuf/util/time_util.h>

#include <algorithm>
#include <set>
#include <zmq.hpp>
#include <zmq_addon.hpp>

#include "absl/strings/str_cat.h"
#include "services/common/bus/context.h"
#include "services/common/bus/curve.h"
#include "services/common/bus/frames.h"
#include "services/common/logging/logging.h"
#include "services/common/outbox/outbox.h"

namespace olif::bus {
namespace {

namespace common = olifantenpad::common::v1;
using google::protobuf::util::TimeUtil;

constexpr char kProducerTables[] =
    "CREATE TABLE IF NOT EXISTS bus_consumers ("
    " name TEXT PRIMARY KEY, acked_seq INTEGER NOT NULL DEFAULT 0,"
    " acked_at_us INTEGER NOT NULL DEFAULT 0)";

struct Range {
  std::vector<common::EventEnvelope> events;
  int64_t scanned_to = 0;
  int64_t head = 0;
  int64_t oldest = 0;  // oldest seq held; head + 1 when none
};

absl::StatusOr<Range> ReadRange(sqlite::Database& db, const std::string& producer,
                                const v1::Fetch& fetch, int max_batch) {
  Range range;
  absl::Status status = db.ReadTransaction([&]() -> absl::Status {
    auto bounds = db.Prepare(
        "SELECT COALESCE((SELECT seq FROM sqlite_sequence WHERE name = 'outbox'), 0),"
        " (SELECT MIN(seq) FROM outbox)");
    if (!bounds.ok()) return bounds.status();
    absl::StatusOr<bool> row = (*bounds)->ReadOne([&](const sqlite::Statement& r) {
      range.head = r.ColumnInt64(0);
      range.oldest = r.ColumnIsNull(1) ? range.head + 1 : r.ColumnInt64(1);
    });
    if (!row.ok()) return row.status();
    range.scanned_to = fetch.after_seq();
    if (fetch.after_seq() + 1 < range.oldest) return absl::OkStatus();  // caller reports horizon
    const int max = std::clamp(fetch.max_events(), 1, max_batch);
    absl::StatusOr<std::vector<common::EventEnvelope>> events =
        outbox::ReadAfter(db, producer, fetch.after_seq(), max);
    if (!events.ok()) return events.status();
    const std::set<std::string> topics(fetch.topics().begin(), fetch.topics().end());
    for (auto& e : *events) {
      range.scanned_to = e.seq();
      if (topics.empty() || topics.count(e.topic())) range.events.push_back(std::move(e));
    }
    return absl::OkStatus();
  });
  if (!status.ok()) return status;
  return range;
}

}  // namespace

zmq::context_t& ProcessContext() {
  static auto* context = new zmq::context_t(1);
  return *context;
}

struct Producer::Parked {
  std::string identity;
  v1::Fetch fetch;
  absl::Time deadline;
};

Producer::Producer(ProducerOptions options, sqlite::Writer& writer, metrics::Registry& metrics,
                   const Clock& clock)
    : options_(std::move(options)), writer_(writer), metrics_(metrics), clock_(clock) {
  if (!options_.commits) options_.commits = std::make_shared<Signal>();
}

Producer::~Producer() { Stop(); }

absl::Status Producer::Start() {
  absl::Status tables = writer_.Run([&](sqlite::Database& db) -> absl::Status {
    if (absl::Status s = db.Exec(kProducerTables); !s.ok()) return s;
    auto insert = db.Prepare("INSERT OR IGNORE INTO bus_consumers (name) VALUES (?1)");
    if (!insert.ok()) return insert.status();
    for (const std::string& c : options_.consumers) {
      if (absl::Status s = (*insert)->Bind(1, c).Run(); !s.ok()) return s;
    }
    return absl::OkStatus();
  });
  if (!tables.ok()) return tables;

  // Bind on the caller's thread so that a bad endpoint is reported here; the
  // socket then moves to the producer thread, which alone uses it from then on.
  auto socket = std::make_shared<zmq::socket_t>(ProcessContext(), zmq::socket_type::router);
  if (!options_.curve_secret_key.empty()) {
    if (absl::Status k = ValidateCurveKey(options_.curve_secret_key, "bus.curve_secret_key");
        !k.ok()) {
      return k;
    }
    for (const std::string& key : options_.curve_client_keys) {
      if (absl::Status k = ValidateCurveKey(key, "consumer public key"); !k.ok()) return k;
    }
    if (absl::Status z = AllowCurveClients(options_.name, options_.curve_client_keys); !z.ok()) {
      return z;
    }
  }
  try {
    if (!options_.curve_secret_key.empty()) {
      socket->set(zmq::sockopt::curve_server, 1);
      socket->set(zmq::sockopt::curve_secretkey, options_.curve_secret_key);
      socket->set(zmq::sockopt::zap_domain, options_.name);
    }
    socket->set(zmq::sockopt::linger, 0);
    socket->set(zmq::sockopt::router_mandatory, 1);  // an unroutable reply is an error, not lost
    socket->set(zmq::sockopt::heartbeat_ivl, 1000);
    socket->set(zmq::sockopt::heartbeat_timeout, 5000);
    socket->bind(options_.endpoint);
    olif::MutexLock lock(&mu_);
    bound_endpoint_ = socket->get(zmq::sockopt::last_endpoint);
  } catch (const zmq::error_t& e) {
    if (!options_.curve_secret_key.empty()) ForgetCurveClients(options_.name);
    return absl::UnavailableError(absl::StrCat("bus producer ", options_.name, ": cannot bind ",
                                               options_.endpoint, ": ", e.what()));
  }
  started_ = true;
  thread_ = std::thread([this, socket]() mutable {
    socket_ = std::move(socket);
    Loop();
    socket_.reset();
  });
  return absl::OkStatus();
}

void Producer::Stop() {
  if (!started_.exchange(false)) return;
  stop_.Raise();
  thread_.join();
  if (!options_.curve_secret_key.empty()) ForgetCurveClients(options_.name);
}

std::string Producer::endpoint() const {
  olif::MutexLock lock(&mu_);
  return bound_endpoint_;
}

void Producer::Send(const std::string& identity, const v1::ProducerFrame& frame) {
  std::vector<std::string> parts = Encode(frame);
  try {
    socket_->send(zmq::buffer(identity), zmq::send_flags::sndmore | zmq::send_flags::dontwait);
    socket_->send(zmq::buffer(parts[0]), zmq::send_flags::sndmore | zmq::send_flags::dontwait);
    socket_->send(zmq::buffer(parts[1]), zmq::send_flags::dontwait);
  } catch (const zmq::error_t& e) {
    // The consumer went away; it fetches again from its cursor when it is back.
    log::Debug("bus: reply not delivered", {{"producer", options_.name}, {"error", e.what()}});
  }
}

void Producer::RecordAck(const std::string& consumer, int64_t seq) {
  auto it = acked_.find(consumer);
  if (it != acked_.end() && it->second >= seq) return;
  acked_[consumer] = seq;
  metrics_
      .GetGauge("olif_bus_consumer_acked_seq", "Newest seq a consumer acknowledged",
                {{"producer", options_.name}, {"consumer", consumer}})
      .Set(static_cast<double>(seq));
  const int64_t now_us = absl::ToUnixMicros(clock_.Now());
  writer_.Submit(
      [consumer, seq, now_us](sqlite::Database& db) -> absl::Status {
        auto update = db.Prepare(
            "UPDATE bus_consumers SET acked_seq = MAX(acked_seq, ?2), acked_at_us = ?3"
            " WHERE name = ?1");
        if (!update.ok()) return update.status();
        return (*update)->Bind(1, consumer).Bind(2, seq).Bind(3, now_us).Run();
      },
      [name = options_.name](const absl::Status& s) {
        if (!s.ok())
          log::Warn("bus: ack not stored",
                    {{"producer", name}, {"error", std::string(s.message())}});
      });
}

// Answers `fetch` now if there is anything to say; false means park it.
bool Producer::Serve(const std::string& identity, const v1::Fetch& fetch, bool deadline_passed) {
  absl::StatusOr<Range> range = ReadRange(*read_db_, options_.name, fetch, options_.max_batch);
  if (!range.ok()) {
    log::Error("bus: outbox read failed",
               {{"producer", options_.name}, {"error", std::string(range.status().message())}});
    return false;  // retried on the next wake or deadline
  }
  if (fetch.after_seq() + 1 < range->oldest && fetch.after_seq() < range->head) {
    v1::ProducerFrame error =
        ErrorFrame(v1::BUS_ERROR_CODE_BEHIND_HORIZON,
                   absl::StrCat("events ", fetch.after_seq() + 1, "..", range->oldest - 1,
                                " were pruned; consumer ", fetch.consumer(), " cannot resume from ",
                                fetch.after_seq()),
                   fetch.request_no());
    error.mutable_error()->set_oldest_seq(range->oldest);
    metrics_
        .GetCounter("olif_bus_errors_total", "Bus errors answered, by code",
                    {{"producer", options_.name}, {"code", "BEHIND_HORIZON"}})
        .Inc();
    Send(identity, error);
    return true;
  }
  if (range->scanned_to == fetch.after_seq() && !deadline_passed) return false;
  v1::ProducerFrame frame;
  v1::Batch* batch = frame.mutable_batch();
  batch->set_request_no(fetch.request_no());
  batch->set_after_seq(fetch.after_seq());
  batch->set_scanned_to_seq(range->scanned_to);
  batch->set_head_seq(range->head);
  batch->set_oldest_seq(range->oldest);
  for (auto& e : range->events) *batch->add_events() = std::move(e);
  metrics_
      .GetHistogram("olif_bus_batch_events", "Events per batch sent", {{"producer", options_.name}},
                    {0, 1, 10, 50, 100, 250, 500, 1000})
      .Observe(batch->events_size());
  Send(identity, frame);
  return true;
}

void Producer::Handle(const std::string& identity, const std::vector<std::string>& parts,
                      std::vector<Parked>& parked) {
  absl::StatusOr<v1::ConsumerFrame> frame = DecodeConsumerFrame(parts);
  if (!frame.ok()) {
    log::Warn("bus: bad frame",
              {{"producer", options_.name}, {"error", std::string(frame.status().message())}});
    const bool protocol = parts.size() == 2 && parts[0] != kProtocol;
    Send(identity, ErrorFrame(protocol ? v1::BUS_ERROR_CODE_UNSUPPORTED_PROTOCOL
                                       : v1::BUS_ERROR_CODE_MALFORMED_FRAME,
                              std::string(frame.status().message())));
    return;
  }
  const std::set<std::string> known(options_.consumers.begin(), options_.consumers.end());
  if (frame->has_ack()) {
    if (known.count(frame->ack().consumer()))
      RecordAck(frame->ack().consumer(), frame->ack().acked_seq());
    return;
  }
  const v1::Fetch& fetch = frame->fetch();
  if (!known.count(fetch.consumer())) {
    Send(identity, ErrorFrame(v1::BUS_ERROR_CODE_UNKNOWN_CONSUMER,
                              absl::StrCat("consumer '", fetch.consumer(),
                                           "' is not configured at ", options_.name),
                              fetch.request_no()));
    return;
  }
  if (fetch.after_seq() < 0 || fetch.max_events() <= 0 || fetch.wait_ms() < 0) {
    Send(identity,
         ErrorFrame(v1::BUS_ERROR_CODE_INVALID_FETCH,
                    "after_seq and wait_ms must not be negative, max_events must be positive",
                    fetch.request_no()));
    return;
  }
  {
    olif::MutexLock lock(&mu_);
    last_seen_[fetch.consumer()] = clock_.Now();
  }
  metrics_
      .GetCounter("olif_bus_fetches_total", "Fetches received",
                  {{"producer", options_.name}, {"consumer", fetch.consumer()}})
      .Inc();
  // A Fetch after seq N says everything up to N is durably applied, unless it
  // was sent ahead of the apply.
  if (!fetch.ahead()) RecordAck(fetch.consumer(), fetch.after_seq());
  // A newer Fetch from the same peer replaces a parked one.
  std::erase_if(parked, [&](const Parked& p) { return p.identity == identity; });
  if (!Serve(identity, fetch, fetch.wait_ms() == 0)) {
    const int wait = std::min(fetch.wait_ms(), options_.max_wait_ms);
    parked.push_back({identity, fetch, clock_.Now() + absl::Milliseconds(wait)});
  }
}

void Producer::Loop() {
  pthread_setname_np(pthread_self(), "bus-producer");
  auto db = sqlite::Database::Open(options_.db_path, {});
  if (!db.ok()) {
    log::Error("bus: producer cannot read its database",
               {{"producer", options_.name}, {"error", std::string(db.status().message())}});
    return;
  }
  read_db_ = std::move(*db);
  std::vector<Parked> parked;
  absl::Time next_prune = clock_.Now() + options_.prune_every;
  while (true) {
    absl::Time next = next_prune;
    for (const Parked& p : parked) next = std::min(next, p.deadline);
    const int64_t timeout_ms =
        std::clamp<int64_t>(absl::ToInt64Milliseconds(next - clock_.Now()), 0, 1000);
    zmq::pollitem_t items[] = {{socket_->handle(), 0, ZMQ_POLLIN, 0},
                               {nullptr, options_.commits->fd(), ZMQ_POLLIN, 0},
                               {nullptr, stop_.fd(), ZMQ_POLLIN, 0}};
    zmq::poll(items, 3, std::chrono::milliseconds(timeout_ms));
    if (items[2].revents & ZMQ_POLLIN) break;
    if (items[0].revents & ZMQ_POLLIN) {
      for (int i = 0; i < 1000; ++i) {  // bounded, so parked fetches are not starved
        std::vector<zmq::message_t> msgs;
        if (!zmq::recv_multipart(*socket_, std::back_inserter(msgs), zmq::recv_flags::dontwait))
          break;
        if (msgs.empty()) continue;
        std::vector<std::string> parts;
        for (size_t k = 1; k < msgs.size(); ++k) parts.push_back(msgs[k].to_string());
        Handle(msgs[0].to_string(), parts, parked);
      }
    }
    const bool woken = (items[1].revents & ZMQ_POLLIN) && options_.commits->Drain();
    const absl::Time now = clock_.Now();
    std::erase_if(parked, [&](const Parked& p) {
      if (!woken && p.deadline > now) return false;
      return Serve(p.identity, p.fetch, p.deadline <= now);
    });
    if (now >= next_prune) {
      if (auto pruned = Prune(); !pruned.ok()) {
        log::Error("bus: pruning failed", {{"producer", options_.name},
                                           {"error", std::string(pruned.status().message())}});
      }
      next_prune = now + options_.prune_every;
    }
  }
  read_db_.reset();
}

absl::StatusOr<int64_t> Producer::Prune() {
  const int64_t cutoff_us = absl::ToUnixMicros(clock_.Now() - options_.retention);
  // Without registered consumers nothing is pruned: nobody has acknowledged.
  absl::StatusOr<int64_t> pruned = writer_.Change(
      "DELETE FROM outbox WHERE occurred_at_us < ?1"
      " AND seq <= (SELECT MIN(acked_seq) FROM bus_consumers)",
      [&](sqlite::Statement& stmt) { stmt.Bind(1, cutoff_us); });
  if (!pruned.ok()) return pruned.status();
  const int64_t removed = *pruned;
  if (removed > 0) {
    metrics_
        .GetCounter("olif_bus_pruned_total", "Outbox events pruned", {{"producer", options_.name}})
        .Inc(static_cast<double>(removed));
    // The pages the events held go back to the file system, not only to SQLite.
    if (absl::Status s = writer_.Run([](sqlite::Database& db) { return db.IncrementalVacuum(); });
        !s.ok()) {
      log::Warn("bus: giving pruned pages back",
                {{"producer", options_.name}, {"error", std::string(s.message())}});
    }
  }
  return removed;
}

absl::Status Producer::FillStatus(olifantenpad::admin::v1::GetStatusResponse* status) {
  auto* producer = status->mutable_bus_producer();
  producer->set_endpoint(endpoint());
  return writer_.Run([&](sqlite::Database& db) -> absl::Status {
    auto bounds = db.Prepare(
        "SELECT COALESCE((SELECT seq FROM sqlite_sequence WHERE name = 'outbox'), 0),"
        " (SELECT MIN(seq) FROM outbox)");
    if (!bounds.ok()) return bounds.status();
    int64_t head = 0;
    absl::StatusOr<bool> row = (*bounds)->ReadOne([&](const sqlite::Statement& r) {
      head = r.ColumnInt64(0);
      producer->set_oldest_seq(r.ColumnIsNull(1) ? head + 1 : r.ColumnInt64(1));
    });
    if (!row.ok()) return row.status();
    auto consumers = db.Prepare("SELECT name, acked_seq FROM bus_consumers ORDER BY name");
    if (!consumers.ok()) return consumers.status();
    const std::map<std::string, absl::Time> last_seen = LastSeen();
    return (*consumers)->ForEachRow([&](const sqlite::Statement& r) {
      auto* c = producer->add_consumers();
      c->set_name(r.ColumnText(0));
      c->set_acked_seq(r.ColumnInt64(1));
      c->set_lag(head - c->acked_seq());
      if (auto it = last_seen.find(c->name()); it != last_seen.end()) {
        *c->mutable_last_seen() = TimeUtil::MicrosecondsToTimestamp(absl::ToUnixMicros(it->second));
      }
      return absl::OkStatus();
    });
  });
}

}  // namespace olif::bus
