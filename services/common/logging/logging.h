#pragma once

// Process logging over spdlog. Every line carries the time, the level and the
// process name; callers add key/value fields (e.g. trace_id) that are rendered
// as `key=value` in text lines and as JSON members in JSON lines.
//
// Use these functions, not spdlog directly: a JSON line is only valid when the
// message went through Render(). Thread-safe after Init().

#include <memory>
#include <string>
#include <utility>
#include <vector>
#include "absl/strings/string_view.h"

#include <spdlog/sinks/sink.h>

#include "olifantenpad/config/v1/runtime.pb.h"

namespace olif::log {

using Fields = std::vector<std::pair<absl::string_view, std::string>>;

enum class Level { kDebug, kInfo, kWarn, kError };

// Configures the process logger. `sink` defaults to stderr; tests pass their own.
void Init(std::string process, const olifantenpad::config::v1::LoggingConfig& config,
          std::shared_ptr<spdlog::sinks::sink> sink = nullptr);

// The message and fields as they follow the line's prefix: `msg k=v ...` for
// text; `"msg":"...","k":"v"` for JSON (the prefix opens the object).
std::string Render(bool json, absl::string_view message, const Fields& fields);

void Write(Level level, absl::string_view message, const Fields& fields = {});
inline void Debug(absl::string_view m, const Fields& f = {}) { Write(Level::kDebug, m, f); }
inline void Info(absl::string_view m, const Fields& f = {}) { Write(Level::kInfo, m, f); }
inline void Warn(absl::string_view m, const Fields& f = {}) { Write(Level::kWarn, m, f); }
inline void Error(absl::string_view m, const Fields& f = {}) { Write(Level::kError, m, f); }

}  // namespace olif::log
