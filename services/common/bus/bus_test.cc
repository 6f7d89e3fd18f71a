// Producer and consumer in one process over TCP on loopback, each with its own
// SQLite database and Writer, as two services would have.

#include <gtest/gtest.h>

#include <filesystem>
#include <thread>
#include <zmq.hpp>
#include <zmq_addon.hpp>

#include "absl/strings/str_cat.h"
#include "google/rpc/error_details.pb.h"
#include "services/common/bus/consumer.h"
#include "services/common/bus/context.h"
#include "services/common/bus/curve.h"
#include "services/common/bus/frames.h"
#include "services/common/bus/producer.h"
#include "services/common/outbox/outbox.h"
#include "services/common/testing/testing.h"

namespace olif::bus {
namespace {

namespace common = olifantenpad::common::v1;

const std::vector<sqlite::Migration> kProducerSchema = {
    {1, "0001_outbox.sql", olif::outbox::kTableSql}};
const std::vector<sqlite::Migration> kConsumerSchema = {
    {1, "0001_applied.sql",
     "CREATE TABLE applied (n INTEGER PRIMARY KEY AUTOINCREMENT, seq INTEGER NOT NULL,"
     " event_id TEXT NOT NULL, topic TEXT NOT NULL);"}};

// Records every applied event in the consumer's own table, in the same transaction.
class Recorder : public EventHandler {
 public:
  absl::Status Apply(sqlite::Database& db, const common::EventEnvelope& e) override {
    if (fail_seq_ == e.seq()) return absl::InternalError("handler refuses this event");
    auto insert = db.Prepare("INSERT INTO applied (seq, event_id, topic) VALUES (?1, ?2, ?3)");
    if (!insert.ok()) return insert.status();
    ++calls_;
    return (*insert)->Bind(1, e.seq()).Bind(2, e.event_id()).Bind(3, e.topic()).Run();
  }
  std::atomic<int64_t> fail_seq_{-1};
  std::atomic<int> calls_{0};
};

class BusTest : public testing::Test {
 protected:
  void SetUp() override {
    dir_ = testing_util::FreshTestDir("bus");
    producer_db_path_ = (dir_ / "producer.db").string();
    consumer_db_path_ = (dir_ / "consumer.db").string();
    producer_writer_ = std::make_unique<sqlite::Writer>(
        std::move(*sqlite::Database::Open(producer_db_path_, kProducerSchema)),
        sqlite::WriterOptions{.on_commit = [commits = commits_](int) { commits->Raise(); }});
    consumer_writer_ = std::make_unique<sqlite::Writer>(
        std::move(*sqlite::Database::Open(consumer_db_path_, kConsumerSchema)));
  }
  void TearDown() override {
    consumer_.reset();
    producer_.reset();
  }

  void StartProducer(std::vector<std::string> consumers = {"reader"},
                     std::string endpoint = "tcp://127.0.0.1:*",
                     absl::Duration retention = absl::Hours(1)) {
    producer_ = std::make_unique<Producer>(ProducerOptions{.name = "test",
                                                           .endpoint = std::move(endpoint),
                                                           .db_path = producer_db_path_,
                                                           .consumers = std::move(consumers),
                                                           .retention = retention,
                                                           .commits = commits_},
                                           *producer_writer_, registry_);
    ASSERT_TRUE(producer_->Start().ok());
  }

  void StartConsumer(std::string name = "reader", std::vector<std::string> topics = {},
                     int wait_ms = 200, int max_batch = 100) {
    consumer_ = std::make_unique<Consumer>(ConsumerOptions{.name = std::move(name),
                                                           .producer = "test",
                                                           .endpoint = producer_->endpoint(),
                                                           .topics = std::move(topics),
                                                           .max_batch = max_batch,
                                                           .wait_ms = wait_ms,
                                                           .reply_grace_ms = 1000,
                                                           .retry_pause_ms = 50},
                                           *consumer_writer_, recorder_, registry_);
    ASSERT_TRUE(consumer_->Start().ok());
  }

  void Append(int n, const std::string& topic = "t.a") {
    ASSERT_TRUE(producer_writer_
                    ->Run([&](sqlite::Database& db) -> absl::Status {
                      google::rpc::BadRequest payload;
                      for (int i = 0; i < n; ++i) {
                        auto e = outbox::Append(
                            db, "test",
                            {.topic = topic, .payload = &payload, .occurred_at = absl::Now()});
                        if (!e.ok()) return e.status();
                      }
                      return absl::OkStatus();
                    })
                    .ok());
  }

