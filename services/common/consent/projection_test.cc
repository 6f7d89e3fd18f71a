// The projection on its own (events applied directly) and fed over the bus
// from a producer in the same process, with a consumer restart in between.

#include "services/common/consent/projection.h"
#include "services/common/clock/timestamp.h"

#include <gtest/gtest.h>

#include <google/protobuf/util/time_util.h>

#include "olifantenpad/consent/v1/events.pb.h"
#include "services/common/bus/producer.h"
#include "services/common/outbox/outbox.h"
#include "services/common/testing/testing.h"

namespace olif::consent {
namespace {

using google::protobuf::util::TimeUtil;
namespace common = olifantenpad::common::v1;

constexpr char kChild[] = "5d1e8a43-2b6f-4c7d-9e10-a2b3c4d5e6f7";
constexpr char kKompas[] = "org-jz-het-kompas";
const absl::Time kProjectionFrom =
    absl::FromCivil(absl::CivilSecond(2026, 9, 1, 0, 0, 0), absl::UTCTimeZone());
const absl::Time kNow = kProjectionFrom + absl::Hours(24 * 60);

v1::ConsentGranted Granted(const std::string& id) {
  v1::ConsentGranted g;
  g.set_consent_id(id);
  g.mutable_child()->set_child_ref(kChild);
  g.add_purposes(v1::PURPOSE_DIRECT_LINE);
  g.add_recipient_organisation_ids(kKompas);
  *g.mutable_valid_from() = ToTimestamp(kProjectionFrom);
  *g.mutable_valid_until() = ToTimestamp(kProjectionFrom + absl::Hours(24 * 365));
  return g;
}

v1::ConsentWithdrawn Withdrawn(const std::string& id) {
  v1::ConsentWithdrawn w;
  w.set_consent_id(id);
  w.mutable_child()->set_child_ref(kChild);
  w.add_purposes(v1::PURPOSE_DIRECT_LINE);
  w.add_recipient_organisation_ids(kKompas);
  *w.mutable_withdrawn_at() = ToTimestamp(kNow - absl::Hours(1));
  return w;
}

common::EventEnvelope Envelope(const std::string& topic, const google::protobuf::Message& payload,
                               int64_t seq) {
  common::EventEnvelope e;
  e.set_event_id(absl::StrCat("00000000-0000-4000-8000-", absl::Dec(seq, absl::kZeroPad12)));
  e.set_producer("consent");
  e.set_seq(seq);
  e.set_topic(topic);
  *e.mutable_occurred_at() = ToTimestamp(kProjectionFrom);
  e.mutable_payload()->PackFrom(payload);
  return e;
}

class ProjectionTest : public testing::Test {
 protected:
  void SetUp() override {
    dir_ = testing_util::FreshTestDir("projection");
    OpenConsumer();
  }

  // The consumer's database, Writer and projection, as a process opens them at start.
  void OpenConsumer() {
    projection_.reset();
    writer_.reset();
    const std::string path = (dir_ / "consumer.db").string();
    writer_ = std::make_unique<sqlite::Writer>(std::move(*sqlite::Database::Open(path, {})));
    ASSERT_TRUE(writer_->Run(ConsentProjection::CreateTables).ok());
    auto projection = ConsentProjection::Open(path);
    ASSERT_TRUE(projection.ok()) << projection.status();
    projection_ = std::move(*projection);
  }

  absl::Status ApplyAll(const std::vector<common::EventEnvelope>& events) {
    return writer_->Run([&](sqlite::Database& db) -> absl::Status {
      for (const auto& e : events) {
        if (absl::Status s = projection_->Apply(db, e); !s.ok()) return s;
      }
      return absl::OkStatus();
    });
  }

  v1::Decision Permits(absl::Time at = kNow) {
    absl::StatusOr<v1::Decision> d =
        projection_->Permits(kChild, v1::PURPOSE_DIRECT_LINE, kKompas, at);
    EXPECT_TRUE(d.ok()) << d.status();
    return d.ok() ? *d : v1::Decision();
  }

