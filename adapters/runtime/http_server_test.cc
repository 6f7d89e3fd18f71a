#include "adapters/runtime/http_server.h"
#include "services/common/sync/mutex.h"

#include <gtest/gtest.h>

#include <cstdlib>
#include <fstream>

#include "absl/strings/str_cat.h"
#include "adapters/runtime/http_client.h"
#include "services/common/testing/testing.h"

namespace olif::adapters {
namespace {

// Records what came in and answers as told.
class Recorder : public InboundHandler {
 public:
  absl::Status Handle(const InboundMessage& m) override {
    olif::MutexLock lock(&mu);
    got.push_back(m);
    return answer;
  }
  std::vector<InboundMessage> Got() {
    olif::MutexLock lock(&mu);
    return got;
  }
  void Answer(absl::Status status) {
    olif::MutexLock lock(&mu);
    answer = std::move(status);
  }

  olif::Mutex mu;
  std::vector<InboundMessage> got ABSL_GUARDED_BY(mu);
  absl::Status answer ABSL_GUARDED_BY(mu) = absl::OkStatus();
};

HttpResponse Post(const std::string& url, const std::string& body,
                  std::vector<std::pair<std::string, std::string>> headers = {},
                  HttpClientOptions options = {}) {
  options.timeout = absl::Seconds(5);
  return Exchange(options, {.method = "POST", .url = url, .body = body, .headers = headers});
}

TEST(HttpServerConnectorTest, TokenHandlerAnswersAndLimits) {
  Recorder handler;
  metrics::Registry registry;
  HttpServerConnector server(
      {.path = "/fhir/notify", .bearer_token = "s3cret-test-token", .max_body = 1000}, handler,
      registry);
  auto port = server.Start();
  ASSERT_TRUE(port.ok()) << port.status();
  const std::string url = absl::StrCat("http://127.0.0.1:", *port, "/fhir/notify");

  EXPECT_EQ(Post(url, "{}").status, 401);
  EXPECT_EQ(Post(url, "{}", {{"Authorization", "Bearer wrong-token-here!"}}).status, 401);
  EXPECT_TRUE(handler.Got().empty()) << "nothing reaches the handler without the token";
  const std::vector<std::pair<std::string, std::string>> auth = {
      {"Authorization", "Bearer s3cret-test-token"}};
  auto ok = Post(url, R"({"resourceType":"Bundle"})", auth);
  EXPECT_EQ(ok.status, 202) << ok.body;
  ASSERT_EQ(handler.Got().size(), 1u);
  EXPECT_EQ(handler.Got()[0].body, R"({"resourceType":"Bundle"})");
  EXPECT_EQ(handler.Got()[0].source, "webhook");
  EXPECT_NE(handler.Got()[0].peer.find("127.0.0.1"), std::string::npos);

  handler.Answer(absl::InvalidArgumentError("not a FHIR Bundle"));
  auto refused = Post(url, "nonsense", auth);
  EXPECT_EQ(refused.status, 400);
  EXPECT_NE(refused.body.find("not a FHIR Bundle"), std::string::npos);
  handler.Answer(absl::UnavailableError("referrals is down"));
  EXPECT_EQ(Post(url, "{}", auth).status, 503);
  handler.Answer(absl::OkStatus());

  EXPECT_EQ(Post(absl::StrCat("http://127.0.0.1:", *port, "/other"), "{}", auth).status, 404);
  EXPECT_EQ(Post(url, std::string(5000, 'x'), auth).status, 413);
  const std::string metrics = registry.Render();
  EXPECT_NE(metrics.find(R"(olif_adapter_inbound_total{source="webhook",result="unauthorized"} 2)"),
            std::string::npos)
      << metrics;
  EXPECT_NE(metrics.find(R"(olif_adapter_inbound_total{source="webhook",result="accepted"} 1)"),
            std::string::npos);
  server.Stop();
}

// A throwaway CA with a server and two client certificates (one from another
// CA), made with the openssl command for this test only.
TEST(HttpServerConnectorTest, AnAttachmentsFileNameIsHandedOverWithoutAnyFolder) {
  Recorder handler;
  metrics::Registry registry;
  HttpServerConnector server({.path = "/childcare/test"}, handler, registry);
  auto port = server.Start();
  ASSERT_TRUE(port.ok()) << port.status();
  const std::string url = absl::StrCat("http://127.0.0.1:", *port, "/childcare/test");
  EXPECT_EQ(
      Post(url, "a;b", {{"Content-Disposition", "attachment; filename=\"kindlijst.csv\""}}).status,
      202);
  EXPECT_EQ(
      Post(url, "a;b", {{"Content-Disposition", "attachment; filename=../../etc/x.csv; size=3"}})
          .status,
      202);
  EXPECT_EQ(Post(url, "a;b", {{"Content-Disposition", "attachment; filename=\"..\""}}).status, 202);
  EXPECT_EQ(Post(url, "a;b").status, 202);
  const std::vector<InboundMessage> got = handler.Got();
  ASSERT_EQ(got.size(), 4u);
  EXPECT_EQ(got[0].file_name, "kindlijst.csv");
  EXPECT_EQ(got[1].file_name, "x.csv");
  EXPECT_EQ(got[2].file_name, "");
  EXPECT_EQ(got[3].file_name, "");
  server.Stop();
}

class MutualTlsTest : public testing::Test {
 protected:
  void SetUp() override {
    dir_ = testing_util::FreshTestDir("mtls").string();
    std::ofstream(dir_ + "/san.ext") << "subjectAltName=IP:127.0.0.1\n";
    const std::string script = absl::StrCat(
        "set -e; cd '", dir_, "'; ",
        "k() { openssl req -newkey ec -pkeyopt ec_paramgen_curve:prime256v1 -nodes -keyout $1.key "
        "-subj \"/CN=$2\" $3 2>/dev/null; }; ",
        "k ca 'Test CA' '-x509 -days 2 -out ca.pem'; ",
        "k other 'Other CA' '-x509 -days 2 -out other.pem'; ",
        "k server 127.0.0.1 '-out server.csr'; ",
        "openssl x509 -req -in server.csr -CA ca.pem -CAkey ca.key -CAcreateserial -days 2 "
        "-extfile san.ext -out server.pem 2>/dev/null; ",
        "k client provider-test '-out client.csr'; ",
        "openssl x509 -req -in client.csr -CA ca.pem -CAkey ca.key -CAcreateserial -days 2 "
        "-out client.pem 2>/dev/null; ",
        "k stranger stranger '-out stranger.csr'; ",
        "openssl x509 -req -in stranger.csr -CA other.pem -CAkey other.key -CAcreateserial "
        "-days 2 -out stranger.pem 2>/dev/null");
    ASSERT_EQ(std::system(("bash -c \"" + Escape(script) + "\"").c_str()), 0);
  }
  static std::string Escape(const std::string& s) {
    std::string out;
    for (char c : s) {
      if (c == '"' || c == '\\' || c == '$' || c == '`') out += '\\';
      out += c;
    }
    return out;
  }
  std::string F(const std::string& name) const { return dir_ + "/" + name; }
  std::string dir_;
};

TEST_F(MutualTlsTest, OnlyAClientCertificateFromTheCaGetsIn) {
  Recorder handler;
  metrics::Registry registry;
  HttpServerConnector server({.path = "/notify",
                              .cert_file = F("server.pem"),
                              .key_file = F("server.key"),
                              .client_ca_file = F("ca.pem")},
                             handler, registry);
  auto port = server.Start();
  ASSERT_TRUE(port.ok()) << port.status();
  const std::string url = absl::StrCat("https://127.0.0.1:", *port, "/notify");

  HttpClientOptions client{
      .ca_file = F("ca.pem"), .cert_file = F("client.pem"), .key_file = F("client.key")};
  auto ok = Post(url, "{}", {}, client);
  EXPECT_EQ(ok.status, 202) << ok.transport_error;
  ASSERT_EQ(handler.Got().size(), 1u);
  EXPECT_NE(handler.Got()[0].peer.find("provider-test"), std::string::npos)
      << handler.Got()[0].peer;

  auto bare = Post(url, "{}", {}, {.ca_file = F("ca.pem")});
  EXPECT_EQ(bare.status, 0) << "no client certificate, no entry";
  auto stranger =
      Post(url, "{}", {},
           {.ca_file = F("ca.pem"), .cert_file = F("stranger.pem"), .key_file = F("stranger.key")});
  EXPECT_EQ(stranger.status, 0) << "a certificate of another CA is refused";
  EXPECT_EQ(handler.Got().size(), 1u);

  // The HTTP client connector sends to it with its client certificate.
  HttpClientConnector connector({.url = url,
                                 .ca_file = F("ca.pem"),
                                 .cert_file = F("client.pem"),
                                 .key_file = F("client.key")});
  Delivery d;
  d.event_id = "ev-1";
  d.payload = R"({"resourceType":"Bundle"})";
  SendResult sent = connector.Send(d);
  EXPECT_TRUE(sent.ok) << sent.detail;
  server.Stop();
}

TEST_F(MutualTlsTest, UnusableTlsFilesAreRefusedAtStart) {
  Recorder handler;
  metrics::Registry registry;
  HttpServerConnector missing({.cert_file = F("nope.pem"), .key_file = F("server.key")}, handler,
                              registry);
  EXPECT_EQ(missing.Start().status().code(), absl::StatusCode::kInvalidArgument);
  HttpServerConnector swapped({.cert_file = F("server.key"), .key_file = F("server.pem")}, handler,
                              registry);
  EXPECT_EQ(swapped.Start().status().code(), absl::StatusCode::kInvalidArgument);
  HttpServerConnector ca_only({.client_ca_file = F("ca.pem")}, handler, registry);
  EXPECT_EQ(ca_only.Start().status().code(), absl::StatusCode::kInvalidArgument);
}

}  // namespace
}  // namespace olif::adapters

