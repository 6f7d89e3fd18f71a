// The PDF read back with pdftotext (poppler-utils): every section's content,
// names intact, "Vertrouwelijk" with the child's name and the page number on
// every page.

#include "services/handover/handover_pdf.h"

#include <gtest/gtest.h>

#include <cstdio>
#include <fstream>

#include "absl/strings/str_cat.h"
#include "absl/strings/str_split.h"
#include "services/handover/testing_util.h"

namespace olif::handover {
namespace {

std::string PdfToText(const std::string& pdf) {
  const std::filesystem::path dir = olif::testing_util::FreshTestDir("handover-pdf");
  const std::string file = (dir / "form.pdf").string();
  std::ofstream(file, std::ios::binary) << pdf;
  std::string text;
  FILE* p = popen(("pdftotext -enc UTF-8 -layout " + file + " -").c_str(), "r");
  if (p == nullptr) return "";
  char buf[4096];
  for (size_t n; (n = fread(buf, 1, sizeof buf, p)) > 0;) text.append(buf, n);
  EXPECT_EQ(pclose(p), 0) << "pdftotext (poppler-utils) failed";
  return text;
}

// Whitespace runs folded to one space, so wrapped lines compare as written.
std::string Folded(const std::string& s) {
  std::string out;
  for (char c : s) {
    const bool space = c == ' ' || c == '\n' || c == '\t';
    if (space && (out.empty() || out.back() == ' ')) continue;
    out += space ? ' ' : c;
  }
  return out;
}

class HandoverPdfTest : public testing::Test {
 protected:
  std::string Render(const v1::HandoverForm& f) {
    absl::TimeZone zone;
    absl::LoadTimeZone("Europe/Amsterdam", &zone);
    absl::StatusOr<std::string> pdf =
        RenderPdf({ChildName(f.child()), "Status: verstuurd · revisie 1"},
                  SectionsOf(f, {*directory_->Get(), lists_, zone}));
    EXPECT_TRUE(pdf.ok()) << pdf.status();
    EXPECT_EQ(pdf->rfind("%PDF-", 0), 0u);
    return PdfToText(*pdf);
  }
  std::unique_ptr<directory::DirectoryHolder> directory_ = olif::testing_util::DevDirectory();
  CodeLists lists_ = testing_util::ShippedCodeLists();
};

TEST_F(HandoverPdfTest, EverySectionAndEveryNameIsThere) {
  v1::HandoverForm f = examples::VeChild("3c2b0000-0000-4000-8000-000000000001");
  f.mutable_sender()->set_organisation_id("org-kdv-de-boomgaard");  // as the service derives it
  f.mutable_parent_view()->set_text("Wij zijn trots op haar.");
  f.mutable_parent_view()->set_given_by("Łucja Çelik-Van Dijk");
  f.mutable_parent_view()->set_relation(v1::GUARDIAN_RELATION_PARENT);
  *f.mutable_parent_view()->mutable_seen_at() = ToTimestamp(absl::FromUnixSeconds(1802000000));
  f.mutable_warm_handover()->set_required(true);
  f.mutable_warm_handover()->add_reasons(v1::WARM_HANDOVER_REASON_VE_INDICATED);
  const std::string text = Folded(Render(f));
  for (const char* expected : {"Overdrachtsformulier",
                               "Eliëlle Çelik-Van Dijk",
                               "Łucja Çelik-Van Dijk",
                               "Emre Çelik",
                               "18 april 2023",
                               "123456782",
                               "Kind",
                               "Ouders en verzorgers",
                               "Afzender (kinderopvang)",
                               "Kinderopvang De Boomgaard",
                               "De Boomgaard Noord",
                               "123456789",
                               "Sanne Bakker",
                               "Ontvanger (basisschool)",
                               "Basisschool De Regenboog",
                               "12AB 00",
                               "19 april 2027",
                               "Aanwezigheid op de opvang",
                               "Egeltjes",
                               "Voorschoolse educatie (VE)",
                               "3 (omschrijving niet vastgelegd in OSO-codelijst 9)",
                               "18",
                               "Ontwikkeling: sociaal-emotionele ontwikkeling",
                               "KIJK!",
                               "troost andere kinderen",
                               "Ontwikkeling: taalontwikkeling",
                               "Woordenschat Nederlands",
                               "Ontwikkeling: motoriek",
                               "eigen observatie",
                               "Bijzonderheden",
                               "notenallergie",
                               "Wat werkt bij dit kind",
                               "even samen naar de leeshoek",
                               "Betrokken professionals",
                               "M. de Boer",
                               "logopedist",
                               "Zienswijze van de ouders",
                               "Wij zijn trots op haar.",
                               "Warme overdracht",
                               "VE-indicatie",
                               "nog niet gepland"}) {
    EXPECT_NE(text.find(expected), std::string::npos) << "missing: " << expected;
  }
}

TEST_F(HandoverPdfTest, EveryPageSaysVertrouwelijkTheChildAndItsNumber) {
  v1::HandoverForm f = examples::VeChild("3c2b0000-0000-4000-8000-000000000002");
  std::string long_text;
  for (int i = 0; i < 60; ++i) absl::StrAppend(&long_text, "Zin ", i, " over wat goed gaat. ");
  for (auto& d : *f.mutable_development()) d.set_strengths(long_text);
  f.set_approach_that_works(long_text + "EINDE-AANPAK");
  const std::string text = Render(f);
  std::vector<std::string> pages = absl::StrSplit(text, '\f');
  if (!pages.empty() && Folded(pages.back()).empty()) pages.pop_back();
  ASSERT_GE(pages.size(), 3u);
  for (size_t i = 0; i < pages.size(); ++i) {
    const std::string page = Folded(pages[i]);
    EXPECT_NE(page.find("Vertrouwelijk — Eliëlle Çelik-Van Dijk"), std::string::npos) << i;
    EXPECT_NE(page.find(absl::StrCat("Pagina ", i + 1, " van ", pages.size())), std::string::npos)
        << i;
  }
  EXPECT_NE(Folded(text).find("EINDE-AANPAK"), std::string::npos);  // nothing cut off
}

}  // namespace
}  // namespace olif::handover