  std::filesystem::path dir_;
  std::unique_ptr<sqlite::Writer> writer_;
  std::unique_ptr<ConsentProjection> projection_;
};

TEST_F(ProjectionTest, GrantPermitsAndWithdrawalDeniesAtOnce) {
  EXPECT_EQ(Permits().reason(), "no consent is recorded for this child");
  ASSERT_TRUE(ApplyAll({Envelope(kTopicGranted, Granted("c-1"), 1)}).ok());
  EXPECT_TRUE(Permits().permitted());
  EXPECT_EQ(Permits().consent_id(), "c-1");
  ASSERT_TRUE(ApplyAll({Envelope(kTopicWithdrawn, Withdrawn("c-1"), 2)}).ok());
  const v1::Decision d = Permits();
  EXPECT_FALSE(d.permitted());
  EXPECT_EQ(d.reason(), "consent c-1 was withdrawn at 2026-10-30T23:00:00Z");
}

TEST_F(ProjectionTest, ExpiryDenies) {
  v1::ConsentExpired expired;
  expired.set_consent_id("c-1");
  expired.mutable_child()->set_child_ref(kChild);
  *expired.mutable_expired_at() = ToTimestamp(kNow);
  ASSERT_TRUE(
      ApplyAll({Envelope(kTopicGranted, Granted("c-1"), 1), Envelope(kTopicExpired, expired, 2)})
          .ok());
  EXPECT_FALSE(Permits(kNow - absl::Hours(1)).permitted());
}

TEST_F(ProjectionTest, EventsAppliedTwiceGiveTheSameState) {
  const std::vector<common::EventEnvelope> events = {Envelope(kTopicGranted, Granted("c-1"), 1),
                                                     Envelope(kTopicWithdrawn, Withdrawn("c-1"), 2),
                                                     Envelope(kTopicGranted, Granted("c-2"), 3)};
  ASSERT_TRUE(ApplyAll(events).ok());
  const v1::Decision once = Permits();
  ASSERT_TRUE(ApplyAll(events).ok());  // a replay, grant of c-1 included
  const v1::Decision twice = Permits();
  EXPECT_EQ(once.SerializeAsString(), twice.SerializeAsString());
  EXPECT_EQ(twice.consent_id(), "c-2");
  // c-1 stays withdrawn: only c-2 permits; once c-2 goes too, nothing does.
  ASSERT_TRUE(ApplyAll({Envelope(kTopicWithdrawn, Withdrawn("c-2"), 4)}).ok());
  EXPECT_FALSE(Permits().permitted());
  ASSERT_TRUE(ApplyAll(events).ok());
  EXPECT_FALSE(Permits().permitted());
}

TEST_F(ProjectionTest, AMalformedPayloadIsRefusedAndChangesNothing) {
  common::EventEnvelope wrong = Envelope(kTopicGranted, Withdrawn("c-1"), 1);
  absl::Status s = ApplyAll({wrong});
  EXPECT_EQ(s.code(), absl::StatusCode::kInvalidArgument);
  EXPECT_EQ(s.message(), absl::StrCat("event ", wrong.event_id(),
                                      " on topic consent.granted does not hold a "
                                      "olifantenpad.consent.v1.ConsentGranted"));
  EXPECT_EQ(Permits().reason(), "no consent is recorded for this child");
}

TEST_F(ProjectionTest, OtherTopicsAreIgnored) {
  ASSERT_TRUE(ApplyAll({Envelope("referrals.request.submitted", Granted("c-1"), 1)}).ok());
  EXPECT_FALSE(Permits().permitted());
}

// Fed over the bus; the consumer is stopped between grant and withdrawal and
// its database reopened, as after a restart of the process.
TEST_F(ProjectionTest, OverTheBusAcrossAConsumerRestart) {
  const std::string producer_path = (dir_ / "producer.db").string();
  const std::vector<sqlite::Migration> schema = {{1, "0001_outbox.sql", outbox::kTableSql}};
  auto commits = std::make_shared<bus::Signal>();
  sqlite::Writer producer_writer(
      std::move(*sqlite::Database::Open(producer_path, schema)),
      sqlite::WriterOptions{.on_commit = [commits](int) { commits->Raise(); }});
  metrics::Registry registry;
  bus::Producer producer({.name = "consent",
                          .endpoint = "tcp://127.0.0.1:*",
                          .db_path = producer_path,
                          .consumers = {"projection"},
                          .commits = commits},
                         producer_writer, registry);
  ASSERT_TRUE(producer.Start().ok());
  auto publish = [&](const std::string& topic, const google::protobuf::Message& payload) {
    return producer_writer.Run([&](sqlite::Database& db) {
      return outbox::Append(db, "consent",
                            {.topic = topic, .payload = &payload, .occurred_at = kNow})
          .status();
    });
  };
  auto start_consumer = [&] {
    auto c =
        std::make_unique<bus::Consumer>(bus::ConsumerOptions{.name = "projection",
                                                             .producer = "consent",
                                                             .endpoint = producer.endpoint(),
                                                             .topics = ConsentProjection::Topics(),
                                                             .wait_ms = 200,
                                                             .reply_grace_ms = 1000,
                                                             .retry_pause_ms = 50},
                                        *writer_, *projection_, registry);
    EXPECT_TRUE(c->Start().ok());
    return c;
  };

  auto consumer = start_consumer();
  ASSERT_TRUE(publish(kTopicGranted, Granted("c-1")).ok());
  ASSERT_TRUE(testing_util::WaitFor([&] { return consumer->cursor() == 1; }));
  EXPECT_TRUE(Permits().permitted());

  consumer->Stop();
  consumer.reset();
  OpenConsumer();
  EXPECT_TRUE(Permits().permitted()) << "the projection survives the restart";
  ASSERT_TRUE(publish(kTopicWithdrawn, Withdrawn("c-1")).ok());
  EXPECT_TRUE(Permits().permitted()) << "not applied yet while the consumer is down";

  consumer = start_consumer();
  ASSERT_TRUE(testing_util::WaitFor([&] { return consumer->cursor() == 2; }));
  EXPECT_FALSE(Permits().permitted());
  consumer->Stop();
  producer.Stop();
}

}  // namespace
}  // namespace olif::consent
