#pragma once

// Outgoing mail as an RFC 5322 message with MIME (RFC 2045-2047): UTF-8 text
// (base64, so any name comes through as written), an optional attachment
// (e.g. an iCalendar invitation, text/calendar; method=REQUEST), encoded
// words for a subject or name beyond ASCII, CRLF line ends. The adapter
// writes each into a pickup folder a mail relay sends from.

#include <optional>
#include <string>

#include "absl/time/time.h"

namespace olif::school {

struct MailAttachment {
  std::string file_name;     // e.g. "overdrachtsgesprek.ics"
  std::string content_type;  // e.g. "text/calendar; charset=utf-8; method=REQUEST"
  std::string content;
};

struct Mail {
  std::string from;  // "Name <address>"
  std::string to_name;
  std::string to_address;
  std::string subject;
  std::string text;
  std::string message_id;  // without the angle brackets, e.g. "<uuid>@olifantenpad"
  absl::Time date;
  std::optional<MailAttachment> attachment;
};

std::string RenderMail(const Mail& mail);

// `address` as a mail address a header may carry: local@domain, printable
// ASCII, no spaces, angle brackets, commas or line breaks.
bool IsMailAddress(const std::string& address);

}  // namespace olif::school
