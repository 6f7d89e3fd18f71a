// Childcare adapter benchmark: a 50,000-row export taken by the intake as it
// runs in the adapter (streamed from disk, mapped, the children's pseudonyms
// issued, durably stored), with the process's peak memory; every figure from
// this run on this machine, beside its floor and the ratio.
//
//   1. roster: 50,000 rows stored in the adapter's database (no service
//      call); floors: reading the same file with the CSV reader alone, and
//      raw SQLite appends of rows of the entry's size, 64 per transaction.
//   2. consents: 50,000 signed consent forms mapped to RecordConsent calls
//      answered at once by an in-process stand-in (the consent service's own
//      cost is in consent_bench); floor: the CSV reader alone on that file.
//   Peak memory: the process's high-water mark (VmHWM) after each import,
//   beside the size of the file.
//
// usage: childcare_bench [--rows N] [--dir DIR]

#include <sqlite3.h>

#include <cstdio>
#include <fstream>
#include <string>

#include "absl/strings/str_cat.h"
#include "absl/strings/str_format.h"
#include "adapters/childcare/intake.h"
#include "services/common/clock/clock.h"
#include "services/common/config/config_loader.h"
#include "services/common/logging/logging.h"
#include "tests/bench/bench_util.h"

namespace olif::childcare {
namespace {

namespace cfg = olifantenpad::config::v1;
using bench::SteadyClock;

// Answers every call at once, as a service that is never the bottleneck.
class InstantHub final : public Hub {
 public:
  absl::StatusOr<std::string> RecordConsent(
      const olifantenpad::consent::v1::RecordConsentRequest& call) override {
    return call.request_id();
  }
  absl::StatusOr<std::string> CreateRequest(
      const olifantenpad::referrals::v1::CreateRequestRequest& call) override {
    return call.request_id();
  }
  absl::StatusOr<olifantenpad::handover::v1::HandoverForm> CreateDraft(
      const olifantenpad::handover::v1::CreateDraftRequest&) override {
    return absl::UnimplementedError("not measured");
  }
  absl::StatusOr<olifantenpad::handover::v1::HandoverForm> SubmitForParentReview(
      const olifantenpad::handover::v1::SubmitForParentReviewRequest&) override {
    return absl::UnimplementedError("not measured");
  }
  absl::StatusOr<olifantenpad::handover::v1::HandoverForm> RecordParentView(
      const olifantenpad::handover::v1::RecordParentViewRequest&) override {
    return absl::UnimplementedError("not measured");
  }
  absl::StatusOr<olifantenpad::handover::v1::HandoverForm> Finalise(
      const olifantenpad::handover::v1::FinaliseRequest&) override {
    return absl::UnimplementedError("not measured");
  }
};

// The process's peak resident memory so far, in MiB.
double PeakMiB() {
  std::ifstream status("/proc/self/status");
  std::string line;
  while (std::getline(status, line)) {
    if (line.rfind("VmHWM:", 0) == 0) return std::stod(line.substr(6)) / 1024.0;
  }
  return 0;
}

// SQLite's own peak heap (page caches of both connections, bounded by their
// cache_size, and statements), in MiB: the part of the peak that grows with
// the database, not with the file.
double SqliteMiB() { return static_cast<double>(sqlite3_memory_highwater(0)) / (1024.0 * 1024.0); }

double FileMiB(const std::string& path) {
  return static_cast<double>(std::filesystem::file_size(path)) / (1024.0 * 1024.0);
}

std::string WriteRoster(const std::filesystem::path& dir, int rows) {
  const std::string path = (dir / "kindlijst-groot.csv").string();
  std::ofstream out(path, std::ios::binary);
  out << "Kindnummer;Geboortedatum;Vestiging;Stamgroep\r\n";
  for (int i = 0; i < rows; ++i) {
    out << "K-" << (100000 + i) << ";" << (1 + i % 28) << "-0" << (1 + i % 9) << "-2022;"
        << (i % 2 ? "NRD;Vlinders" : "ZD;Kikkers") << "\r\n";
  }
  return path;
}

std::string WriteConsents(const std::filesystem::path& dir, int rows) {
  const std::string path = (dir / "toestemmingen-groot.csv").string();
  std::ofstream out(path, std::ios::binary);
  out << "Kindnummer;Geboortedatum;Doelen;Ontvangers;Gegevens;Geldig vanaf;Geldig tot;Formulier;"
         "Vastgelegd door;Gezaghebbenden;Ouder 1;Relatie 1;Gezag 1;Gezag vastgesteld 1;"
         "Getekend 1;Wijze 1\r\n";
  for (int i = 0; i < rows; ++i) {
    out << "K-" << (200000 + i) << ";14-03-2022;directe lijn,overdracht;Jeugdhulp Het Kompas,"
        << "Basisschool De Regenboog;identiteit,observaties;01-09-2026;31-07-2027;TF-" << i
        << ";M0412;1;Ouder " << i
        << ";moeder;ja;uittreksel gezagsregister;28-08-2026 10:15;papier\r\n";
  }
  return path;
}

// Rows per second of the CSV reader alone over `path`.
double ReadRate(const std::string& path, const CsvOptions& options) {
  int64_t n = 0;
  const auto t0 = SteadyClock::now();
  absl::Status s = ReadCsvFile(path, options, [&n](const CsvRecord&) {
    ++n;
    return absl::OkStatus();
  });
  if (!s.ok()) std::abort();
  return static_cast<double>(n - 1) / bench::Seconds(SteadyClock::now() - t0);
}

int Run(int rows, const std::filesystem::path& dir) {
  cfg::LoggingConfig quiet;
  quiet.set_level(cfg::LOG_LEVEL_ERROR);
  log::Init("bench", quiet);
  const std::filesystem::path base = bench::Fresh(dir, "childcare_bench");
  cfg::ChildcareConfig config;
  if (!config::LoadFile(std::string(OLIF_SOURCE_DIR) + "/config/dev/childcare.yaml", &config)
           .ok()) {
    std::abort();
  }
  auto directory =
      directory::Directory::Load(std::string(OLIF_SOURCE_DIR) + "/config/dev/directory.yaml");
  absl::TimeZone zone;
  if (!directory.ok() || !absl::LoadTimeZone("Europe/Amsterdam", &zone)) std::abort();
  auto chain = Chain::Build(config.childcare().chains(0), **directory, zone, "chain");
  if (!chain.ok()) std::abort();
  const std::string db = (base / "childcare.db").string();
  sqlite::Writer writer(std::move(*sqlite::Database::Open(db, {})));
  if (!writer.Run(ChildcareStore::CreateTables).ok()) std::abort();
  auto store = ChildcareStore::Open(db, writer);
  InstantHub hub;
  metrics::Registry metrics;
  std::filesystem::create_directories(base / "quarantine");
  ChainIntake intake(
      *chain, [d = *directory] { return d; }, **store, hub, Clock::Real(), metrics,
      (base / "inbox").string(), (base / "quarantine").string());

  const double before = PeakMiB();
  const std::string roster = WriteRoster(base, rows);
  const double roster_read = ReadRate(roster, (*chain)->csv());
  auto t0 = SteadyClock::now();
  absl::StatusOr<FileOutcome> r = intake.TakeCsv(roster, "kindlijst-groot.csv");
  const double roster_s = bench::Seconds(SteadyClock::now() - t0);
  if (!r.ok() || r->accepted != rows) std::abort();
  const double roster_peak = PeakMiB();
  const double roster_sqlite = SqliteMiB();
  const double raw = bench::RawAppendRate(bench::Fresh(base, "raw"), rows, 64, 120);

  const std::string consents = WriteConsents(base, rows);
  const double consent_read = ReadRate(consents, (*chain)->csv());
  t0 = SteadyClock::now();
  absl::StatusOr<FileOutcome> c = intake.TakeCsv(consents, "toestemmingen-groot.csv");
  const double consent_s = bench::Seconds(SteadyClock::now() - t0);
  if (!c.ok() || c->accepted != rows) std::abort();
  const double consent_peak = PeakMiB();
  const double consent_sqlite = SqliteMiB();

  std::printf("%-44s %14s %28s %8s\n", "measure", "value", "floor", "ratio");
  const double roster_rate = rows / roster_s;
  std::printf("%-44s %12.0f/s %20.0f/s read %8.2f\n",
              absl::StrFormat("roster import, %d rows (%.1f MiB)", rows, FileMiB(roster)).c_str(),
              roster_rate, roster_read, roster_rate / roster_read);
  std::printf("%-44s %12s %19.0f/s append %8.2f\n", "", "", raw, roster_rate / raw);
  const double consent_rate = rows / consent_s;
  std::printf(
      "%-44s %12.0f/s %20.0f/s read %8.2f\n",
      absl::StrFormat("consent import, %d rows (%.1f MiB)", rows, FileMiB(consents)).c_str(),
      consent_rate, consent_read, consent_rate / consent_read);
  std::printf("%-44s %10.1f MiB %22.1f MiB file %8.2f\n", "peak memory after the roster",
              roster_peak, FileMiB(roster), roster_peak / FileMiB(roster));
  std::printf("%-44s %10.1f MiB\n", "  of which SQLite's page caches", roster_sqlite);
  std::printf("%-44s %10.1f MiB\n", "  the rest (process, reading, mapping)",
              roster_peak - roster_sqlite);
  std::printf("%-44s %10.1f MiB %22.1f MiB file %8.2f\n", "peak memory after the consents",
              consent_peak, FileMiB(consents), consent_peak / FileMiB(consents));
  std::printf("%-44s %10.1f MiB\n", "  of which SQLite's page caches", consent_sqlite);
  std::printf("%-44s %10.1f MiB\n", "  the rest (process, reading, mapping, calls)",
              consent_peak - consent_sqlite);
  std::printf("%-44s %10.1f MiB\n", "peak memory before (process, data generated)", before);
  return 0;
}

}  // namespace
}  // namespace olif::childcare

int main(int argc, char** argv) {
  int rows = 50000;
  std::filesystem::path dir = std::filesystem::temp_directory_path();
  for (int i = 1; i + 1 < argc; i += 2) {
    const std::string flag = argv[i];
    if (flag == "--rows") rows = std::stoi(argv[i + 1]);
    if (flag == "--dir") dir = argv[i + 1];
  }
  return olif::childcare::Run(rows, dir);
}
