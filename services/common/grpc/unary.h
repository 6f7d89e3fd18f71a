#pragma once

// Finishing callback unary calls from a service's logic, so a gRPC shell is
// one line per RPC: the logic returns absl::Status(Or) or completes later
// through a callback (e.g. once a store's write is durable), and these fill
// the response and finish the call with the matching gRPC status (details
// included).

#include <functional>
#include <string>
#include <utility>

#include <grpcpp/server_context.h>
#include <grpcpp/support/server_callback.h>

#include "absl/status/status.h"
#include "absl/status/statusor.h"
#include "services/common/grpc/call_observer.h"
#include "services/common/status/status.h"

namespace olif::grpcx {

// Ends a callback unary call with `status` and returns the reactor the
// handler must return.
inline grpc::ServerUnaryReactor* FinishUnary(grpc::CallbackServerContext* context,
                                             const absl::Status& status) {
  grpc::ServerUnaryReactor* reactor = context->DefaultReactor();
  reactor->Finish(ToGrpcStatus(status));
  return reactor;
}

// Answers now with what the logic returned: `fill(value, response)` on
// success.
template <typename T, typename Response, typename Fill>
grpc::ServerUnaryReactor* Answer(grpc::CallbackServerContext* context, absl::StatusOr<T> result,
                                 Response* response, Fill fill) {
  if (result.ok()) fill(std::move(*result), response);
  return FinishUnary(context, result.status());
}

// Answers when the logic completes: calls `(logic.*method)(*request,
// trace_id, done)`, whose `done` fills the response with `fill` and finishes
// the call on whichever thread completes it. `logic` must outlive the call.
template <typename Logic, typename Request, typename T, typename Response, typename Fill>
grpc::ServerUnaryReactor* AnswerWhenDone(
    grpc::CallbackServerContext* context, const Request* request, Response* response, Logic& logic,
    void (Logic::*method)(const Request&, const std::string&,
                          std::function<void(absl::StatusOr<T>)>),
    Fill fill) {
  grpc::ServerUnaryReactor* reactor = context->DefaultReactor();
  (logic.*method)(*request, TraceIdOf(context),
                  [reactor, response, fill = std::move(fill)](absl::StatusOr<T> result) {
                    if (result.ok()) fill(std::move(*result), response);
                    reactor->Finish(ToGrpcStatus(result.status()));
                  });
  return reactor;
}

// The fill of a response that is the result itself.
inline constexpr auto kWhole = [](auto&& result, auto* response) {
  *response = std::forward<decltype(result)>(result);
};

}  // namespace olif::grpcx
