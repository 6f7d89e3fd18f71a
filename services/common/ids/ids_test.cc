#include "services/common/ids/ids.h"

#include <gtest/gtest.h>

#include <cctype>
#include <chrono>
#include <set>
#include <string>

namespace olif {
namespace {

TEST(BsnTest, AcceptsValidNumbers) {
  EXPECT_TRUE(ValidateBsn("123456782").ok());  // the example of DOMAIN.md
  EXPECT_TRUE(ValidateBsn("111222333").ok());
  // 9*0+8*1+7*2+6*3+5*4+4*5+3*6+2*7 = 112, 112 - 2 = 110 = 10*11.
  EXPECT_TRUE(ValidateBsn("012345672").ok());
}

TEST(BsnTest, EightDigitsReadWithLeadingZero) {
  EXPECT_TRUE(ValidateBsn("12345672").ok());
  EXPECT_EQ(NormaliseBsn("12345672"), "012345672");
  EXPECT_FALSE(ValidateBsn("12345673").ok());
}

TEST(BsnTest, RefusesFailedElevenCheck) {
  absl::Status s = ValidateBsn("123456789");
  EXPECT_EQ(s.code(), absl::StatusCode::kInvalidArgument);
  EXPECT_EQ(s.message(), "the BSN fails the 11-check");
  EXPECT_FALSE(ValidateBsn("123456781").ok());
}

TEST(BsnTest, RefusesAllZeros) {
  absl::Status s = ValidateBsn("000000000");
  EXPECT_EQ(s.code(), absl::StatusCode::kInvalidArgument);
  EXPECT_EQ(s.message(), "a BSN's check sum must not be 0");
  EXPECT_FALSE(ValidateBsn("00000000").ok());
}

TEST(BsnTest, RefusesWrongLengthAndNonDigits) {
  EXPECT_FALSE(ValidateBsn("").ok());
  EXPECT_FALSE(ValidateBsn("1234567").ok());
  EXPECT_FALSE(ValidateBsn("1234567820").ok());
  EXPECT_EQ(ValidateBsn("12345678a").message(), "a BSN has digits only");
  EXPECT_FALSE(ValidateBsn("1234 5678").ok());
}

TEST(UuidTest, NewUuidsAreVersion4AndDistinct) {
  std::set<std::string> seen;
  for (int i = 0; i < 1000; ++i) {
    std::string u = NewUuid();
    ASSERT_TRUE(IsUuid(u)) << u;
    EXPECT_EQ(u[14], '4');
    EXPECT_TRUE(u[19] == '8' || u[19] == '9' || u[19] == 'a' || u[19] == 'b') << u;
    seen.insert(u);
  }
  EXPECT_EQ(seen.size(), 1000u);
}

TEST(UuidTest, TimeOrderedUuidsAreVersion7AscendingAndCarryTheTime) {
  const auto before = std::chrono::duration_cast<std::chrono::milliseconds>(
                          std::chrono::system_clock::now().time_since_epoch())
                          .count();
  std::string previous;
  // More than one millisecond's sequence (4,096), so the carry is exercised.
  for (int i = 0; i < 10000; ++i) {
    std::string u = NewTimeOrderedUuid();
    ASSERT_TRUE(IsUuid(u)) << u;
    ASSERT_EQ(u[14], '7') << u;
    ASSERT_TRUE(u[19] == '8' || u[19] == '9' || u[19] == 'a' || u[19] == 'b') << u;
    ASSERT_LT(previous, u);  // strictly ascending as text, as an index sorts them
    previous = u;
  }
  const std::string first = NewTimeOrderedUuid();
  const long long ms = std::stoll(first.substr(0, 8) + first.substr(9, 4), nullptr, 16);
  EXPECT_GE(ms, before);
  EXPECT_LT(ms, before + 60'000);  // the carry of 10,000 ids borrows at most a few ms
}

TEST(SecretTokenTest, FortyThreeUrlSafeCharactersAndDistinct) {
  std::set<std::string> seen;
  for (int i = 0; i < 1000; ++i) {
    const std::string t = NewSecretToken();
    ASSERT_EQ(t.size(), 43u) << t;
    for (char c : t)
      EXPECT_TRUE(std::isalnum(static_cast<unsigned char>(c)) || c == '-' || c == '_') << t;
    EXPECT_TRUE(seen.insert(t).second) << "repeated " << t;
  }
}

TEST(UuidTest, RecognisesCanonicalFormOnly) {
  EXPECT_TRUE(IsUuid("6f1c2a3b-4d5e-4f60-8a7b-9c0d1e2f3a4b"));
  EXPECT_TRUE(IsUuid("6F1C2A3B-4D5E-4F60-8A7B-9C0D1E2F3A4B"));
  EXPECT_FALSE(IsUuid("6f1c2a3b4d5e4f608a7b9c0d1e2f3a4b"));
  EXPECT_FALSE(IsUuid("6f1c2a3b-4d5e-4f60-8a7b-9c0d1e2f3a4"));
  EXPECT_FALSE(IsUuid("6f1c2a3b-4d5e-4f60-8a7b-9c0d1e2f3a4g"));
}

TEST(DirectoryIdTest, Format) {
  EXPECT_TRUE(IsDirectoryId("loc-boomgaard-noord"));
  EXPECT_TRUE(IsDirectoryId("p01"));
  EXPECT_FALSE(IsDirectoryId("ab"));
  EXPECT_FALSE(IsDirectoryId("-abc"));
  EXPECT_FALSE(IsDirectoryId("Loc-Noord"));
  EXPECT_FALSE(IsDirectoryId("loc_noord"));
  EXPECT_FALSE(IsDirectoryId(std::string(65, 'a')));
}

}  // namespace
}  // namespace olif

// RFC 9562 appendix B.2: the DNS namespace and "www.example.com" hashed with SHA-256.
TEST(NameBasedUuidTest, MatchesTheRfcExample) {
  EXPECT_EQ(olif::NameBasedUuid("6ba7b810-9dad-11d1-80b4-00c04fd430c8", "www.example.com"),
            "5c146b14-3c52-8afd-938a-375d0df1fbf6");
}

TEST(NameBasedUuidTest, SameNameSameUuidOtherNameOther) {
  const std::string ns = "0c9d7c6e-5e0a-4b8e-9d3c-2f1a4e5b6c7d";
  const std::string a = olif::NameBasedUuid(ns, "chain/file.csv#2");
  EXPECT_TRUE(olif::IsUuid(a));
  EXPECT_EQ(a, olif::NameBasedUuid(ns, "chain/file.csv#2"));
  EXPECT_NE(a, olif::NameBasedUuid(ns, "chain/file.csv#3"));
  EXPECT_NE(a, olif::NameBasedUuid("1c9d7c6e-5e0a-4b8e-9d3c-2f1a4e5b6c7d", "chain/file.csv#2"));
}
