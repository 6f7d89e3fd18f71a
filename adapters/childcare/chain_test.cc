// A chain's configuration checked against the directory, and the lookups
// its rows use: exports by file name, codes, dates.

#include "adapters/childcare/chain.h"

#include <gtest/gtest.h>

#include <functional>

#include "adapters/childcare/testing/chains.h"

namespace olif::childcare {
namespace {

using olifantenpad::config::v1::ChildcareChain;
using testing::DevChain;

TEST(ChainTest, BothDevChainsBuild) {
  const auto config = testing::DevConfig();
  ASSERT_EQ(config.childcare().chains_size(), 2);
  for (int i = 0; i < 2; ++i) {
    auto chain = Chain::Build(config.childcare().chains(i), *testing::DevDirectory(),
                              testing::Amsterdam(), "chain");
    EXPECT_TRUE(chain.ok()) << chain.status();
  }
}

struct Refusal {
  const char* what;
  std::function<void(ChildcareChain&)> change;
  const char* expected;
};

TEST(ChainTest, RefusesWhatCannotWorkNamingTheKey) {
  const std::vector<Refusal> cases = {
      {"another kind of organisation",
       [](ChildcareChain& c) { c.set_organisation_id("org-jz-het-kompas"); },
       "chain.organisation_id: \"org-jz-het-kompas\" is not a childcare organisation"},
      {"a location of another chain",
       [](ChildcareChain& c) { (*c.mutable_locations())["ZSC"] = "loc-zonnestraal-centrum"; },
       "chain.locations: \"zsc\" maps to \"loc-zonnestraal-centrum\", not a location of "
       "org-kdv-de-boomgaard"},
      {"staff of another organisation",
       [](ChildcareChain& c) { (*c.mutable_staff())["X1"] = "prof-anna-de-vries"; },
       "chain.staff: \"x1\" maps to \"prof-anna-de-vries\", not a professional of"},
      {"a code mapped to a word we do not have",
       [](ChildcareChain& c) { (*c.mutable_codes()->mutable_relations())["oma"] = "grandmother"; },
       "chain.codes.relations: \"oma\" maps to \"grandmother\", not one of parent, guardian, "
       "foster_parent"},
      {"a code mapped twice",
       [](ChildcareChain& c) { (*c.mutable_codes()->mutable_yes_no())["JA"] = "yes"; },
       "chain.codes.yes_no: the code \""},
      {"an unknown field",
       [](ChildcareChain& c) { (*c.mutable_roster()->mutable_columns())["shoe_size"] = "Maat"; },
       "chain.roster.columns: \"shoe_size\" is not a field of this export"},
      {"a required field without a column",
       [](ChildcareChain& c) { c.mutable_consents()->mutable_columns()->erase("evidence_ref"); },
       "chain.consents.columns: the required field evidence_ref has no column"},
      {"a key field that is not mapped",
       [](ChildcareChain& c) { c.mutable_roster()->set_key_field("bsn"); },
       "chain.roster.key_field: \"bsn\" is not a mapped field"},
      {"a list separator equal to the field separator",
       [](ChildcareChain& c) { c.mutable_csv()->set_list_separator(";"); },
       "chain.csv.list_separator: must differ from the field separator"},
      {"an unknown encoding", [](ChildcareChain& c) { c.mutable_csv()->set_encoding("latin-9"); },
       "chain.csv.encoding: \"latin-9\" is not auto, utf-8 or windows-1252"},
      {"a date format without a day",
       [](ChildcareChain& c) { c.mutable_csv()->set_date_formats(0, "%m-%Y"); },
       "chain.csv.date_formats[0]: \"%m-%Y\" does not read back a date"},
      {"a bad chain id", [](ChildcareChain& c) { c.set_id("Boom Gaard"); },
       "chain.id: \"Boom Gaard\" is not 3-32 characters of [a-z0-9-]"},
  };
  for (const Refusal& r : cases) {
    ChildcareChain c = testing::DevConfig().childcare().chains(0);
    r.change(c);
    auto chain = Chain::Build(c, *testing::DevDirectory(), testing::Amsterdam(), "chain");
    ASSERT_FALSE(chain.ok()) << r.what;
    EXPECT_EQ(chain.status().code(), absl::StatusCode::kInvalidArgument) << r.what;
    EXPECT_NE(chain.status().message().find(r.expected), absl::string_view::npos)
        << r.what << ": " << chain.status().message();
  }
}

TEST(ChainTest, FilesAreTheirExportByPatternWhateverTheCase) {
  auto chain = DevChain(0);
  ASSERT_NE(chain, nullptr);
  ASSERT_NE(chain->ExportOfFile("toestemmingen-2026-11.csv"), nullptr);
  EXPECT_EQ(chain->ExportOfFile("toestemmingen-2026-11.csv")->kind, ExportKind::kConsents);
  EXPECT_EQ(chain->ExportOfFile("KINDLIJST.CSV")->kind, ExportKind::kRoster);
  EXPECT_EQ(chain->ExportOfFile("vragen week 48.csv")->kind, ExportKind::kQuestions);
  EXPECT_EQ(chain->ExportOfFile("facturen.csv"), nullptr);
}

TEST(ChainTest, CodesAreMappedWithoutCaseAndUnmappedKindsTakeOurWords) {
  auto chain = DevChain(1);  // zonnestraal maps no question kinds
  ASSERT_NE(chain, nullptr);
  EXPECT_EQ(chain->Code(CodeKind::kRelation, " g "), "guardian");
  EXPECT_EQ(chain->Code(CodeKind::kRelation, "parent"), std::nullopt);  // mapped: only its codes
  EXPECT_EQ(chain->Code(CodeKind::kQuestionKind, "Child"), "child");
  EXPECT_EQ(chain->Code(CodeKind::kQuestionKind, "kind"), std::nullopt);
  EXPECT_EQ(chain->Location("zsc"), "loc-zonnestraal-centrum");
  EXPECT_EQ(chain->Location("NRD"), std::nullopt);
  EXPECT_EQ(chain->Group("maan"), "grp-maantjes");
  EXPECT_EQ(chain->Group("grp-zonnetjes"), "grp-zonnetjes");
  EXPECT_EQ(chain->Recipient("palet-w"), "sch-het-palet-west");
  EXPECT_EQ(chain->Recipient("org-jz-het-kompas"), "org-jz-het-kompas");
  EXPECT_EQ(chain->Recipient("Onbekend"), std::nullopt);
}

TEST(ChainTest, DatesInThreeFormatsAreReadAndOthersRefusedNamingTheFormats) {
  auto chain = DevChain(0, [](ChildcareChain& c) {
    c.mutable_csv()->clear_date_formats();
    for (const char* f : {"%d-%m-%Y", "%Y-%m-%d", "%d/%m/%Y"}) c.mutable_csv()->add_date_formats(f);
  });
  ASSERT_NE(chain, nullptr);
  EXPECT_EQ(*chain->Date("23-11-2021"), "2021-11-23");
  EXPECT_EQ(*chain->Date("2021-11-23"), "2021-11-23");
  EXPECT_EQ(*chain->Date(" 23/11/2021 "), "2021-11-23");
  absl::StatusOr<std::string> dotted = chain->Date("23.11.2021");
  ASSERT_FALSE(dotted.ok());
  EXPECT_EQ(dotted.status().message(),
            "\"23.11.2021\" is not a date in %d-%m-%Y or %Y-%m-%d or %d/%m/%Y");
  EXPECT_FALSE(chain->Date("31-02-2021").ok());  // no such day
}

TEST(ChainTest, ADateTwoFormatsReadAsDifferentDaysIsRefused) {
  auto chain = DevChain(0, [](ChildcareChain& c) {
    c.mutable_csv()->clear_date_formats();
    c.mutable_csv()->add_date_formats("%d/%m/%Y");
    c.mutable_csv()->add_date_formats("%m/%d/%Y");
  });
  ASSERT_NE(chain, nullptr);
  absl::StatusOr<std::string> day = chain->Date("03/04/2022");
  ASSERT_FALSE(day.ok());
  EXPECT_EQ(day.status().message(),
            "\"03/04/2022\" is ambiguous: %d/%m/%Y reads 2022-04-03, %m/%d/%Y reads 2022-03-04");
  EXPECT_EQ(*chain->Date("23/04/2022"), "2022-04-23");  // only one format reads it
}

TEST(ChainTest, DateTimesAreReadInTheChainsTimeZoneAndADateIsItsFirstMoment) {
  auto chain = DevChain(0);
  ASSERT_NE(chain, nullptr);
  absl::StatusOr<absl::Time> t = chain->DateTime("01-07-2026 09:30");
  ASSERT_TRUE(t.ok()) << t.status();
  EXPECT_EQ(absl::FormatTime("%Y-%m-%dT%H:%M:%S%Ez", *t, absl::UTCTimeZone()),
            "2026-07-01T07:30:00+00:00");  // summer time: UTC+2
  absl::StatusOr<absl::Time> day = chain->DateTime("01-12-2026");
  ASSERT_TRUE(day.ok()) << day.status();
  EXPECT_EQ(absl::FormatTime("%Y-%m-%dT%H:%M", *day, absl::UTCTimeZone()), "2026-11-30T23:00");
  EXPECT_FALSE(chain->DateTime("gisteren").ok());
}

}  // namespace
}  // namespace olif::childcare
