#include "services/common/grpc/server_runner.h"

#include <gtest/gtest.h>

#include <future>
#include <thread>

#include "grpc/health/v1/health.grpc.pb.h"
#include "olifantenpad/admin/v1/admin.grpc.pb.h"
#include "services/common/grpc/admin_service.h"
#include "services/common/grpc/call_observer.h"

namespace olif::grpcx {
namespace {

namespace admin = olifantenpad::admin::v1;
using grpc::health::v1::HealthCheckRequest;
using grpc::health::v1::HealthCheckResponse;

ServerSettings Loopback() {
  return {.process = "test",
          .listen_address = "127.0.0.1:0",
          .dev_mode = true,
          .shutdown_grace = std::chrono::milliseconds(5000)};
}

std::shared_ptr<grpc::Channel> Connect(int port) {
  return grpc::CreateChannel("127.0.0.1:" + std::to_string(port),
                             grpc::InsecureChannelCredentials());
}

void SetDeadline(grpc::ClientContext& ctx, int ms = 5000) {
  ctx.set_deadline(std::chrono::system_clock::now() + std::chrono::milliseconds(ms));
}

TEST(ServerRunnerTest, ServesHealthAndCountsCalls) {
  metrics::Registry registry;
  AdminService admin("test", "1.2.3", {});
  ServerRunner runner(Loopback(), registry);
  runner.AddService(&admin);
  ASSERT_TRUE(runner.Start().ok());
  ASSERT_GT(runner.port(), 0);

  auto health = grpc::health::v1::Health::NewStub(Connect(runner.port()));
  grpc::ClientContext hctx;
  SetDeadline(hctx);
  HealthCheckRequest hreq;
  HealthCheckResponse hres;
  ASSERT_TRUE(health->Check(&hctx, hreq, &hres).ok());
  EXPECT_EQ(hres.status(), HealthCheckResponse::SERVING);

  auto stub = admin::AdminService::NewStub(Connect(runner.port()));
  grpc::ClientContext ctx;
  SetDeadline(ctx);
  ctx.AddMetadata(kTraceIdHeader, "trace-from-client");
  admin::GetStatusResponse res;
  ASSERT_TRUE(stub->GetStatus(&ctx, {}, &res).ok());
  EXPECT_EQ(res.process(), "test");
  EXPECT_EQ(res.version(), "1.2.3");
  auto echoed = ctx.GetServerInitialMetadata().find(kTraceIdHeader);
  ASSERT_NE(echoed, ctx.GetServerInitialMetadata().end());
  EXPECT_EQ(std::string(echoed->second.data(), echoed->second.size()), "trace-from-client");

  const std::string text = registry.Render();
  EXPECT_NE(text.find("olif_grpc_server_handled_total{method=\"/olifantenpad.admin.v1.AdminService/"
                      "GetStatus\",code=\"OK\"} 1"),
            std::string::npos)
      << text;
  EXPECT_NE(text.find("olif_grpc_server_handling_seconds_count{method=\"/olifantenpad.admin.v1."
                      "AdminService/GetStatus\"} 1"),
            std::string::npos);
  runner.Shutdown();
  EXPECT_FALSE(runner.serving());
}

TEST(ServerRunnerTest, ErrorsAreCountedByCode) {
  metrics::Registry registry;
  AdminService admin("test", "1", {.status = [](admin::GetStatusResponse*) {
                       return absl::FailedPreconditionError("database closed");
                     }});
  ServerRunner runner(Loopback(), registry);
  runner.AddService(&admin);
  ASSERT_TRUE(runner.Start().ok());
  auto stub = admin::AdminService::NewStub(Connect(runner.port()));
  grpc::ClientContext ctx;
  SetDeadline(ctx);
  admin::GetStatusResponse res;
  grpc::Status s = stub->GetStatus(&ctx, {}, &res);
  EXPECT_EQ(s.error_code(), grpc::StatusCode::FAILED_PRECONDITION);
  EXPECT_EQ(s.error_message(), "database closed");
  EXPECT_NE(registry.Render().find("code=\"FAILED_PRECONDITION\"} 1"), std::string::npos);
}

TEST(ServerRunnerTest, ShutdownLetsCallsInFlightFinishAndRefusesNewOnes) {
  metrics::Registry registry;
  std::promise<void> entered;
  auto entered_future = entered.get_future();
  AdminService admin("test", "1", {.status = [&](admin::GetStatusResponse* r) {
                       entered.set_value();
                       std::this_thread::sleep_for(std::chrono::milliseconds(300));
                       r->mutable_outbox()->set_head_seq(42);
                       return absl::OkStatus();
                     }});
  ServerRunner runner(Loopback(), registry);
  runner.AddService(&admin);
  ASSERT_TRUE(runner.Start().ok());
  auto channel = Connect(runner.port());
  auto stub = admin::AdminService::NewStub(channel);

  auto slow = std::async(std::launch::async, [&] {
    grpc::ClientContext ctx;
    SetDeadline(ctx);
    admin::GetStatusResponse res;
    grpc::Status s = stub->GetStatus(&ctx, {}, &res);
    return std::make_pair(s, res.outbox().head_seq());
  });
  entered_future.wait();
  runner.Shutdown();  // returns once the slow call is done
  auto [status, head] = slow.get();
  EXPECT_TRUE(status.ok()) << status.error_message();
  EXPECT_EQ(head, 42);

  grpc::ClientContext late;
  SetDeadline(late, 1000);
  admin::GetStatusResponse res;
  EXPECT_EQ(stub->GetStatus(&late, {}, &res).error_code(), grpc::StatusCode::UNAVAILABLE);
}

TEST(ServerRunnerTest, PlaintextOnlyInDevModeAndOnLoopback) {
  metrics::Registry registry;
  ServerSettings no_dev = Loopback();
  no_dev.dev_mode = false;
  EXPECT_EQ(ServerRunner(no_dev, registry).Start().code(), absl::StatusCode::kFailedPrecondition);
  ServerSettings wide = Loopback();
  wide.listen_address = "0.0.0.0:0";
  absl::Status s = ServerRunner(wide, registry).Start();
  EXPECT_EQ(s.code(), absl::StatusCode::kFailedPrecondition);
  EXPECT_NE(s.message().find("0.0.0.0:0 is not a loopback address"), std::string::npos);
}

TEST(ServerRunnerTest, AddressInUseIsReported) {
  metrics::Registry registry;
  ServerRunner first(Loopback(), registry);
  ASSERT_TRUE(first.Start().ok());
  ServerSettings same = Loopback();
  same.listen_address = "127.0.0.1:" + std::to_string(first.port());
  absl::Status s = ServerRunner(same, registry).Start();
  EXPECT_EQ(s.code(), absl::StatusCode::kUnavailable) << s;
}

TEST(CallObserverTest, ChoosesTraceId) {
  EXPECT_EQ(ChooseTraceId("abc-123", ""), "abc-123");
  EXPECT_EQ(ChooseTraceId("", "00-4bf92f3577b34da6a3ce929d0e0e4736-00f067aa0ba902b7-01"),
            "4bf92f3577b34da6a3ce929d0e0e4736");
  const std::string fresh = ChooseTraceId("bad value with spaces", "garbage");
  EXPECT_EQ(fresh.size(), 32u);
  EXPECT_NE(fresh, ChooseTraceId("", ""));
}

}  // namespace
}  // namespace olif::grpcx
