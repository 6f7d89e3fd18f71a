#pragma once

// What a chain drops or posts, taken in: the InboundHandler of a chain's
// watched folder and webhook.
//
// - A CSV file is one of the chain's exports (by its file pattern), read as a
//   stream (adapters/childcare/csv_reader.h). Each row becomes its call — a
//   roster entry kept here, RecordConsent, CreateRequest — under a request
//   id derived from the chain, the export and the row's key (the export's
//   key field, else the file's name and the row number), so a file dropped
//   again changes nothing. A row with problems is not sent; it goes to the
//   file's quarantine report (row, column, reason), and the good rows of the
//   same file are processed. The report is quarantine/<file>.report.csv, in
//   the chain's separator, UTF-8 with a byte-order mark for spreadsheets.
// - A file that cannot be read on (its encoding, an unclosed quote) is
//   refused — quarantined whole with the reason — after the rows before the
//   problem were taken; they are taken again, unchanged, when the repaired
//   file comes back.
// - When a service cannot be reached the file is left for the next scan
//   (UNAVAILABLE): the rows already taken are taken again without effect.
// - A JSON document (a direct-line question, a handover form; formats in
//   adapters/childcare/README.md) is one call (or, for a handover form, the
//   steps from draft to final), refused whole with every problem named.
// - Through the webhook a CSV export is posted with its file name
//   (Content-Disposition: attachment; filename=...) and put into the
//   folder's inbox as it is, to be taken like a dropped file; a JSON
//   document is taken at once and refused with its problems (HTTP 400).
//
// Counted: olif_childcare_rows_total{chain,export,result} (accepted,
// quarantined). Thread-safe.

#include <functional>
#include <memory>
#include <string>

#include "absl/status/status.h"
#include "adapters/childcare/chain.h"
#include "adapters/childcare/childcare_store.h"
#include "adapters/childcare/hub_client.h"
#include "adapters/runtime/inbound.h"
#include "services/common/clock/clock.h"
#include "services/common/directory/directory.h"
#include "services/common/metrics/metrics.h"

namespace olif::childcare {

// The request id of a chain's record: a name-based UUID of
// "<chain>/<kind>/<key>" (kind: an export's name, or "handover").
std::string RecordRequestId(const std::string& chain, const std::string& kind,
                            const std::string& key);

// What came of one file.
struct FileOutcome {
  int64_t rows = 0;         // data rows read (the header not counted)
  int64_t accepted = 0;     // sent, or kept (roster)
  int64_t quarantined = 0;  // in the report
  std::string report;       // the report's path, when one was written
};

class ChainIntake final : public adapters::InboundHandler {
 public:
  // All must outlive the intake. `directory` gives the directory in force.
  // `inbox` and `quarantine` are the chain's folders; `wake` (may be empty)
  // is called when a posted file was put into the inbox.
  ChainIntake(std::shared_ptr<const Chain> chain,
              std::function<std::shared_ptr<const directory::Directory>()> directory,
              ChildcareStore& store, Hub& hub, const Clock& clock, metrics::Registry& metrics,
              std::string inbox, std::string quarantine, std::function<void()> wake = nullptr);

  absl::Status Handle(const adapters::InboundMessage& message) override;

  // One CSV file at `path`, named `file_name`: its rows taken, its report
  // written. INVALID_ARGUMENT when it is no export of the chain or cannot
  // be read on; UNAVAILABLE (and the like) when a service cannot be reached.
  absl::StatusOr<FileOutcome> TakeCsv(const std::string& path, const std::string& file_name);
  // One JSON document.
  absl::Status TakeJson(const std::string& body, const std::string& name);

 private:
  struct Row;
  // Rows mapped and their calls made; each row's problems land in
  // `problems` (same index). A non-OK status stops the file: a service could
  // not take the rows now.
  absl::Status TakeBatch(const ExportFormat& format, const std::string& file_name,
                         const std::vector<Row>& rows, const std::map<std::string, size_t>& columns,
                         const directory::Directory& directory, std::vector<Problems>& problems);
  // The calls of a batch, `kParallel` at once; each outcome in `results`.
  void CallAll(size_t n, const std::function<absl::Status(size_t)>& call,
               std::vector<absl::Status>& results);
  absl::Status TakeQuestionDocument(const Fields& fields, const directory::Directory& directory,
                                    Problems& problems);
  absl::Status TakeHandover(const nlohmann::json& doc, const directory::Directory& directory,
                            Problems& problems);
  absl::Status PutIntoInbox(const adapters::InboundMessage& message);
  metrics::Counter& Rows(const ExportFormat& format, const char* result);

  std::shared_ptr<const Chain> chain_;
  std::function<std::shared_ptr<const directory::Directory>()> directory_;
  ChildcareStore& store_;
  Hub& hub_;
  const Clock& clock_;
  metrics::Registry& metrics_;
  const std::string inbox_;
  const std::string quarantine_;
  std::function<void()> wake_;
};

}  // namespace olif::childcare
