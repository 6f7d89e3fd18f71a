#pragma once

// The youth-care FHIR adapter's translator: canonical events of referrals and
// consent ↔ FHIR R4 resources of the provider's server.
//
// Out (each a transaction Bundle, so a message is applied whole or not at all):
// - RequestSubmitted → ServiceRequest + Task (the notified-pull pattern:
//   Task.focus is the ServiceRequest, Task.owner the expert) + the subject:
//   a Patient (named child; only with the identity, which the caller gives
//   only under consent), a Group (group question) or, for an anonymous
//   consultation, the childcare location by identifier. Every resource is
//   created conditionally on its business identifier (ifNoneExist), so a
//   redelivery creates nothing twice.
// - RequestRestricted → ServiceRequest revoked and Task cancelled (conditional
//   updates that also drop the question's text: the provider must stop).
// - RequestUpdated(WITHDRAWN) → ServiceRequest revoked and Task cancelled
//   (conditional FHIRPath Patches of their status).
// - RequestUpdated(REASSIGNED) → to another organisation: as a withdrawal;
//   to an expert here: Task.owner and ServiceRequest.performer patched (or,
//   from another organisation, both put whole by conditional update).
// - ConsentGranted / Withdrawn / Expired → the Consent, conditionally updated.
// - Visits of the provider's experts (scheduling's events): VisitPlanned → the
//   Appointment (booked), created once on the visit's id; VisitRescheduled,
//   VisitCancelled, VisitNoShow → the Appointment put whole by conditional
//   update (new times; cancelled with the reason; noshow); VisitHeld → the
//   Appointment fulfilled and an Encounter created once, subject = the Group.
//   Participants are the expert's Practitioner and the childcare Location: in
//   R4 a Group cannot take part in an Appointment, so the group is named in
//   Appointment.supportingInformation (a logical reference by the group's
//   identifier, kGroupSystem) and is the Encounter's subject.
// In:
// - a Task of the provider's server → the change it stands for (TaskChange):
//   its status, the last note, and the cycles in Task.output (kCycleSystem);
// - a Communication about a request (basedOn the request's identifier) → a
//   message from the expert (MessageChange).

#include <optional>
#include <string>
#include <vector>

#include "absl/status/statusor.h"
#include "nlohmann/json.hpp"
#include "olifantenpad/consent/v1/events.pb.h"
#include "olifantenpad/referrals/v1/events.pb.h"
#include "olifantenpad/scheduling/v1/events.pb.h"
#include "services/common/fhir/identifiers.h"

namespace olif::youthcare_fhir {

using FhirJson = nlohmann::ordered_json;

// The bundle for a submitted request. A CHILD request needs `identity`
// (INVALID_ARGUMENT without it: a named child is never sent bare).
absl::StatusOr<FhirJson> SubmittedBundle(
    const olifantenpad::referrals::v1::RequestSubmitted& event,
    const olifantenpad::referrals::v1::ChildIdentity* identity);
FhirJson RestrictedBundle(const olifantenpad::referrals::v1::RequestRestricted& event);
// A request its requester withdrew (RequestUpdated with TRANSITION_WITHDRAWN):
// the ServiceRequest revoked and the Task cancelled with the reason, by
// FHIRPath Patch (the rest stays: nothing says the provider must forget it).
// INVALID_ARGUMENT for any other transition.
absl::StatusOr<FhirJson> WithdrawnBundle(const olifantenpad::referrals::v1::RequestUpdated& event);
// A request reassigned (RequestUpdated with TRANSITION_REASSIGNED) to an
// expert of another organisation: this provider stops as for a withdrawal.
absl::StatusOr<FhirJson> ReassignedAwayBundle(
    const olifantenpad::referrals::v1::RequestUpdated& event);
// A request reassigned to an expert of this provider: the Task's owner and
// the ServiceRequest's performer become the new expert, the ServiceRequest is
// active (again) and the Task's status follows the request's (requested,
// accepted, in-progress). From a colleague (`moved_in` null) by FHIRPath
// Patch; from another organisation, when the provider may not have it or had
// it before, `moved_in` (the request's bundle as submitted) is sent with its
// ServiceRequest and Task as conditional updates in that state.
// INVALID_ARGUMENT for another transition or another status.
absl::StatusOr<FhirJson> ReassignedBundle(const olifantenpad::referrals::v1::RequestUpdated& event,
                                          const FhirJson* moved_in);
FhirJson ConsentBundle(const olifantenpad::consent::v1::ConsentGranted& event);
FhirJson ConsentBundle(const olifantenpad::consent::v1::ConsentWithdrawn& event);
FhirJson ConsentBundle(const olifantenpad::consent::v1::ConsentExpired& event);
FhirJson VisitBundle(const olifantenpad::scheduling::v1::VisitPlanned& event);
FhirJson VisitBundle(const olifantenpad::scheduling::v1::VisitRescheduled& event);
FhirJson VisitBundle(const olifantenpad::scheduling::v1::VisitCancelled& event);
FhirJson VisitBundle(const olifantenpad::scheduling::v1::VisitNoShow& event);
FhirJson VisitBundle(const olifantenpad::scheduling::v1::VisitHeld& event);

// What a provider's Task says about a request.
struct TaskChange {
  std::string task_id;
  std::string version;       // meta.versionId
  std::string last_updated;  // meta.lastUpdated, as the server wrote it
  std::string request_id;    // from the identifier in kRequestSystem
  std::string status;        // Task.status
  std::string reason;        // statusReason.text, for a rejection
  std::string note;          // the last note's text, if any
  // The cycles in Task.output, by number (1, 2, ...), each with plan,
  // period and outcome.
  std::vector<olifantenpad::referrals::v1::Cycle> cycles;
};

// What a provider's Communication says.
struct MessageChange {
  std::string id;
  std::string version;
  std::string last_updated;
  std::string request_id;  // basedOn, by identifier in kRequestSystem
  std::string status;      // Communication.status; only "completed" is a message
  std::string text;        // the payloads' contentString, joined
};

// Reads a Task resource; INVALID_ARGUMENT naming what is missing or wrong
// (not a Task, no id, no request identifier, no status).
absl::StatusOr<TaskChange> ParseTask(const nlohmann::json& task);
// Reads a Communication; INVALID_ARGUMENT naming what is missing or wrong.
absl::StatusOr<MessageChange> ParseCommunication(const nlohmann::json& communication);

}  // namespace olif::youthcare_fhir
