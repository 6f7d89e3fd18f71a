#include "services/scheduling/scheduling_grpc.h"

#include "services/common/grpc/unary.h"

namespace olif::scheduling {
namespace {

using grpcx::AnswerWhenDone;

// Writes and reads of a visit answer with the visit as it now stands.
constexpr auto kVisit = [](v1::Visit v, auto* response) {
  *response->mutable_visit() = std::move(v);
};
constexpr auto kAvailability = [](v1::Availability a, auto* response) {
  *response->mutable_availability() = std::move(a);
};

}  // namespace

grpc::ServerUnaryReactor* SchedulingGrpcService::SetAvailability(
    grpc::CallbackServerContext* context, const v1::SetAvailabilityRequest* request,
    v1::SetAvailabilityResponse* response) {
  return AnswerWhenDone(context, request, response, logic_, &SchedulingService::SetAvailability,
                        kAvailability);
}

grpc::ServerUnaryReactor* SchedulingGrpcService::AddException(
    grpc::CallbackServerContext* context, const v1::AddExceptionRequest* request,
    v1::AddExceptionResponse* response) {
  return AnswerWhenDone(context, request, response, logic_, &SchedulingService::AddException,
                        kAvailability);
}

grpc::ServerUnaryReactor* SchedulingGrpcService::GetAvailability(
    grpc::CallbackServerContext* context, const v1::GetAvailabilityRequest* request,
    v1::GetAvailabilityResponse* response) {
  return grpcx::Answer(context, logic_.GetAvailability(*request), response, kAvailability);
}

grpc::ServerUnaryReactor* SchedulingGrpcService::PlanVisit(grpc::CallbackServerContext* context,
                                                           const v1::PlanVisitRequest* request,
                                                           v1::PlanVisitResponse* response) {
  return AnswerWhenDone(context, request, response, logic_, &SchedulingService::Plan, kVisit);
}

grpc::ServerUnaryReactor* SchedulingGrpcService::RescheduleVisit(
    grpc::CallbackServerContext* context, const v1::RescheduleVisitRequest* request,
    v1::RescheduleVisitResponse* response) {
  return AnswerWhenDone(context, request, response, logic_, &SchedulingService::Reschedule, kVisit);
}

grpc::ServerUnaryReactor* SchedulingGrpcService::CancelVisit(grpc::CallbackServerContext* context,
                                                             const v1::CancelVisitRequest* request,
                                                             v1::CancelVisitResponse* response) {
  return AnswerWhenDone(context, request, response, logic_, &SchedulingService::Cancel, kVisit);
}

grpc::ServerUnaryReactor* SchedulingGrpcService::RecordVisitHeld(
    grpc::CallbackServerContext* context, const v1::RecordVisitHeldRequest* request,
    v1::RecordVisitHeldResponse* response) {
  return AnswerWhenDone(context, request, response, logic_, &SchedulingService::RecordHeld, kVisit);
}

grpc::ServerUnaryReactor* SchedulingGrpcService::RecordNoShow(
    grpc::CallbackServerContext* context, const v1::RecordNoShowRequest* request,
    v1::RecordNoShowResponse* response) {
  return AnswerWhenDone(context, request, response, logic_, &SchedulingService::RecordNoShow,
                        kVisit);
}

grpc::ServerUnaryReactor* SchedulingGrpcService::ConfirmMeeting(
    grpc::CallbackServerContext* context, const v1::ConfirmMeetingRequest* request,
    v1::ConfirmMeetingResponse* response) {
  return AnswerWhenDone(context, request, response, logic_, &SchedulingService::ConfirmMeeting,
                        kVisit);
}

grpc::ServerUnaryReactor* SchedulingGrpcService::GetVisit(grpc::CallbackServerContext* context,
                                                          const v1::GetVisitRequest* request,
                                                          v1::GetVisitResponse* response) {
  return grpcx::Answer(context, logic_.Get(*request), response, kVisit);
}

grpc::ServerUnaryReactor* SchedulingGrpcService::ListVisits(grpc::CallbackServerContext* context,
                                                            const v1::ListVisitsRequest* request,
                                                            v1::ListVisitsResponse* response) {
  return grpcx::Answer(context, logic_.List(*request), response, grpcx::kWhole);
}

grpc::ServerUnaryReactor* SchedulingGrpcService::GetCompliance(
    grpc::CallbackServerContext* context, const v1::GetComplianceRequest* request,
    v1::GetComplianceResponse* response) {
  return grpcx::Answer(context, logic_.Compliance(*request), response, grpcx::kWhole);
}

grpc::ServerUnaryReactor* SchedulingGrpcService::GetCoachingSummary(
    grpc::CallbackServerContext* context, const v1::GetCoachingSummaryRequest* request,
    v1::GetCoachingSummaryResponse* response) {
  return grpcx::Answer(context, logic_.CoachingSummary(*request), response, grpcx::kWhole);
}

grpc::ServerUnaryReactor* SchedulingGrpcService::IssueFeedToken(
    grpc::CallbackServerContext* context, const v1::IssueFeedTokenRequest* request,
    v1::IssueFeedTokenResponse* response) {
  return AnswerWhenDone(context, request, response, logic_, &SchedulingService::IssueFeedToken,
                        grpcx::kWhole);
}

}  // namespace olif::scheduling
