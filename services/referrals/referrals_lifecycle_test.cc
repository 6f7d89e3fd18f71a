// The whole direct line in process: pairing, the state machine with
// optimistic concurrency, the consent gate (consent events applied through
// the store's Writer, as the bus consumer does), response times across a
// weekend and holidays, lapsing, statistics and a directory reload.

#include <gtest/gtest.h>

#include <atomic>
#include <fstream>
#include <future>
#include <thread>

#include "absl/strings/str_cat.h"
#include "absl/strings/str_replace.h"
#include "olifantenpad/consent/v1/events.pb.h"
#include "olifantenpad/referrals/v1/events.pb.h"
#include "services/common/clock/timestamp.h"
#include "services/common/consent/projection.h"
#include "services/referrals/referrals_service.h"
#include "services/referrals/sqlite_referrals_store.h"
#include "services/referrals/testing_util.h"

namespace olif::referrals {
namespace {

namespace cv1 = olifantenpad::consent::v1;
using testing_util::kChildRef;

absl::TimeZone Amsterdam() {
  absl::TimeZone tz;
  EXPECT_TRUE(absl::LoadTimeZone("Europe/Amsterdam", &tz));
  return tz;
}
absl::Time At(int y, int m, int d, int h) {
  return absl::FromCivil(absl::CivilSecond(y, m, d, h, 0, 0), Amsterdam());
}

class LifecycleTest : public testing::Test {
 protected:
  void SetUp() override {
    path_ = testing_util::FreshDbPath();
    store_ = *SqliteReferralsStore::Open(path_);
    directory_ = testing_util::DevDirectory();
    service_ = std::make_unique<ReferralsService>(
        *store_, clock_, *directory_,
        *WorkingDays::Create({"2026-12-25", "2026-12-28"}, "Europe/Amsterdam"), Settings{});
    gate_ = store_->ConsumerHandler([this](ReferralsTransaction& txn, const auto& event) {
      return service_->ApplyConsentEvent(txn, event);
    });
  }

  template <typename Call>
  absl::StatusOr<v1::DirectLineRequest> Wait(Call call) {
    std::promise<absl::StatusOr<v1::DirectLineRequest>> p;
    auto f = p.get_future();
    call([&p](absl::StatusOr<v1::DirectLineRequest> r) { p.set_value(std::move(r)); });
    return f.get();
  }
  absl::StatusOr<v1::DirectLineRequest> Create(const v1::CreateRequestRequest& call) {
    return Wait([&](auto done) { service_->Create(call, "trace-create", done); });
  }
  absl::StatusOr<v1::DirectLineRequest> Accept(const v1::DirectLineRequest& r) {
    v1::AcceptRequestRequest call;
    call.set_id(r.id());
    call.set_version(r.version());
    return Wait([&](auto done) { service_->Accept(call, "t", done); });
  }
  absl::StatusOr<v1::DirectLineRequest> Cycle(const v1::DirectLineRequest& r, v1::Outcome outcome) {
    v1::RecordCycleRequest call;
    call.set_id(r.id());
    call.set_version(r.version());
    call.mutable_cycle()->set_plan("Vaste rustmomenten na de lunch, met een prentenboek.");
    call.mutable_cycle()->set_actions("Twee weken elke dag geprobeerd.");
    *call.mutable_cycle()->mutable_period_start() = ToTimestamp(clock_.Now());
    *call.mutable_cycle()->mutable_period_end() = ToTimestamp(clock_.Now() + absl::Hours(24 * 14));
    call.mutable_cycle()->set_evaluation("Minder onrust.");
    call.mutable_cycle()->set_outcome(outcome);
    return Wait([&](auto done) { service_->RecordCycle(call, "t", done); });
  }
  absl::StatusOr<v1::DirectLineRequest> Resolve(const v1::DirectLineRequest& r) {
    v1::ResolveRequestRequest call;
    call.set_id(r.id());
    call.set_version(r.version());
    return Wait([&](auto done) { service_->Resolve(call, "t", done); });
  }
  absl::StatusOr<v1::DirectLineRequest> Get(const std::string& id) {
    v1::GetRequestRequest call;
    call.set_id(id);
    return service_->Get(call);
  }
  // Applies a consent event as the bus consumer does: its handler, in one
  // transaction of the Writer.
  void ApplyConsent(const std::string& topic, const google::protobuf::Message& payload) {
    olifantenpad::common::v1::EventEnvelope e;
    e.set_event_id(NewUuid());
    e.set_topic(topic);
    *e.mutable_occurred_at() = ToTimestamp(clock_.Now());
    e.mutable_payload()->PackFrom(payload);
    ASSERT_TRUE(
        store_->writer().Run([&](sqlite::Database& db) { return gate_->Apply(db, e); }).ok());
  }
  void Grant(const std::string& consent_id, const std::string& recipient) {
    cv1::ConsentGranted g;
    g.set_consent_id(consent_id);
    g.mutable_child()->set_child_ref(kChildRef);
    g.add_purposes(cv1::PURPOSE_DIRECT_LINE);
    g.add_recipient_organisation_ids(recipient);
    *g.mutable_valid_from() = ToTimestamp(clock_.Now() - absl::Hours(24));
    *g.mutable_valid_until() = ToTimestamp(clock_.Now() + absl::Hours(24 * 300));
    ApplyConsent(consent::kTopicGranted, g);
  }
  std::vector<std::string> Topics() {
    std::vector<std::string> topics;
    auto events = store_->EventsAfter(0, 1000);
    EXPECT_TRUE(events.ok());
    if (events.ok()) {
      for (const auto& e : *events) topics.push_back(e.topic());
    }
    return topics;
  }

