#include "adapters/school/mail.h"

#include <algorithm>

#include "absl/strings/escaping.h"
#include "absl/strings/str_cat.h"
#include "services/common/ids/ids.h"

namespace olif::school {
namespace {

bool Ascii(const std::string& s) {
  return std::all_of(s.begin(), s.end(), [](char c) {
    return static_cast<unsigned char>(c) >= 0x20 && static_cast<unsigned char>(c) < 0x7f;
  });
}

// A header value beyond printable ASCII as an RFC 2047 encoded word.
std::string Word(const std::string& s) {
  if (Ascii(s)) return s;
  return absl::StrCat("=?UTF-8?B?", absl::Base64Escape(s), "?=");
}

// Base64 in lines of 76 characters, CRLF.
std::string Base64Lines(const std::string& content) {
  const std::string b64 = absl::Base64Escape(content);
  std::string out;
  for (size_t i = 0; i < b64.size(); i += 76) absl::StrAppend(&out, b64.substr(i, 76), "\r\n");
  return out;
}

std::string Part(const std::string& content_type, const std::string& content,
                 const std::string& disposition) {
  std::string out =
      absl::StrCat("Content-Type: ", content_type, "\r\nContent-Transfer-Encoding: base64\r\n");
  if (!disposition.empty()) absl::StrAppend(&out, "Content-Disposition: ", disposition, "\r\n");
  absl::StrAppend(&out, "\r\n", Base64Lines(content));
  return out;
}

}  // namespace

bool IsMailAddress(const std::string& a) {
  const size_t at = a.find('@');
  return at != std::string::npos && at > 0 && at + 1 < a.size() &&
         a.find('@', at + 1) == std::string::npos && Ascii(a) &&
         a.find_first_of(" <>,;\"()\\") == std::string::npos;
}

std::string RenderMail(const Mail& m) {
  const std::string date =
      absl::FormatTime("%a, %d %b %Y %H:%M:%S +0000", m.date, absl::UTCTimeZone());
  std::string out =
      absl::StrCat("From: ", m.from, "\r\n", "To: ", Word(m.to_name), " <", m.to_address, ">\r\n",
                   "Subject: ", Word(m.subject), "\r\n", "Date: ", date, "\r\n",
                   "Message-ID: ", m.message_id, "\r\n", "MIME-Version: 1.0\r\n");
  const std::string text_type = "text/plain; charset=utf-8";
  if (!m.attachment) {
    absl::StrAppend(&out, Part(text_type, m.text, ""));
    return out;
  }
  const std::string boundary = absl::StrCat("=_olifantenpad_", NewUuid());
  absl::StrAppend(&out, "Content-Type: multipart/mixed; boundary=\"", boundary, "\"\r\n\r\n", "--",
                  boundary, "\r\n", Part(text_type, m.text, ""), "--", boundary, "\r\n",
                  Part(m.attachment->content_type, m.attachment->content,
                       absl::StrCat("attachment; filename=\"", m.attachment->file_name, "\"")),
                  "--", boundary, "--\r\n");
  return out;
}

}  // namespace olif::school
