#include "adapters/childcare/csv_reader.h"

#include <csv.h>
#include <iconv.h>

#include <cerrno>
#include <cstring>
#include <fstream>
#include <memory>

#include "absl/strings/str_cat.h"
#include "absl/strings/str_format.h"

namespace olif::childcare {
namespace {

constexpr size_t kBlock = 64 * 1024;

absl::Status Refuse(const std::string& why) { return absl::InvalidArgumentError(why); }

// Bytes Windows-1252 leaves undefined: text with them is not Windows-1252.
bool UndefinedIn1252(unsigned char c) {
  return c == 0x81 || c == 0x8D || c == 0x8F || c == 0x90 || c == 0x9D;
}

// Checks UTF-8 a block at a time (a sequence may span blocks).
class Utf8Check {
 public:
  // False at the first byte that cannot be UTF-8; `offset` is then its
  // position in the file.
  bool Feed(const unsigned char* p, size_t n, int64_t base, int64_t* offset) {
    for (size_t i = 0; i < n; ++i) {
      const unsigned char c = p[i];
      if (need_ > 0) {
        if (c < lo_ || c > hi_) return Fail(base + static_cast<int64_t>(i), offset);
        lo_ = 0x80;
        hi_ = 0xBF;
        --need_;
        continue;
      }
      if (c < 0x80) continue;
      start_ = base + static_cast<int64_t>(i);
      if (c >= 0xC2 && c <= 0xDF) {
        Expect(1, 0x80, 0xBF);
      } else if (c == 0xE0) {
        Expect(2, 0xA0, 0xBF);
      } else if ((c >= 0xE1 && c <= 0xEC) || c == 0xEE || c == 0xEF) {
        Expect(2, 0x80, 0xBF);
      } else if (c == 0xED) {
        Expect(2, 0x80, 0x9F);
      } else if (c == 0xF0) {
        Expect(3, 0x90, 0xBF);
      } else if (c >= 0xF1 && c <= 0xF3) {
        Expect(3, 0x80, 0xBF);
      } else if (c == 0xF4) {
        Expect(3, 0x80, 0x8F);
      } else {
        return Fail(start_, offset);
      }
    }
    return true;
  }
  // At the end of the file: false when a sequence was cut off.
  bool Finish(int64_t* offset) { return need_ == 0 || Fail(start_, offset); }

