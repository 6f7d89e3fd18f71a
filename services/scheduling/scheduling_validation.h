#pragma once

// Validation of what callers send to the scheduling service: every field rule
// of every call, reported as field violations (INVALID_ARGUMENT with
// google.rpc.BadRequest), all at once. What depends on stored state or the
// clock (conflicts, the state of a visit, versions) is the service's.

#include "absl/status/status.h"
#include "olifantenpad/scheduling/v1/scheduling.pb.h"
#include "services/common/directory/directory.h"

namespace olif::scheduling {

namespace v1 = olifantenpad::scheduling::v1;

inline constexpr int kMaxTextChars = 8000;
inline constexpr int kMaxReasonChars = 1000;
inline constexpr int kMaxNameChars = 200;
inline constexpr int kMaxVisitHours = 10;

absl::Status ValidateSetAvailability(const v1::SetAvailabilityRequest& call,
                                     const directory::Directory& dir);
absl::Status ValidateAddException(const v1::AddExceptionRequest& call,
                                  const directory::Directory& dir);
absl::Status ValidateGetAvailability(const v1::GetAvailabilityRequest& call);
absl::Status ValidatePlan(const v1::PlanVisitRequest& call, const directory::Directory& dir);
absl::Status ValidateReschedule(const v1::RescheduleVisitRequest& call);
absl::Status ValidateCancel(const v1::CancelVisitRequest& call);
absl::Status ValidateHeld(const v1::RecordVisitHeldRequest& call, const directory::Directory& dir);
absl::Status ValidateNoShow(const v1::RecordNoShowRequest& call);
absl::Status ValidateConfirm(const v1::ConfirmMeetingRequest& call,
                             const directory::Directory& dir);
absl::Status ValidateGet(const v1::GetVisitRequest& call);
absl::Status ValidateList(const v1::ListVisitsRequest& call);
absl::Status ValidateCompliance(const v1::GetComplianceRequest& call,
                                const directory::Directory& dir);
absl::Status ValidateCoaching(const v1::GetCoachingSummaryRequest& call,
                              const directory::Directory& dir);
absl::Status ValidateIssueFeed(const v1::IssueFeedTokenRequest& call,
                               const directory::Directory& dir);

}  // namespace olif::scheduling
