#pragma once

// Validation of what callers send to the referrals service: every field rule
// of every call lives here. Each problem is reported as a field violation
// (INVALID_ARGUMENT with google.rpc.BadRequest), all of them at once, so a
// caller can fix a call in one go. What depends on a stored request's state
// (the state machine, versions) is checked by the service.

#include "absl/status/status.h"
#include "olifantenpad/referrals/v1/referrals.pb.h"
#include "services/common/directory/directory.h"

namespace olif::referrals {

namespace v1 = olifantenpad::referrals::v1;

// Limits in characters as a person counts them (UTF-8 code points).
inline constexpr int kMinQuestionChars = 10;
inline constexpr int kMaxQuestionChars = 4000;
inline constexpr int kMaxObservationsChars = 8000;
inline constexpr int kMaxMessageChars = 4000;

// The form of a new request; the directory is checked by ValidateInDirectory.
absl::Status ValidateCreate(const v1::CreateRequestRequest& call);
// The requester's location, and a group question's group at that location,
// exist in `dir`.
absl::Status ValidateInDirectory(const v1::CreateRequestRequest& call,
                                 const directory::Directory& dir);

absl::Status ValidateGet(const v1::GetRequestRequest& call);
// `page_token` is the outcome of decoding the call's page token.
absl::Status ValidateList(const v1::ListRequestsRequest& call, const absl::Status& page_token);
absl::Status ValidateStatistics(const v1::GetStatisticsRequest& call);

// The transitions: id and version, and what each adds.
absl::Status ValidateAccept(const v1::AcceptRequestRequest& call);
absl::Status ValidateDecline(const v1::DeclineRequestRequest& call);
absl::Status ValidateRecordCycle(const v1::RecordCycleRequest& call);
absl::Status ValidateAddMessage(const v1::AddMessageRequest& call);
absl::Status ValidateResolve(const v1::ResolveRequestRequest& call);
absl::Status ValidateEscalate(const v1::EscalateRequestRequest& call);
absl::Status ValidateWithdraw(const v1::WithdrawRequestRequest& call);
// `expert_id` must be a youth-care expert in `dir`.
absl::Status ValidateReassign(const v1::ReassignRequestRequest& call,
                              const directory::Directory& dir);

}  // namespace olif::referrals
