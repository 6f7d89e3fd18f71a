#pragma once

// Validation of what callers send to the referrals service. Every problem is
// reported as a field violation (INVALID_ARGUMENT with google.rpc.BadRequest),
// all of them at once, so a caller can fix a request in one go.

#include "absl/status/status.h"
#include "olifantenpad/referrals/v1/referrals.pb.h"

namespace olif::referrals {

namespace v1 = olifantenpad::referrals::v1;

inline constexpr int kMinQuestionChars = 10;
inline constexpr int kMaxQuestionChars = 4000;
inline constexpr int kMaxObservationsChars = 8000;

// OK, or INVALID_ARGUMENT naming every bad field. Checks the form only; the
// directory (location, pairing) is checked by the service.
absl::Status ValidateCreate(const v1::CreateRequestRequest& call);

}  // namespace olif::referrals
