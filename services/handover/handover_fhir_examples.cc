// Prints the FHIR document Bundle of an example handover form, one JSON per
// line, for tests/fhir/validate.mjs: a warm handover at its first revision
// and an amended one without VE.
//
// usage: handover_fhir_examples <source dir>

#include <iostream>
#include <string>

#include "absl/time/clock.h"
#include "services/common/clock/timestamp.h"
#include "services/common/directory/directory.h"
#include "services/handover/example_forms.h"
#include "services/handover/form_sections.h"
#include "services/handover/handover_document.h"
#include "services/handover/handover_pdf.h"

int main(int argc, char** argv) {
  if (argc != 2) {
    std::cerr << "usage: handover_fhir_examples <source dir>\n";
    return 2;
  }
  const std::string root = argv[1];
  auto dir = olif::directory::Directory::Load(root + "/config/dev/directory.yaml");
  auto lists = olif::handover::CodeLists::Load(root + "/config/oso_voorschools.yaml");
  if (!dir.ok() || !lists.ok()) {
    std::cerr << "cannot load the dev directory or the code lists\n";
    return 1;
  }
  absl::TimeZone zone;
  absl::LoadTimeZone("Europe/Amsterdam", &zone);
  const olif::handover::SectionContext context{**dir, *lists, zone};
  namespace examples = olif::handover::examples;
  auto warm = examples::VeChild("3c2b0000-0000-4000-8000-0000000000a1");
  auto amended = examples::PlainChild("3c2b0000-0000-4000-8000-0000000000a2");
  for (auto* f : {&warm, &amended}) {
    f->set_id(f == &warm ? "0190a1b2-0000-7000-8000-000000000001"
                         : "0190a1b2-0000-7000-8000-000000000002");
    f->mutable_sender()->set_organisation_id("org-kdv-de-boomgaard");
    f->mutable_receiver()->set_school_organisation_id("sch-de-regenboog");
    *f->mutable_send_time() = olif::ToTimestamp(absl::Now());
  }
  warm.set_revision(1);
  warm.mutable_ve()->set_history_code("2");
  warm.mutable_ve()->set_participation_code("1");
  amended.set_revision(2);
  for (const auto* f : {&warm, &amended}) {
    const auto sections = olif::handover::SectionsOf(*f, context);
    auto pdf = olif::handover::RenderPdf({olif::handover::ChildName(f->child()), ""}, sections);
    if (!pdf.ok()) {
      std::cerr << pdf.status() << "\n";
      return 1;
    }
    std::cout << olif::handover::DocumentJson(*f, sections, *pdf, context, absl::Now()) << "\n";
  }
  return 0;
}
