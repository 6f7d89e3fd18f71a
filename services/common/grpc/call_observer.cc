#include "services/common/grpc/call_observer.h"
#include "services/common/sync/mutex.h"

#include <chrono>
#include <unordered_map>

#include "absl/strings/str_cat.h"
#include "absl/strings/str_replace.h"
#include "services/common/ids/ids.h"
#include "services/common/logging/logging.h"

namespace olif::grpcx {
namespace {

// Trace ids of calls in flight, by their server context.
class TraceIds {
 public:
  void Set(const grpc::ServerContextBase* ctx, std::string id) {
    olif::MutexLock lock(&mu_);
    ids_[ctx] = std::move(id);
  }
  std::string Get(const grpc::ServerContextBase* ctx) {
    olif::MutexLock lock(&mu_);
    auto it = ids_.find(ctx);
    return it == ids_.end() ? std::string() : it->second;
  }
  void Erase(const grpc::ServerContextBase* ctx) {
    olif::MutexLock lock(&mu_);
    ids_.erase(ctx);
  }

 private:
  olif::Mutex mu_;
  std::unordered_map<const grpc::ServerContextBase*, std::string> ids_ ABSL_GUARDED_BY(mu_);
};

TraceIds& GlobalTraceIds() {
  static auto* ids = new TraceIds();  // never destroyed: calls may end during exit
  return *ids;
}

bool WellFormed(absl::string_view id) {
  if (id.empty() || id.size() > 64) return false;
  for (char c : id) {
    const bool ok = (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') ||
                    c == '-' || c == '_' || c == '.';
    if (!ok) return false;
  }
  return true;
}

class CallObserver : public grpc::experimental::Interceptor {
 public:
  CallObserver(grpc::experimental::ServerRpcInfo* info, metrics::Registry& registry)
      : context_(info->server_context()),
        method_(info->method()),
        registry_(registry),
        start_(std::chrono::steady_clock::now()) {}

  ~CallObserver() override { GlobalTraceIds().Erase(context_); }

  void Intercept(grpc::experimental::InterceptorBatchMethods* methods) override {
    using HP = grpc::experimental::InterceptionHookPoints;
    if (methods->QueryInterceptionHookPoint(HP::POST_RECV_INITIAL_METADATA)) {
      absl::string_view x_trace, traceparent;
      for (const auto& [key, value] : *methods->GetRecvInitialMetadata()) {
        if (key == kTraceIdHeader) x_trace = absl::string_view(value.data(), value.size());
        if (key == "traceparent") traceparent = absl::string_view(value.data(), value.size());
      }
      trace_id_ = ChooseTraceId(x_trace, traceparent);
      GlobalTraceIds().Set(context_, trace_id_);
    }
    if (methods->QueryInterceptionHookPoint(HP::PRE_SEND_INITIAL_METADATA) && !trace_id_.empty()) {
      methods->GetSendInitialMetadata()->emplace(kTraceIdHeader, trace_id_);
    }
    if (methods->QueryInterceptionHookPoint(HP::PRE_SEND_STATUS)) {
      Record(methods->GetSendStatus());
    }
    methods->Proceed();
  }

 private:
  void Record(const grpc::Status& status) {
    const double seconds =
        std::chrono::duration<double>(std::chrono::steady_clock::now() - start_).count();
    const char* code = CodeName(status.error_code());
    registry_
        .GetCounter("olif_grpc_server_handled_total", "gRPC calls completed, by method and code",
                    {{"method", method_}, {"code", code}})
        .Inc();
    registry_
        .GetHistogram("olif_grpc_server_handling_seconds", "gRPC call duration in seconds",
                      {{"method", method_}})
        .Observe(seconds);
    log::Fields fields = {{"method", method_},
                          {"code", code},
                          {"ms", absl::StrCat(static_cast<int64_t>(seconds * 1e6) / 1000.0)},
                          {"trace_id", trace_id_}};
    if (!status.error_message().empty()) fields.emplace_back("error", status.error_message());
    const bool server_fault = status.error_code() == grpc::StatusCode::INTERNAL ||
                              status.error_code() == grpc::StatusCode::UNKNOWN ||
                              status.error_code() == grpc::StatusCode::DATA_LOSS;
    log::Write(server_fault ? log::Level::kError : log::Level::kInfo, "rpc", fields);
  }

  const grpc::ServerContextBase* context_;
  std::string method_;
  metrics::Registry& registry_;
  std::chrono::steady_clock::time_point start_;
  std::string trace_id_;
};

class CallObserverFactory : public grpc::experimental::ServerInterceptorFactoryInterface {
 public:
  explicit CallObserverFactory(metrics::Registry& registry) : registry_(registry) {}
  grpc::experimental::Interceptor* CreateServerInterceptor(
      grpc::experimental::ServerRpcInfo* info) override {
    return new CallObserver(info, registry_);
  }

 private:
  metrics::Registry& registry_;
};

}  // namespace

std::string TraceIdOf(const grpc::ServerContextBase* context) {
  return GlobalTraceIds().Get(context);
}

std::string ChooseTraceId(absl::string_view x_trace_id, absl::string_view traceparent) {
  if (WellFormed(x_trace_id)) return std::string(x_trace_id);
  // traceparent: version "-" trace-id (32 hex) "-" parent-id "-" flags
  if (traceparent.size() >= 55 && traceparent[2] == '-' && traceparent[35] == '-') {
    absl::string_view id = traceparent.substr(3, 32);
    if (WellFormed(id) && id != "00000000000000000000000000000000") return std::string(id);
  }
  return absl::StrReplaceAll(NewUuid(), {{"-", ""}});
}

std::unique_ptr<grpc::experimental::ServerInterceptorFactoryInterface> NewCallObserverFactory(
    metrics::Registry& registry) {
  return std::make_unique<CallObserverFactory>(registry);
}

const char* CodeName(grpc::StatusCode code) {
  static constexpr const char* kNames[] = {"OK",
                                           "CANCELLED",
                                           "UNKNOWN",
                                           "INVALID_ARGUMENT",
                                           "DEADLINE_EXCEEDED",
                                           "NOT_FOUND",
                                           "ALREADY_EXISTS",
                                           "PERMISSION_DENIED",
                                           "RESOURCE_EXHAUSTED",
                                           "FAILED_PRECONDITION",
                                           "ABORTED",
                                           "OUT_OF_RANGE",
                                           "UNIMPLEMENTED",
                                           "INTERNAL",
                                           "UNAVAILABLE",
                                           "DATA_LOSS",
                                           "UNAUTHENTICATED"};
  const int i = static_cast<int>(code);
  return i >= 0 && i <= 16 ? kNames[i] : "UNKNOWN";
}

}  // namespace olif::grpcx
