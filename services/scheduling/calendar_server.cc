#include "services/scheduling/calendar_server.h"

#include <httplib.h>

#include "absl/strings/str_cat.h"
#include "absl/strings/str_split.h"
#include "absl/strings/strip.h"
#include "services/common/logging/logging.h"
#include "services/scheduling/ical.h"

namespace olif::scheduling {
namespace {

void Unknown(httplib::Response& res) {
  res.status = 404;
  res.set_content("unknown feed\n", "text/plain; charset=utf-8");
}

// Whether an If-None-Match header names `etag` (a list, or "*").
bool Matches(const std::string& header, const std::string& etag) {
  for (absl::string_view tag : absl::StrSplit(header, ',')) {
    tag = absl::StripAsciiWhitespace(tag);
    absl::ConsumePrefix(&tag, "W/");
    if (tag == "*" || tag == etag) return true;
  }
  return false;
}

}  // namespace

CalendarServer::CalendarServer(Render render, absl::Duration refresh, metrics::Registry& metrics)
    : render_(std::move(render)),
      refresh_(refresh),
      ok_(metrics.GetCounter("olif_scheduling_feed_requests_total",
                             "Calendar feed requests by result", {{"result", "ok"}})),
      not_modified_(metrics.GetCounter("olif_scheduling_feed_requests_total",
                                       "Calendar feed requests by result",
                                       {{"result", "not_modified"}})),
      unknown_(metrics.GetCounter("olif_scheduling_feed_requests_total",
                                  "Calendar feed requests by result", {{"result", "unknown"}})),
      failed_(metrics.GetCounter("olif_scheduling_feed_requests_total",
                                 "Calendar feed requests by result", {{"result", "failed"}})) {}

CalendarServer::~CalendarServer() { Stop(); }

absl::StatusOr<int> CalendarServer::Start(const std::string& address) {
  httplib::Server& server = listener_.server();
  server.Get(R"(/calendar/([A-Za-z0-9_-]{1,128})\.ics)", [this](const httplib::Request& req,
                                                                httplib::Response& res) {
    absl::StatusOr<std::string> body = render_(req.matches[1].str());
    if (!body.ok()) {
      if (body.status().code() == absl::StatusCode::kNotFound) {
        unknown_.Inc();
        return Unknown(res);
      }
      failed_.Inc();
      log::Error("calendar feed failed", {{"error", std::string(body.status().message())}});
      res.status = 503;
      res.set_header("Retry-After", "60");
      res.set_content("the feed cannot be read now; try again later\n", "text/plain");
      return;
    }
    const std::string etag = EntityTag(*body);
    res.set_header("ETag", etag);
    res.set_header("Cache-Control",
                   absl::StrCat("private, max-age=", absl::ToInt64Seconds(refresh_)));
    if (req.has_header("If-None-Match") && Matches(req.get_header_value("If-None-Match"), etag)) {
      not_modified_.Inc();
      res.status = 304;
      return;
    }
    ok_.Inc();
    res.set_content(std::move(*body), "text/calendar; charset=utf-8");
  });
  // Every other path, however close to a feed's, is an unknown feed.
  server.set_error_handler([](const httplib::Request&, httplib::Response& res) {
    if (res.status == 404) Unknown(res);
  });
  return listener_.Start(address, "calendar feeds");
}

void CalendarServer::Stop() { listener_.Stop(); }

}  // namespace olif::scheduling