namespace olif::adapters {
namespace {

TEST(WebhookOptionsFromConfigTest, TurnsTheConfigIntoOptionsWithTheAdaptersPath) {
  olifantenpad::config::v1::WebhookConfig w;
  w.set_listen_address("127.0.0.1:7422");
  w.set_bearer_token("test-only-token");
  auto o = WebhookOptionsFromConfig(w, "school.webhook", /*dev_mode=*/true, "/notify");
  ASSERT_TRUE(o.ok()) << o.status();
  EXPECT_EQ(o->host, "127.0.0.1");
  EXPECT_EQ(o->port, 7422);
  EXPECT_EQ(o->path, "/notify");
  EXPECT_EQ(o->bearer_token, "test-only-token");
  w.set_path("/hooks/in");
  EXPECT_EQ(WebhookOptionsFromConfig(w, "school.webhook", true, "/notify")->path, "/hooks/in");
}

TEST(WebhookOptionsFromConfigTest, RefusesWhatCannotBeServedSafelyNamingTheKey) {
  olifantenpad::config::v1::WebhookConfig w;
  w.set_listen_address("0.0.0.0:8443");
  EXPECT_EQ(WebhookOptionsFromConfig(w, "school.webhook", true, "/").status().message(),
            "school.webhook.listen_address: without TLS only a loopback address, not 0.0.0.0:8443");
  w.set_listen_address("127.0.0.1:8443");
  EXPECT_EQ(WebhookOptionsFromConfig(w, "school.webhook", false, "/").status().message(),
            "school.webhook: outside dev mode it needs TLS (cert_file, key_file) and a "
            "bearer_token or client_ca_file");
  w.set_cert_file("server.pem");
  EXPECT_EQ(WebhookOptionsFromConfig(w, "school.webhook", true, "/").status().message(),
            "school.webhook: cert_file and key_file go together (both or neither)");
  w.set_listen_address("no-port");
  EXPECT_EQ(WebhookOptionsFromConfig(w, "school.webhook", true, "/").status().code(),
            absl::StatusCode::kInvalidArgument);
}

}  // namespace
}  // namespace olif::adapters
