#pragma once

// Helpers every service's record handling shares: the deterministic bytes
// that make idempotent creates comparable, and opaque page tokens for keyset
// paging (newest first by create time, then id).

#include <cstdint>
#include <optional>
#include <string>
#include <vector>

#include <google/protobuf/message.h>

#include "absl/status/statusor.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/string_view.h"
#include "services/common/sqlite/database.h"

namespace olif::records {

// `message` serialized deterministically (map entries in key order): two
// messages with the same content give the same bytes.
std::string DeterministicBytes(const google::protobuf::Message& message);

// The fingerprint of a client's content, kept for idempotent creates instead
// of the content itself: "sha256:" and the 32-byte SHA-256 of `content`.
// A deterministic serialization never starts with 's' (0x73 would be field
// 14 as a group, which proto3 never writes), so a stored fingerprint cannot
// be mistaken for stored content.
std::string ContentFingerprint(absl::string_view content);

// Whether `stored` (a fingerprint, or the whole content, as rows written
// before fingerprints were kept hold) is the content `fingerprint` was made of.
bool SameContent(absl::string_view stored, absl::string_view fingerprint);

// Clears every field marked [(google.api.field_behavior) = OUTPUT_ONLY] in
// `message` and in the messages it holds: what is left is what a client
// chose, e.g. to compare two creates with one request_id.
void ClearOutputOnly(google::protobuf::Message& message);

// The position after which a listing continues: the last record returned.
struct PageCursor {
  int64_t create_time_us = 0;
  std::string id;
};

// A token for the page after `cursor`, bound to the list call's `filters`.
std::string EncodePageToken(const std::vector<std::string>& filters, const PageCursor& cursor);

// The cursor in `token`. INVALID_ARGUMENT when the token was not issued by
// EncodePageToken, or was issued for other filters (the message then says
// `keep_same`, e.g. "keep location_id and status the same while paging").
absl::StatusOr<PageCursor> DecodePageToken(absl::string_view token,
                                           const std::vector<std::string>& filters,
                                           absl::string_view keep_same);

// Binds a keyset page to `stmt`: parameters `first` and `first + 1` get the
// cursor's create time and id (NULL when there is none: the first page), and
// `first + 2` the limit plus one, whose extra row tells that a page follows.
inline void BindPage(sqlite::Statement& stmt, int first, const std::optional<PageCursor>& after,
                     int limit) {
  if (after.has_value()) {
    stmt.Bind(first, after->create_time_us).Bind(first + 1, after->id);
  } else {
    stmt.BindNull(first).BindNull(first + 1);
  }
  stmt.Bind(first + 2, static_cast<int64_t>(limit) + 1);
}

// A stored record and the fingerprint of the client content it was created
// from (or, for rows written before fingerprints were kept, the content).
template <typename Record>
struct Stored {
  Record record;
  std::string content;
};

// The row of `table` whose `column` (a unique one: id or request_id) equals
// `value`, for tables that keep `id`, `content` and `record` columns as the
// services' do. Nothing when there is none; DATA_LOSS when the record does
// not parse. Inside or outside a transaction, on the caller's connection.
template <typename Record>
absl::StatusOr<std::optional<Stored<Record>>> FindRecord(sqlite::Database& db,
                                                         absl::string_view table,
                                                         absl::string_view column,
                                                         const std::string& value) {
  absl::StatusOr<sqlite::Statement*> stmt = db.Prepare(
      absl::StrCat("SELECT id, content, record FROM ", table, " WHERE ", column, " = ?1"));
  if (!stmt.ok()) return stmt.status();
  Stored<Record> found;
  std::string id;
  bool parsed = false;
  absl::StatusOr<bool> row = (*stmt)->Bind(1, value).ReadOne([&](const sqlite::Statement& r) {
    id = r.ColumnText(0);
    found.content = r.ColumnBlob(1);
    parsed = found.record.ParseFromString(r.ColumnBlob(2));
  });
  if (!row.ok()) return row.status();
  if (!*row) return std::nullopt;
  if (!parsed) {
    return absl::DataLossError(absl::StrCat(table, " row ", id, ": stored record does not parse"));
  }
  return found;
}

// The record an earlier create with `request_id` stored, for an idempotent
// create inside its write transaction: nothing when the request_id is new;
// the stored record when it came with the same content (the fingerprint
// `content`); ALREADY_EXISTS, naming the `noun` ("request", "visit") and the
// stored id, when it came with other content.
template <typename Record>
absl::StatusOr<std::optional<Record>> FindEarlierCreate(sqlite::Database& db,
                                                        absl::string_view table,
                                                        const std::string& request_id,
                                                        absl::string_view content,
                                                        absl::string_view noun) {
  auto existing = FindRecord<Record>(db, table, "request_id", request_id);
  if (!existing.ok()) return existing.status();
  if (!existing->has_value()) return std::nullopt;
  if (!SameContent((*existing)->content, content)) {
    return absl::AlreadyExistsError(
        absl::StrCat("request_id ", request_id, " was used before for a different ", noun, " (",
                     (*existing)->record.id(), "); use a new request_id for a new ", noun));
  }
  return std::move((*existing)->record);
}

// Record `id` of `table` loaded for a change at `expected_version`: NOT_FOUND
// for an unknown id, ABORTED ("read it again and retry") when its version is
// another; the `noun` names it in both.
template <typename Record>
absl::StatusOr<Record> LoadForChange(sqlite::Database& db, absl::string_view table,
                                     const std::string& id, int64_t expected_version,
                                     absl::string_view noun) {
  auto found = FindRecord<Record>(db, table, "id", id);
  if (!found.ok()) return found.status();
  if (!found->has_value()) return absl::NotFoundError(absl::StrCat(noun, " ", id, " not found"));
  Record& r = (*found)->record;
  if (r.version() != expected_version) {
    return absl::AbortedError(absl::StrCat(noun, " ", id, " is at version ", r.version(), ", not ",
                                           expected_version, ": read it again and retry"));
  }
  return std::move(r);
}

}  // namespace olif::records
