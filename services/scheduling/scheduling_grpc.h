#pragma once

// The scheduling gRPC service (olifantenpad.scheduling.v1.SchedulingService):
// a thin shell over SchedulingService. Each RPC hands the call to the logic
// and finishes when the logic answers; nothing else happens here.
//
// Thread-safe; `logic` must outlive the shell.

#include "olifantenpad/scheduling/v1/scheduling.grpc.pb.h"
#include "services/scheduling/scheduling_service.h"

namespace olif::scheduling {

class SchedulingGrpcService final : public v1::SchedulingService::CallbackService {
 public:
  explicit SchedulingGrpcService(SchedulingService& logic) : logic_(logic) {}

  grpc::ServerUnaryReactor* SetAvailability(grpc::CallbackServerContext* context,
                                            const v1::SetAvailabilityRequest* request,
                                            v1::SetAvailabilityResponse* response) override;
  grpc::ServerUnaryReactor* AddException(grpc::CallbackServerContext* context,
                                         const v1::AddExceptionRequest* request,
                                         v1::AddExceptionResponse* response) override;
  grpc::ServerUnaryReactor* GetAvailability(grpc::CallbackServerContext* context,
                                            const v1::GetAvailabilityRequest* request,
                                            v1::GetAvailabilityResponse* response) override;
  grpc::ServerUnaryReactor* PlanVisit(grpc::CallbackServerContext* context,
                                      const v1::PlanVisitRequest* request,
                                      v1::PlanVisitResponse* response) override;
  grpc::ServerUnaryReactor* RescheduleVisit(grpc::CallbackServerContext* context,
                                            const v1::RescheduleVisitRequest* request,
                                            v1::RescheduleVisitResponse* response) override;
  grpc::ServerUnaryReactor* CancelVisit(grpc::CallbackServerContext* context,
                                        const v1::CancelVisitRequest* request,
                                        v1::CancelVisitResponse* response) override;
  grpc::ServerUnaryReactor* RecordVisitHeld(grpc::CallbackServerContext* context,
                                            const v1::RecordVisitHeldRequest* request,
                                            v1::RecordVisitHeldResponse* response) override;
  grpc::ServerUnaryReactor* RecordNoShow(grpc::CallbackServerContext* context,
                                         const v1::RecordNoShowRequest* request,
                                         v1::RecordNoShowResponse* response) override;
  grpc::ServerUnaryReactor* ConfirmMeeting(grpc::CallbackServerContext* context,
                                           const v1::ConfirmMeetingRequest* request,
                                           v1::ConfirmMeetingResponse* response) override;
  grpc::ServerUnaryReactor* GetVisit(grpc::CallbackServerContext* context,
                                     const v1::GetVisitRequest* request,
                                     v1::GetVisitResponse* response) override;
  grpc::ServerUnaryReactor* ListVisits(grpc::CallbackServerContext* context,
                                       const v1::ListVisitsRequest* request,
                                       v1::ListVisitsResponse* response) override;
  grpc::ServerUnaryReactor* GetCompliance(grpc::CallbackServerContext* context,
                                          const v1::GetComplianceRequest* request,
                                          v1::GetComplianceResponse* response) override;
  grpc::ServerUnaryReactor* GetCoachingSummary(grpc::CallbackServerContext* context,
                                               const v1::GetCoachingSummaryRequest* request,
                                               v1::GetCoachingSummaryResponse* response) override;
  grpc::ServerUnaryReactor* IssueFeedToken(grpc::CallbackServerContext* context,
                                           const v1::IssueFeedTokenRequest* request,
                                           v1::IssueFeedTokenResponse* response) override;

 private:
  SchedulingService& logic_;
};

}  // namespace olif::scheduling
