#include "services/common/records/records.h"

#include <google/protobuf/io/coded_stream.h>
#include <google/protobuf/io/zero_copy_stream_impl_lite.h>

#include "absl/strings/escaping.h"
#include "absl/strings/numbers.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/str_join.h"
#include "absl/strings/str_split.h"
#include "services/common/ids/ids.h"

namespace olif::records {
namespace {

constexpr char kTokenVersion[] = "2";
constexpr char kSeparator[] = "\x1f";

}  // namespace

std::string DeterministicBytes(const google::protobuf::Message& message) {
  std::string out;
  google::protobuf::io::StringOutputStream stream(&out);
  google::protobuf::io::CodedOutputStream coded(&stream);
  coded.SetSerializationDeterministic(true);
  message.SerializeToCodedStream(&coded);
  coded.Trim();
  return out;
}

std::string EncodePageToken(const std::vector<std::string>& filters, const PageCursor& cursor) {
  std::vector<std::string> parts = {kTokenVersion, cursor.id, absl::StrCat(cursor.create_time_us)};
  parts.insert(parts.end(), filters.begin(), filters.end());
  return absl::WebSafeBase64Escape(absl::StrJoin(parts, kSeparator));
}

absl::StatusOr<PageCursor> DecodePageToken(absl::string_view token,
                                           const std::vector<std::string>& filters,
                                           absl::string_view keep_same) {
  std::string plain;
  const absl::Status foreign = absl::InvalidArgumentError("is not a token this service issued");
  if (!absl::WebSafeBase64Unescape(token, &plain)) return foreign;
  std::vector<std::string> parts = absl::StrSplit(plain, kSeparator);
  PageCursor cursor;
  if (parts.size() != filters.size() + 3 || parts[0] != kTokenVersion || !IsUuid(parts[1]) ||
      !absl::SimpleAtoi(parts[2], &cursor.create_time_us)) {
    return foreign;
  }
  if (!std::equal(filters.begin(), filters.end(), parts.begin() + 3)) {
    return absl::InvalidArgumentError(
        absl::StrCat("was issued for other filters; ", keep_same, " while paging"));
  }
  cursor.id = parts[1];
  return cursor;
}

}  // namespace olif::records
