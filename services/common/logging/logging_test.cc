#include "services/common/logging/logging.h"

#include <gtest/gtest.h>
#include <spdlog/sinks/ostream_sink.h>
#include <spdlog/spdlog.h>

#include <sstream>

namespace olif::log {
namespace {

namespace cfg = olifantenpad::config::v1;

TEST(LoggingTest, TextLinesCarryProcessAndFields) {
  std::ostringstream out;
  cfg::LoggingConfig config;
  config.set_format(cfg::LOG_FORMAT_TEXT);
  Init("referrals", config, std::make_shared<spdlog::sinks::ostream_sink_mt>(out));
  Info("rpc done", {{"trace_id", "abc123"}, {"method", "/x.Y/Z"}, {"note", "two words"}});
  const std::string line = out.str();
  EXPECT_NE(line.find("[referrals]"), std::string::npos) << line;
  EXPECT_NE(line.find("rpc done trace_id=abc123 method=/x.Y/Z note=\"two words\""),
            std::string::npos)
      << line;
}

TEST(LoggingTest, JsonLinesAreOneObjectWithProcessAndFields) {
  std::ostringstream out;
  cfg::LoggingConfig config;
  config.set_format(cfg::LOG_FORMAT_JSON);
  Init("referrals", config, std::make_shared<spdlog::sinks::ostream_sink_mt>(out));
  Warn("quote \" and\nnewline", {{"trace_id", "t-1"}});
  std::string line = out.str();
  ASSERT_FALSE(line.empty());
  EXPECT_EQ(line.front(), '{');
  EXPECT_EQ(line.find('\n'), line.size() - 1) << "exactly one line: " << line;
  EXPECT_NE(
      line.find(
          R"("level":"warning","process":"referrals","msg":"quote \" and\nnewline","trace_id":"t-1"})"),
      std::string::npos)
      << line;
}

TEST(LoggingTest, LevelFiltersLines) {
  std::ostringstream out;
  cfg::LoggingConfig config;
  config.set_level(cfg::LOG_LEVEL_WARN);
  Init("referrals", config, std::make_shared<spdlog::sinks::ostream_sink_mt>(out));
  Info("hidden");
  Error("shown");
  EXPECT_EQ(out.str().find("hidden"), std::string::npos);
  EXPECT_NE(out.str().find("shown"), std::string::npos);
}

}  // namespace
}  // namespace olif::log
