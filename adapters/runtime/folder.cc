#include "adapters/runtime/folder.h"

#include <fcntl.h>
#include <unistd.h>

#include <algorithm>
#include <cerrno>
#include <cstdio>
#include <cstring>
#include <filesystem>
#include <fstream>
#include <sstream>

#include "absl/strings/match.h"
#include "absl/strings/str_cat.h"
#include "services/common/logging/logging.h"

namespace olif::adapters {
namespace {

namespace fs = std::filesystem;

bool Ignored(const std::string& name) {
  return name.empty() || name[0] == '.' || absl::EndsWith(name, ".tmp") ||
         absl::EndsWith(name, ".part");
}

// Makes a rename into `dir` durable.
void SyncDir(const std::string& dir) {
  const int fd = ::open(dir.c_str(), O_RDONLY | O_DIRECTORY);
  if (fd >= 0) {
    ::fsync(fd);
    ::close(fd);
  }
}

absl::Status Rename(const std::string& from, const std::string& to) {
  if (std::rename(from.c_str(), to.c_str()) != 0) {
    return absl::InternalError(
        absl::StrCat("cannot move ", from, " to ", to, ": ", std::strerror(errno)));
  }
  SyncDir(fs::path(to).parent_path().string());
  return absl::OkStatus();
}

// `dir`/`name`, or with a numbered suffix when that is taken.
std::string FreeName(const std::string& dir, const std::string& name) {
  std::string candidate = dir + "/" + name;
  for (int i = 1; fs::exists(candidate); ++i) candidate = absl::StrCat(dir, "/", name, ".", i);
  return candidate;
}

// Regular files in `dir` worth taking, oldest first.
std::vector<std::string> Files(const std::string& dir) {
  std::vector<std::pair<fs::file_time_type, std::string>> found;
  std::error_code ec;
  for (const auto& e : fs::directory_iterator(dir, ec)) {
    const std::string name = e.path().filename().string();
    if (!e.is_regular_file(ec) || Ignored(name)) continue;
    found.emplace_back(e.last_write_time(ec), name);
  }
  std::sort(found.begin(), found.end());
  std::vector<std::string> names;
  for (auto& [time, name] : found) names.push_back(std::move(name));
  return names;
}

}  // namespace

FolderConnector::FolderConnector(FolderOptions options, InboundHandler& handler,
                                 metrics::Registry& metrics, const Clock& clock)
    : options_(std::move(options)), handler_(handler), metrics_(metrics), clock_(clock) {}

absl::Status FolderConnector::Prepare() {
  for (const std::string& dir : {inbox(), processing(), archive(), quarantine()}) {
    std::error_code ec;
    fs::create_directories(dir, ec);
    if (ec || !fs::is_directory(dir)) {
      return absl::FailedPreconditionError(absl::StrCat(
          options_.name, ": cannot use folder ", dir, ec ? ": " + ec.message() : ": not a folder"));
    }
    if (::access(dir.c_str(), R_OK | W_OK | X_OK) != 0) {
      return absl::FailedPreconditionError(
          absl::StrCat(options_.name, ": folder ", dir, " is not readable and writable"));
    }
  }
  return absl::OkStatus();
}

absl::StatusOr<bool> FolderConnector::Take(const std::string& name) {
  auto counter = [this](const char* result) -> metrics::Counter& {
    return metrics_.GetCounter("olif_adapter_inbound_total",
                               "Inbound messages by source and what became of them",
                               {{"source", options_.name}, {"result", result}});
  };
  const std::string path = processing() + "/" + name;
  std::error_code ec;
  const auto size = fs::file_size(path, ec);
  absl::Status verdict;
  InboundMessage m{.source = options_.name, .name = name};
  if (ec) {
    verdict = absl::InternalError(absl::StrCat("cannot read ", path, ": ", ec.message()));
  } else if (size > options_.max_size) {
    verdict = absl::InvalidArgumentError(absl::StrCat(
        "the file is ", size, " bytes, more than the ", options_.max_size, " accepted"));
  } else if (!options_.read_body) {
    m.path = path;
    verdict = handler_.Handle(m);
  } else {
    std::ifstream in(path, std::ios::binary);
    std::ostringstream body;
    body << in.rdbuf();
    if (!in.good() && !in.eof()) {
      verdict = absl::InternalError(absl::StrCat("cannot read ", path));
    } else {
      m.body = body.str();
      verdict = handler_.Handle(m);
    }
  }
  if (verdict.ok()) {
    if (absl::Status s = Rename(path, FreeName(archive(), name)); !s.ok()) return s;
    counter("accepted").Inc();
    log::Info("file accepted", {{"source", options_.name}, {"file", name}});
    return true;
  }
  if (absl::IsInvalidArgument(verdict) || absl::IsFailedPrecondition(verdict)) {
    const std::string target = FreeName(quarantine(), name);
    {
      std::ofstream report(target + ".error.txt", std::ios::trunc);
      report << "file: " << name << "\n"
             << "picked up from: " << inbox() << "\n"
             << "quarantined at: "
             << absl::FormatTime(absl::RFC3339_sec, clock_.Now(), absl::UTCTimeZone()) << "\n"
             << "by: " << options_.name << "\n"
             << "why: " << verdict.message() << "\n";
      if (!report.good()) {
        return absl::InternalError(absl::StrCat("cannot write ", target, ".error.txt"));
      }
    }
    if (absl::Status s = Rename(path, target); !s.ok()) return s;
    counter("rejected").Inc();
    log::Warn("file quarantined", {{"source", options_.name},
                                   {"file", name},
                                   {"report", target + ".error.txt"},
                                   {"why", std::string(verdict.message())}});
    return true;
  }
  counter("unavailable").Inc();
  log::Warn("file kept for the next scan",
            {{"source", options_.name}, {"file", name}, {"error", std::string(verdict.message())}});
  return false;
}

absl::StatusOr<int> FolderConnector::ScanOnce() {
  int done = 0;
  for (const std::string& name : Files(processing())) {
    absl::StatusOr<bool> left = Take(name);
    if (!left.ok()) return left.status();
    if (!*left) return done;  // the handler cannot take files now
    ++done;
  }
  for (const std::string& name : Files(inbox())) {
    const std::string claimed = processing() + "/" + name;
    if (fs::exists(claimed)) continue;  // an earlier file of that name waits
    if (std::rename((inbox() + "/" + name).c_str(), claimed.c_str()) != 0) {
      if (errno == ENOENT) continue;  // another scanner took it
      return absl::InternalError(
          absl::StrCat("cannot claim ", inbox(), "/", name, ": ", std::strerror(errno)));
    }
    absl::StatusOr<bool> left = Take(name);
    if (!left.ok()) return left.status();
    if (!*left) return done;
    ++done;
  }
  return done;
}

absl::StatusOr<FolderOptions> FolderOptionsFromConfig(
    const olifantenpad::config::v1::FolderConfig& config, const std::string& field,
    const std::string& name) {
  if (config.max_size_bytes() < 0) {
    return absl::InvalidArgumentError(absl::StrCat(field, ".max_size_bytes: must not be negative"));
  }
  FolderOptions options{.name = name, .root = config.root()};
  if (config.max_size_bytes() > 0) options.max_size = static_cast<size_t>(config.max_size_bytes());
  return options;
}

absl::Status WriteFileAtomically(const std::string& path, const std::string& content) {
  const std::string part = path + ".part";
  FILE* f = std::fopen(part.c_str(), "wb");
  if (f == nullptr) {
    return absl::InternalError(absl::StrCat("cannot write ", part, ": ", std::strerror(errno)));
  }
  const bool written = std::fwrite(content.data(), 1, content.size(), f) == content.size() &&
                       std::fflush(f) == 0 && ::fsync(fileno(f)) == 0;
  const bool closed = std::fclose(f) == 0;
  if (!written || !closed) {
    std::remove(part.c_str());
    return absl::InternalError(absl::StrCat("cannot write ", part));
  }
  return Rename(part, path);
}

SendResult OutboxFolderConnector::Send(const Delivery& d) {
  SendResult r;
  r.sent = d.payload;
  std::error_code ec;
  fs::create_directories(folder_, ec);
  const bool safe =
      !d.event_id.empty() && d.event_id.find('/') == std::string::npos && d.event_id[0] != '.';
  if (!safe) {
    r.retryable = false;
    r.detail = absl::StrCat("\"", d.event_id, "\" cannot name a file");
    return r;
  }
  const std::string path = absl::StrCat(folder_, "/", d.event_id, suffix_);
  if (absl::Status s = WriteFileAtomically(path, d.payload); !s.ok()) {
    r.detail = std::string(s.message());
    return r;
  }
  r.ok = true;
  r.detail = absl::StrCat("written to ", path);
  return r;
}

}  // namespace olif::adapters
