// The HTTP client connector against a real HTTP server on a loopback port 0.

#include "adapters/runtime/http_client.h"
#include "services/common/sync/mutex.h"

#include <gtest/gtest.h>
#include <httplib.h>

#include <thread>

#include "absl/strings/str_cat.h"
#include "services/common/testing/testing.h"

namespace olif::adapters {
namespace {

class HttpClientTest : public testing::Test {
 protected:
  void SetUp() override {
    server_.Post("/ok", [this](const httplib::Request& req, httplib::Response& res) {
      olif::MutexLock lock(&mu_);
      last_key_ = req.get_header_value("Idempotency-Key");
      last_body_ = req.body;
      last_auth_ = req.get_header_value("Authorization");
      res.status = 201;
    });
    server_.Post("/unavailable",
                 [](const httplib::Request&, httplib::Response& res) { res.status = 503; });
    server_.Post("/busy",
                 [](const httplib::Request&, httplib::Response& res) { res.status = 429; });
    server_.Post("/bad", [](const httplib::Request&, httplib::Response& res) {
      res.status = 400;
      res.set_content(
          R"({"resourceType":"OperationOutcome","issue":[{"diagnostics":"unknown code"}]})",
          "application/fhir+json");
    });
    server_.Post("/slow", [this](const httplib::Request&, httplib::Response& res) {
      olif::MutexLock lock(&mu_);
      mu_.AwaitWithTimeout(&released_, absl::Seconds(5));
      res.status = 201;
    });
    port_ = server_.bind_to_any_port("127.0.0.1");
    ASSERT_GT(port_, 0);
    thread_ = std::thread([this] { server_.listen_after_bind(); });
    ASSERT_TRUE(testing_util::WaitFor([this] { return server_.is_running(); }));
  }
  void TearDown() override {
    {
      olif::MutexLock lock(&mu_);
      released_ = true;
    }
    server_.stop();
    thread_.join();
  }
  SendResult Send(const std::string& path, absl::Duration timeout = absl::Seconds(5)) {
    HttpClientConnector c({.url = absl::StrCat("http://127.0.0.1:", port_, path),
                           .headers = {{"Authorization", "Bearer test-token"}},
                           .timeout = timeout});
    Delivery d;
    d.event_id = "3f0c9d1e-2a4b-4c6d-8e0f-1a2b3c4d5e6f";
    d.payload = R"({"resourceType":"Bundle"})";
    return c.Send(d);
  }

  httplib::Server server_;
  int port_ = 0;
  std::thread thread_;
  olif::Mutex mu_;
  bool released_ ABSL_GUARDED_BY(mu_) = false;
  std::string last_key_, last_body_, last_auth_;
};

TEST_F(HttpClientTest, DeliversWithTheEventIdAsIdempotencyKey) {
  const SendResult r = Send("/ok");
  EXPECT_TRUE(r.ok) << r.detail;
  EXPECT_EQ(r.detail, "HTTP 201");
  olif::MutexLock lock(&mu_);
  EXPECT_EQ(last_key_, "3f0c9d1e-2a4b-4c6d-8e0f-1a2b3c4d5e6f");
  EXPECT_EQ(last_body_, R"({"resourceType":"Bundle"})");
  EXPECT_EQ(last_auth_, "Bearer test-token");
}

TEST_F(HttpClientTest, ServerErrorsAndThrottlingAreRetried) {
  SendResult r = Send("/unavailable");
  EXPECT_FALSE(r.ok);
  EXPECT_TRUE(r.retryable);
  EXPECT_EQ(r.detail, "HTTP 503");
  r = Send("/busy");
  EXPECT_TRUE(r.retryable);
  EXPECT_EQ(r.detail, "HTTP 429");
}

TEST_F(HttpClientTest, ARefusalIsNotRetriedAndKeepsTheBody) {
  const SendResult r = Send("/bad");
  EXPECT_FALSE(r.ok);
  EXPECT_FALSE(r.retryable);
  EXPECT_EQ(
      r.detail,
      R"(HTTP 400: {"resourceType":"OperationOutcome","issue":[{"diagnostics":"unknown code"}]})");
}

TEST_F(HttpClientTest, TimeoutsAndRefusedConnectionsAreRetried) {
  SendResult r = Send("/slow", absl::Milliseconds(200));
  EXPECT_FALSE(r.ok);
  EXPECT_TRUE(r.retryable);
  EXPECT_NE(r.detail.find("Timeout"), std::string::npos) << r.detail;
  HttpClientConnector nowhere({.url = "http://127.0.0.1:1/none"});
  r = nowhere.Send(Delivery{});
  EXPECT_TRUE(r.retryable);
  EXPECT_NE(r.detail.find("connect"), std::string::npos) << r.detail;
}

TEST(ClassifyTest, EveryClassOfAnswer) {
  EXPECT_TRUE(Classify(200, "", "", 10).ok);
  EXPECT_TRUE(Classify(204, "", "", 10).ok);
  EXPECT_TRUE(Classify(408, "", "", 10).retryable);
  EXPECT_FALSE(Classify(404, "", "", 10).retryable);
  EXPECT_FALSE(Classify(422, "", "", 10).retryable);
  EXPECT_TRUE(Classify(502, "", "", 10).retryable);
  EXPECT_EQ(Classify(400, "abcdefghijklmnop", "", 5).detail, "HTTP 400: abcde");
  EXPECT_EQ(Classify(0, "", "Couldn't connect to server", 5).detail, "Couldn't connect to server");
}

}  // namespace
}  // namespace olif::adapters

namespace olif::adapters {
namespace {

TEST(HttpClientConfigTest, BaseUrlsAndTlsAreCheckedNamingTheKey) {
  EXPECT_TRUE(ValidateBaseUrl("https://fhir.example.nl/r4", "x.url", false).ok());
  EXPECT_TRUE(ValidateBaseUrl("http://127.0.0.1:7480", "x.url", true).ok());
  EXPECT_EQ(ValidateBaseUrl("http://fhir.example.nl", "x.url", false).message(),
            "x.url: 'http://fhir.example.nl' must be an https:// URL (plain http:// only in dev "
            "mode)");
  EXPECT_EQ(ValidateBaseUrl("https://fhir.example.nl/", "x.url", false).message(),
            "x.url: must not end in '/'");
  olifantenpad::config::v1::HttpClientTlsConfig tls;
  tls.set_ca_file("ca.pem");
  HttpClientOptions options;
  ASSERT_TRUE(ApplyTlsConfig(tls, "x.tls", options).ok());
  EXPECT_EQ(options.ca_file, "ca.pem");
  tls.set_cert_file("client.pem");
  EXPECT_EQ(ApplyTlsConfig(tls, "x.tls", options).message(),
            "x.tls: cert_file and key_file go together (both or neither)");
}

}  // namespace
}  // namespace olif::adapters
