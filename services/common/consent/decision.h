#pragma once

// The one rule for "may data about this child go to this recipient for this
// purpose at this moment?", shared by the consent service (CheckConsent) and
// every ConsentProjection, so the two can never answer differently.
//
// A consent permits when it names the purpose and the recipient, is neither
// withdrawn nor expired, and `at` lies in [valid_from, valid_until). A
// withdrawal counts from the moment it is known, whatever `at` asks about:
// nothing more may be shared under a withdrawn consent. When none permits,
// the reason names the closest miss.

#include <string>
#include <vector>

#include "absl/time/time.h"
#include "olifantenpad/consent/v1/decision.pb.h"

namespace olif::consent {

namespace v1 = olifantenpad::consent::v1;

enum class TermsState { kActive, kWithdrawn, kExpired };

// What a decision needs to know of one consent of the child.
struct ConsentTerms {
  std::string consent_id;
  std::vector<v1::Purpose> purposes;
  std::vector<std::string> recipients;  // organisation directory ids
  absl::Time valid_from;
  absl::Time valid_until;
  TermsState state = TermsState::kActive;
  absl::Time state_changed_at;  // when withdrawn or expired
};

// `consents` are all the consents known for the child.
v1::Decision Decide(const std::vector<ConsentTerms>& consents, v1::Purpose purpose,
                    const std::string& recipient, absl::Time at);

// "direct_line" for PURPOSE_DIRECT_LINE, as operators and FHIR codes spell it.
std::string PurposeCode(v1::Purpose purpose);

}  // namespace olif::consent
