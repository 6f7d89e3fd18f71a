#pragma once

// The in-process gRPC server every service test talks to: the process's own
// ServerRunner (health, call observer, admin) on 127.0.0.1 port 0, with the
// services under test, and clients that always set a deadline.

#include <grpcpp/grpcpp.h>
#include <gtest/gtest.h>

#include <chrono>
#include <memory>
#include <string>
#include <vector>

#include "services/common/grpc/server_runner.h"
#include "services/common/metrics/metrics.h"

namespace olif::testing_util {

class TestGrpcServer {
 public:
  // Starts serving `services` (not owned; they must outlive the server).
  explicit TestGrpcServer(const std::vector<grpc::Service*>& services,
                          const std::string& process = "test")
      : runner_(
            grpcx::ServerSettings{
                .process = process, .listen_address = "127.0.0.1:0", .dev_mode = true},
            metrics_) {
    for (grpc::Service* s : services) runner_.AddService(s);
    absl::Status started = runner_.Start();
    EXPECT_TRUE(started.ok()) << started;
    channel_ = grpc::CreateChannel("127.0.0.1:" + std::to_string(runner_.port()),
                                   grpc::InsecureChannelCredentials());
  }
  ~TestGrpcServer() { runner_.Shutdown(); }

  template <typename Service>
  std::unique_ptr<typename Service::Stub> Stub() {
    return Service::NewStub(channel_);
  }
  metrics::Registry& metrics() { return metrics_; }

  // A client context with a deadline: no test call can hang.
  static std::unique_ptr<grpc::ClientContext> Context(
      std::chrono::seconds deadline = std::chrono::seconds(5)) {
    auto ctx = std::make_unique<grpc::ClientContext>();
    ctx->set_deadline(std::chrono::system_clock::now() + deadline);
    return ctx;
  }

 private:
  metrics::Registry metrics_;
  grpcx::ServerRunner runner_;
  std::shared_ptr<grpc::Channel> channel_;
};

}  // namespace olif::testing_util
