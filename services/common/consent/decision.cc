#include "services/common/consent/decision.h"

#include <algorithm>

#include "absl/strings/ascii.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/strip.h"

namespace olif::consent {
namespace {

std::string When(absl::Time t) {
  return absl::FormatTime("%Y-%m-%dT%H:%M:%SZ", t, absl::UTCTimeZone());
}

}  // namespace

std::string PurposeCode(v1::Purpose purpose) {
  const std::string& name = v1::Purpose_Name(purpose);
  absl::string_view code = name;
  absl::ConsumePrefix(&code, "PURPOSE_");
  return absl::AsciiStrToLower(code);
}

v1::Decision Decide(const std::vector<ConsentTerms>& consents, v1::Purpose purpose,
                    const std::string& recipient, absl::Time at) {
  v1::Decision d;
  if (consents.empty()) {
    d.set_reason("no consent is recorded for this child");
    return d;
  }
  const ConsentTerms* closest = nullptr;  // covers purpose and recipient, but not now
  bool purpose_covered = false;
  for (const ConsentTerms& c : consents) {
    if (std::find(c.purposes.begin(), c.purposes.end(), purpose) == c.purposes.end()) continue;
    purpose_covered = true;
    if (std::find(c.recipients.begin(), c.recipients.end(), recipient) == c.recipients.end()) {
      continue;
    }
    if (c.state == TermsState::kActive && c.valid_from <= at && at < c.valid_until) {
      d.set_permitted(true);
      d.set_consent_id(c.consent_id);
      d.clear_reason();
      return d;
    }
    closest = &c;
  }
  if (!purpose_covered) {
    d.set_reason(absl::StrCat("no consent covers purpose ", PurposeCode(purpose)));
  } else if (closest == nullptr) {
    d.set_reason(absl::StrCat("no consent for purpose ", PurposeCode(purpose), " names recipient ",
                              recipient));
  } else if (closest->state == TermsState::kWithdrawn) {
    d.set_reason(absl::StrCat("consent ", closest->consent_id, " was withdrawn at ",
                              When(closest->state_changed_at)));
  } else if (closest->state == TermsState::kExpired || at >= closest->valid_until) {
    d.set_reason(
        absl::StrCat("consent ", closest->consent_id, " expired at ", When(closest->valid_until)));
  } else {
    d.set_reason(absl::StrCat("consent ", closest->consent_id, " is valid from ",
                              When(closest->valid_from)));
  }
  return d;
}

}  // namespace olif::consent
