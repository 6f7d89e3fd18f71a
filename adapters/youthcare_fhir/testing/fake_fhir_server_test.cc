#include "adapters/youthcare_fhir/testing/fake_fhir_server.h"

#include <gtest/gtest.h>

#include "adapters/runtime/http_client.h"
#include "services/common/testing/testing.h"

#include <set>

namespace olif::fakes {
namespace {

using nlohmann::json;

class FakeFhirServerTest : public testing::Test {
 protected:
  void SetUp() override { ASSERT_TRUE(server_.Start("127.0.0.1", 0).ok()); }
  adapters::HttpResponse Call(const std::string& method, const std::string& path,
                              const std::string& body = "") {
    adapters::HttpClientOptions options;
    options.timeout = absl::Seconds(2);
    options.connect_timeout = absl::Seconds(1);
    return adapters::Exchange(options,
                              {.method = method, .url = server_.base_url() + path, .body = body});
  }
  static std::string Transaction(const std::string& value, const std::string& status) {
    return json{
        {"resourceType", "Bundle"},
        {"type", "transaction"},
        {"entry",
         json::array(
             {json{{"fullUrl", "urn:uuid:sr-1"},
                   {"resource",
                    json{{"resourceType", "ServiceRequest"},
                         {"identifier", json::array({json{{"system", "urn:s"}, {"value", value}}})},
                         {"status", status}}},
                   {"request", json{{"method", "POST"},
                                    {"url", "ServiceRequest"},
                                    {"ifNoneExist", "identifier=urn:s|" + value}}}},
              json{{"resource",
                    json{{"resourceType", "Task"},
                         {"identifier", json::array({json{{"system", "urn:s"}, {"value", value}}})},
                         {"status", "requested"},
                         {"focus", json{{"reference", "urn:uuid:sr-1"}}}}},
                   {"request",
                    json{{"method", "PUT"}, {"url", "Task?identifier=urn:s|" + value}}}}})}}
        .dump();
  }
  FakeFhirServer server_;
};

TEST_F(FakeFhirServerTest, ATransactionWithAnEntryThatFailsStoresNothing) {
  ASSERT_EQ(Call("POST", "/", Transaction("r1", "active")).status, 200);
  const json before = server_.Resources("Task")[0];
  // A new request's ServiceRequest, then a patch of r1's Task that cannot apply.
  json bundle = json::parse(Transaction("r2", "active"));
  bundle["entry"][1] =
      json{{"resource",
            json{{"resourceType", "Parameters"},
                 {"parameter",
                  json::array({json{
                      {"name", "operation"},
                      {"part", json::array({json{{"name", "type"}, {"valueCode", "replace"}},
                                            json{{"name", "path"}, {"valueString", "Task.nothing"}},
                                            json{{"name", "value"}, {"valueCode", "x"}}})}}})}}},
           {"request", json{{"method", "PATCH"}, {"url", "Task?identifier=urn:s|r1"}}}};
  auto refused = Call("POST", "/", bundle.dump());
  EXPECT_EQ(refused.status, 422) << refused.body;
  EXPECT_NE(refused.body.find("no such element"), std::string::npos) << refused.body;
  EXPECT_EQ(server_.Resources("ServiceRequest").size(), 1u) << "r2's ServiceRequest is not kept";
  EXPECT_EQ(server_.Resources("Task")[0], before) << "r1's Task is as it was";
  // The same transaction without the bad entry goes through whole.
  bundle["entry"].erase(1);
  EXPECT_EQ(Call("POST", "/", bundle.dump()).status, 200);
  EXPECT_EQ(server_.Resources("ServiceRequest").size(), 2u);
}

TEST_F(FakeFhirServerTest, ArrivalsListEachResourceWithItsIdentifiersAndWhenItCame) {
  const int64_t before = absl::ToUnixMicros(absl::Now());
  ASSERT_EQ(Call("POST", "/", Transaction("r1", "active")).status, 200);
  ASSERT_EQ(Call("POST", "/", Transaction("r2", "active")).status, 200);
  ASSERT_EQ(Call("POST", "/", Transaction("r1", "active")).status, 200);  // a duplicate
  const int64_t after = absl::ToUnixMicros(absl::Now());
  adapters::HttpResponse r = Call("GET", "/_fake/arrivals?type=ServiceRequest");
  ASSERT_EQ(r.status, 200);
  const json arrivals = json::parse(r.body);
  ASSERT_EQ(arrivals.size(), 2u);
  std::set<std::string> identifiers;
  for (const json& a : arrivals) {
    ASSERT_EQ(a["identifiers"].size(), 1u);
    identifiers.insert(a["identifiers"][0].get<std::string>());
    EXPECT_GE(a["created_us"].get<int64_t>(), before);
    EXPECT_LE(a["created_us"].get<int64_t>(), after);
  }
  EXPECT_EQ(identifiers, (std::set<std::string>{"urn:s|r1", "urn:s|r2"}));
  EXPECT_TRUE(json::parse(Call("GET", "/_fake/arrivals?type=Nothing").body).empty());
}

TEST_F(FakeFhirServerTest, ConditionalCreateMakesOneResourceAndResolvesReferences) {
  ASSERT_EQ(Call("POST", "/", Transaction("r1", "active")).status, 200);
  ASSERT_EQ(Call("POST", "/", Transaction("r1", "active")).status, 200);
  EXPECT_EQ(server_.Resources("ServiceRequest").size(), 1u);
  EXPECT_EQ(server_.Stats()["duplicates"], 1);
  auto tasks = server_.Resources("Task");
  ASSERT_EQ(tasks.size(), 1u);
  const std::string sr_id = server_.Resources("ServiceRequest")[0]["id"];
  EXPECT_EQ(tasks[0]["focus"]["reference"], "ServiceRequest/" + sr_id);
  EXPECT_EQ(tasks[0]["meta"]["versionId"], "2");  // the PUT ran twice
}

TEST_F(FakeFhirServerTest, SearchesByIdentifierAndLastUpdated) {
  ASSERT_EQ(Call("POST", "/", Transaction("r1", "active")).status, 200);
  ASSERT_EQ(Call("POST", "/", Transaction("r2", "active")).status, 200);
  auto by_id = json::parse(Call("GET", "/ServiceRequest?identifier=urn:s|r2").body);
  ASSERT_EQ(by_id["total"], 1);
  EXPECT_EQ(by_id["entry"][0]["resource"]["identifier"][0]["value"], "r2");
  auto all = json::parse(Call("GET", "/Task?_sort=_lastUpdated").body);
  ASSERT_EQ(all["total"], 2);
  const std::string first = all["entry"][0]["resource"]["meta"]["lastUpdated"];
  auto after = json::parse(Call("GET", "/Task?_lastUpdated=gt" + first).body);
  ASSERT_EQ(after["total"], 1);
  EXPECT_EQ(after["entry"][0]["resource"]["identifier"][0]["value"], "r2");
  auto from = json::parse(Call("GET", "/Task?_lastUpdated=ge" + first).body);
  EXPECT_EQ(from["total"], 2);
}

TEST_F(FakeFhirServerTest, UpdatesBumpTheVersion) {
  ASSERT_EQ(Call("POST", "/", Transaction("r1", "active")).status, 200);
  json task = server_.Resources("Task")[0];
  task["status"] = "accepted";
  auto r = Call("PUT", "/Task/" + task["id"].get<std::string>(), task.dump());
  ASSERT_EQ(r.status, 200) << r.body;
  EXPECT_EQ(json::parse(r.body)["meta"]["versionId"], "2");
  EXPECT_EQ(server_.Resources("Task")[0]["status"], "accepted");
  EXPECT_EQ(Call("GET", "/Task/nope").status, 404);
  EXPECT_EQ(Call("POST", "/", "not json").status, 400);
}

TEST_F(FakeFhirServerTest, FailsAsToldThenRecovers) {
  ASSERT_EQ(Call("POST", "/_fake/fail", R"({"status":503,"count":2})").status, 200);
  EXPECT_EQ(Call("POST", "/", Transaction("r1", "active")).status, 503);
  EXPECT_EQ(Call("POST", "/", Transaction("r1", "active")).status, 503);
  EXPECT_EQ(Call("POST", "/", Transaction("r1", "active")).status, 200);
  // A poison rule: only bodies with the text, until reset.
  server_.AddFailure({.status = 400, .count = -1, .match = "poison"});
  EXPECT_EQ(Call("POST", "/", Transaction("poison", "active")).status, 400);
  EXPECT_EQ(Call("POST", "/", Transaction("poison", "active")).status, 400);
  EXPECT_EQ(Call("POST", "/", Transaction("r2", "active")).status, 200);
  server_.ResetFailures();
  EXPECT_EQ(Call("POST", "/", Transaction("poison", "active")).status, 200);
  // A delay longer than the client waits is a timeout.
  server_.AddFailure({.status = 500, .count = 1, .delay_ms = 3000});
  auto slow = Call("GET", "/Task");
  EXPECT_EQ(slow.status, 0);
  EXPECT_NE(slow.transport_error.find("imeout"), std::string::npos) << slow.transport_error;
}

TEST_F(FakeFhirServerTest, GoesDownAndComesBackOnTheSamePort) {
  ASSERT_EQ(Call("POST", "/_fake/down", R"({"seconds":1})").status, 200);
  absl::SleepFor(absl::Milliseconds(200));
  auto down = Call("GET", "/metadata");
  EXPECT_EQ(down.status, 0) << "still answering while down";
  EXPECT_TRUE(testing_util::WaitFor([&] { return Call("GET", "/metadata").status == 200; },
                                    absl::Seconds(10)));
  // And down again, and stopped while down: a connection kept open from
  // before fails once (503, closed), then nothing answers.
  server_.GoDown(absl::Seconds(30));
  EXPECT_NE(Call("GET", "/metadata").status, 200);
  EXPECT_EQ(Call("GET", "/metadata").status, 0);
}

TEST_F(FakeFhirServerTest, ATransactionWritesAtOneInstant) {
  ASSERT_EQ(Call("POST", "/", Transaction("r1", "active")).status, 200);
  const json sr = server_.Resources("ServiceRequest")[0];
  const json task = server_.Resources("Task")[0];
  EXPECT_EQ(sr["meta"]["lastUpdated"], task["meta"]["lastUpdated"]);
  ASSERT_EQ(Call("POST", "/", Transaction("r2", "active")).status, 200);
  EXPECT_LT(task["meta"]["lastUpdated"].get<std::string>(),
            server_.Resources("Task")[1]["meta"]["lastUpdated"].get<std::string>());
}

TEST_F(FakeFhirServerTest, ALargeSearchIsPagedAsItWasWhenAsked) {
  for (int i = 0; i < 5; ++i) {
    ASSERT_EQ(Call("POST", "/Task", json{{"resourceType", "Task"}, {"status", "requested"}}.dump())
                  .status,
              201);
  }
  json page = json::parse(Call("GET", "/Task?_sort=_lastUpdated&_count=2").body);
  std::vector<std::string> ids;
  int pages = 1;
  for (const json& e : page["entry"]) ids.push_back(e["resource"]["id"]);
  // A change after the search moves nothing on the pages still to come.
  json first = server_.Resources("Task")[0];
  first["status"] = "accepted";
  ASSERT_TRUE(server_.Update("Task", first["id"], first).ok());
  while (page.contains("link")) {
    const std::string next = page["link"][0]["url"];
    ASSERT_EQ(next.rfind(server_.base_url() + "/Task?_getpages=", 0), 0u) << next;
    page = json::parse(Call("GET", next.substr(server_.base_url().size())).body);
    ++pages;
    for (const json& e : page["entry"]) ids.push_back(e["resource"]["id"]);
  }
  EXPECT_EQ(pages, 3);
  EXPECT_EQ(ids, (std::vector<std::string>{"f1", "f2", "f3", "f4", "f5"}));
  EXPECT_EQ(Call("GET", "/Task?_getpages=999&_getpagesoffset=2&_count=2").status, 410);
}

}  // namespace
}  // namespace olif::fakes
