#include "services/referrals/request_validation.h"

#include <set>

#include "absl/strings/ascii.h"
#include "absl/strings/str_cat.h"
#include "absl/time/civil_time.h"
#include "services/common/ids/ids.h"
#include "services/common/status/status.h"

namespace olif::referrals {
namespace {

// Characters as a person counts them: UTF-8 code points.
int CodePoints(const std::string& s) {
  int n = 0;
  for (unsigned char c : s) n += (c & 0xc0) != 0x80;
  return n;
}

void CheckDirectoryId(Violations& v, const std::string& field, const std::string& value) {
  if (value.empty()) {
    v.Add(field, "is required");
  } else if (!IsDirectoryId(value)) {
    v.Add(field, "must be a directory id: 3-64 characters of a-z, 0-9 and '-'");
  }
}

}  // namespace

absl::Status ValidateCreate(const v1::CreateRequestRequest& call) {
  Violations v;
  if (call.request_id().empty()) {
    v.Add("request_id", "is required: a UUID chosen by the client, reused on retries");
  } else if (!IsUuid(call.request_id())) {
    v.Add("request_id", "must be a UUID (8-4-4-4-12 hexadecimal)");
  }
  if (!call.has_request()) {
    v.Add("request", "is required");
    return v.ToStatus();
  }
  const v1::DirectLineRequest& r = call.request();

  switch (r.kind()) {
    case v1::REQUEST_KIND_ANONYMOUS:
    case v1::REQUEST_KIND_GROUP:
      if (r.has_child()) v.Add("request.child", "is only for REQUEST_KIND_CHILD");
      if (call.has_child_identity()) v.Add("child_identity", "is only for REQUEST_KIND_CHILD");
      break;
    case v1::REQUEST_KIND_CHILD:
      if (r.child().child_ref().empty()) {
        v.Add("request.child.child_ref",
              "is required for REQUEST_KIND_CHILD: the reference the consent was recorded under");
      } else if (!IsUuid(r.child().child_ref())) {
        v.Add("request.child.child_ref", "must be a UUID");
      }
      if (!call.has_child_identity()) {
        v.Add("child_identity", "is required for REQUEST_KIND_CHILD");
      } else {
        const v1::ChildIdentity& id = call.child_identity();
        if (absl::StripAsciiWhitespace(id.given_name()).empty()) {
          v.Add("child_identity.given_name", "is required");
        }
        if (absl::StripAsciiWhitespace(id.family_name()).empty()) {
          v.Add("child_identity.family_name", "is required");
        }
        absl::CivilDay born;
        if (!absl::ParseCivilTime(id.birth_date(), &born)) {
          v.Add("child_identity.birth_date", "must be a date as YYYY-MM-DD");
        }
        if (!id.bsn().empty()) {
          if (absl::Status bsn = ValidateBsn(id.bsn()); !bsn.ok()) {
            v.Add("child_identity.bsn", std::string(bsn.message()));
          }
        }
      }
      break;
    case v1::REQUEST_KIND_UNSPECIFIED:
      v.Add("request.kind",
            "is required: REQUEST_KIND_ANONYMOUS, REQUEST_KIND_GROUP or REQUEST_KIND_CHILD");
      break;
    default:
      v.Add("request.kind", absl::StrCat("unknown value ", r.kind()));
  }

  if (!r.has_requester()) {
    v.Add("request.requester", "is required");
  } else {
    CheckDirectoryId(v, "request.requester.professional_id", r.requester().professional_id());
    CheckDirectoryId(v, "request.requester.organisation_id", r.requester().organisation_id());
    CheckDirectoryId(v, "request.requester.location_id", r.requester().location_id());
  }

  if (r.kind() == v1::REQUEST_KIND_GROUP) {
    if (!r.has_group()) {
      v.Add("request.group", "is required for REQUEST_KIND_GROUP");
    } else {
      CheckDirectoryId(v, "request.group.group_id", r.group().group_id());
      if (r.group().location_id() != r.requester().location_id()) {
        v.Add("request.group.location_id", "must be the requester's location");
      }
    }
  } else if (r.has_group() && r.kind() == v1::REQUEST_KIND_ANONYMOUS) {
    v.Add("request.group", "must not be set for REQUEST_KIND_ANONYMOUS");
  }

  if (r.question_domains_size() == 0) {
    v.Add("request.question_domains", "needs at least one domain");
  }
  std::set<int> domains;
  for (int i = 0; i < r.question_domains_size(); ++i) {
    const int d = r.question_domains(i);
    const std::string field = absl::StrCat("request.question_domains[", i, "]");
    if (d == v1::QUESTION_DOMAIN_UNSPECIFIED) {
      v.Add(field, "must not be QUESTION_DOMAIN_UNSPECIFIED");
    } else if (!v1::QuestionDomain_IsValid(d)) {
      v.Add(field, absl::StrCat("unknown value ", d));
    } else if (!domains.insert(d).second) {
      v.Add(field, absl::StrCat("repeats ", v1::QuestionDomain_Name(d)));
    }
  }

  const std::string question(absl::StripAsciiWhitespace(r.question()));
  const int question_chars = CodePoints(question);
  if (question.empty()) {
    v.Add("request.question", "is required");
  } else if (question_chars < kMinQuestionChars || question_chars > kMaxQuestionChars) {
    v.Add("request.question", absl::StrCat("must be ", kMinQuestionChars, " to ", kMaxQuestionChars,
                                           " characters, not ", question_chars));
  }
  if (const int n = CodePoints(r.observations()); n > kMaxObservationsChars) {
    v.Add("request.observations",
          absl::StrCat("must be at most ", kMaxObservationsChars, " characters, not ", n));
  }
  if (!v1::Priority_IsValid(r.priority())) {
    v.Add("request.priority", absl::StrCat("unknown value ", r.priority()));
  }
  return v.ToStatus();
}

}  // namespace olif::referrals
