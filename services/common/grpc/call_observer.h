#pragma once

// A gRPC server interceptor that gives every call a trace id, counts and
// times it per method and status code, and writes one log line per call.
//
// The trace id is the caller's `x-trace-id` metadata when it is well formed
// (1-64 of [A-Za-z0-9._-]), else the trace-id of a W3C `traceparent`, else a
// new random one. It is sent back as `x-trace-id` initial metadata, and a
// handler reads it with TraceIdOf(context).
//
// Metrics: olif_grpc_server_handled_total{method,code} and
// olif_grpc_server_handling_seconds{method}.

#include <memory>
#include <string>

#include <grpcpp/support/server_interceptor.h>

#include "absl/strings/string_view.h"

#include "services/common/metrics/metrics.h"

namespace olif::grpcx {

inline constexpr char kTraceIdHeader[] = "x-trace-id";

// The trace id of the call `context` belongs to; empty outside a call that
// went through the observer.
std::string TraceIdOf(const grpc::ServerContextBase* context);

// "OK", "INVALID_ARGUMENT", ... ("UNKNOWN" for a code outside the list).
const char* CodeName(grpc::StatusCode code);

// Chooses the trace id from incoming metadata values (empty when absent).
std::string ChooseTraceId(absl::string_view x_trace_id, absl::string_view traceparent);

// The registry must outlive every server the factory is installed in.
std::unique_ptr<grpc::experimental::ServerInterceptorFactoryInterface> NewCallObserverFactory(
    metrics::Registry& registry);

}  // namespace olif::grpcx
