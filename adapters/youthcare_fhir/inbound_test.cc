#include "adapters/youthcare_fhir/inbound.h"

#include "absl/strings/str_cat.h"

#include <gtest/gtest.h>
#include <httplib.h>

#include <thread>

#include "adapters/youthcare_fhir/testing/fake_fhir_server.h"
#include "adapters/youthcare_fhir/testing/fake_referrals.h"
#include "services/common/testing/testing.h"

namespace olif::youthcare_fhir {
namespace {

namespace rv1 = olifantenpad::referrals::v1;
using nlohmann::json;

class TaskPollerTest : public ::testing::Test {
 protected:
  void SetUp() override {
    const std::string path = (testing_util::FreshTestDir("task_poller") / "adapter.db").string();
    writer_ = std::make_unique<sqlite::Writer>(std::move(*sqlite::Database::Open(path, {})));
    ASSERT_TRUE(writer_->Run(adapters::MessageHistory::CreateTables).ok());
    ASSERT_TRUE(writer_->Run(TaskPoller::CreateTables).ok());
    history_ = *adapters::MessageHistory::Open(path, *writer_);
    ASSERT_TRUE(fhir_.Start("127.0.0.1", 0).ok());
    adapters::HttpClientOptions http;
    http.url = fhir_.base_url();
    http.timeout = absl::Seconds(2);
    poller_ = *TaskPoller::Open(path, http, *writer_, referrals_, clock_, registry_);
  }
  // A Task on the provider's server for request `id`, as the adapter made it.
  std::string AddTask(const std::string& id) {
    json task{{"resourceType", "Task"},
              {"identifier", json::array({json{{"system", fhir::kRequestSystem}, {"value", id}}})},
              {"status", "requested"},
              {"intent", "order"}};
    return fhir_.Update("Task", "t-" + id, task).ok() ? "t-" + id : CreateTask(task);
  }
  std::string CreateTask(json task) {
    auto r = adapters::Exchange(
        {}, {.method = "POST", .url = fhir_.base_url() + "/Task", .body = task.dump()});
    return json::parse(r.body)["id"];
  }
  // The provider changes the Task's status (and note).
  void Provider(const std::string& task_id, const std::string& status, const std::string& note = "",
                const std::string& reason = "") {
    json task;
    for (const json& t : fhir_.Resources("Task")) {
      if (t["id"] == task_id) task = t;
    }
    task["status"] = status;
    if (!note.empty()) task["note"] = json::array({json{{"text", note}}});
    if (!reason.empty()) task["statusReason"] = json{{"text", reason}};
    ASSERT_TRUE(fhir_.Update("Task", task_id, task).ok());
  }
  std::vector<adapters::HistoryEntry> In(const std::string& outcome) {
    return *history_->Search({.outcome = outcome, .direction = "in"});
  }

