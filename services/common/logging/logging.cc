#include "services/common/logging/logging.h"

#include <spdlog/sinks/stdout_color_sinks.h>
#include <spdlog/spdlog.h>

#include <atomic>

#include "absl/strings/str_cat.h"
#include "services/common/strings/json.h"

namespace olif::log {
namespace {

namespace cfg = olifantenpad::config::v1;

std::atomic<bool> g_json{false};

bool NeedsQuotes(absl::string_view v) {
  if (v.empty()) return true;
  for (char c : v) {
    if (c == ' ' || c == '"' || c == '=' || c == '\n' || c == '\t') return true;
  }
  return false;
}

spdlog::level::level_enum ToSpdlog(cfg::LogLevel level) {
  switch (level) {
    case cfg::LOG_LEVEL_DEBUG:
      return spdlog::level::debug;
    case cfg::LOG_LEVEL_WARN:
      return spdlog::level::warn;
    case cfg::LOG_LEVEL_ERROR:
      return spdlog::level::err;
    default:
      return spdlog::level::info;
  }
}

}  // namespace

void Init(std::string process, const cfg::LoggingConfig& config,
          std::shared_ptr<spdlog::sinks::sink> sink) {
  if (!sink) sink = std::make_shared<spdlog::sinks::stderr_color_sink_mt>();
  auto logger = std::make_shared<spdlog::logger>(process, std::move(sink));
  const bool json = config.format() == cfg::LOG_FORMAT_JSON;
  g_json = json;
  if (json) {
    logger->set_pattern(absl::StrCat(R"({"time":"%Y-%m-%dT%H:%M:%S.%fZ","level":"%l","process":)",
                                     JsonQuote(process), ",%v}"),
                        spdlog::pattern_time_type::utc);
  } else {
    logger->set_pattern("%Y-%m-%d %H:%M:%S.%e %^%-5l%$ [%n] %v");
  }
  logger->set_level(ToSpdlog(config.level()));
  logger->flush_on(spdlog::level::info);
  spdlog::set_default_logger(std::move(logger));
}

std::string Render(bool json, absl::string_view message, const Fields& fields) {
  std::string out;
  if (json) {
    absl::StrAppend(&out, "\"msg\":", JsonQuote(message));
    for (const auto& [key, value] : fields) {
      absl::StrAppend(&out, ",", JsonQuote(key), ":", JsonQuote(value));
    }
    return out;
  }
  out = std::string(message);
  for (const auto& [key, value] : fields) {
    absl::StrAppend(&out, " ", key, "=", NeedsQuotes(value) ? JsonQuote(value) : value);
  }
  return out;
}

void Write(Level level, absl::string_view message, const Fields& fields) {
  spdlog::level::level_enum l = spdlog::level::info;
  switch (level) {
    case Level::kDebug:
      l = spdlog::level::debug;
      break;
    case Level::kInfo:
      l = spdlog::level::info;
      break;
    case Level::kWarn:
      l = spdlog::level::warn;
      break;
    case Level::kError:
      l = spdlog::level::err;
      break;
  }
  auto logger = spdlog::default_logger();
  if (!logger->should_log(l)) return;
  logger->log(l, "{}", Render(g_json, message, fields));
}

}  // namespace olif::log
