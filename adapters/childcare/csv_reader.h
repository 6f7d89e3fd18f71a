#pragma once

// Reads a CSV export as childcare systems and spreadsheets write it, one
// record at a time in bounded memory (a block of the file and the current
// record): the text encoding is UTF-8 with or without a byte-order mark, or
// Windows-1252 converted to UTF-8 with iconv — a file that is neither is
// refused with the byte where it stopped making sense, never mangled; the
// records are split by libcsv (RFC 4180: quoted fields with separators,
// newlines and doubled quotes; a configured separator; empty lines skipped).
//
// libcsv (Debian's libcsv-dev) does the splitting rather than a parser of our
// own; iconv (glibc) the conversion. Thread-compatible: one reader per file.

#include <cstdint>
#include <functional>
#include <string>
#include <vector>

#include "absl/status/status.h"

namespace olif::childcare {

// The text encoding of a file.
enum class Encoding {
  kAuto,         // UTF-8 when the whole file is valid UTF-8, else Windows-1252
  kUtf8,         // UTF-8 only (a byte-order mark is allowed)
  kWindows1252,  // Windows-1252 only
};

struct CsvOptions {
  char separator = ';';
  Encoding encoding = Encoding::kAuto;
  // A field longer than this (in bytes, after conversion) ends the read with
  // an error naming its record: a runaway quote must not take all memory.
  size_t max_field_bytes = 64 * 1024;
};

// One record: its number in the file (the header is record 1) and its fields
// as UTF-8.
struct CsvRecord {
  int64_t number = 0;
  std::vector<std::string> fields;
};

// What a read found about the file itself.
struct CsvFile {
  Encoding encoding = Encoding::kUtf8;  // as read (never kAuto)
  bool had_bom = false;
  int64_t records = 0;
};

// Reads the file at `path`, calling `on_record` for each record in order; an
// error from `on_record` stops the read and is returned. The file's own
// problems come back as INVALID_ARGUMENT saying where: "byte offset 1234: not UTF-8
// ...", "record 17: a quoted field is not closed", ... Records before the
// problem have been handed over.
absl::Status ReadCsvFile(const std::string& path, const CsvOptions& options,
                         const std::function<absl::Status(const CsvRecord&)>& on_record,
                         CsvFile* file = nullptr);

}  // namespace olif::childcare