  static bool WaitFor(const std::function<bool()>& done, absl::Duration limit = absl::Seconds(20)) {
    return testing_util::WaitFor(done, limit);
  }
  bool WaitForCursor(int64_t seq) {
    return WaitFor([&] { return consumer_->cursor() >= seq; });
  }
  bool WaitForError(const std::string& text) {
    return WaitFor([&] { return ConsumerStatus().last_error().find(text) != std::string::npos; });
  }
  int64_t AckedAtProducer(const std::string& consumer) {
    olifantenpad::admin::v1::GetStatusResponse status;
    EXPECT_TRUE(producer_->FillStatus(&status).ok());
    for (const auto& c : status.bus_producer().consumers()) {
      if (c.name() == consumer) return c.acked_seq();
    }
    return -1;
  }

  // A DEALER socket of the test's own to the producer, to send frames no
  // Consumer would; Ask sends one message and decodes the answer.
  zmq::socket_t RawPeer() {
    zmq::socket_t raw(ProcessContext(), zmq::socket_type::dealer);
    raw.set(zmq::sockopt::linger, 0);
    raw.set(zmq::sockopt::rcvtimeo, 5000);
    raw.connect(producer_->endpoint());
    return raw;
  }
  static v1::ProducerFrame Ask(zmq::socket_t& raw, const std::vector<std::string>& parts) {
    for (size_t i = 0; i < parts.size(); ++i) {
      raw.send(zmq::buffer(parts[i]),
               i + 1 < parts.size() ? zmq::send_flags::sndmore : zmq::send_flags::none);
    }
    std::vector<zmq::message_t> msgs;
    EXPECT_TRUE(zmq::recv_multipart(raw, std::back_inserter(msgs)));
    std::vector<std::string> in;
    for (auto& m : msgs) in.push_back(m.to_string());
    absl::StatusOr<v1::ProducerFrame> frame = DecodeProducerFrame(in);
    EXPECT_TRUE(frame.ok()) << frame.status();
    return frame.ok() ? *frame : v1::ProducerFrame();
  }

  // With 10 events appended and a zero retention: the consumer takes them,
  // they are pruned once acknowledged, `more` are appended, and the consumer
  // comes back with a new database (cursor 0), behind the horizon.
  void ConsumeTenPruneThemAndComeBackWithoutADatabase(int more = 0) {
    StartConsumer();
    ASSERT_TRUE(WaitForCursor(10));
    consumer_.reset();
    ASSERT_TRUE(WaitFor([&] { return AckedAtProducer("reader") == 10; }));
    auto pruned = producer_->Prune();
    ASSERT_TRUE(pruned.ok());
    ASSERT_EQ(*pruned, 10);
    if (more > 0) Append(more);
    consumer_writer_.reset();
    consumer_db_path_ = (dir_ / "consumer2.db").string();
    consumer_writer_ = std::make_unique<sqlite::Writer>(
        std::move(*sqlite::Database::Open(consumer_db_path_, kConsumerSchema)));
    StartConsumer();
    ASSERT_TRUE(WaitFor([&] { return ConsumerStatus().behind_horizon(); }));
  }

  std::vector<int64_t> AppliedSeqs() {
    std::vector<int64_t> seqs;
    EXPECT_TRUE(consumer_writer_
                    ->Run([&](sqlite::Database& db) {
                      return (*db.Prepare("SELECT seq FROM applied ORDER BY n"))
                          ->ForEachRow([&](const sqlite::Statement& r) {
                            seqs.push_back(r.ColumnInt64(0));
                            return absl::OkStatus();
                          });
                    })
                    .ok());
    return seqs;
  }

  olifantenpad::admin::v1::BusConsumerStatus ConsumerStatus() {
    olifantenpad::admin::v1::GetStatusResponse status;
    consumer_->FillStatus(&status);
    return status.bus_consumers(0);
  }

  static std::vector<int64_t> Range(int64_t from, int64_t to) {
    std::vector<int64_t> v;
    for (int64_t i = from; i <= to; ++i) v.push_back(i);
    return v;
  }

