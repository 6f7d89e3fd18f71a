#pragma once

// Made-up events for the youth-care adapter's tests and the FHIR validation
// examples: one request of each kind, a restriction, and the consent events.
// Every name, number and organisation here is fictitious.

#include <google/protobuf/util/time_util.h>

#include <string>

#include "olifantenpad/consent/v1/events.pb.h"
#include "olifantenpad/referrals/v1/events.pb.h"
#include "olifantenpad/scheduling/v1/events.pb.h"

namespace olif::youthcare_fhir::examples {

namespace rv1 = olifantenpad::referrals::v1;
namespace cv1 = olifantenpad::consent::v1;
namespace sv1 = olifantenpad::scheduling::v1;

inline constexpr char kProvider[] = "org-jz-het-kompas";
inline constexpr char kOtherProvider[] = "org-jz-wijkteam-oost";
inline constexpr char kChildRef[] = "child-7f3a9c21";

inline google::protobuf::Timestamp At(int64_t unix_seconds) {
  return google::protobuf::util::TimeUtil::SecondsToTimestamp(unix_seconds);
}

inline rv1::RequestSubmitted Submitted(rv1::RequestKind kind, const std::string& request_id,
                                       const std::string& provider = kProvider) {
  rv1::RequestSubmitted e;
  e.set_request_id(request_id);
  e.set_kind(kind);
  e.mutable_requester()->set_professional_id("prof-sanne-bakker");
  e.mutable_requester()->set_organisation_id("org-kdv-de-boomgaard");
  e.mutable_requester()->set_location_id("loc-boomgaard-noord");
  e.add_question_domains(rv1::QUESTION_DOMAIN_DEVELOPMENT);
  e.set_question("How can we help him join group play?");
  e.set_observations("Plays alone most mornings; startles at loud noises.");
  e.set_priority(rv1::PRIORITY_NORMAL);
  *e.mutable_submitted_at() = At(1'795'000'000);
  *e.mutable_first_response_due() = At(1'795'172'800);
  e.mutable_expert()->set_professional_id("prof-anna-de-vries");
  e.mutable_expert()->set_organisation_id(provider);
  if (kind == rv1::REQUEST_KIND_GROUP) {
    e.mutable_group()->set_location_id("loc-boomgaard-noord");
    e.mutable_group()->set_group_id("grp-rupsjes");
  }
  if (kind == rv1::REQUEST_KIND_CHILD) {
    e.mutable_child()->set_child_ref(kChildRef);
    e.set_consent_id("5b0f7a52-4d0e-4f7e-9f3a-3c1d2e4b5a60");
  }
  return e;
}

inline rv1::ChildIdentity Identity() {
  rv1::ChildIdentity i;
  i.set_given_name("Daan");
  i.set_family_name("Verbeek");
  i.set_birth_date("2023-04-17");
  i.set_bsn("111222333");  // passes the 11-check; fictitious
  return i;
}

inline rv1::RequestRestricted Restricted(const std::string& request_id) {
  rv1::RequestRestricted e;
  e.set_request_id(request_id);
  e.set_consent_id("5b0f7a52-4d0e-4f7e-9f3a-3c1d2e4b5a60");
  e.mutable_child()->set_child_ref(kChildRef);
  e.mutable_expert()->set_professional_id("prof-anna-de-vries");
  e.mutable_expert()->set_organisation_id(kProvider);
  return e;
}

inline rv1::RequestUpdated Withdrawal(const std::string& request_id,
                                      const std::string& provider = kProvider) {
  rv1::RequestUpdated e;
  e.set_request_id(request_id);
  e.set_transition(rv1::TRANSITION_WITHDRAWN);
  e.set_status(rv1::REQUEST_STATUS_WITHDRAWN);
  e.set_version(2);
  e.mutable_expert()->set_professional_id("prof-anna-de-vries");
  e.mutable_expert()->set_organisation_id(provider);
  return e;
}

// A request moved from `from` (an expert of `from_org`) to `to` (of `to_org`).
inline rv1::RequestUpdated Reassignment(const std::string& request_id, const std::string& from,
                                        const std::string& from_org, const std::string& to,
                                        const std::string& to_org,
                                        rv1::RequestStatus status = rv1::REQUEST_STATUS_ACCEPTED) {
  rv1::RequestUpdated e;
  e.set_request_id(request_id);
  e.set_transition(rv1::TRANSITION_REASSIGNED);
  e.set_status(status);
  e.set_version(3);
  e.mutable_expert()->set_professional_id(to);
  e.mutable_expert()->set_organisation_id(to_org);
  e.mutable_previous_expert()->set_professional_id(from);
  e.mutable_previous_expert()->set_organisation_id(from_org);
  return e;
}

inline cv1::ConsentGranted Granted(const std::string& recipient = kProvider) {
  cv1::ConsentGranted e;
  e.set_consent_id("5b0f7a52-4d0e-4f7e-9f3a-3c1d2e4b5a60");
  e.mutable_child()->set_child_ref(kChildRef);
  e.add_purposes(cv1::PURPOSE_DIRECT_LINE);
  e.add_recipient_organisation_ids(recipient);
  *e.mutable_valid_from() = At(1'794'000'000);
  *e.mutable_valid_until() = At(1'825'536'000);
  return e;
}

inline cv1::ConsentWithdrawn Withdrawn() {
  cv1::ConsentWithdrawn e;
  e.set_consent_id("5b0f7a52-4d0e-4f7e-9f3a-3c1d2e4b5a60");
  e.mutable_child()->set_child_ref(kChildRef);
  e.add_purposes(cv1::PURPOSE_DIRECT_LINE);
  e.add_recipient_organisation_ids(kProvider);
  *e.mutable_withdrawn_at() = At(1'796'000'000);
  return e;
}

inline cv1::ConsentExpired Expired() {
  cv1::ConsentExpired e;
  e.set_consent_id("5b0f7a52-4d0e-4f7e-9f3a-3c1d2e4b5a60");
  e.mutable_child()->set_child_ref(kChildRef);
  *e.mutable_expired_at() = At(1'825'536'000);
  return e;
}

// A preventive group visit of the provider's expert at the Egeltjes, 90
// minutes, as scheduling's events describe it.
inline sv1::VisitSummary Visit(const std::string& visit_id, const std::string& provider = kProvider,
                               sv1::VisitStatus status = sv1::VISIT_STATUS_BOOKED) {
  sv1::VisitSummary v;
  v.set_visit_id(visit_id);
  v.set_kind(sv1::VISIT_KIND_PREVENTIVE_GROUP_VISIT);
  v.set_status(status);
  v.set_location_id("loc-boomgaard-noord");
  v.set_group_id("grp-egeltjes");
  v.mutable_expert()->set_professional_id(provider == kProvider ? "prof-anna-de-vries"
                                                                : "prof-mehmet-yilmaz");
  v.mutable_expert()->set_organisation_id(provider);
  v.add_professional_ids("prof-sanne-bakker");
  *v.mutable_start() = At(1'795'250'000);
  *v.mutable_end() = At(1'795'255'400);
  v.set_school_year("2026-2027");
  v.set_version(1);
  return v;
}

inline sv1::VisitPlanned Planned(const std::string& visit_id,
                                 const std::string& provider = kProvider) {
  sv1::VisitPlanned e;
  *e.mutable_visit() = Visit(visit_id, provider);
  return e;
}

inline sv1::VisitRescheduled Rescheduled(const std::string& visit_id, int64_t new_start) {
  sv1::VisitRescheduled e;
  *e.mutable_visit() = Visit(visit_id);
  e.mutable_visit()->set_sequence(1);
  e.mutable_visit()->set_version(2);
  *e.mutable_previous_start() = e.visit().start();
  *e.mutable_previous_end() = e.visit().end();
  *e.mutable_visit()->mutable_start() = At(new_start);
  *e.mutable_visit()->mutable_end() = At(new_start + 5400);
  return e;
}

inline sv1::VisitCancelled Cancelled(const std::string& visit_id) {
  sv1::VisitCancelled e;
  *e.mutable_visit() = Visit(visit_id, kProvider, sv1::VISIT_STATUS_CANCELLED);
  e.set_reason("The group is on an outing that day.");
  return e;
}

inline sv1::VisitHeld Held(const std::string& visit_id) {
  sv1::VisitHeld e;
  *e.mutable_visit() = Visit(visit_id, kProvider, sv1::VISIT_STATUS_HELD);
  e.add_competencies(sv1::COMPETENCY_NOTABLE_BEHAVIOUR);
  e.add_competencies(sv1::COMPETENCY_ASKING_FOR_HELP);
  e.set_follow_up_date("2027-02-01");
  return e;
}

}  // namespace olif::youthcare_fhir::examples
