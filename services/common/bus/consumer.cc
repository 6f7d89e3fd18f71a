#include "services/common/bus/consumer.h"

#include <pthread.h>

#include <chrono>
#include <zmq.hpp>
#include <zmq_addon.hpp>

#include "absl/strings/str_cat.h"
#include "absl/time/clock.h"
#include "services/common/bus/context.h"
#include "services/common/bus/curve.h"
#include "services/common/bus/frames.h"
#include "services/common/clock/timestamp.h"
#include "services/common/logging/logging.h"

namespace olif::bus {
namespace {

constexpr char kConsumerTables[] =
    "CREATE TABLE IF NOT EXISTS bus_cursors ("
    " producer TEXT PRIMARY KEY, last_seq INTEGER NOT NULL, updated_at_us INTEGER NOT NULL);"
    "CREATE TABLE IF NOT EXISTS bus_processed ("
    " event_id TEXT PRIMARY KEY, producer TEXT NOT NULL, seq INTEGER NOT NULL);"
    "CREATE TABLE IF NOT EXISTS bus_replays ("
    " at_us INTEGER NOT NULL, producer TEXT NOT NULL, from_cursor INTEGER NOT NULL,"
    " to_cursor INTEGER NOT NULL, who TEXT NOT NULL, why TEXT NOT NULL);";

std::unique_ptr<zmq::socket_t> Connect(const ConsumerOptions& options) {
  auto socket = std::make_unique<zmq::socket_t>(ProcessContext(), zmq::socket_type::dealer);
  if (!options.curve_server_key.empty()) {
    socket->set(zmq::sockopt::curve_serverkey, options.curve_server_key);
    socket->set(zmq::sockopt::curve_publickey, options.curve_public_key);
    socket->set(zmq::sockopt::curve_secretkey, options.curve_secret_key);
  }
  socket->set(zmq::sockopt::linger, 0);
  socket->set(zmq::sockopt::heartbeat_ivl, 1000);
  socket->set(zmq::sockopt::heartbeat_timeout, 5000);
  // A Fetch sent before the connection is up waits in the socket's queue; a
  // reconnect replaces the socket, dropping what was queued for the old peer.
  socket->connect(options.endpoint);
  return socket;
}

}  // namespace

absl::StatusOr<std::vector<audit::Entry>> Replays(sqlite::Database& db, const audit::Query& q) {
  std::vector<audit::Entry> out;
  if (!q.child_ref.empty() || (!q.action.empty() && q.action != "replay")) return out;
  auto exists =
      db.Prepare("SELECT 1 FROM sqlite_master WHERE type = 'table' AND name = 'bus_replays'");
  if (!exists.ok()) return exists.status();
  absl::StatusOr<bool> found = (*exists)->ReadOne([](const sqlite::Statement&) {});
  if (!found.ok()) return found.status();
  if (!*found) return out;
  auto select = db.Prepare(
      "SELECT at_us, who, producer, from_cursor, to_cursor, why FROM bus_replays"
      " WHERE (?1 = '' OR who = ?1) AND (?2 = '' OR producer = ?2) AND at_us >= ?3 AND at_us < ?4"
      " ORDER BY at_us DESC LIMIT ?5");
  if (!select.ok()) return select.status();
  (*select)
      ->Bind(1, q.actor)
      .Bind(2, q.object_id)
      .Bind(3, StoredMicros(q.from))
      .Bind(4, StoredMicros(q.to))
      .Bind(5, int64_t{q.limit});
  absl::Status s = (*select)->ForEachRow([&out](const sqlite::Statement& r) {
    out.push_back({.at = absl::FromUnixMicros(r.ColumnInt64(0)),
                   .actor = r.ColumnText(1),
                   .action = "replay",
                   .object_id = r.ColumnText(2),
                   .outcome = "OK",
                   .reason = absl::StrCat(r.ColumnText(5), " (cursor ", r.ColumnInt64(3), " -> ",
                                          r.ColumnInt64(4), ")")});
    return absl::OkStatus();
  });
  if (!s.ok()) return s;
  return out;
}

Consumer::Consumer(ConsumerOptions options, sqlite::Writer& writer, EventHandler& handler,
                   metrics::Registry& metrics)
    : options_(std::move(options)), writer_(writer), handler_(handler), metrics_(metrics) {}

Consumer::~Consumer() { Stop(); }

absl::Status Consumer::Start() {
  const int curve_keys = !options_.curve_server_key.empty() + !options_.curve_public_key.empty() +
                         !options_.curve_secret_key.empty();
  if (curve_keys != 0 && curve_keys != 3) {
    return absl::InvalidArgumentError(
        "bus consumer: CURVE needs the producer's public key and this consumer's key pair");
  }
  for (const std::string* key :
       {&options_.curve_server_key, &options_.curve_public_key, &options_.curve_secret_key}) {
    if (curve_keys == 3) {
      if (absl::Status s = ValidateCurveKey(*key, "bus consumer CURVE key"); !s.ok()) return s;
    }
  }
  int64_t cursor = 0;
  absl::Status s = writer_.Run([&](sqlite::Database& db) -> absl::Status {
    if (absl::Status e = db.Exec(kConsumerTables); !e.ok()) return e;
    auto select = db.Prepare("SELECT last_seq FROM bus_cursors WHERE producer = ?1");
    if (!select.ok()) return select.status();
    return (*select)
        ->Bind(1, options_.producer)
        .ReadOne([&](const sqlite::Statement& r) { cursor = r.ColumnInt64(0); })
        .status();
  });
  if (!s.ok()) return s;
  cursor_ = cursor;
  started_ = true;
  thread_ = std::thread([this] { Loop(); });
  return absl::OkStatus();
}

void Consumer::Stop() {
  if (!started_.exchange(false)) return;
  stop_.Raise();
  thread_.join();
}

void Consumer::SetError(std::string error, bool behind_horizon) {
  log::Warn("bus: consumer problem",
            {{"consumer", options_.name}, {"producer", options_.producer}, {"error", error}});
  metrics_
      .GetCounter("olif_bus_consumer_errors_total",
                  "Consumer problems (timeouts, bad batches, failed applies)",
                  {{"consumer", options_.name}, {"producer", options_.producer}})
      .Inc();
  olif::MutexLock lock(&mu_);
  last_error_ = std::move(error);
  behind_horizon_ = behind_horizon;  // with the message, so status shows both or neither
}

absl::StatusOr<int64_t> Consumer::Replay(int64_t from_seq, const std::string& who,
                                         const std::string& why, absl::Duration timeout) {
  if (from_seq < 1) {
    return absl::InvalidArgumentError(absl::StrCat("from_seq: must be at least 1, got ", from_seq));
  }
  if (who.empty() || why.empty()) {
    return absl::InvalidArgumentError("a replay needs who and why");
  }
  if (!started_.load()) {
    return absl::UnavailableError(
        absl::StrCat("the consumer of ", options_.producer, " is not running"));
  }
  auto ask = std::make_shared<ReplayAsk>();
  ask->from_seq = from_seq;
  ask->who = who;
  ask->why = why;
  olif::MutexLock lock(&mu_);
  if (replay_ != nullptr) {
    return absl::UnavailableError(
        absl::StrCat("a replay of ", options_.producer, " is already under way"));
  }
  replay_ = ask;
  if (!mu_.AwaitWithTimeout(&ask->done, timeout)) {
    if (!ask->taken) {
      replay_ = nullptr;  // withdrawn before the loop took it
      return absl::UnavailableError(absl::StrCat("the consumer of ", options_.producer,
                                                 " did not get to the replay in time"));
    }
    // Under way: its one transaction ends soon, and says how it went.
    mu_.AwaitWithTimeout(&ask->done, absl::Minutes(10));
  }
  return ask->previous;
}

bool Consumer::RewindIfAsked() {
  std::shared_ptr<ReplayAsk> ask;
  {
    olif::MutexLock lock(&mu_);
    ask = replay_;
    if (ask == nullptr) return false;
    ask->taken = true;
  }
  const int64_t previous = cursor_.load();
  const int64_t to = ask->from_seq - 1;
  absl::Status s = writer_.Run([&](sqlite::Database& db) -> absl::Status {
    auto cursor = db.Prepare(
        "INSERT INTO bus_cursors (producer, last_seq, updated_at_us) VALUES (?1, ?2, ?3)"
        " ON CONFLICT (producer) DO UPDATE SET last_seq = ?2, updated_at_us = ?3");
    if (!cursor.ok()) return cursor.status();
    const int64_t now_us = absl::ToUnixMicros(absl::Now());
    if (absl::Status e = (*cursor)->Bind(1, options_.producer).Bind(2, to).Bind(3, now_us).Run();
        !e.ok()) {
      return e;
    }
    auto forget = db.Prepare("DELETE FROM bus_processed WHERE producer = ?1 AND seq > ?2");
    if (!forget.ok()) return forget.status();
    if (absl::Status e = (*forget)->Bind(1, options_.producer).Bind(2, to).Run(); !e.ok()) return e;
    auto record = db.Prepare(
        "INSERT INTO bus_replays (at_us, producer, from_cursor, to_cursor, who, why)"
        " VALUES (?1, ?2, ?3, ?4, ?5, ?6)");
    if (!record.ok()) return record.status();
    return (*record)
        ->Bind(1, now_us)
        .Bind(2, options_.producer)
        .Bind(3, previous)
        .Bind(4, to)
        .Bind(5, ask->who)
        .Bind(6, ask->why)
        .Run();
  });
  if (s.ok()) {
    cursor_ = to;
    log::Warn("bus: consumer replayed", {{"consumer", options_.name},
                                         {"producer", options_.producer},
                                         {"from_cursor", absl::StrCat(previous)},
                                         {"to_cursor", absl::StrCat(to)},
                                         {"who", ask->who},
                                         {"why", ask->why}});
  }
  olif::MutexLock lock(&mu_);
  ask->previous = s.ok() ? absl::StatusOr<int64_t>(previous) : absl::StatusOr<int64_t>(s);
  ask->done = true;
  if (replay_ == ask) replay_ = nullptr;
  return s.ok();
}

absl::Status Consumer::CheckBatch(const v1::Batch& batch) const {
  const int64_t cursor = cursor_.load();
  if (batch.after_seq() != cursor) {
    return absl::FailedPreconditionError(
        absl::StrCat("batch follows seq ", batch.after_seq(), ", cursor is ", cursor));
  }
  if (batch.scanned_to_seq() < cursor || batch.scanned_to_seq() > batch.head_seq()) {
    return absl::FailedPreconditionError(absl::StrCat("batch scanned to ", batch.scanned_to_seq(),
                                                      " outside ", cursor, "..", batch.head_seq()));
  }
  int64_t last = cursor;
  for (const auto& e : batch.events()) {
    if (e.seq() <= last || e.seq() > batch.scanned_to_seq()) {
      return absl::FailedPreconditionError(absl::StrCat("event seq ", e.seq(), " after ", last,
                                                        " is out of order or outside the batch"));
    }
    last = e.seq();
  }
  return absl::OkStatus();
}

absl::Status Consumer::ApplyBatch(const v1::Batch& batch) {
  int applied = 0;
  int64_t forgotten = 0;
  const bool forget_some = batch.oldest_seq() > forgotten_below_;
  const auto start = std::chrono::steady_clock::now();
  absl::Status s = writer_.Run([&](sqlite::Database& db) -> absl::Status {
    auto seen = db.Prepare(
        "INSERT OR IGNORE INTO bus_processed (event_id, producer, seq) VALUES (?1, ?2, ?3)");
    if (!seen.ok()) return seen.status();
    for (const auto& e : batch.events()) {
      if (absl::Status r =
              (*seen)->Bind(1, e.event_id()).Bind(2, options_.producer).Bind(3, e.seq()).Run();
          !r.ok()) {
        return r;
      }
      if (db.Changes() == 0) continue;  // applied before: a redelivery
      if (absl::Status r = handler_.Apply(db, e); !r.ok()) {
        return absl::Status(r.code(), absl::StrCat("applying event ", e.event_id(), " (seq ",
                                                   e.seq(), "): ", r.message()));
      }
      ++applied;
    }
    // What the producer no longer holds can never come again: its ids need
    // not be remembered, so the set stays as large as the producer's outbox.
    // This scans the set (no second index to slow every insert), and only when
    // the producer's oldest seq moved, i.e. after it pruned.
    if (forget_some) {
      auto forget = db.Prepare("DELETE FROM bus_processed WHERE producer = ?1 AND seq < ?2");
      if (!forget.ok()) return forget.status();
      if (absl::Status r = (*forget)->Bind(1, options_.producer).Bind(2, batch.oldest_seq()).Run();
          !r.ok()) {
        return r;
      }
      forgotten = db.Changes();
    }
    auto cursor = db.Prepare(
        "INSERT INTO bus_cursors (producer, last_seq, updated_at_us) VALUES (?1, ?2, ?3)"
        " ON CONFLICT (producer) DO UPDATE SET last_seq = ?2, updated_at_us = ?3");
    if (!cursor.ok()) return cursor.status();
    return (*cursor)
        ->Bind(1, options_.producer)
        .Bind(2, batch.scanned_to_seq())
        .Bind(3, absl::ToUnixMicros(absl::Now()))
        .Run();
  });
  if (!s.ok()) return s;
  cursor_ = batch.scanned_to_seq();
  forgotten_below_ = std::max(forgotten_below_, batch.oldest_seq());
  const metrics::Labels labels = {{"consumer", options_.name}, {"producer", options_.producer}};
  metrics_.GetCounter("olif_bus_events_applied_total", "Events applied", labels).Inc(applied);
  metrics_
      .GetCounter("olif_bus_processed_forgotten_total",
                  "Ids of applied events forgotten once the producer pruned them", labels)
      .Inc(static_cast<double>(forgotten));
  metrics_.GetHistogram("olif_bus_apply_seconds", "Time to apply and commit one batch", labels)
      .Observe(std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count());
  metrics_
      .GetGauge("olif_bus_consumer_lag", "Producer head seq minus the consumer's cursor", labels)
      .Set(static_cast<double>(batch.head_seq() - batch.scanned_to_seq()));
  return absl::OkStatus();
}

void Consumer::SendFetch(zmq::socket_t& socket, uint64_t request_no, int64_t after_seq,
                         bool ahead) {
  v1::ConsumerFrame out;
  v1::Fetch* fetch = out.mutable_fetch();
  fetch->set_consumer(options_.name);
  for (const auto& t : options_.topics) fetch->add_topics(t);
  fetch->set_after_seq(after_seq);
  fetch->set_ahead(ahead);
  fetch->set_max_events(options_.max_batch);
  fetch->set_wait_ms(options_.wait_ms);
  fetch->set_request_no(request_no);
  Send(socket, out);
}

void Consumer::Send(zmq::socket_t& socket, const v1::ConsumerFrame& frame) {
  std::vector<std::string> parts = Encode(frame);
  try {
    socket.send(zmq::buffer(parts[0]), zmq::send_flags::sndmore | zmq::send_flags::dontwait);
    socket.send(zmq::buffer(parts[1]), zmq::send_flags::dontwait);
  } catch (const zmq::error_t&) {
    // Queue full (a peer long gone): a Fetch is then waited for as a lost
    // reply; an Ack's position goes with the next Fetch.
  }
}

Consumer::Awaited Consumer::AwaitReply(zmq::socket_t& socket, uint64_t request_no) {
  const auto deadline = std::chrono::steady_clock::now() +
                        std::chrono::milliseconds(options_.wait_ms + options_.reply_grace_ms);
  while (std::chrono::steady_clock::now() < deadline) {
    const auto left = std::chrono::duration_cast<std::chrono::milliseconds>(
        deadline - std::chrono::steady_clock::now());
    zmq::pollitem_t items[] = {{socket.handle(), 0, ZMQ_POLLIN, 0},
                               {nullptr, stop_.fd(), ZMQ_POLLIN, 0}};
    zmq::poll(items, 2, std::max(left, std::chrono::milliseconds(1)));
    if (items[1].revents & ZMQ_POLLIN) return {.stopping = true};
    if (!(items[0].revents & ZMQ_POLLIN)) continue;
    std::vector<zmq::message_t> msgs;
    if (!zmq::recv_multipart(socket, std::back_inserter(msgs), zmq::recv_flags::dontwait)) continue;
    std::vector<std::string> in;
    for (auto& m : msgs) in.push_back(m.to_string());
    absl::StatusOr<v1::ProducerFrame> frame = DecodeProducerFrame(in);
    if (!frame.ok()) {
      SetError(std::string(frame.status().message()));
      continue;
    }
    const uint64_t no =
        frame->has_batch() ? frame->batch().request_no() : frame->error().request_no();
    if (no != 0 && no != request_no) continue;  // a late answer to an earlier Fetch
    return {.reply = std::move(*frame)};
  }
  return {};
}

bool Consumer::Pause(int ms) {
  zmq::pollitem_t stop[] = {{nullptr, stop_.fd(), ZMQ_POLLIN, 0}};
  zmq::poll(stop, 1, std::chrono::milliseconds(ms));
  return (stop[0].revents & ZMQ_POLLIN) != 0;
}

absl::Status Consumer::Take(const v1::ProducerFrame& reply) {
  if (reply.has_error()) {
    const auto& e = reply.error();
    SetError(absl::StrCat(v1::BusErrorCode_Name(e.code()), ": ", e.message()),
             e.code() == v1::BUS_ERROR_CODE_BEHIND_HORIZON);
    return absl::UnavailableError("the producer refused the fetch");
  }
  const v1::Batch& batch = reply.batch();
  head_ = batch.head_seq();
  if (absl::Status s = CheckBatch(batch); !s.ok()) {
    SetError(absl::StrCat("refused batch: ", s.message()));
    return s;
  }
  if (batch.scanned_to_seq() == cursor_.load() && batch.oldest_seq() <= forgotten_below_) {
    return absl::OkStatus();  // nothing new: fetch again
  }
  if (absl::Status s = ApplyBatch(batch); !s.ok()) {
    SetError(std::string(s.message()));
    return s;
  }
  olif::MutexLock lock(&mu_);
  last_error_.clear();
  behind_horizon_ = false;
  return absl::OkStatus();
}

void Consumer::Loop() {
  pthread_setname_np(pthread_self(), "bus-consumer");
  std::unique_ptr<zmq::socket_t> socket = Connect(options_);
  uint64_t request_no = 0;
  // A Fetch sent ahead for the events after `ahead_from`, while the batch
  // ending there was applied (0: none).
  uint64_t ahead_no = 0;
  int64_t ahead_from = 0;
  while (true) {
    // A replay moves the cursor between batches; what was fetched ahead from
    // the old one is dropped as a late answer.
    if (RewindIfAsked()) ahead_no = 0;
    uint64_t awaiting = ahead_no;
    if (ahead_no == 0 || ahead_from != cursor_.load()) {
      // None ahead, or the batch before it was not applied: its answer, when
      // it comes, is dropped as a late one.
      awaiting = ++request_no;
      SendFetch(*socket, awaiting, cursor_.load(), /*ahead=*/false);
    }
    ahead_no = 0;
    Awaited awaited = AwaitReply(*socket, awaiting);
    if (awaited.stopping) break;
    if (!awaited.reply.has_value()) {
      connected_ = false;
      SetError(absl::StrCat("no answer from ", options_.endpoint, " within ",
                            options_.wait_ms + options_.reply_grace_ms, " ms; reconnecting"));
      socket = Connect(options_);
      continue;
    }
    connected_ = true;
    const v1::ProducerFrame& reply = *awaited.reply;
    if (reply.has_batch() && reply.batch().scanned_to_seq() > cursor_.load() &&
        CheckBatch(reply.batch()).ok()) {
      ahead_no = ++request_no;
      ahead_from = reply.batch().scanned_to_seq();
      SendFetch(*socket, ahead_no, ahead_from, /*ahead=*/true);
    }
    if (!Take(reply).ok()) {
      if (Pause(options_.retry_pause_ms)) break;
      continue;
    }
    if (ahead_no != 0) {
      // The Fetch sent ahead acknowledged nothing; this does, now it is durable.
      v1::ConsumerFrame ack;
      ack.mutable_ack()->set_consumer(options_.name);
      ack.mutable_ack()->set_acked_seq(cursor_.load());
      Send(*socket, ack);
    }
  }
  socket.reset();
}

void Consumer::FillStatus(olifantenpad::admin::v1::GetStatusResponse* status) const {
  auto* c = status->add_bus_consumers();
  c->set_producer(options_.producer);
  c->set_endpoint(options_.endpoint);
  c->set_cursor(cursor_.load());
  c->set_producer_head_seq(head_.load());
  c->set_lag(std::max<int64_t>(0, head_.load() - cursor_.load()));
  c->set_connected(connected_.load());
  olif::MutexLock lock(&mu_);
  c->set_behind_horizon(behind_horizon_);
  c->set_last_error(last_error_);
}

}  // namespace olif::bus
