#include "services/referrals/request_validation.h"

#include <algorithm>
#include <set>

#include "absl/strings/ascii.h"
#include "absl/strings/str_cat.h"
#include "absl/time/civil_time.h"
#include "services/common/clock/timestamp.h"
#include "services/common/ids/ids.h"
#include "services/common/status/field_checks.h"
#include "services/common/status/status.h"

namespace olif::referrals {
namespace {

void CheckIdAndVersion(Violations& v, const std::string& id, int64_t version) {
  RequireUuid(v, "id", id);
  if (version < 0) v.Add("version", "must not be negative");
}

void CheckIdentity(Violations& v, const v1::ChildIdentity& id) {
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

// The kind, and the child and identity only a named-child request carries.
void CheckKind(Violations& v, const v1::CreateRequestRequest& call) {
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
      } else {
        RequireUuid(v, "request.child.child_ref", r.child().child_ref());
      }
      if (!call.has_child_identity()) {
        v.Add("child_identity", "is required for REQUEST_KIND_CHILD");
      } else {
        CheckIdentity(v, call.child_identity());
      }
      break;
    case v1::REQUEST_KIND_UNSPECIFIED:
      v.Add("request.kind",
            "is required: REQUEST_KIND_ANONYMOUS, REQUEST_KIND_GROUP or REQUEST_KIND_CHILD");
      break;
    default:
      v.Add("request.kind", absl::StrCat("unknown value ", r.kind()));
  }
}

void CheckRequesterAndGroup(Violations& v, const v1::DirectLineRequest& r) {
  if (!r.has_requester()) {
    v.Add("request.requester", "is required");
  } else {
    RequireDirectoryId(v, "request.requester.professional_id", r.requester().professional_id());
    RequireDirectoryId(v, "request.requester.organisation_id", r.requester().organisation_id());
    RequireDirectoryId(v, "request.requester.location_id", r.requester().location_id());
  }
  if (r.kind() == v1::REQUEST_KIND_GROUP) {
    if (!r.has_group()) {
      v.Add("request.group", "is required for REQUEST_KIND_GROUP");
    } else {
      RequireDirectoryId(v, "request.group.group_id", r.group().group_id());
      if (r.group().location_id() != r.requester().location_id()) {
        v.Add("request.group.location_id", "must be the requester's location");
      }
    }
  } else if (r.has_group() && r.kind() == v1::REQUEST_KIND_ANONYMOUS) {
    v.Add("request.group", "must not be set for REQUEST_KIND_ANONYMOUS");
  }
}

void CheckDomains(Violations& v, const v1::DirectLineRequest& r) {
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
}

void CheckTexts(Violations& v, const v1::DirectLineRequest& r) {
  const std::string question(absl::StripAsciiWhitespace(r.question()));
  const int question_chars = CodePoints(question);
  if (question.empty()) {
    v.Add("request.question", "is required");
  } else if (question_chars < kMinQuestionChars || question_chars > kMaxQuestionChars) {
    v.Add("request.question", absl::StrCat("must be ", kMinQuestionChars, " to ", kMaxQuestionChars,
                                           " characters, not ", question_chars));
  }
  CheckMaxChars(v, "request.observations", r.observations(), kMaxObservationsChars);
  if (!v1::Priority_IsValid(r.priority())) {
    v.Add("request.priority", absl::StrCat("unknown value ", r.priority()));
  }
}

// Only the id and version: Accept, Resolve and Withdraw ask nothing more.
template <typename Call>
absl::Status ValidateIdAndVersion(const Call& call) {
  Violations v;
  CheckIdAndVersion(v, call.id(), call.version());
  return v.ToStatus();
}

}  // namespace

absl::Status ValidateCreate(const v1::CreateRequestRequest& call) {
  Violations v;
  RequireRequestId(v, call.request_id());
  if (!call.has_request()) {
    v.Add("request", "is required");
    return v.ToStatus();
  }
  CheckKind(v, call);
  CheckRequesterAndGroup(v, call.request());
  CheckDomains(v, call.request());
  CheckTexts(v, call.request());
  return v.ToStatus();
}

absl::Status ValidateInDirectory(const v1::CreateRequestRequest& call,
                                 const directory::Directory& dir) {
  const v1::DirectLineRequest& r = call.request();
  const std::string& location = r.requester().location_id();
  if (dir.FindLocation(location) == nullptr) {
    return InvalidField("request.requester.location_id",
                        absl::StrCat("'", location, "' is not a location in the directory"));
  }
  if (r.kind() == v1::REQUEST_KIND_GROUP &&
      dir.FindGroup(location, r.group().group_id()) == nullptr) {
    return InvalidField("request.group.group_id",
                        absl::StrCat("'", r.group().group_id(), "' is not a group of location ",
                                     location, " in the directory"));
  }
  return absl::OkStatus();
}