  FakeClock clock_{At(2026, 11, 23, 9)};  // a Monday
  std::string path_;
  std::unique_ptr<SqliteReferralsStore> store_;
  std::unique_ptr<directory::DirectoryHolder> directory_;
  std::unique_ptr<ReferralsService> service_;
  std::unique_ptr<bus::EventHandler> gate_;
};

TEST_F(LifecycleTest, AQuestionGoesFromCreatedToResolvedWithTwoCycles) {
  auto r = Create(testing_util::ValidGroup());
  ASSERT_TRUE(r.ok()) << r.status();
  EXPECT_EQ(r->status(), v1::REQUEST_STATUS_SUBMITTED);
  EXPECT_EQ(r->expert().professional_id(), "prof-anna-de-vries");
  EXPECT_EQ(r->version(), 1);
  EXPECT_EQ(FromTimestamp(r->first_response_due()), At(2026, 11, 25, 9)) << "two working days";
  clock_.Advance(absl::Hours(3));
  r = Accept(*r);
  ASSERT_TRUE(r.ok()) << r.status();
  EXPECT_EQ(r->status(), v1::REQUEST_STATUS_ACCEPTED);
  EXPECT_EQ(r->version(), 2);
  r = Cycle(*r, v1::OUTCOME_CONTINUE);
  ASSERT_TRUE(r.ok()) << r.status();
  r = Cycle(*r, v1::OUTCOME_RESOLVED);
  ASSERT_TRUE(r.ok()) << r.status();
  EXPECT_EQ(r->status(), v1::REQUEST_STATUS_IN_PROGRESS);
  ASSERT_EQ(r->cycles_size(), 2);
  EXPECT_EQ(r->cycles(1).number(), 2);
  v1::AddMessageRequest message;
  message.set_id(r->id());
  message.set_version(r->version());
  message.mutable_message()->set_author(v1::AUTHOR_EXPERT);
  message.mutable_message()->set_text("Fijn dat het werkt; laat het me weten als het terugkomt.");
  r = Wait([&](auto done) { service_->AddMessage(message, "t", done); });
  ASSERT_TRUE(r.ok()) << r.status();
  r = Resolve(*r);
  ASSERT_TRUE(r.ok()) << r.status();
  EXPECT_EQ(r->status(), v1::REQUEST_STATUS_RESOLVED);
  EXPECT_EQ(r->outcome(), v1::OUTCOME_RESOLVED);
  EXPECT_EQ(r->version(), 6);
  EXPECT_EQ(Topics(), std::vector<std::string>({kTopicRequestSubmitted, kTopicRequestUpdated,
                                                kTopicRequestUpdated, kTopicRequestUpdated,
                                                kTopicRequestUpdated, kTopicRequestUpdated}));
  v1::RequestUpdated last;
  ASSERT_TRUE(store_->EventsAfter(5, 1)->front().payload().UnpackTo(&last));
  EXPECT_EQ(last.transition(), v1::TRANSITION_RESOLVED);
  EXPECT_EQ(last.version(), 6);
  // Final: nothing more.
  EXPECT_EQ(Accept(*r).status().code(), absl::StatusCode::kFailedPrecondition);
}

TEST_F(LifecycleTest, AStaleVersionIsAborted) {
  auto r = Create(testing_util::ValidAnonymous());
  ASSERT_TRUE(r.ok());
  ASSERT_TRUE(Accept(*r).ok());
  auto stale = Accept(*r);  // still version 1
  EXPECT_EQ(stale.status().code(), absl::StatusCode::kAborted);
  EXPECT_EQ(stale.status().message(),
            absl::StrCat("request ", r->id(), " is at version 2, not 1: read it again and retry"));
  EXPECT_EQ(Get(r->id())->version(), 2) << "nothing changed";
}

TEST_F(LifecycleTest, ANamedChildWaitsForConsentAndIsReleasedOnce) {
  auto r = Create(testing_util::ValidChild());
  ASSERT_TRUE(r.ok()) << r.status();
  EXPECT_EQ(r->status(), v1::REQUEST_STATUS_AWAITING_CONSENT);
  EXPECT_TRUE(Topics().empty()) << "nothing leaves before consent";
  auto identity = store_->Identity(r->id());
  ASSERT_TRUE(identity.ok());
  EXPECT_EQ(identity->given_name(), "Daan");

  Grant("c-other-org", "org-jz-wijkteam-oost");  // not the paired expert's organisation
  EXPECT_EQ(Get(r->id())->status(), v1::REQUEST_STATUS_AWAITING_CONSENT);
  EXPECT_TRUE(Topics().empty());

  clock_.Advance(absl::Hours(1));
  Grant("c-kompas", "org-jz-het-kompas");
  auto released = Get(r->id());
  EXPECT_EQ(released->status(), v1::REQUEST_STATUS_SUBMITTED);
  EXPECT_EQ(released->consent_id(), "c-kompas");
  EXPECT_EQ(released->version(), 2);
  ASSERT_EQ(Topics(), std::vector<std::string>({kTopicRequestSubmitted}));
  Grant("c-kompas", "org-jz-het-kompas");  // replayed
  EXPECT_EQ(Topics().size(), 1u) << "published once";
  const std::string bytes = store_->EventsAfter(0, 10)->front().SerializeAsString();
  for (const char* secret : {"Janssen", "111222333", "2023-05-14"}) {
    EXPECT_EQ(bytes.find(secret), std::string::npos) << secret;
  }

  // With consent known, the next request for the child goes at once.
  auto second = Create(testing_util::ValidChild());
  ASSERT_TRUE(second.ok());
  EXPECT_EQ(second->status(), v1::REQUEST_STATUS_SUBMITTED);
}

TEST_F(LifecycleTest, AWithdrawnConsentRestrictsWhatReliedOnIt) {
  Grant("c-kompas", "org-jz-het-kompas");
  auto r = Create(testing_util::ValidChild());
  ASSERT_TRUE(r.ok());
  r = Accept(*r);
  ASSERT_TRUE(r.ok());
  cv1::ConsentWithdrawn w;
  w.set_consent_id("c-kompas");
  w.mutable_child()->set_child_ref(kChildRef);
  *w.mutable_withdrawn_at() = ToTimestamp(clock_.Now());
  ApplyConsent(consent::kTopicWithdrawn, w);
  auto restricted = Get(r->id());
  EXPECT_TRUE(restricted->restricted());
  EXPECT_EQ(Topics().back(), kTopicRequestRestricted);
  auto refused = Cycle(*restricted, v1::OUTCOME_CONTINUE);
  EXPECT_EQ(refused.status().code(), absl::StatusCode::kFailedPrecondition);
  EXPECT_NE(refused.status().message().find("restricted"), absl::string_view::npos);
  ApplyConsent(consent::kTopicWithdrawn, w);
  const std::vector<std::string> topics = Topics();
  EXPECT_EQ(std::count(topics.begin(), topics.end(), kTopicRequestRestricted), 1) << "once";
}

TEST_F(LifecycleTest, TheChildsIdentityIsReleasedOnlyUnderConsent) {
  auto identity_of = [this](const std::string& id) {
    v1::GetChildIdentityRequest call;
    call.set_id(id);
    return service_->ChildIdentity(call);
  };
  auto r = Create(testing_util::ValidChild());
  ASSERT_TRUE(r.ok());
  auto waiting = identity_of(r->id());
  EXPECT_EQ(waiting.status().code(), absl::StatusCode::kFailedPrecondition);
  EXPECT_NE(waiting.status().message().find("not released without consent"), std::string::npos);

  Grant("c-kompas", "org-jz-het-kompas");
  auto released = identity_of(r->id());
  ASSERT_TRUE(released.ok()) << released.status();
  EXPECT_EQ(released->child_identity().family_name(), "Janssen");
  EXPECT_EQ(released->child().child_ref(), kChildRef);

  cv1::ConsentWithdrawn w;
  w.set_consent_id("c-kompas");
  w.mutable_child()->set_child_ref(kChildRef);
  *w.mutable_withdrawn_at() = ToTimestamp(clock_.Now());
  ApplyConsent(consent::kTopicWithdrawn, w);
  auto restricted = identity_of(r->id());
  EXPECT_EQ(restricted.status().code(), absl::StatusCode::kFailedPrecondition);
  EXPECT_NE(restricted.status().message().find("restricted"), std::string::npos);

  auto anonymous = Create(testing_util::ValidAnonymous());
  ASSERT_TRUE(anonymous.ok());
  EXPECT_EQ(identity_of(anonymous->id()).status().code(), absl::StatusCode::kNotFound);
  EXPECT_EQ(identity_of("not-a-uuid").status().code(), absl::StatusCode::kInvalidArgument);
}

TEST_F(LifecycleTest, ARequestWithoutConsentLapses) {
  auto r = Create(testing_util::ValidChild());
  ASSERT_TRUE(r.ok());
  clock_.Advance(absl::Hours(24 * 14) - absl::Seconds(1));
  EXPECT_EQ(*service_->RunDueJobs(), 0);
  clock_.Advance(absl::Seconds(1));
  EXPECT_EQ(*service_->RunDueJobs(), 1);
  EXPECT_EQ(Get(r->id())->status(), v1::REQUEST_STATUS_LAPSED);
  EXPECT_EQ(Topics(), std::vector<std::string>({kTopicRequestLapsed}));
  Grant("c-late", "org-jz-het-kompas");
  EXPECT_EQ(Get(r->id())->status(), v1::REQUEST_STATUS_LAPSED) << "a lapsed request stays lapsed";
}

TEST_F(LifecycleTest, OverdueAcrossAWeekendAndHolidaysIsAnnouncedOnce) {
  clock_.SetTime(At(2026, 12, 24, 9));  // Thursday; Fri 25 and Mon 28 are holidays
  auto r = Create(testing_util::ValidAnonymous());
  ASSERT_TRUE(r.ok());
  EXPECT_EQ(FromTimestamp(r->first_response_due()), At(2026, 12, 30, 9));
  clock_.SetTime(At(2026, 12, 29, 17));
  EXPECT_EQ(*service_->RunDueJobs(), 0);
  clock_.SetTime(At(2026, 12, 30, 9));
  EXPECT_EQ(*service_->RunDueJobs(), 1);
  EXPECT_EQ(*service_->RunDueJobs(), 0) << "once";
  EXPECT_TRUE(Get(r->id())->overdue());
  EXPECT_EQ(Topics().back(), kTopicRequestOverdue);
  // The admin status names it for the operator (and the alerts process).
  olifantenpad::admin::v1::GetStatusResponse status;
  ASSERT_TRUE(store_->FillStatus(&status).ok());
  ASSERT_EQ(status.attention_size(), 1);
  EXPECT_EQ(status.attention(0).kind(), "first_response_overdue");
  EXPECT_EQ(status.attention(0).subject(), "requests/" + r->id());
  EXPECT_EQ(status.attention(0).since().seconds(), absl::ToUnixSeconds(At(2026, 12, 30, 9)));
  auto accepted = Accept(*Get(r->id()));
  ASSERT_TRUE(accepted.ok()) << "a late answer is still an answer";
  EXPECT_TRUE(accepted->has_first_response_time());
  status.Clear();
  ASSERT_TRUE(store_->FillStatus(&status).ok());
  EXPECT_EQ(status.attention_size(), 0) << "answered: no longer overdue";
}

TEST_F(LifecycleTest, StatisticsSuppressSmallNumbers) {
  for (int i = 0; i < 6; ++i) {
    auto r = Create(testing_util::ValidAnonymous());
    ASSERT_TRUE(r.ok());
    clock_.Advance(absl::Hours(i + 1));
    ASSERT_TRUE(Accept(*r).ok());
  }
  ASSERT_TRUE(Create(testing_util::ValidGroup()).ok());
  ASSERT_TRUE(Create(testing_util::ValidAnonymous("loc-zonnestraal-centrum")).ok());
  v1::GetStatisticsRequest call;
  *call.mutable_start() = ToTimestamp(At(2026, 11, 1, 0));
  *call.mutable_end() = ToTimestamp(At(2026, 12, 1, 0));
  call.set_location_id("loc-boomgaard-noord");
  auto stats = service_->Statistics(call);
  ASSERT_TRUE(stats.ok()) << stats.status();
  EXPECT_EQ(stats->total(), "7");
  std::map<std::string, std::string> counts;
  for (const auto& c : stats->counts()) counts[c.dimension() + "/" + c.value()] = c.count();
  EXPECT_EQ(counts["kind/REQUEST_KIND_ANONYMOUS"], "6");
  EXPECT_EQ(counts["kind/REQUEST_KIND_GROUP"], "<5") << "never exact below 5";
  EXPECT_EQ(counts["status/REQUEST_STATUS_ACCEPTED"], "6");
  EXPECT_EQ(counts["status/REQUEST_STATUS_SUBMITTED"], "<5");
  ASSERT_TRUE(stats->has_median());
  // Six first responses after 1, 2, 3, 4, 5 and 6 hours: median (3 + 4) / 2.
  EXPECT_DOUBLE_EQ(stats->median_hours_to_first_response(), 3.5);
  call.set_location_id("loc-zonnestraal-centrum");
  stats = service_->Statistics(call);
  EXPECT_EQ(stats->total(), "<5");
  EXPECT_FALSE(stats->has_median()) << "fewer than five responses: no median";
}

TEST_F(LifecycleTest, ReassignIsRecordedAndChecked) {
  auto r = Create(testing_util::ValidAnonymous());
  ASSERT_TRUE(r.ok());
  v1::ReassignRequestRequest call;
  call.set_id(r->id());
  call.set_version(r->version());
  call.set_expert_id("prof-sanne-bakker");
  call.set_by("prof-fatima-el-amrani");
  call.set_reason("Anna is met verlof");
  auto refused = Wait([&](auto done) { service_->Reassign(call, "t", done); });
  EXPECT_EQ(refused.status().message(),
            "expert_id: 'prof-sanne-bakker' is not a youth-care expert in the directory");
  call.set_expert_id("prof-mehmet-yilmaz");
  auto moved = Wait([&](auto done) { service_->Reassign(call, "t", done); });
  ASSERT_TRUE(moved.ok()) << moved.status();
  EXPECT_EQ(moved->expert().professional_id(), "prof-mehmet-yilmaz");
  ASSERT_EQ(moved->reassignments_size(), 1);
  EXPECT_EQ(moved->reassignments(0).from().professional_id(), "prof-anna-de-vries");
  EXPECT_EQ(moved->reassignments(0).by(), "prof-fatima-el-amrani");
  v1::RequestUpdated event;
  ASSERT_TRUE(store_->EventsAfter(1, 1)->front().payload().UnpackTo(&event));
  EXPECT_EQ(event.transition(), v1::TRANSITION_REASSIGNED);
  EXPECT_EQ(event.expert().professional_id(), "prof-mehmet-yilmaz");
  EXPECT_EQ(event.previous_expert().professional_id(), "prof-anna-de-vries");
  EXPECT_EQ(event.previous_expert().organisation_id(), "org-jz-het-kompas");
}

TEST_F(LifecycleTest, APairingChangedByAReloadAppliesToNewRequestsOnly) {
  const std::string source = std::string(OLIF_SOURCE_DIR) + "/config/dev/directory.yaml";
  std::ifstream in(source);
  std::string original;
  for (std::string line; std::getline(in, line);) original += line + "\n";
  const std::string changed = absl::StrReplaceAll(
      original, {{"{location_id: loc-boomgaard-noord, expert_id: prof-anna-de-vries}",
                  "{location_id: loc-boomgaard-noord, expert_id: prof-mehmet-yilmaz}"}});
  ASSERT_NE(changed, original);
  const std::string path = path_ + ".directory.yaml";
  std::ofstream(path) << changed;

  auto before = Create(testing_util::ValidAnonymous());
  ASSERT_TRUE(before.ok());
  // Requests keep being created while the directory is reloaded.
  std::atomic<bool> stop{false};
  std::atomic<int> failures{0};
  std::atomic<int> count{0};
  std::vector<std::string> created;  // written by the creator, read after join
  std::thread creator([&] {
    while (!stop.load()) {
      auto r = Create(testing_util::ValidAnonymous());
      if (!r.ok()) {
        ++failures;
      } else {
        created.push_back(r->expert().professional_id());
        ++count;
      }
    }
  });
  ASSERT_TRUE(olif::testing_util::WaitFor([&] { return count.load() >= 1; }));
  ASSERT_TRUE(directory_->Reload(path).ok());
  auto after = Create(testing_util::ValidAnonymous());
  stop = true;
  creator.join();
  EXPECT_EQ(failures.load(), 0) << "no call fails during a reload";
  for (const std::string& expert : created) {
    EXPECT_TRUE(expert == "prof-anna-de-vries" || expert == "prof-mehmet-yilmaz") << expert;
  }
  ASSERT_TRUE(after.ok());
  EXPECT_EQ(after->expert().professional_id(), "prof-mehmet-yilmaz");
  EXPECT_EQ(Get(before->id())->expert().professional_id(), "prof-anna-de-vries")
      << "an open request keeps its expert";
}

}  // namespace
}  // namespace olif::referrals
