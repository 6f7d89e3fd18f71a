// The CSV reader against the corpus in testdata/: what it reads, and what it
// refuses with the place and the reason.

#include "adapters/childcare/csv_reader.h"

#include <gtest/gtest.h>

#include <fstream>

#include "services/common/testing/testing.h"

namespace olif::childcare {
namespace {

std::string Corpus(const std::string& name) {
  return std::string(OLIF_SOURCE_DIR) + "/adapters/childcare/testdata/" + name;
}

struct Read {
  absl::Status status;
  CsvFile file;
  std::vector<CsvRecord> records;
};

Read ReadAll(const std::string& path, CsvOptions options = {}) {
  Read r;
  r.status = ReadCsvFile(
      path, options,
      [&r](const CsvRecord& rec) {
        r.records.push_back(rec);
        return absl::OkStatus();
      },
      &r.file);
  return r;
}

TEST(CsvReaderTest, Utf8WithAByteOrderMarkReadsWithoutIt) {
  const Read r = ReadAll(Corpus("utf8_bom.csv"));
  ASSERT_TRUE(r.status.ok()) << r.status;
  EXPECT_TRUE(r.file.had_bom);
  EXPECT_EQ(r.file.encoding, Encoding::kUtf8);
  ASSERT_EQ(r.records.size(), 3u);
  EXPECT_EQ(r.records[0].fields[0], "kind_id");  // no BOM glued to the first header
  EXPECT_EQ(r.records[1].fields[1], "Eliëlle");
  EXPECT_EQ(r.records[1].fields[2], "Çelik-Van Dijk");
  EXPECT_EQ(r.records[2].fields[1], "Łucja");
  EXPECT_EQ(r.records[2].number, 3);
}

TEST(CsvReaderTest, TrailingEmptyLinesAreNoRecords) {
  const Read r = ReadAll(Corpus("utf8_plain_trailing_empty_lines.csv"));
  ASSERT_TRUE(r.status.ok()) << r.status;
  EXPECT_FALSE(r.file.had_bom);
  EXPECT_EQ(r.records.size(), 3u);
  EXPECT_EQ(r.file.records, 3);
}

TEST(CsvReaderTest, Windows1252IsConvertedNotMangled) {
  const Read r = ReadAll(Corpus("windows1252.csv"));
  ASSERT_TRUE(r.status.ok()) << r.status;
  EXPECT_EQ(r.file.encoding, Encoding::kWindows1252);
  ASSERT_EQ(r.records.size(), 4u);
  EXPECT_EQ(r.records[1].fields[1], "Noël");
  EXPECT_EQ(r.records[1].fields[2], "Hoogendoorn-Sánchez");
  EXPECT_EQ(r.records[2].fields[1], "Zoë");
  EXPECT_EQ(r.records[3].fields[4], "opmerking: kosten €5");
  // Told it is UTF-8, the same file is refused, not read wrongly.
  CsvOptions utf8;
  utf8.encoding = Encoding::kUtf8;
  const Read refused = ReadAll(Corpus("windows1252.csv"), utf8);
  EXPECT_EQ(refused.status.code(), absl::StatusCode::kInvalidArgument);
  EXPECT_NE(refused.status.message().find("not UTF-8"), std::string::npos) << refused.status;
  EXPECT_TRUE(refused.records.empty());
}

TEST(CsvReaderTest, QuotedFieldsKeepSeparatorsNewlinesAndQuotes) {
  const Read r = ReadAll(Corpus("quoted_fields.csv"));
  ASSERT_TRUE(r.status.ok()) << r.status;
  ASSERT_EQ(r.records.size(), 3u);
  EXPECT_EQ(r.records[1].fields.size(), 6u);
  EXPECT_EQ(r.records[1].fields[2], "Janssen; de");
  EXPECT_EQ(r.records[1].fields[5], "regel 1\r\nregel 2 met \"aanhalingstekens\"");
  EXPECT_EQ(r.records[2].number, 3);
  EXPECT_EQ(r.records[2].fields[5], "gewoon");
}

TEST(CsvReaderTest, AQuoteLeftOpenIsRefusedAtItsRecordAfterTheGoodOnes) {
  const Read r = ReadAll(Corpus("broken_quote.csv"));
  EXPECT_EQ(r.status.code(), absl::StatusCode::kInvalidArgument);
  EXPECT_NE(r.status.message().find("record 2: a quoted field is not closed"), std::string::npos)
      << r.status;
  ASSERT_EQ(r.records.size(), 1u);  // the header came through; nothing half-read after it
}

TEST(CsvReaderTest, TextAfterAClosingQuoteIsRefusedAtItsRecord) {
  const Read r = ReadAll(Corpus("stray_quote.csv"));
  EXPECT_EQ(r.status.code(), absl::StatusCode::kInvalidArgument);
  EXPECT_NE(r.status.message().find("record 2: a quote where none may be"), std::string::npos)
      << r.status;
  EXPECT_EQ(r.records.size(), 1u);
}

TEST(CsvReaderTest, FilesInNoEncodingWeReadAreRefusedSayingWhere) {
  const Read utf16 = ReadAll(Corpus("utf16.csv"));
  EXPECT_NE(utf16.status.message().find("UTF-16"), std::string::npos) << utf16.status;
  const Read neither = ReadAll(Corpus("not_text.csv"));
  EXPECT_NE(neither.status.message().find("byte offset 63: 0x81 is neither UTF-8 nor Windows-1252"),
            std::string::npos)
      << neither.status;
  const Read bom = ReadAll(Corpus("bom_then_1252.csv"));
  EXPECT_NE(bom.status.message().find("not UTF-8 although the file starts with a UTF-8"),
            std::string::npos)
      << bom.status;
  for (const Read* r : {&utf16, &neither, &bom}) EXPECT_TRUE(r->records.empty());
  EXPECT_EQ(ReadAll(Corpus("no_such_file.csv")).status.code(), absl::StatusCode::kNotFound);
}

TEST(CsvReaderTest, ARunawayFieldStopsTheReadInsteadOfTakingAllMemory) {
  const std::string path = (olif::testing_util::FreshTestDir("csv") / "runaway.csv").string();
  {
    std::ofstream out(path, std::ios::binary);
    out << "a;b\r\n1;\"" << std::string(300 * 1024, 'x');
  }
  CsvOptions small;
  small.max_field_bytes = 16 * 1024;
  const Read r = ReadAll(path, small);
  EXPECT_NE(r.status.message().find("record 2: a field longer than 16384 bytes"), std::string::npos)
      << r.status;
}

TEST(CsvReaderTest, AnErrorFromTheCallerStopsTheRead) {
  int seen = 0;
  const absl::Status s = ReadCsvFile(Corpus("utf8_bom.csv"), {}, [&seen](const CsvRecord&) {
    ++seen;
    return absl::CancelledError("enough");
  });
  EXPECT_EQ(s.code(), absl::StatusCode::kCancelled);
  EXPECT_EQ(seen, 1);
}

TEST(CsvReaderTest, ALargeFileStreamsRecordByRecord) {
  const std::string path = (olif::testing_util::FreshTestDir("csv") / "large.csv").string();
  constexpr int kRows = 50000;
  {
    std::ofstream out(path, std::ios::binary);
    out << "kind_id;voornaam;achternaam;geboortedatum;locatie\r\n";
    for (int i = 0; i < kRows; ++i) {
      out << "K-" << i << ";Kind;\"Nummer " << i << "\";2023-01-01;loc-boomgaard-noord\r\n";
    }
  }
  int64_t count = 0;
  int64_t last = 0;
  const absl::Status s = ReadCsvFile(path, {}, [&](const CsvRecord& r) {
    ++count;
    last = r.number;
    return r.fields.size() == 5 ? absl::OkStatus() : absl::InternalError("wrong width");
  });
  ASSERT_TRUE(s.ok()) << s;
  EXPECT_EQ(count, kRows + 1);
  EXPECT_EQ(last, kRows + 1);
}

}  // namespace
}  // namespace olif::childcare
