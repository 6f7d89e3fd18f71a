#include "services/scheduling/ical.h"

#include <gtest/gtest.h>

#include <string>
#include <vector>

#include "absl/strings/str_split.h"
#include "services/common/clock/timestamp.h"
#include "services/common/testing/dev_directory.h"

namespace olif::scheduling {
namespace {

absl::TimeZone Zone(const char* name) {
  absl::TimeZone z;
  EXPECT_TRUE(absl::LoadTimeZone(name, &z));
  return z;
}

TEST(IcalTest, LinesFoldAt75OctetsWithoutSplittingACharacter) {
  const std::string line = "SUMMARY:" + std::string(70, 'a') + "ë" + std::string(100, 'b');
  const std::string folded = Fold(line);
  std::vector<std::string> parts = absl::StrSplit(folded, "\r\n");
  ASSERT_EQ(parts.back(), "");
  parts.pop_back();
  ASSERT_GT(parts.size(), 2u);
  std::string joined;
  for (size_t i = 0; i < parts.size(); ++i) {
    EXPECT_LE(parts[i].size(), 75u) << i;
    if (i > 0) {
      ASSERT_EQ(parts[i][0], ' ');
      joined += parts[i].substr(1);
    } else {
      joined += parts[i];
    }
    // No line ends inside the two bytes of "ë".
    EXPECT_NE(static_cast<unsigned char>(parts[i].back()), 0xc3) << i;
  }
  EXPECT_EQ(joined, line);
  EXPECT_EQ(Fold("VERSION:2.0"), "VERSION:2.0\r\n");
}

TEST(IcalTest, TextIsEscaped) { EXPECT_EQ(EscapeText("a,b;c\\d\ne\r"), "a\\,b\\;c\\\\d\\ne"); }

TEST(IcalTest, TheTimeZoneComesFromTheZonesOwnTransitions) {
  const absl::TimeZone ams = Zone("Europe/Amsterdam");
  const std::string tz =
      RenderTimeZone("Europe/Amsterdam", ams, absl::FromCivil(absl::CivilDay(2027, 1, 1), ams),
                     absl::FromCivil(absl::CivilDay(2028, 1, 1), ams));
  EXPECT_EQ(tz,
            "BEGIN:VTIMEZONE\r\nTZID:Europe/Amsterdam\r\n"
            "BEGIN:DAYLIGHT\r\nDTSTART:20270328T020000\r\nTZOFFSETFROM:+0100\r\n"
            "TZOFFSETTO:+0200\r\nTZNAME:CEST\r\nEND:DAYLIGHT\r\n"
            "BEGIN:STANDARD\r\nDTSTART:20271031T030000\r\nTZOFFSETFROM:+0200\r\n"
            "TZOFFSETTO:+0100\r\nTZNAME:CET\r\nEND:STANDARD\r\n"
            "END:VTIMEZONE\r\n");
  const std::string utc =
      RenderTimeZone("UTC", absl::UTCTimeZone(), absl::UnixEpoch(), absl::Now());
  EXPECT_NE(utc.find("BEGIN:STANDARD\r\nDTSTART:19700101T000000\r\nTZOFFSETFROM:+0000\r\n"
                     "TZOFFSETTO:+0000\r\n"),
            std::string::npos)
      << utc;
}

TEST(IcalTest, AVisitBecomesAnEventThatNamesNoParent) {
  const auto dir = olif::testing_util::DevDirectory()->Get();
  const absl::TimeZone ams = Zone("Europe/Amsterdam");
  v1::Visit v;
  v.set_id("0190f0a0-0000-7000-8000-000000000001");
  v.set_kind(v1::VISIT_KIND_WARM_HANDOVER_MEETING);
  v.set_status(v1::VISIT_STATUS_CANCELLED);
  v.set_location_id("loc-boomgaard-noord");
  v.set_sequence(3);
  auto* parent = v.add_participants();
  parent->set_role(v1::PARTICIPANT_ROLE_PARENT);
  parent->set_name("Marieke Dekker");
  auto* worker = v.add_participants();
  worker->set_role(v1::PARTICIPANT_ROLE_PEDAGOGICAL_WORKER);
  worker->set_professional_id("prof-sanne-bakker");
  const absl::Time start = absl::FromCivil(absl::CivilSecond(2027, 6, 1, 14, 0, 0), ams);
  *v.mutable_start() = ToTimestamp(start);
  *v.mutable_end() = ToTimestamp(start + absl::Minutes(45));
  *v.mutable_create_time() = ToTimestamp(start - absl::Hours(48));
  *v.mutable_update_time() = ToTimestamp(start - absl::Hours(24));
  CalendarInfo info{.title = "Olifantenpad – De Boomgaard Noord",
                    .zone_name = "Europe/Amsterdam",
                    .zone = ams,
                    .refresh = absl::Minutes(30)};
  const std::string ics = RenderCalendar(info, {v}, *dir);
  for (const char* expected :
       {"BEGIN:VCALENDAR\r\nVERSION:2.0\r\n", "REFRESH-INTERVAL;VALUE=DURATION:PT30M\r\n",
        "X-PUBLISHED-TTL:PT30M\r\n", "UID:0190f0a0-0000-7000-8000-000000000001@olifantenpad\r\n",
        "DTSTAMP:20270531T120000Z\r\n", "SEQUENCE:3\r\n",
        "DTSTART;TZID=Europe/Amsterdam:20270601T140000\r\n",
        "DTEND;TZID=Europe/Amsterdam:20270601T144500\r\n", "STATUS:CANCELLED\r\n",
        "TZID:Europe/Amsterdam\r\n", "ouder/verzorger", "Sanne Bakker", "END:VCALENDAR\r\n"}) {
    EXPECT_NE(ics.find(expected), std::string::npos) << expected << "\n" << ics;
  }
  EXPECT_EQ(ics.find("Marieke"), std::string::npos) << "a parent's name reached the feed";
  // The same visits render to the same bytes, so the ETag holds.
  EXPECT_EQ(EntityTag(ics), EntityTag(RenderCalendar(info, {v}, *dir)));
  v.set_sequence(4);
  EXPECT_NE(EntityTag(ics), EntityTag(RenderCalendar(info, {v}, *dir)));
}

}  // namespace
}  // namespace olif::scheduling
