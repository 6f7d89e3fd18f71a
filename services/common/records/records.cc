#include "services/common/records/records.h"

#include <google/protobuf/io/coded_stream.h>
#include <google/protobuf/io/zero_copy_stream_impl_lite.h>
#include <openssl/sha.h>

#include <algorithm>

#include "absl/strings/escaping.h"
#include "absl/strings/match.h"
#include "absl/strings/numbers.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/str_join.h"
#include "absl/strings/str_split.h"
#include "google/api/field_behavior.pb.h"
#include "services/common/ids/ids.h"

namespace olif::records {
namespace {

constexpr char kTokenVersion[] = "2";
constexpr char kSeparator[] = "\x1f";
constexpr char kFingerprintPrefix[] = "sha256:";

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

std::string ContentFingerprint(absl::string_view content) {
  unsigned char digest[SHA256_DIGEST_LENGTH];
  SHA256(reinterpret_cast<const unsigned char*>(content.data()), content.size(), digest);
  return absl::StrCat(kFingerprintPrefix,
                      absl::string_view(reinterpret_cast<const char*>(digest), sizeof digest));
}

bool SameContent(absl::string_view stored, absl::string_view fingerprint) {
  if (absl::StartsWith(stored, kFingerprintPrefix)) return stored == fingerprint;
  return ContentFingerprint(stored) == fingerprint;
}

void ClearOutputOnly(google::protobuf::Message& message) {
  const google::protobuf::Descriptor* d = message.GetDescriptor();
  const google::protobuf::Reflection* r = message.GetReflection();
  for (int i = 0; i < d->field_count(); ++i) {
    const google::protobuf::FieldDescriptor* f = d->field(i);
    const auto& behaviors = f->options().GetRepeatedExtension(google::api::field_behavior);
    if (std::find(behaviors.begin(), behaviors.end(), google::api::OUTPUT_ONLY) !=
        behaviors.end()) {
      r->ClearField(&message, f);
    } else if (f->cpp_type() == google::protobuf::FieldDescriptor::CPPTYPE_MESSAGE) {
      if (f->is_repeated()) {
        for (int j = 0; j < r->FieldSize(message, f); ++j) {
          ClearOutputOnly(*r->MutableRepeatedMessage(&message, f, j));
        }
      } else if (r->HasField(message, f)) {
        ClearOutputOnly(*r->MutableMessage(&message, f));
      }
    }
  }
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
