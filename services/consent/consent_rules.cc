#include "services/consent/consent_rules.h"

#include <set>
#include <vector>

#include "absl/strings/str_cat.h"
#include "absl/strings/str_join.h"
#include "services/common/status/status.h"

namespace olif::consent {

absl::StatusOr<int> AgeOn(const std::string& birth_date, absl::Time at) {
  absl::CivilDay born;
  if (!absl::ParseCivilTime(birth_date, &born)) {
    return InvalidField("child_birth_date", "must be a date as YYYY-MM-DD");
  }
  const absl::CivilDay today = absl::ToCivilDay(at, absl::UTCTimeZone());
  if (born > today) return InvalidField("child_birth_date", "lies in the future");
  int age = static_cast<int>(today.year() - born.year());
  if (today.month() < born.month() || (today.month() == born.month() && today.day() < born.day())) {
    --age;  // the birthday has not come yet this year
  }
  return age;
}

absl::Status CheckSignatures(const v1::Consent& draft, absl::Time at, const AuthorityRules& rules) {
  absl::StatusOr<int> age = AgeOn(draft.child_birth_date(), at);
  if (!age.ok()) return age.status();

  Violations v;
  std::set<std::string> authority_signers;
  for (int i = 0; i < draft.grantors_size(); ++i) {
    const v1::Grantor& g = draft.grantors(i);
    const std::string field = absl::StrCat("grantors[", i, "]");
    if (g.name().empty()) v.Add(field + ".name", "is required");
    if (g.relation() == v1::RELATION_UNSPECIFIED) v.Add(field + ".relation", "is required");
    if (g.method() == v1::SIGNING_METHOD_UNSPECIFIED) v.Add(field + ".method", "is required");
    if (!g.has_signed_at()) v.Add(field + ".signed_at", "is required");
    if (g.has_authority() && g.authority_verified_how().empty()) {
      v.Add(field + ".authority_verified_how", "is required for a grantor with authority");
    }
    if (g.has_authority() && !g.name().empty() && !authority_signers.insert(g.name()).second) {
      v.Add(field + ".name", "signs twice");
    }
  }
  const bool parents_decide = *age < rules.child_alone_from_age;
  if (parents_decide && draft.holders_of_authority() != 1 && draft.holders_of_authority() != 2) {
    v.Add("holders_of_authority", "must be 1 (single) or 2 (joint authority)");
  }
  if (draft.has_child_assent() &&
      (draft.child_assent().method() == v1::SIGNING_METHOD_UNSPECIFIED ||
       !draft.child_assent().has_signed_at())) {
    v.Add("child_assent", "needs signed_at and method");
  }
  if (!v.empty()) return v.ToStatus();

  std::vector<std::string> missing;
  if (parents_decide) {
    const int signed_count = static_cast<int>(authority_signers.size());
    const int needed = draft.holders_of_authority();
    if (signed_count < needed) {
      missing.push_back(needed == 2 ? absl::StrCat("both parents with joint authority (",
                                                   signed_count, " of 2 signed)")
                                    : "the parent with authority");
    }
  }
  const bool child_needed = *age >= rules.child_assents_from_age;
  if (child_needed && !draft.has_child_assent()) {
    missing.push_back(absl::StrCat("the child (age ", *age, ")"));
  }
  if (!missing.empty()) {
    return absl::FailedPreconditionError(absl::StrCat("consent for a child of ", *age,
                                                      " needs the signature of ",
                                                      absl::StrJoin(missing, " and of ")));
  }
  return absl::OkStatus();
}

}  // namespace olif::consent