 private:
  void Expect(int need, unsigned char lo, unsigned char hi) {
    need_ = need;
    lo_ = lo;
    hi_ = hi;
  }
  static bool Fail(int64_t at, int64_t* offset) {
    *offset = at;
    return false;
  }
  int need_ = 0;
  unsigned char lo_ = 0x80;
  unsigned char hi_ = 0xBF;
  int64_t start_ = 0;
};

// Pass 1: which encoding the file is in, or why it is in none we read.
absl::Status DetectEncoding(std::ifstream& in, Encoding wanted, CsvFile& file) {
  char head[3] = {0, 0, 0};
  in.read(head, 3);
  const std::streamsize got = in.gcount();
  const auto b = [&](int i) { return static_cast<unsigned char>(head[i]); };
  if (got >= 2 && ((b(0) == 0xFF && b(1) == 0xFE) || (b(0) == 0xFE && b(1) == 0xFF))) {
    return Refuse(
        "the file is UTF-16 (it starts with a UTF-16 byte-order mark); export it as UTF-8 "
        "(\"CSV UTF-8\") or as Windows-1252 CSV");
  }
  file.had_bom = got == 3 && b(0) == 0xEF && b(1) == 0xBB && b(2) == 0xBF;
  in.clear();
  in.seekg(0);
  Utf8Check utf8;
  bool is_utf8 = wanted != Encoding::kWindows1252;
  int64_t bad_utf8 = -1;
  int64_t undefined_1252 = -1;
  unsigned char undefined_byte = 0;
  std::string block(kBlock, '\0');
  for (int64_t base = 0;;) {
    in.read(block.data(), kBlock);
    const size_t n = static_cast<size_t>(in.gcount());
    if (n == 0) break;
    const auto* p = reinterpret_cast<const unsigned char*>(block.data());
    for (size_t i = 0; i < n; ++i) {
      if (p[i] == 0) {
        return Refuse(absl::StrCat("byte offset ", base + static_cast<int64_t>(i),
                                   ": a NUL byte; this is not a text file"));
      }
      if (undefined_1252 < 0 && UndefinedIn1252(p[i])) {
        undefined_1252 = base + static_cast<int64_t>(i);
        undefined_byte = p[i];
      }
    }
    if (is_utf8 && !utf8.Feed(p, n, base, &bad_utf8)) is_utf8 = false;
    base += static_cast<int64_t>(n);
  }
  if (is_utf8 && !utf8.Finish(&bad_utf8)) is_utf8 = false;
  if (is_utf8) {
    file.encoding = Encoding::kUtf8;
    return absl::OkStatus();
  }
  if (wanted == Encoding::kUtf8 || file.had_bom) {
    return Refuse(
        absl::StrCat("byte offset ", bad_utf8, ": not UTF-8",
                     file.had_bom ? " although the file starts with a UTF-8 byte-order mark" : "",
                     "; the file is refused whole rather than read wrongly"));
  }
  if (undefined_1252 >= 0) {
    return Refuse(
        absl::StrFormat("byte offset %d: 0x%02X is neither UTF-8 nor Windows-1252; export the file "
                        "as UTF-8 (\"CSV UTF-8\")",
                        undefined_1252, undefined_byte));
  }
  file.encoding = Encoding::kWindows1252;
  return absl::OkStatus();
}

struct IconvCloser {
  void operator()(void* cd) const { iconv_close(static_cast<iconv_t>(cd)); }
};

// What the parser's callbacks fill.
struct Collector {
  const std::function<absl::Status(const CsvRecord&)>* on_record;
  CsvRecord record;
  absl::Status status;
  int64_t records = 0;
};

void OnField(void* s, size_t len, void* data) {
  auto* c = static_cast<Collector*>(data);
  c->record.fields.emplace_back(static_cast<const char*>(s), len);
}

void OnRecordEnd(int, void* data) {
  auto* c = static_cast<Collector*>(data);
  c->record.number = ++c->records;
  if (c->status.ok()) c->status = (*c->on_record)(c->record);
  c->record.fields.clear();
}

}  // namespace

absl::Status ReadCsvFile(const std::string& path, const CsvOptions& options,
                         const std::function<absl::Status(const CsvRecord&)>& on_record,
                         CsvFile* file_out) {
  std::ifstream in(path, std::ios::binary);
  if (!in) return absl::NotFoundError(absl::StrCat(path, ": cannot be read"));
  CsvFile file;
  if (absl::Status s = DetectEncoding(in, options.encoding, file); !s.ok()) return s;
  in.clear();
  in.seekg(file.had_bom ? 3 : 0);

  std::unique_ptr<void, IconvCloser> cd;
  if (file.encoding == Encoding::kWindows1252) {
    iconv_t h = iconv_open("UTF-8", "WINDOWS-1252");
    if (h == reinterpret_cast<iconv_t>(-1)) {
      return absl::InternalError("iconv cannot convert from Windows-1252 here");
    }
    cd.reset(h);
  }
  csv_parser parser;
  if (csv_init(&parser, CSV_STRICT | CSV_STRICT_FINI) != 0) {
    return absl::InternalError("libcsv could not start");
  }
  csv_set_delim(&parser, static_cast<unsigned char>(options.separator));
  Collector c{&on_record, {}, absl::OkStatus()};
  std::string block(kBlock, '\0');
  std::string converted;
  absl::Status result = absl::OkStatus();
  while (result.ok() && c.status.ok()) {
    in.read(block.data(), kBlock);
    size_t n = static_cast<size_t>(in.gcount());
    if (n == 0) break;
    const char* text = block.data();
    if (cd != nullptr) {
      // Windows-1252 is one byte per character: a block converts whole.
      converted.resize(n * 3);
      char* from = block.data();
      char* to = converted.data();
      size_t from_left = n;
      size_t to_left = converted.size();
      if (iconv(static_cast<iconv_t>(cd.get()), &from, &from_left, &to, &to_left) ==
          static_cast<size_t>(-1)) {
        result = Refuse(absl::StrCat("Windows-1252 conversion stopped: ", std::strerror(errno)));
        break;
      }
      text = converted.data();
      n = converted.size() - to_left;
    }
    if (csv_parse(&parser, text, n, OnField, OnRecordEnd, &c) != n) {
      result = Refuse(absl::StrCat("record ", c.records + 1, ": ",
                                   csv_error(&parser) == CSV_EPARSE
                                       ? "a quote where none may be (a quoted field must be closed "
                                         "and followed by the separator or the end of the line)"
                                       : csv_strerror(csv_error(&parser)),
                                   "; the records after it were not read"));
      break;
    }
    if (csv_get_buffer_size(&parser) > options.max_field_bytes + kBlock) {
      result = Refuse(absl::StrCat("record ", c.records + 1, ": a field longer than ",
                                   options.max_field_bytes,
                                   " bytes (a quote that is never closed?); the records after it "
                                   "were not read"));
      break;
    }
  }
  if (result.ok() && c.status.ok() && csv_fini(&parser, OnField, OnRecordEnd, &c) != 0) {
    result = Refuse(absl::StrCat("record ", c.records + 1,
                                 ": a quoted field is not closed before the end of the file"));
  }
  csv_free(&parser);
  if (!c.status.ok()) return c.status;
  file.records = c.records;
  if (file_out != nullptr) *file_out = file;
  return result;
}

}  // namespace olif::childcare
