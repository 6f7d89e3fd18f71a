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

TEST(JsonTest, BuildsOrderedDocuments) {
  Json doc = Json::Object({{"resourceType", "Consent"}, {"status", "active"}});
  doc.Set("tags", Json::Array({"a", Json::Bool(true), Json::Object()}));
  doc.Set("status", "inactive");  // replaced in place, order kept
  doc.Set("empty", Json::Array());
  EXPECT_EQ(doc.Dump(),
            R"({"resourceType":"Consent","status":"inactive","tags":["a",true,{}],"empty":[]})");
  Json list = Json::Array();
  list.Push("x\"y").Push(Json::Bool(false));
  EXPECT_EQ(list.Dump(), R"(["x\"y",false])");
}

}  // namespace
}  // namespace olif