absl::Status ValidateAccept(const v1::AcceptRequestRequest& call) {
  return ValidateIdAndVersion(call);
}

absl::Status ValidateDecline(const v1::DeclineRequestRequest& call) {
  Violations v;
  CheckIdAndVersion(v, call.id(), call.version());
  if (call.reason().empty()) v.Add("reason", "is required: say why, and where to go instead");
  return v.ToStatus();
}

absl::Status ValidateRecordCycle(const v1::RecordCycleRequest& call) {
  Violations v;
  CheckIdAndVersion(v, call.id(), call.version());
  const v1::Cycle& c = call.cycle();
  if (c.plan().empty()) v.Add("cycle.plan", "is required");
  if (!c.has_period_start()) v.Add("cycle.period_start", "is required");
  if (!c.has_period_end()) {
    v.Add("cycle.period_end", "is required");
  } else if (c.has_period_start() &&
             FromTimestamp(c.period_end()) < FromTimestamp(c.period_start())) {
    v.Add("cycle.period_end", "must not be before period_start");
  }
  if (c.outcome() == v1::OUTCOME_UNSPECIFIED) {
    v.Add("cycle.outcome", "is required: OUTCOME_RESOLVED, OUTCOME_CONTINUE or OUTCOME_ESCALATE");
  } else if (!v1::Outcome_IsValid(c.outcome())) {
    v.Add("cycle.outcome", absl::StrCat("unknown value ", c.outcome()));
  }
  return v.ToStatus();
}

absl::Status ValidateAddMessage(const v1::AddMessageRequest& call) {
  Violations v;
  CheckIdAndVersion(v, call.id(), call.version());
  if (call.message().author() == v1::AUTHOR_UNSPECIFIED ||
      !v1::Author_IsValid(call.message().author())) {
    v.Add("message.author", "is required: AUTHOR_REQUESTER or AUTHOR_EXPERT");
  }
  const int chars = CodePoints(call.message().text());
  if (call.message().text().empty() || chars > kMaxMessageChars) {
    v.Add("message.text",
          absl::StrCat("must be 1 to ", kMaxMessageChars, " characters, not ", chars));
  }
  return v.ToStatus();
}

absl::Status ValidateResolve(const v1::ResolveRequestRequest& call) {
  return ValidateIdAndVersion(call);
}

absl::Status ValidateEscalate(const v1::EscalateRequestRequest& call) {
  Violations v;
  CheckIdAndVersion(v, call.id(), call.version());
  if (call.kind() == v1::ESCALATION_KIND_UNSPECIFIED || !v1::EscalationKind_IsValid(call.kind())) {
    v.Add("kind", "is required: where the child is referred to");
  }
  return v.ToStatus();
}

absl::Status ValidateWithdraw(const v1::WithdrawRequestRequest& call) {
  return ValidateIdAndVersion(call);
}

absl::Status ValidateReassign(const v1::ReassignRequestRequest& call,
                              const directory::Directory& dir) {
  Violations v;
  CheckIdAndVersion(v, call.id(), call.version());
  const auto* expert = dir.FindProfessional(call.expert_id());
  if (call.expert_id().empty()) {
    v.Add("expert_id", "is required");
  } else if (expert == nullptr ||
             std::find(expert->roles().begin(), expert->roles().end(),
                       olifantenpad::config::v1::ROLE_YOUTH_CARE_EXPERT) == expert->roles().end()) {
    v.Add("expert_id",
          absl::StrCat("'", call.expert_id(), "' is not a youth-care expert in the directory"));
  }
  if (call.by().empty()) v.Add("by", "is required: who decides");
  if (call.reason().empty()) v.Add("reason", "is required");
  return v.ToStatus();
}

absl::Status ValidateGet(const v1::GetRequestRequest& call) {
  if (call.id().empty()) return InvalidField("id", "is required");
  if (!IsUuid(call.id())) return InvalidField("id", "must be a UUID");
  return absl::OkStatus();
}

absl::Status ValidateList(const v1::ListRequestsRequest& call, const absl::Status& page_token) {
  Violations v;
  RequireDirectoryId(v, "location_id", call.location_id());
  if (!v1::RequestStatus_IsValid(call.status())) {
    v.Add("status", absl::StrCat("unknown value ", call.status()));
  }
  CheckPage(v, call.page_size(), page_token);
  return v.ToStatus();
}

absl::Status ValidateStatistics(const v1::GetStatisticsRequest& call) {
  Violations v;
  if (!call.has_start()) v.Add("start", "is required");
  if (!call.has_end()) {
    v.Add("end", "is required");
  } else if (call.has_start() && FromTimestamp(call.end()) <= FromTimestamp(call.start())) {
    v.Add("end", "must be after start");
  }
  CheckDirectoryId(v, "location_id", call.location_id());
  return v.ToStatus();
}

}  // namespace olif::referrals