  metrics::Registry registry_;
  std::shared_ptr<Signal> commits_ = std::make_shared<Signal>();
  std::filesystem::path dir_;
  std::string producer_db_path_, consumer_db_path_;
  std::unique_ptr<sqlite::Writer> producer_writer_, consumer_writer_;
  std::unique_ptr<Producer> producer_;
  std::unique_ptr<Consumer> consumer_;
  Recorder recorder_;
};

TEST_F(BusTest, EveryEventIsAppliedOnceInOrder) {
  StartProducer();
  Append(750);
  StartConsumer();
  ASSERT_TRUE(WaitForCursor(750));
  EXPECT_EQ(AppliedSeqs(), Range(1, 750));
  EXPECT_EQ(recorder_.calls_, 750);
}

TEST_F(BusTest, ALongPollIsAnsweredAsSoonAsAnEventCommits) {
  StartProducer();
  StartConsumer("reader", {}, /*wait_ms=*/10000);
  // Once the producer holds the consumer's Fetch, a commit must answer it.
  ASSERT_TRUE(WaitFor(
      [&] { return registry_.Render().find("olif_bus_fetches_total") != std::string::npos; }));
  const absl::Time committed = absl::Now();
  Append(1);
  ASSERT_TRUE(WaitForCursor(1));
  EXPECT_LT(absl::Now() - committed, absl::Seconds(5))
      << "answered by the commit, not the 10 s wait";
  EXPECT_EQ(AppliedSeqs(), Range(1, 1));
}

TEST_F(BusTest, ARestartedConsumerResumesFromItsCursorWithoutRepeats) {
  StartProducer();
  Append(120);
  StartConsumer();
  ASSERT_TRUE(WaitForCursor(120));
  consumer_.reset();
  Append(80);
  StartConsumer();
  ASSERT_TRUE(WaitForCursor(200));
  EXPECT_EQ(AppliedSeqs(), Range(1, 200));
}

TEST_F(BusTest, RedeliveredEventsAreSkipped) {
  StartProducer();
  Append(30);
  StartConsumer();
  ASSERT_TRUE(WaitForCursor(30));
  consumer_.reset();
  // The cursor is lost but the processed set is not: everything comes again
  // and nothing is applied twice.
  ASSERT_TRUE(
      consumer_writer_->Run([](sqlite::Database& db) { return db.Exec("DELETE FROM bus_cursors"); })
          .ok());
  StartConsumer();
  ASSERT_TRUE(WaitForCursor(30));
  EXPECT_EQ(AppliedSeqs(), Range(1, 30));
  EXPECT_EQ(recorder_.calls_, 30);
}

TEST_F(BusTest, TopicsFilterWhatIsAppliedButTheCursorPassesTheRest) {
  StartProducer();
  Append(5, "t.a");
  Append(5, "t.b");
  Append(5, "t.a");
  StartConsumer("reader", {"t.a"});
  ASSERT_TRUE(WaitForCursor(15));
  std::vector<int64_t> expected = Range(1, 5);
  for (int64_t s = 11; s <= 15; ++s) expected.push_back(s);
  EXPECT_EQ(AppliedSeqs(), expected);
}

TEST_F(BusTest, AFailingHandlerStopsTheConsumerAtThatEventUntilItSucceeds) {
  StartProducer();
  Append(20);
  recorder_.fail_seq_ = 15;
  StartConsumer();
  // Batches are applied whole: the one holding seq 15 never commits.
  ASSERT_TRUE(WaitForError("handler refuses this event"));
  EXPECT_LT(consumer_->cursor(), 15);
  recorder_.fail_seq_ = -1;
  ASSERT_TRUE(WaitForCursor(20));
  EXPECT_EQ(AppliedSeqs(), Range(1, 20));
  EXPECT_EQ(ConsumerStatus().last_error(), "");
}

TEST_F(BusTest, UnknownConsumerIsRefused) {
  StartProducer({"reader"});
  Append(3);
  StartConsumer("stranger");
  ASSERT_TRUE(WaitForError("BUS_ERROR_CODE_UNKNOWN_CONSUMER"));
  EXPECT_EQ(consumer_->cursor(), 0);
}

TEST_F(BusTest, AConsumerBehindTheRetentionHorizonIsToldAndNeverSkipped) {
  StartProducer({"reader"}, "tcp://127.0.0.1:*", absl::ZeroDuration());
  Append(10);
  // A consumer that lost its database starts from 0: events 1..10 are gone.
  ASSERT_NO_FATAL_FAILURE(ConsumeTenPruneThemAndComeBackWithoutADatabase());
  auto status = ConsumerStatus();
  EXPECT_NE(status.last_error().find("BEHIND_HORIZON"), std::string::npos);
  EXPECT_EQ(consumer_->cursor(), 0);
  EXPECT_TRUE(AppliedSeqs().empty());

  olifantenpad::admin::v1::GetStatusResponse producer_status;
  ASSERT_TRUE(producer_->FillStatus(&producer_status).ok());
  EXPECT_EQ(producer_status.bus_producer().oldest_seq(), 11);
}

TEST_F(BusTest, AReplayAppliesTheEventsFromItsSeqAgainAndIsRecorded) {
  StartProducer();
  Append(20);
  StartConsumer();
  ASSERT_TRUE(WaitForCursor(20));
  EXPECT_EQ(consumer_->Replay(0, "j.devries", "fix").status().code(),
            absl::StatusCode::kInvalidArgument);
  EXPECT_EQ(consumer_->Replay(5, "", "fix").status().code(), absl::StatusCode::kInvalidArgument);
  absl::StatusOr<int64_t> previous = consumer_->Replay(15, "j.devries", "provider restored");
  ASSERT_TRUE(previous.ok()) << previous.status();
  EXPECT_EQ(*previous, 20);
  ASSERT_TRUE(WaitFor([&] { return AppliedSeqs().size() == 26; }));
  std::vector<int64_t> expected = Range(1, 20);
  for (int64_t seq : Range(15, 20)) expected.push_back(seq);
  EXPECT_EQ(AppliedSeqs(), expected);
  std::string recorded;
  ASSERT_TRUE(consumer_writer_
                  ->Run([&](sqlite::Database& db) {
                    return (*db.Prepare("SELECT producer || ' ' || from_cursor || '->' ||"
                                        " to_cursor || ' ' || who || ': ' || why FROM bus_replays"))
                        ->ReadOne([&](const sqlite::Statement& r) { recorded = r.ColumnText(0); })
                        .status();
                  })
                  .ok());
  EXPECT_EQ(recorded, "test 20->14 j.devries: provider restored");
  // As the process's audit trail shows it.
  std::vector<audit::Entry> lines;
  ASSERT_TRUE(consumer_writer_
                  ->Run([&](sqlite::Database& db) -> absl::Status {
                    absl::StatusOr<std::vector<audit::Entry>> r =
                        Replays(db, {.actor = "j.devries", .object_id = "test"});
                    if (!r.ok()) return r.status();
                    lines = *r;
                    EXPECT_TRUE(Replays(db, {.action = "record"})->empty());
                    EXPECT_TRUE(Replays(db, {.actor = "someone-else"})->empty());
                    return absl::OkStatus();
                  })
                  .ok());
  ASSERT_EQ(lines.size(), 1u);
  EXPECT_EQ(lines[0].action, "replay");
  EXPECT_EQ(lines[0].reason, "provider restored (cursor 20 -> 14)");
}

TEST_F(BusTest, AReplayForwardStepsOverEventsAPrunedProducerNoLongerHas) {
  StartProducer({"reader"}, "tcp://127.0.0.1:*", absl::ZeroDuration());
  Append(10);
  ASSERT_NO_FATAL_FAILURE(ConsumeTenPruneThemAndComeBackWithoutADatabase(/*more=*/5));
  // The operator's decision: go on from the oldest event the producer holds.
  ASSERT_TRUE(consumer_->Replay(11, "j.devries", "events 1-10 restored by hand").ok());
  ASSERT_TRUE(WaitForCursor(15));
  EXPECT_EQ(AppliedSeqs(), Range(11, 15));
  EXPECT_FALSE(ConsumerStatus().behind_horizon());
}

TEST_F(BusTest, AReplayOfAStoppedConsumerIsRefused) {
  StartProducer();
  StartConsumer();
  consumer_->Stop();
  EXPECT_EQ(consumer_->Replay(1, "j.devries", "why").status().code(),
            absl::StatusCode::kUnavailable);
}

TEST_F(BusTest, TheConsumerForgetsTheIdsOfEventsTheProducerPruned) {
  StartProducer({"reader"}, "tcp://127.0.0.1:*", absl::ZeroDuration());
  Append(10);
  StartConsumer();
  ASSERT_TRUE(WaitForCursor(10));
  auto processed = [&] {
    int64_t n = -1;
    EXPECT_TRUE(consumer_writer_
                    ->Run([&](sqlite::Database& db) {
                      return (*db.Prepare("SELECT COUNT(*) FROM bus_processed"))
                          ->ReadOne([&](const sqlite::Statement& r) { n = r.ColumnInt64(0); })
                          .status();
                    })
                    .ok());
    return n;
  };
  EXPECT_EQ(processed(), 10);
  ASSERT_TRUE(WaitFor([&] { return AckedAtProducer("reader") == 10; }));
  ASSERT_EQ(*producer_->Prune(), 10);
  // The next answer (a long poll's empty one) says the oldest held is 11.
  ASSERT_TRUE(WaitFor([&] { return processed() == 0; }));
  Append(5);
  ASSERT_TRUE(WaitForCursor(15));
  EXPECT_EQ(processed(), 5);
  EXPECT_EQ(AppliedSeqs(), Range(1, 15));
  EXPECT_EQ(registry_
                .GetCounter("olif_bus_processed_forgotten_total", "",
                            {{"consumer", "reader"}, {"producer", "test"}})
                .value(),
            10);
}

TEST_F(BusTest, RetentionKeepsWhatARegisteredConsumerHasNotAcknowledged) {
  StartProducer({"reader", "late"}, "tcp://127.0.0.1:*", absl::ZeroDuration());
  Append(10);
  StartConsumer("reader");
  ASSERT_TRUE(WaitForCursor(10));
  ASSERT_TRUE(WaitFor([&] { return AckedAtProducer("reader") == 10; }));
  EXPECT_EQ(*producer_->Prune(), 0) << "'late' has acknowledged nothing";
  olifantenpad::admin::v1::GetStatusResponse status;
  ASSERT_TRUE(producer_->FillStatus(&status).ok());
  ASSERT_EQ(status.bus_producer().consumers_size(), 2);
  EXPECT_EQ(status.bus_producer().consumers(0).name(), "late");
  EXPECT_EQ(status.bus_producer().consumers(0).lag(), 10);
  EXPECT_EQ(status.bus_producer().consumers(1).acked_seq(), 10);
  EXPECT_EQ(status.bus_producer().consumers(1).lag(), 0);
}

TEST_F(BusTest, AConsumerResumesByItselfWhenTheProducerComesBack) {
  StartProducer();
  Append(10);
  StartConsumer();
  ASSERT_TRUE(WaitForCursor(10));
  const std::string endpoint = producer_->endpoint();
  producer_.reset();
  Append(10);  // committed while nobody serves them
  ASSERT_TRUE(WaitFor([&] { return !ConsumerStatus().connected(); }));
  StartProducer({"reader"}, endpoint);
  ASSERT_TRUE(WaitForCursor(20));
  EXPECT_EQ(AppliedSeqs(), Range(1, 20));
}

class CurveBusTest : public BusTest {
 protected:
  void StartCurveProducer(std::set<std::string> allowed) {
    producer_ = std::make_unique<Producer>(ProducerOptions{.name = "curve-test",
                                                           .endpoint = "tcp://127.0.0.1:*",
                                                           .db_path = producer_db_path_,
                                                           .consumers = {"reader"},
                                                           .commits = commits_,
                                                           .curve_secret_key = server_.secret_key,
                                                           .curve_client_keys = std::move(allowed)},
                                           *producer_writer_, registry_);
    ASSERT_TRUE(producer_->Start().ok());
  }
  void StartCurveConsumer(const CurveKeyPair* client) {
    ConsumerOptions options{.name = "reader",
                            .producer = "curve-test",
                            .endpoint = producer_->endpoint(),
                            .wait_ms = 200,
                            .reply_grace_ms = 500,
                            .retry_pause_ms = 50};
    if (client != nullptr) {
      options.curve_server_key = server_.public_key;
      options.curve_public_key = client->public_key;
      options.curve_secret_key = client->secret_key;
    }
    consumer_ =
        std::make_unique<Consumer>(std::move(options), *consumer_writer_, recorder_, registry_);
    ASSERT_TRUE(consumer_->Start().ok());
  }
  CurveKeyPair server_ = *GenerateCurveKeyPair();
  CurveKeyPair allowed_ = *GenerateCurveKeyPair();
  CurveKeyPair stranger_ = *GenerateCurveKeyPair();
};

TEST_F(CurveBusTest, AnAllowedKeyGetsTheEvents) {
  StartCurveProducer({allowed_.public_key});
  Append(25);
  StartCurveConsumer(&allowed_);
  ASSERT_TRUE(WaitForCursor(25));
  EXPECT_EQ(AppliedSeqs(), Range(1, 25));
}

TEST_F(CurveBusTest, AKeyThatIsNotAllowedIsRefused) {
  StartCurveProducer({allowed_.public_key});
  Append(5);
  const int64_t refused_before = CurveRefusals();
  StartCurveConsumer(&stranger_);
  ASSERT_TRUE(WaitFor([&] { return CurveRefusals() > refused_before; }));
  ASSERT_TRUE(WaitForError("no answer"));
  EXPECT_EQ(consumer_->cursor(), 0);
  EXPECT_TRUE(AppliedSeqs().empty());
}

TEST_F(CurveBusTest, APlaintextClientIsRefused) {
  StartCurveProducer({allowed_.public_key});
  Append(5);
  StartCurveConsumer(nullptr);
  ASSERT_TRUE(WaitForError("no answer"));
  EXPECT_EQ(consumer_->cursor(), 0);
  EXPECT_TRUE(AppliedSeqs().empty());
}

TEST(CurveKeysTest, GeneratedPairsAreValidAndDerivable) {
  CurveKeyPair pair = *GenerateCurveKeyPair();
  EXPECT_EQ(pair.public_key.size(), 40u);
  EXPECT_TRUE(ValidateCurveKey(pair.secret_key, "k").ok());
  EXPECT_EQ(*CurvePublicKey(pair.secret_key), pair.public_key);
  EXPECT_EQ(ValidateCurveKey("short", "bus.curve_secret_key").message(),
            "bus.curve_secret_key: must be a 40-character Z85 CURVE key (make one with "
            "--gen-curve-keypair)");
}

TEST_F(BusTest, MalformedFramesAreAnsweredAndServingGoesOn) {
  StartProducer();
  Append(2);
  zmq::socket_t raw = RawPeer();
  auto ask = [&](const std::vector<std::string>& parts) { return Ask(raw, parts); };
  EXPECT_EQ(ask({"garbage"}).error().code(), v1::BUS_ERROR_CODE_MALFORMED_FRAME);
  EXPECT_EQ(ask({"olif.bus.v0", "x"}).error().code(), v1::BUS_ERROR_CODE_UNSUPPORTED_PROTOCOL);
  EXPECT_EQ(ask({kProtocol, std::string("\xff\xff", 2)}).error().code(),
            v1::BUS_ERROR_CODE_MALFORMED_FRAME);
  v1::ConsumerFrame negative;
  negative.mutable_fetch()->set_consumer("reader");
  negative.mutable_fetch()->set_after_seq(-5);
  negative.mutable_fetch()->set_max_events(1);
  EXPECT_EQ(ask(Encode(negative)).error().code(), v1::BUS_ERROR_CODE_INVALID_FETCH);
  // Still serving.
  StartConsumer();
  ASSERT_TRUE(WaitForCursor(2));
}

TEST_F(BusTest, AFetchSentAheadIsNoAcknowledgementButAPlainOneIs) {
  StartProducer();
  Append(5);
  zmq::socket_t raw = RawPeer();
  auto fetch = [&](int64_t after, bool ahead) {
    v1::ConsumerFrame f;
    f.mutable_fetch()->set_consumer("reader");
    f.mutable_fetch()->set_after_seq(after);
    f.mutable_fetch()->set_max_events(10);
    f.mutable_fetch()->set_ahead(ahead);
    EXPECT_TRUE(Ask(raw, Encode(f)).has_batch());
  };
  fetch(3, /*ahead=*/true);
  // The acknowledgement a plain Fetch records is stored through the writer:
  // a plain one after this shows that the ahead one recorded nothing.
  fetch(2, /*ahead=*/false);
  ASSERT_TRUE(WaitFor([&] { return AckedAtProducer("reader") == 2; }));
  fetch(4, /*ahead=*/true);
  fetch(2, /*ahead=*/false);
  ASSERT_TRUE(producer_writer_->Run([](sqlite::Database&) { return absl::OkStatus(); }).ok());
  EXPECT_EQ(AckedAtProducer("reader"), 2) << "a Fetch sent ahead acknowledged its after_seq";
}

TEST_F(BusTest, AConsumerFetchingAheadStillAppliesEveryEventOnceInOrderAcrossBatches) {
  StartProducer();
  StartConsumer("reader", {}, 200, /*max_batch=*/7);
  for (int round = 0; round < 5; ++round) Append(23);
  ASSERT_TRUE(WaitForCursor(115));
  EXPECT_EQ(AppliedSeqs(), Range(1, 115));
  ASSERT_TRUE(WaitFor([&] { return AckedAtProducer("reader") == 115; }));
}

}  // namespace
}  // namespace olif::bus
