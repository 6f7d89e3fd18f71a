#include "services/common/grpc/server_runner.h"

#include <grpcpp/ext/proto_server_reflection_plugin.h>
#include <grpcpp/health_check_service_interface.h>

#include "absl/strings/str_cat.h"
#include "grpc/health/v1/health.pb.h"
#include "services/common/grpc/call_observer.h"
#include "services/common/strings/host_port.h"

namespace olif::grpcx {

ServerRunner::ServerRunner(ServerSettings settings, metrics::Registry& registry)
    : settings_(std::move(settings)), registry_(registry) {}

ServerRunner::~ServerRunner() { Shutdown(); }

void ServerRunner::AddService(grpc::Service* service) { services_.push_back(service); }

absl::Status ServerRunner::Start() {
  absl::StatusOr<HostPort> hp = ParseHostPort(settings_.listen_address);
  if (!hp.ok())
    return absl::InvalidArgumentError(absl::StrCat("grpc.listen_address: ", hp.status().message()));
  if (!settings_.dev_mode) {
    return absl::FailedPreconditionError(
        "gRPC without TLS needs dev_mode: true (loopback only); TLS settings are not available "
        "in this version");
  }
  if (!IsLoopbackHost(hp->host)) {
    return absl::FailedPreconditionError(
        absl::StrCat("dev_mode serves plaintext and binds loopback only; ",
                     settings_.listen_address, " is not a loopback address"));
  }

  // gRPC serves health itself; referencing the generated descriptor links
  // grpc.health.v1 into the binary so that reflection can describe it.
  (void)grpc::health::v1::HealthCheckRequest::descriptor();
  grpc::EnableDefaultHealthCheckService(true);
  grpc::reflection::InitProtoReflectionServerBuilderPlugin();
  grpc::ServerBuilder builder;
  // Without SO_REUSEPORT a second instance on the same port fails to start
  // instead of silently sharing the traffic.
  builder.AddChannelArgument(GRPC_ARG_ALLOW_REUSEPORT, 0);
  builder.AddListeningPort(settings_.listen_address, grpc::InsecureServerCredentials(), &port_);
  for (grpc::Service* s : services_) builder.RegisterService(s);
  std::vector<std::unique_ptr<grpc::experimental::ServerInterceptorFactoryInterface>> interceptors;
  interceptors.push_back(NewCallObserverFactory(registry_));
  builder.experimental().SetInterceptorCreators(std::move(interceptors));

  server_ = builder.BuildAndStart();
  if (!server_ || port_ == 0) {
    server_.reset();
    return absl::UnavailableError(absl::StrCat("gRPC server cannot listen on ",
                                               settings_.listen_address,
                                               " (address in use or not available)"));
  }
  olif::MutexLock lock(&mu_);
  serving_ = true;
  return absl::OkStatus();
}

bool ServerRunner::serving() const {
  olif::MutexLock lock(&mu_);
  return serving_;
}

void ServerRunner::Shutdown() {
  {
    olif::MutexLock lock(&mu_);
    if (!serving_) return;
    serving_ = false;
  }
  // Load balancers see NOT_SERVING first; then in-flight calls drain.
  if (auto* health = server_->GetHealthCheckService()) health->SetServingStatus(false);
  server_->Shutdown(std::chrono::system_clock::now() + settings_.shutdown_grace);
  server_->Wait();
}

}  // namespace olif::grpcx