  FakeClock clock_{absl::FromUnixSeconds(1'795'000'000)};
  metrics::Registry registry_;
  std::unique_ptr<sqlite::Writer> writer_;
  std::unique_ptr<adapters::MessageHistory> history_;
  fakes::FakeFhirServer fhir_;
  testing::FakeReferrals referrals_;
  std::unique_ptr<TaskPoller> poller_;
};

TEST_F(TaskPollerTest, AcceptedThenCompletedResolvesTheRequestEachVersionOnce) {
  referrals_.Add("req-1", rv1::REQUEST_STATUS_SUBMITTED);
  const std::string task = AddTask("req-1");
  ASSERT_EQ(*poller_->PollOnce(), 1);  // "requested": nothing to do
  EXPECT_EQ(In("ignored").size(), 1u);
  EXPECT_EQ(*poller_->PollOnce(), 0);  // the same version is not handled twice

  Provider(task, "accepted");
  ASSERT_EQ(*poller_->PollOnce(), 1);
  EXPECT_EQ(referrals_.Request("req-1").status(), rv1::REQUEST_STATUS_ACCEPTED);
  Provider(task, "completed", "Tried picture cards with the group; he joins in now.");
  ASSERT_EQ(*poller_->PollOnce(), 1);
  const rv1::DirectLineRequest r = referrals_.Request("req-1");
  EXPECT_EQ(r.status(), rv1::REQUEST_STATUS_RESOLVED);
  ASSERT_EQ(r.messages_size(), 1);
  EXPECT_EQ(r.messages(0).author(), rv1::AUTHOR_EXPERT);
  auto applied = In("applied");
  ASSERT_EQ(applied.size(), 2u);
  EXPECT_EQ(applied[0].detail, "message added, resolved");
  EXPECT_EQ(applied[0].key, "req-1");
  EXPECT_EQ(applied[1].detail, "accepted");
  EXPECT_FALSE(poller_->Cursor()->empty());
  EXPECT_EQ(*poller_->PollOnce(), 0);
}

TEST_F(TaskPollerTest, APagesVersionsAreRememberedInOneCommit) {
  for (int i = 1; i <= 6; ++i) {
    referrals_.Add(absl::StrCat("req-", i), rv1::REQUEST_STATUS_SUBMITTED);
    AddTask(absl::StrCat("req-", i));
  }
  const uint64_t before = writer_->stats().transactions;
  ASSERT_EQ(*poller_->PollOnce(), 6);
  EXPECT_EQ(writer_->stats().transactions - before, 1u) << "one commit per version handled";
  EXPECT_EQ(In("ignored").size(), 6u);
  EXPECT_EQ(*poller_->PollOnce(), 0) << "remembered together, each still only once";
}

TEST_F(TaskPollerTest, CyclesInTheOutputsAreRecordedOnceInOrder) {
  referrals_.Add("req-1", rv1::REQUEST_STATUS_SUBMITTED);
  const std::string task = AddTask("req-1");
  auto part = [](const std::string& code, const std::string& key, json value) {
    return json{
        {"type", {{"coding", json::array({{{"system", fhir::kCycleSystem}, {"code", code}}})}}},
        {key, value}};
  };
  const json period{{"start", "2026-11-23T09:00:00Z"}, {"end", "2026-12-07T09:00:00Z"}};
  json t;
  for (const json& x : fhir_.Resources("Task")) {
    if (x["id"] == task) t = x;
  }
  t["status"] = "in-progress";
  t["output"] = json::array({part("1/plan", "valueString", "Prentenboek bij het afscheid"),
                             part("1/period", "valuePeriod", period),
                             part("1/outcome", "valueCode", "continue")});
  ASSERT_TRUE(fhir_.Update("Task", task, t).ok());
  ASSERT_EQ(*poller_->PollOnce(), 1);
  EXPECT_EQ(In("applied")[0].detail, "accepted, cycle recorded");
  // The provider adds cycle 2 and completes: only the new cycle is recorded.
  t = *fhir_.Update("Task", task, t);
  t["status"] = "completed";
  t["output"].push_back(part("2/plan", "valueString", "Vast rustmoment"));
  t["output"].push_back(part("2/period", "valuePeriod", period));
  t["output"].push_back(part("2/outcome", "valueCode", "resolved"));
  ASSERT_TRUE(fhir_.Update("Task", task, t).ok());
  ASSERT_EQ(*poller_->PollOnce(), 1);
  const rv1::DirectLineRequest r = referrals_.Request("req-1");
  ASSERT_EQ(r.cycles_size(), 2);
  EXPECT_EQ(r.cycles(0).plan(), "Prentenboek bij het afscheid");
  EXPECT_EQ(r.cycles(1).outcome(), rv1::OUTCOME_RESOLVED);
  EXPECT_EQ(r.status(), rv1::REQUEST_STATUS_RESOLVED);
  EXPECT_EQ(In("applied")[0].detail, "cycle recorded, resolved");
}

TEST_F(TaskPollerTest, ACommunicationBecomesAMessageOnce) {
  referrals_.Add("req-1", rv1::REQUEST_STATUS_ACCEPTED);
  const json communication{
      {"resourceType", "Communication"},
      {"status", "completed"},
      {"basedOn",
       json::array({{{"identifier", {{"system", fhir::kRequestSystem}, {"value", "req-1"}}}}})},
      {"payload", json::array({{{"contentString", "Ik kom dinsdag in de groep kijken."}}})}};
  auto r = adapters::Exchange(
      {},
      {.method = "POST", .url = fhir_.base_url() + "/Communication", .body = communication.dump()});
  ASSERT_EQ(r.status, 201) << r.body;
  ASSERT_EQ(*poller_->PollOnce(), 1);
  const rv1::DirectLineRequest got = referrals_.Request("req-1");
  ASSERT_EQ(got.messages_size(), 1);
  EXPECT_EQ(got.messages(0).text(), "Ik kom dinsdag in de groep kijken.");
  EXPECT_EQ(got.messages(0).author(), rv1::AUTHOR_EXPERT);
  EXPECT_EQ(*poller_->PollOnce(), 0);
  EXPECT_FALSE(poller_->Cursor("Communication")->empty());
  EXPECT_TRUE(poller_->Cursor("Task")->empty());
}

TEST_F(TaskPollerTest, CompletedStraightAwayAcceptsAndResolves) {
  referrals_.Add("req-1", rv1::REQUEST_STATUS_SUBMITTED);
  Provider(AddTask("req-1"), "completed");
  ASSERT_EQ(*poller_->PollOnce(), 1);
  EXPECT_EQ(referrals_.Request("req-1").status(), rv1::REQUEST_STATUS_RESOLVED);
  EXPECT_EQ(In("applied")[0].detail, "accepted, resolved");
}

TEST_F(TaskPollerTest, RejectionDeclinesWithTheProvidersReason) {
  referrals_.Add("req-1", rv1::REQUEST_STATUS_SUBMITTED);
  Provider(AddTask("req-1"), "rejected", "", "outside our region");
  ASSERT_EQ(*poller_->PollOnce(), 1);
  EXPECT_EQ(referrals_.Request("req-1").status(), rv1::REQUEST_STATUS_DECLINED);
  EXPECT_EQ(referrals_.Request("req-1").decline_reason(), "outside our region");
}

TEST_F(TaskPollerTest, MalformedAndUnknownAreRejectedIntoTheHistoryWithTheReason) {
  // A Task without our identifier, and one for a request referrals does not know.
  CreateTask(json{{"resourceType", "Task"}, {"status", "accepted"}, {"intent", "order"}});
  Provider(AddTask("req-unknown"), "accepted");
  referrals_.Add("req-2", rv1::REQUEST_STATUS_RESOLVED);
  Provider(AddTask("req-2"), "accepted");  // too late: nothing to do
  referrals_.Add("req-3", rv1::REQUEST_STATUS_ACCEPTED);
  {
    olif::MutexLock lock(&referrals_.mu);
    referrals_.requests["req-3"].set_restricted(true);
  }
  Provider(AddTask("req-3"), "completed");
  ASSERT_EQ(*poller_->PollOnce(), 4);
  auto rejected = In("rejected");
  ASSERT_EQ(rejected.size(), 3u);
  std::string all;
  for (const auto& e : rejected) all += e.detail + "\n";
  EXPECT_NE(all.find("no identifier in urn:olifantenpad:request"), std::string::npos) << all;
  EXPECT_NE(all.find("request req-unknown not found"), std::string::npos) << all;
  EXPECT_NE(all.find("the referrals service refused: request req-3 is restricted"),
            std::string::npos)
      << all;
  EXPECT_EQ(In("ignored").size(), 1u);
  EXPECT_EQ(*poller_->PollOnce(), 0);  // each reported once
}

TEST_F(TaskPollerTest, WhenReferralsIsDownThePollStopsAndTheNextResumes) {
  referrals_.Add("req-1", rv1::REQUEST_STATUS_SUBMITTED);
  Provider(AddTask("req-1"), "accepted");
  {
    olif::MutexLock lock(&referrals_.mu);
    referrals_.down = true;
  }
  auto failed = poller_->PollOnce();
  EXPECT_EQ(failed.status().code(), absl::StatusCode::kUnavailable);
  EXPECT_TRUE(history_->Search({})->empty());
  {
    olif::MutexLock lock(&referrals_.mu);
    referrals_.down = false;
  }
  ASSERT_EQ(*poller_->PollOnce(), 1);
  EXPECT_EQ(referrals_.Request("req-1").status(), rv1::REQUEST_STATUS_ACCEPTED);
}

TEST_F(TaskPollerTest, ANotificationIsHandledAtOnceWithoutMovingTheCursor) {
  referrals_.Add("req-1", rv1::REQUEST_STATUS_SUBMITTED);
  referrals_.Add("req-2", rv1::REQUEST_STATUS_SUBMITTED);
  const std::string t1 = AddTask("req-1");
  const std::string t2 = AddTask("req-2");
  ASSERT_EQ(*poller_->PollOnce(), 2);
  const std::string cursor = *poller_->Cursor();
  Provider(t1, "accepted");  // changed first, not yet polled
  Provider(t2, "accepted");
  json notified;
  for (const json& t : fhir_.Resources("Task")) {
    if (t["id"] == t2) notified = t;
  }
  // The provider's server notifies about t2 only, in a history Bundle with
  // its subscription status first.
  const json bundle{{"resourceType", "Bundle"},
                    {"type", "history"},
                    {"entry", json::array({json{{"resource", json{{"resourceType", "Parameters"}}}},
                                           json{{"resource", notified}}})}};
  auto n = poller_->HandleNotification(bundle.dump());
  ASSERT_TRUE(n.ok()) << n.status();
  EXPECT_EQ(*n, 2) << "t2 from the notification, then t1 by the poll it triggers";
  EXPECT_EQ(referrals_.Request("req-1").status(), rv1::REQUEST_STATUS_ACCEPTED);
  EXPECT_EQ(referrals_.Request("req-2").status(), rv1::REQUEST_STATUS_ACCEPTED);
  EXPECT_EQ(In("applied").size(), 2u) << "each Task version once";
  EXPECT_GT(*poller_->Cursor(), cursor);

  // An empty notification just polls; what is not FHIR is refused.
  EXPECT_EQ(*poller_->HandleNotification(""), 0);
  EXPECT_EQ(poller_->HandleNotification("<xml/>").status().code(),
            absl::StatusCode::kInvalidArgument);
  auto patient = poller_->HandleNotification(R"({"resourceType":"Patient"})");
  EXPECT_EQ(patient.status().code(), absl::StatusCode::kInvalidArgument);
  EXPECT_NE(patient.status().message().find("not a Bundle, a Task or a Communication"),
            std::string::npos);
}

TEST_F(TaskPollerTest, AnUnreachableServerIsReportedAndChangesNothing) {
  fhir_.AddFailure({.status = 503, .count = 1});
  auto failed = poller_->PollOnce();
  EXPECT_EQ(failed.status().code(), absl::StatusCode::kUnavailable);
  EXPECT_NE(failed.status().message().find("HTTP 503"), std::string::npos);
  EXPECT_TRUE(poller_->Cursor()->empty());
}

TEST_F(TaskPollerTest, MoreChangesAtOneInstantThanAPageHoldsAreAllTakenByFollowingPages) {
  // The provider writes 250 Tasks in one transaction: all share one lastUpdated.
  json bundle{{"resourceType", "Bundle"}, {"type", "transaction"}, {"entry", json::array()}};
  for (int i = 0; i < 250; ++i) {
    bundle["entry"].push_back(
        {{"resource",
          {{"resourceType", "Task"},
           {"identifier",
            json::array({{{"system", fhir::kRequestSystem}, {"value", absl::StrCat("req-", i)}}})},
           {"status", "requested"},
           {"intent", "order"}}},
         {"request", {{"method", "POST"}, {"url", "Task"}}}});
  }
  ASSERT_EQ(
      adapters::Exchange({}, {.method = "POST", .url = fhir_.base_url(), .body = bundle.dump()})
          .status,
      200);
  const std::vector<json> tasks = fhir_.Resources("Task");
  ASSERT_EQ(tasks.size(), 250u);
  ASSERT_EQ(tasks.front()["meta"]["lastUpdated"], tasks.back()["meta"]["lastUpdated"]);

  ASSERT_EQ(*poller_->PollOnce(), 250);
  EXPECT_EQ(history_->Search({.direction = "in", .limit = 1000})->size(), 250u);
  EXPECT_EQ(*poller_->Cursor(), tasks.back()["meta"]["lastUpdated"]);
  EXPECT_EQ(*poller_->PollOnce(), 0);  // the pages again, each version known
  referrals_.Add("req-7", rv1::REQUEST_STATUS_SUBMITTED);
  Provider(tasks[7]["id"], "accepted");
  ASSERT_EQ(*poller_->PollOnce(), 1);  // and a later change is not stuck behind them
  EXPECT_EQ(referrals_.Request("req-7").status(), rv1::REQUEST_STATUS_ACCEPTED);
}

TEST_F(TaskPollerTest, ANextPageOutsideTheFhirBaseIsNotFollowed) {
  httplib::Server other;
  other.Get("/Task", [](const httplib::Request&, httplib::Response& res) {
    json page{
        {"resourceType", "Bundle"},
        {"type", "searchset"},
        {"entry",
         json::array(
             {{{"resource",
                {{"resourceType", "Task"},
                 {"id", "t1"},
                 {"meta", {{"versionId", "1"}, {"lastUpdated", "2026-11-23T09:00:00.000Z"}}},
                 {"status", "requested"},
                 {"intent", "order"},
                 {"identifier",
                  json::array({{{"system", fhir::kRequestSystem}, {"value", "req-1"}}})}}}}})},
        {"link",
         json::array({{{"relation", "next"}, {"url", "http://elsewhere.invalid/Task?page=2"}}})}};
    res.set_content(page.dump(), "application/fhir+json");
  });
  const int port = other.bind_to_any_port("127.0.0.1");
  std::thread serving([&] { other.listen_after_bind(); });
  adapters::HttpClientOptions http;
  http.url = absl::StrCat("http://127.0.0.1:", port);
  http.timeout = absl::Seconds(2);
  const std::string path = (testing_util::FreshTestDir("task_poller_other") / "a.db").string();
  sqlite::Writer writer(std::move(*sqlite::Database::Open(path, {})));
  ASSERT_TRUE(writer.Run(adapters::MessageHistory::CreateTables).ok());
  ASSERT_TRUE(writer.Run(TaskPoller::CreateTables).ok());
  auto poller = *TaskPoller::Open(path, http, writer, referrals_, clock_, registry_);

  const absl::StatusOr<int> polled = poller->PollOnce();
  other.stop();
  serving.join();
  EXPECT_EQ(polled.status().code(), absl::StatusCode::kUnavailable);
  EXPECT_NE(polled.status().message().find(
                "next page of Task changes (http://elsewhere.invalid/Task?page=2) is not under"),
            std::string::npos)
      << polled.status();
  EXPECT_EQ(*poller->Cursor(), "2026-11-23T09:00:00.000Z");  // the first page is handled
}

TEST(TaskPollerTablesTest, ADatabaseFromBeforePruningGetsTheNewColumnsAndKeepsItsRows) {
  const std::string path = (testing_util::FreshTestDir("task_poller_old") / "a.db").string();
  sqlite::Writer writer(std::move(*sqlite::Database::Open(path, {})));
  ASSERT_TRUE(writer
                  .Run([](sqlite::Database& db) {
                    return db.Exec(
                        "CREATE TABLE inbound_seen (resource TEXT PRIMARY KEY,"
                        " at_us INTEGER NOT NULL) STRICT;"
                        "INSERT INTO inbound_seen VALUES ('Task/t1/_history/1', 1);");
                  })
                  .ok());
  ASSERT_TRUE(writer.Run(TaskPoller::CreateTables).ok());
  ASSERT_TRUE(writer.Run(TaskPoller::CreateTables).ok()) << "and again, changing nothing";
  int64_t rows = -1;
  ASSERT_TRUE(writer
                  .Run([&](sqlite::Database& db) {
                    return (*db.Prepare("SELECT COUNT(*) FROM inbound_seen WHERE source = ''"
                                        " AND last_updated = ''"))
                        ->ReadOne([&](const sqlite::Statement& r) { rows = r.ColumnInt64(0); })
                        .status();
                  })
                  .ok());
  EXPECT_EQ(rows, 1);
}

TEST_F(TaskPollerTest, PruningForgetsHandledVersionsTheCursorHasPassedAndKeepsThoseAtIt) {
  referrals_.Add("req-a", rv1::REQUEST_STATUS_SUBMITTED);
  const std::string a = AddTask("req-a");
  AddTask("req-b");
  ASSERT_EQ(*poller_->PollOnce(), 2);
  clock_.Advance(absl::Hours(24));
  Provider(a, "accepted");  // the newest: at the cursor
  ASSERT_EQ(*poller_->PollOnce(), 1);

  EXPECT_EQ(*poller_->Prune(clock_.Now() - absl::Hours(48)), 0);  // none that old
  EXPECT_EQ(*poller_->Prune(clock_.Now() + absl::Hours(1)), 2);   // both first versions
  EXPECT_EQ(*poller_->Prune(clock_.Now() + absl::Hours(1)), 0);
  EXPECT_EQ(*poller_->PollOnce(), 0);  // the version at the cursor is still known
  EXPECT_EQ(In("applied").size(), 1u);
}

}  // namespace
}  // namespace olif::youthcare_fhir
