// Prints FHIR Consent resources made by ToFhirConsent, one JSON document per
// line, for the npm FHIR validators (tests/fhir/validate.mjs): an active
// consent, a withdrawn one with two recipients, and one referring to a
// Patient inside a transaction bundle.

#include <cstdio>

#include "services/common/directory/directory.h"
#include "services/consent/consent_fhir.h"
#include "services/consent/example_consents.h"

int main(int argc, char** argv) {
  namespace ex = olif::consent::examples;
  std::shared_ptr<const olif::directory::Directory> directory;
  if (argc > 1) {
    auto loaded = olif::directory::Directory::Load(argv[1]);
    if (!loaded.ok()) {
      std::fprintf(stderr, "%s\n", std::string(loaded.status().message()).c_str());
      return 1;
    }
    directory = *loaded;
  }
  auto active = ex::ToddlerDirectLine();
  active.set_id("9b2f4c1e-8d3a-4e5f-a6b7-c8d9e0f1a2b3");
  active.set_status(olifantenpad::consent::v1::CONSENT_STATUS_ACTIVE);
  *active.mutable_create_time() = ex::At(2026, 11, 20);

  auto withdrawn = active;
  withdrawn.set_id("1c2d3e4f-5a6b-4c7d-8e9f-0a1b2c3d4e5f");
  withdrawn.add_recipient_organisation_ids("org-jz-wijkteam-oost");
  withdrawn.add_purposes(olifantenpad::consent::v1::PURPOSE_WARM_HANDOVER);
  withdrawn.set_status(olifantenpad::consent::v1::CONSENT_STATUS_WITHDRAWN);

  const std::pair<const olifantenpad::consent::v1::Consent*, std::string> cases[] = {
      {&active, ""},
      {&withdrawn, ""},
      {&active, "urn:uuid:7e8f9a0b-1c2d-4e3f-8a5b-6c7d8e9f0a1b"},
  };
  for (const auto& [consent, patient] : cases) {
    auto json = olif::consent::ToFhirConsent(*consent, directory.get(), patient);
    if (!json.ok()) {
      std::fprintf(stderr, "%s\n", std::string(json.status().message()).c_str());
      return 1;
    }
    std::printf("%s\n", json->c_str());
  }
  return 0;
}
