#pragma once

// Renders a handover form's sections (form_sections.h) as an A4 PDF with
// cairo and pango: Dutch labels, every section, on every page the child's
// name and "Vertrouwelijk" in the header and "Pagina n van m" in the footer.
// Text is laid out by pango, so any name (Eliëlle Çelik-Van Dijk, Łucja)
// comes out as written, in a font fontconfig finds for it. Thread-safe: each
// call has its own surface.

#include <string>
#include <vector>

#include "absl/status/statusor.h"
#include "services/handover/form_sections.h"

namespace olif::handover {

struct PdfHeader {
  std::string child_name;  // on every page
  std::string subtitle;    // under the title on the first page (revision, status)
};

// The PDF's bytes.
absl::StatusOr<std::string> RenderPdf(const PdfHeader& header,
                                      const std::vector<Section>& sections);

}  // namespace olif::handover
