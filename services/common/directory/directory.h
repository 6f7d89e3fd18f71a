#pragma once

// The directory of organisations, locations, groups, professionals and
// location <-> expert pairings (proto/olifantenpad/config/v1/directory.proto),
// loaded from YAML and checked as a whole: every reference resolves, every
// id is unique, schools carry BRIN + vestiging, locations an LRK number, and
// each pairing names a youth-care expert of a youth-care organisation.
//
// A Directory is immutable once built and safe to share between threads.
// DirectoryHolder keeps the one in force and swaps in a new one on Reload();
// a directory that fails its checks is refused and the old one stays.

#include <map>
#include <memory>
#include <optional>
#include <set>
#include <string>

#include "absl/base/thread_annotations.h"
#include "absl/status/statusor.h"
#include "olifantenpad/config/v1/directory.pb.h"
#include "services/common/sync/mutex.h"

namespace olif::directory {

namespace cfg = olifantenpad::config::v1;

class Directory {
 public:
  // Checks `proto` (read from `source`, used in errors) and indexes it. The
  // error names the source, the entry (by index and id) and the problem.
  static absl::StatusOr<std::shared_ptr<const Directory>> Build(cfg::Directory proto,
                                                                const std::string& source);
  // Reads the YAML file at `path`, then Build().
  static absl::StatusOr<std::shared_ptr<const Directory>> Load(const std::string& path);

  const cfg::Organisation* FindOrganisation(const std::string& id) const;
  const cfg::Location* FindLocation(const std::string& id) const;
  const cfg::Professional* FindProfessional(const std::string& id) const;
  // The group `group_id` at `location_id`, if both exist.
  const cfg::Group* FindGroup(const std::string& location_id, const std::string& group_id) const;
  // The expert paired with a location, if any.
  const cfg::Professional* PairedExpert(const std::string& location_id) const;
  // The school with this BRIN + vestiging, if any.
  const cfg::Organisation* FindSchool(const std::string& brin, const std::string& vestiging) const;

  const cfg::Directory& proto() const { return proto_; }

  class Problem;  // a directory problem's message (directory.cc)

 private:
  explicit Directory(cfg::Directory proto) : proto_(std::move(proto)) {}
  // Checks the whole directory and builds the lookups, section by section;
  // the first problem found names file, section, entry and what is wrong.
  absl::Status Index(const std::string& source);
  absl::Status IndexOrganisations(const Problem& problem, std::set<std::string>& ids);
  absl::Status IndexLocations(const Problem& problem, std::set<std::string>& ids);
  absl::Status IndexProfessionals(const Problem& problem, std::set<std::string>& ids);
  absl::Status IndexPairings(const Problem& problem);

  cfg::Directory proto_;
  std::map<std::string, const cfg::Organisation*> organisations_;
  std::map<std::string, const cfg::Location*> locations_;
  std::map<std::string, const cfg::Professional*> professionals_;
  std::map<std::string, const cfg::Professional*> pairings_;  // location id -> expert
  std::map<std::string, const cfg::Organisation*> schools_;   // BRIN + vestiging -> school
};

class DirectoryHolder {
 public:
  explicit DirectoryHolder(std::shared_ptr<const Directory> initial)
      : current_(std::move(initial)) {}
  // A holder of the directory file at `path` (a process's at start).
  static absl::StatusOr<std::unique_ptr<DirectoryHolder>> Load(const std::string& path);

  // The directory in force; callers keep the pointer for the length of a call,
  // so a reload never changes a directory under them.
  std::shared_ptr<const Directory> Get() const {
    olif::MutexLock lock(&mu_);
    return current_;
  }

  // Loads `path`; on success it is in force from the next Get(), on failure
  // the current one stays and the error says why.
  absl::Status Reload(const std::string& path);

  // Reload(path), logging the outcome: what a process runs on SIGHUP.
  void ReloadAndLog(const std::string& path);

 private:
  mutable olif::Mutex mu_;
  std::shared_ptr<const Directory> current_ ABSL_GUARDED_BY(mu_);
};

}  // namespace olif::directory
