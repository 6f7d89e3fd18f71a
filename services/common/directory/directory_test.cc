#include "services/common/directory/directory.h"
#include "services/common/testing/testing.h"

#include <gtest/gtest.h>

#include <atomic>
#include <filesystem>
#include <fstream>
#include <thread>

#include "services/common/config/config_loader.h"

namespace olif::directory {
namespace {

const std::string kDevDirectory = std::string(OLIF_SOURCE_DIR) + "/config/dev/directory.yaml";

cfg::Directory DevProto() {
  cfg::Directory d;
  EXPECT_TRUE(config::LoadFile(kDevDirectory, &d).ok());
  return d;
}

TEST(DirectoryTest, TheDevRegionLoadsAndResolves) {
  auto d = Directory::Load(kDevDirectory);
  ASSERT_TRUE(d.ok()) << d.status();
  EXPECT_EQ((*d)->proto().organisations_size(), 8);
  const cfg::Professional* expert = (*d)->PairedExpert("loc-boomgaard-noord");
  ASSERT_NE(expert, nullptr);
  EXPECT_EQ(expert->id(), "prof-anna-de-vries");
  EXPECT_EQ((*d)->PairedExpert("loc-nowhere"), nullptr);
  ASSERT_NE((*d)->FindGroup("loc-boomgaard-noord", "grp-vlinders"), nullptr);
  EXPECT_EQ((*d)->FindGroup("loc-boomgaard-zuid", "grp-vlinders"), nullptr);
  const cfg::Organisation* school = (*d)->FindSchool("34CD", "01");
  ASSERT_NE(school, nullptr);
  EXPECT_EQ(school->id(), "sch-het-palet-west");
  EXPECT_EQ((*d)->FindOrganisation("org-jz-het-kompas")->kind(), cfg::ORGANISATION_KIND_YOUTH_CARE);
}

struct Broken {
  const char* name;
  std::function<void(cfg::Directory&)> mutate;
  const char* error;
};

TEST(DirectoryTest, MalformedDirectoriesAreRefusedNamingEntryAndProblem) {
  const std::vector<Broken> cases = {
      {"duplicate id", [](auto& d) { d.mutable_locations(1)->set_id("loc-boomgaard-noord"); },
       "d.yaml: locations[1] (loc-boomgaard-noord): id is used twice in the directory"},
      {"bad id", [](auto& d) { d.mutable_professionals(0)->set_id("Sanne"); },
       "d.yaml: professionals[0] (Sanne): id must be 3-64 of a-z, 0-9 and '-'"},
      {"school without BRIN", [](auto& d) { d.mutable_organisations(5)->clear_brin(); },
       "d.yaml: organisations[5] (sch-de-regenboog): a school needs a BRIN of two digits and two "
       "capitals, e.g. 12AB"},
      {"BRIN on a childcare organisation",
       [](auto& d) { d.mutable_organisations(1)->set_brin("99ZZ"); },
       "d.yaml: organisations[1] (org-kdv-de-boomgaard): only schools have a BRIN and vestiging"},
      {"location of a school",
       [](auto& d) { d.mutable_locations(0)->set_organisation_id("sch-het-palet"); },
       "d.yaml: locations[0] (loc-boomgaard-noord): organisation_id 'sch-het-palet' is not a "
       "childcare organisation of the directory"},
      {"short LRK number", [](auto& d) { d.mutable_locations(2)->set_lrk_number("12345"); },
       "d.yaml: locations[2] (loc-zonnestraal-centrum): lrk_number must be nine digits"},
      {"same LRK twice", [](auto& d) { d.mutable_locations(2)->set_lrk_number("123456789"); },
       "d.yaml: locations[2] (loc-zonnestraal-centrum): lrk_number 123456789 is listed twice"},
      {"group twice",
       [](auto& d) { d.mutable_locations(0)->mutable_groups(1)->set_id("grp-egeltjes"); },
       "d.yaml: locations[0] (loc-boomgaard-noord): groups[1]: id 'grp-egeltjes' is used twice at "
       "this location"},
      {"professional of an unknown organisation",
       [](auto& d) { d.mutable_professionals(2)->set_organisation_id("org-elders"); },
       "d.yaml: professionals[2] (prof-lotte-visser): organisation_id 'org-elders' is not in the "
       "directory"},
      {"professional without role", [](auto& d) { d.mutable_professionals(5)->clear_roles(); },
       "d.yaml: professionals[5] (prof-joost-jansen): needs at least one role"},
      {"pairing with a teacher",
       [](auto& d) { d.mutable_pairings(2)->set_expert_id("prof-joost-jansen"); },
       "d.yaml: pairings[2] (loc-zonnestraal-centrum): expert_id 'prof-joost-jansen' is not a "
       "youth-care expert of a youth-care organisation"},
      {"opening hours on day 8",
       [](auto& d) { d.mutable_locations(0)->mutable_opening_hours(0)->set_weekday(8); },
       "d.yaml: locations[0] (loc-boomgaard-noord): opening_hours[0]: weekday must be 1 (Monday) "
       "to 7 (Sunday)"},
      {"a weekday twice",
       [](auto& d) { d.mutable_locations(0)->mutable_opening_hours(1)->set_weekday(1); },
       "d.yaml: locations[0] (loc-boomgaard-noord): opening_hours[1]: weekday 1 is listed twice"},
      {"opening time not HH:MM",
       [](auto& d) { d.mutable_locations(1)->mutable_opening_hours(0)->set_open("7.30"); },
       "d.yaml: locations[1] (loc-boomgaard-zuid): opening_hours[0]: open and close must be times "
       "as HH:MM"},
      {"closing before opening",
       [](auto& d) { d.mutable_locations(2)->mutable_opening_hours(4)->set_close("07:00"); },
       "d.yaml: locations[2] (loc-zonnestraal-centrum): opening_hours[4]: close must be after "
       "open"},
      {"location paired twice",
       [](auto& d) { d.mutable_pairings(1)->set_location_id("loc-boomgaard-noord"); },
       "d.yaml: pairings[1] (loc-boomgaard-noord): the location is paired twice; a location has "
       "one fixed expert"},
  };
  for (const Broken& b : cases) {
    SCOPED_TRACE(b.name);
    cfg::Directory proto = DevProto();
    b.mutate(proto);
    auto d = Directory::Build(proto, "d.yaml");
    EXPECT_EQ(d.status().code(), absl::StatusCode::kInvalidArgument);
    EXPECT_EQ(d.status().message(), b.error);
  }
}

TEST(DirectoryTest, AFailedReloadKeepsTheDirectoryInForce) {
  const auto dir = testing_util::FreshTestDir("directory");
  const std::string path = (dir / "directory.yaml").string();
  std::filesystem::copy_file(kDevDirectory, path,
                             std::filesystem::copy_options::overwrite_existing);
  DirectoryHolder holder(*Directory::Load(path));

  // Readers keep calling while the directory is reloaded underneath them.
  std::atomic<bool> stop{false};
  std::atomic<int> misses{0};
  std::thread reader([&] {
    while (!stop) {
      if (holder.Get()->PairedExpert("loc-boomgaard-noord") == nullptr) ++misses;
    }
  });

  {
    std::ofstream out(path, std::ios::app);
    out << "  - {location_id: loc-boomgaard-noord, expert_id: prof-sanne-bakker}\n";
  }
  absl::Status refused = holder.Reload(path);
  EXPECT_EQ(refused.code(), absl::StatusCode::kInvalidArgument);
  EXPECT_NE(refused.message().find(path + ": pairings[3] (loc-boomgaard-noord)"), std::string::npos)
      << refused;
  EXPECT_EQ(holder.Get()->PairedExpert("loc-boomgaard-zuid")->id(), "prof-anna-de-vries");

  // A good change takes effect: Zuid moves to the other provider's expert.
  cfg::Directory proto = DevProto();
  proto.mutable_pairings(1)->set_expert_id("prof-mehmet-yilmaz");
  std::string yaml = "pairings:\n";
  for (const auto& p : proto.pairings()) {
    yaml += "  - {location_id: " + p.location_id() + ", expert_id: " + p.expert_id() + "}\n";
  }
  std::ifstream in(kDevDirectory);
  std::string line, head;
  while (std::getline(in, line) && line.rfind("pairings:", 0) != 0) head += line + "\n";
  {
    std::ofstream out(path, std::ios::trunc);
    out << head << yaml;
  }
  ASSERT_TRUE(holder.Reload(path).ok());
  EXPECT_EQ(holder.Get()->PairedExpert("loc-boomgaard-zuid")->id(), "prof-mehmet-yilmaz");
  stop = true;
  reader.join();
  EXPECT_EQ(misses, 0) << "no reader ever saw a directory without the pairing";
  std::filesystem::remove_all(dir);
}

}  // namespace
}  // namespace olif::directory
