#pragma once

// Who must sign a consent, by the child's age and who holds parental
// authority (gezag). Dutch practice is the default and every threshold is
// configurable:
//   under 12      the parents with authority decide; with joint authority both sign
//   12 to 15      the child assents and the parents with authority sign
//   16 and older  the child alone
//
// Stateless and thread-safe.

#include <string>

#include "absl/status/status.h"
#include "absl/status/statusor.h"
#include "absl/time/time.h"
#include "olifantenpad/consent/v1/consent.pb.h"

namespace olif::consent {

namespace v1 = olifantenpad::consent::v1;

struct AuthorityRules {
  int child_assents_from_age = 12;  // from here the child's assent is needed too
  int child_alone_from_age = 16;    // from here the child decides alone
};

// The child's age in whole years on the (UTC) day of `at`; birth_date is
// YYYY-MM-DD. INVALID_ARGUMENT naming child_birth_date when it does not parse
// or lies after `at`.
absl::StatusOr<int> AgeOn(const std::string& birth_date, absl::Time at);

// OK when the signatures on `draft` satisfy `rules` for the child's age at
// `at`. INVALID_ARGUMENT naming the field for a malformed draft;
// FAILED_PRECONDITION naming who still has to sign.
absl::Status CheckSignatures(const v1::Consent& draft, absl::Time at,
                             const AuthorityRules& rules = {});

}  // namespace olif::consent
