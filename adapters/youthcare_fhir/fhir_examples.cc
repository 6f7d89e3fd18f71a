// Prints every FHIR resource the youth-care adapter produces, one JSON
// document per line, for the npm validators (tests/fhir/validate.mjs): the
// resources of each transaction Bundle and the Bundles themselves (requests,
// consents and visits).

#include <iostream>

#include "adapters/youthcare_fhir/fhir_translator.h"
#include "adapters/youthcare_fhir/testing/examples.h"

namespace ex = olif::youthcare_fhir::examples;
using olif::youthcare_fhir::FhirJson;

namespace {

void Print(const FhirJson& bundle) {
  for (const auto& entry : bundle["entry"]) std::cout << entry["resource"].dump() << "\n";
  std::cout << bundle.dump() << "\n";
}

}  // namespace

int main() {
  const auto identity = ex::Identity();
  for (auto kind : {ex::rv1::REQUEST_KIND_CHILD, ex::rv1::REQUEST_KIND_GROUP,
                    ex::rv1::REQUEST_KIND_ANONYMOUS}) {
    auto bundle = olif::youthcare_fhir::SubmittedBundle(
        ex::Submitted(kind, "0d6c1a2e-8b8f-4f57-9a51-3e2f7f0c9b11"), &identity);
    if (!bundle.ok()) {
      std::cerr << bundle.status() << "\n";
      return 1;
    }
    Print(*bundle);
  }
  Print(olif::youthcare_fhir::RestrictedBundle(
      ex::Restricted("0d6c1a2e-8b8f-4f57-9a51-3e2f7f0c9b11")));
  auto withdrawn =
      olif::youthcare_fhir::WithdrawnBundle(ex::Withdrawal("0d6c1a2e-8b8f-4f57-9a51-3e2f7f0c9b11"));
  if (!withdrawn.ok()) {
    std::cerr << withdrawn.status() << "\n";
    return 1;
  }
  Print(*withdrawn);
  const std::string id = "0d6c1a2e-8b8f-4f57-9a51-3e2f7f0c9b11";
  auto moved_in = olif::youthcare_fhir::SubmittedBundle(
      ex::Submitted(ex::rv1::REQUEST_KIND_GROUP, id), nullptr);
  auto reassigned = olif::youthcare_fhir::ReassignedBundle(
      ex::Reassignment(id, "prof-mehmet-yilmaz", ex::kOtherProvider, "prof-anna-de-vries",
                       ex::kProvider),
      moved_in.ok() ? &*moved_in : nullptr);
  auto away = olif::youthcare_fhir::ReassignedAwayBundle(ex::Reassignment(
      id, "prof-anna-de-vries", ex::kProvider, "prof-mehmet-yilmaz", ex::kOtherProvider));
  if (!moved_in.ok() || !reassigned.ok() || !away.ok()) {
    std::cerr << "cannot make the reassignment examples\n";
    return 1;
  }
  Print(*reassigned);
  Print(*away);
  Print(olif::youthcare_fhir::ConsentBundle(ex::Granted()));
  Print(olif::youthcare_fhir::ConsentBundle(ex::Withdrawn()));
  Print(olif::youthcare_fhir::ConsentBundle(ex::Expired()));
  // Visits: Appointment (booked, moved, cancelled, fulfilled) and Encounter.
  const std::string visit = "01a2a0b0-0000-7000-8000-00000000c0de";
  Print(olif::youthcare_fhir::VisitBundle(ex::Planned(visit)));
  Print(olif::youthcare_fhir::VisitBundle(ex::Rescheduled(visit, 1'795'340'000)));
  Print(olif::youthcare_fhir::VisitBundle(ex::Cancelled(visit)));
  Print(olif::youthcare_fhir::VisitBundle(ex::Held(visit)));
  return 0;
}
