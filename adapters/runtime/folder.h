#pragma once

// The watched-folder connector: files dropped into an inbox folder are taken
// one by one and handed to an InboundHandler.
//
// - Pickup is atomic: a file is claimed by renaming it from inbox/ into
//   processing/ (same filesystem), so two scanners never take the same file
//   and a file still being written is never read — writers must write it
//   elsewhere and rename it into inbox/ (names starting with '.' or ending in
//   .tmp or .part are left alone).
// - Accepted: moved to archive/ (a name already there gets a suffix; nothing
//   is overwritten). Refused (INVALID_ARGUMENT or FAILED_PRECONDITION): moved
//   to quarantine/ with <name>.error.txt beside it saying why and where.
//   Anything else (e.g. the service is down): it stays in processing/ and is
//   tried again at the next scan, before new files.
// - After a crash, files left in processing/ are taken again first, so the
//   handler must be idempotent (the adapters' handlers are, by business key).
//
// Counted: olif_adapter_inbound_total{source,result}.

#include <string>

#include "absl/status/statusor.h"
#include "adapters/runtime/deliverer.h"
#include "adapters/runtime/inbound.h"
#include "olifantenpad/config/v1/connectors.pb.h"
#include "services/common/clock/clock.h"
#include "services/common/metrics/metrics.h"

namespace olif::adapters {

struct FolderOptions {
  std::string name = "folder";  // the source name in metrics and reports
  std::string root;             // holds inbox/, processing/, archive/, quarantine/
  size_t max_size = 16 << 20;   // larger files are quarantined unread
  // Whether the handler gets the file's content as the body, or only its
  // path (to read a large file in bounded memory).
  bool read_body = true;
};

class FolderConnector {
 public:
  // `handler`, `metrics` and `clock` must outlive the connector.
  FolderConnector(FolderOptions options, InboundHandler& handler, metrics::Registry& metrics,
                  const Clock& clock);

  // Creates the four folders when missing; the error names the one that
  // cannot be made or used.
  absl::Status Prepare();
  // Takes what is in processing/ (left by a crash or waiting for a retry),
  // then what is in inbox/, oldest first. Returns how many files were
  // accepted or quarantined.
  absl::StatusOr<int> ScanOnce();

  std::string inbox() const { return options_.root + "/inbox"; }
  std::string processing() const { return options_.root + "/processing"; }
  std::string archive() const { return options_.root + "/archive"; }
  std::string quarantine() const { return options_.root + "/quarantine"; }

 private:
  // Handles the claimed file processing()/name; returns whether it left.
  absl::StatusOr<bool> Take(const std::string& name);

  FolderOptions options_;
  InboundHandler& handler_;
  metrics::Registry& metrics_;
  const Clock& clock_;
};

// Writes `content` to `path` whole or not at all: into `path`.part beside
// it, flushed to disk, then renamed over it (a scanner of the folder leaves
// .part files alone). INTERNAL naming the file when it cannot.
absl::Status WriteFileAtomically(const std::string& path, const std::string& content);

// The outbox-folder connector: each message's payload becomes a file
// <folder>/<event id><suffix>, written atomically; sending the same message
// again writes the same file. The folder is created when missing. A folder
// that cannot be written is retried (the disk may come back).
class OutboxFolderConnector final : public Connector {
 public:
  OutboxFolderConnector(std::string folder, std::string suffix = ".json")
      : folder_(std::move(folder)), suffix_(std::move(suffix)) {}
  SendResult Send(const Delivery& delivery) override;

 private:
  std::string folder_;
  std::string suffix_;
};

// The options of a watched folder configured as `config`, named `name` in
// metrics and reports; INVALID_ARGUMENT naming `field` for a negative size.
absl::StatusOr<FolderOptions> FolderOptionsFromConfig(
    const olifantenpad::config::v1::FolderConfig& config, const std::string& field,
    const std::string& name);

}  // namespace olif::adapters
