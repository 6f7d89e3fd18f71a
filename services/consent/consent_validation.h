#pragma once

// Validation of what callers send to the consent service: every field rule
// of every call lives here, reported as field violations (INVALID_ARGUMENT
// with google.rpc.BadRequest), all at once. The authority rules
// (consent_rules.h) add FAILED_PRECONDITION when signatures are missing.

#include "absl/status/status.h"
#include "absl/time/time.h"
#include "olifantenpad/consent/v1/consent.pb.h"
#include "services/common/directory/directory.h"
#include "services/consent/consent_rules.h"

namespace olif::consent {

namespace v1 = olifantenpad::consent::v1;

// The consent's form, its recipients and recorder in `dir`, and its
// signatures under `rules` at `now`.
absl::Status ValidateRecord(const v1::RecordConsentRequest& call, const directory::Directory& dir,
                            absl::Time now, const AuthorityRules& rules);
absl::Status ValidateGet(const v1::GetConsentRequest& call);
// `page_token` is the outcome of decoding the call's page token.
absl::Status ValidateList(const v1::ListConsentsRequest& call, const absl::Status& page_token);
absl::Status ValidateWithdraw(const v1::WithdrawConsentRequest& call);
absl::Status ValidateCheck(const v1::CheckConsentRequest& call);

}  // namespace olif::consent
