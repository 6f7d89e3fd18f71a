#include "services/common/strings/json.h"

#include <gtest/gtest.h>

namespace olif {
namespace {

TEST(JsonQuoteTest, EscapesWhatJsonRequires) {
  EXPECT_EQ(JsonQuote("plain"), "\"plain\"");
  EXPECT_EQ(JsonQuote("a\"b\\c"), "\"a\\\"b\\\\c\"");
  EXPECT_EQ(JsonQuote("line\nnext\ttab"), "\"line\\nnext\\ttab\"");
  EXPECT_EQ(JsonQuote(std::string("\x01", 1)), "\"\\u0001\"");
}

TEST(JsonQuoteTest, KeepsUtf8AndEscapesBrokenBytes) {
  EXPECT_EQ(JsonQuote("Zoë één"), "\"Zoë één\"");
  EXPECT_EQ(JsonQuote("bad\xff"), "\"bad\\u00ff\"");
  EXPECT_EQ(JsonQuote("cut\xc3"), "\"cut\\u00c3\"");
}

}  // namespace
}  // namespace olif
