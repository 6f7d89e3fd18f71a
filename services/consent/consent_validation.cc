#include "services/consent/consent_validation.h"

#include "absl/strings/str_cat.h"
#include "services/common/clock/timestamp.h"
#include "services/common/ids/ids.h"
#include "services/common/status/field_checks.h"
#include "services/common/status/status.h"

namespace olif::consent {
namespace {

// Every list of enum values: at least one, each known and set.
template <typename Repeated, typename IsValid>
void CheckEnums(Violations& v, const std::string& field, const Repeated& values, IsValid valid) {
  if (values.empty()) v.Add(field, "at least one is required");
  for (int i = 0; i < values.size(); ++i) {
    if (values.Get(i) == 0) {
      v.Add(absl::StrCat(field, "[", i, "]"), "must not be UNSPECIFIED");
    } else if (!valid(values.Get(i))) {
      v.Add(absl::StrCat(field, "[", i, "]"), absl::StrCat("unknown value ", values.Get(i)));
    }
  }
}

}  // namespace

absl::Status ValidateRecord(const v1::RecordConsentRequest& call, const directory::Directory& dir,
                            absl::Time now, const AuthorityRules& rules) {
  Violations v;
  RequireUuid(v, "request_id", call.request_id());
  if (!call.has_consent()) {
    v.Add("consent", "is required");
    return v.ToStatus();
  }
  const v1::Consent& c = call.consent();
  RequireUuid(v, "consent.child.child_ref", c.child().child_ref());
  CheckEnums(v, "consent.purposes", c.purposes(), v1::Purpose_IsValid);
  CheckEnums(v, "consent.data_categories", c.data_categories(), v1::DataCategory_IsValid);
  if (c.recipient_organisation_ids().empty()) {
    v.Add("consent.recipient_organisation_ids", "at least one is required");
  }
  for (int i = 0; i < c.recipient_organisation_ids_size(); ++i) {
    const std::string& org = c.recipient_organisation_ids(i);
    if (dir.FindOrganisation(org) == nullptr) {
      v.Add(absl::StrCat("consent.recipient_organisation_ids[", i, "]"),
            absl::StrCat("'", org, "' is not an organisation in the directory"));
    }
  }
  if (!c.has_valid_from()) v.Add("consent.valid_from", "is required");
  if (!c.has_valid_until()) {
    v.Add("consent.valid_until", "is required");
  } else if (c.has_valid_from() &&
             FromTimestamp(c.valid_until()) <= FromTimestamp(c.valid_from())) {
    v.Add("consent.valid_until", "must be after valid_from");
  } else if (FromTimestamp(c.valid_until()) <= now) {
    v.Add("consent.valid_until", "lies in the past");
  }
  if (c.evidence_ref().empty()) {
    v.Add("consent.evidence_ref", "is required: the signed form's document id");
  }
  if (c.recorded_by().empty()) {
    v.Add("consent.recorded_by", "is required");
  } else if (dir.FindProfessional(c.recorded_by()) == nullptr) {
    v.Add("consent.recorded_by",
          absl::StrCat("'", c.recorded_by(), "' is not a professional in the directory"));
  }
  absl::Status signatures = CheckSignatures(c, now, rules);
  google::rpc::BadRequest bad;
  if (signatures.code() == absl::StatusCode::kInvalidArgument && GetBadRequest(signatures, &bad)) {
    for (const auto& f : bad.field_violations()) {
      v.Add(absl::StrCat("consent.", f.field()), f.description());
    }
  }
  if (!v.empty()) return v.ToStatus();
  return signatures;  // OK, or FAILED_PRECONDITION naming who still has to sign
}

absl::Status ValidateGet(const v1::GetConsentRequest& call) {
  Violations v;
  RequireUuid(v, "id", call.id());
  return v.ToStatus();
}

absl::Status ValidateList(const v1::ListConsentsRequest& call, const absl::Status& page_token) {
  Violations v;
  if (call.child_ref().empty() == call.recipient_organisation_id().empty()) {
    v.Add("child_ref", "give exactly one of child_ref and recipient_organisation_id");
  } else if (!call.child_ref().empty() && !IsUuid(call.child_ref())) {
    v.Add("child_ref", "must be a UUID");
  } else {
    CheckDirectoryId(v, "recipient_organisation_id", call.recipient_organisation_id());
  }
  if (!v1::ConsentStatus_IsValid(call.status())) {
    v.Add("status", absl::StrCat("unknown value ", call.status()));
  }
  CheckPage(v, call.page_size(), page_token);
  return v.ToStatus();
}

absl::Status ValidateWithdraw(const v1::WithdrawConsentRequest& call) {
  Violations v;
  RequireUuid(v, "id", call.id());
  if (call.withdrawn_by().empty()) v.Add("withdrawn_by", "is required");
  return v.ToStatus();
}

absl::Status ValidateCheck(const v1::CheckConsentRequest& call) {
  Violations v;
  RequireUuid(v, "child.child_ref", call.child().child_ref());
  if (call.purpose() == v1::PURPOSE_UNSPECIFIED) {
    v.Add("purpose", "is required");
  } else if (!v1::Purpose_IsValid(call.purpose())) {
    v.Add("purpose", absl::StrCat("unknown value ", call.purpose()));
  }
  RequireDirectoryId(v, "recipient_organisation_id", call.recipient_organisation_id());
  return v.ToStatus();
}

}  // namespace olif::consent
