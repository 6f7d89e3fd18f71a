#include "services/common/directory/directory.h"

#include "services/common/logging/logging.h"

#include <set>

#include "absl/strings/ascii.h"
#include "absl/strings/str_cat.h"
#include "services/common/clock/day_time.h"
#include "services/common/config/config_loader.h"
#include "services/common/ids/ids.h"

namespace olif::directory {
namespace {

bool AllDigits(const std::string& s, size_t n) {
  if (s.size() != n) return false;
  for (char c : s) {
    if (!absl::ascii_isdigit(c)) return false;
  }
  return true;
}

bool IsBrin(const std::string& s) {
  return s.size() == 4 && absl::ascii_isdigit(s[0]) && absl::ascii_isdigit(s[1]) &&
         absl::ascii_isupper(s[2]) && absl::ascii_isupper(s[3]);
}

}  // namespace

// Builds "source: section[i] (id): problem".
class Directory::Problem {
 public:
  explicit Problem(const std::string& source) : source_(source) {}
  absl::Status At(const char* section, int index, const std::string& id,
                  const std::string& what) const {
    return absl::InvalidArgumentError(absl::StrCat(source_, ": ", section, "[", index, "]",
                                                   id.empty() ? "" : " (" + id + ")", ": ", what));
  }

 private:
  const std::string& source_;
};

namespace {

// An entry's id: well formed, and not used by another entry.
absl::Status Unique(const Directory::Problem& problem, std::set<std::string>& ids,
                    const char* section, int i, const std::string& id) {
  if (!IsDirectoryId(id)) return problem.At(section, i, id, "id must be 3-64 of a-z, 0-9 and '-'");
  if (!ids.insert(id).second)
    return problem.At(section, i, id, "id is used twice in the directory");
  return absl::OkStatus();
}

}  // namespace

absl::StatusOr<std::shared_ptr<const Directory>> Directory::Build(cfg::Directory proto,
                                                                  const std::string& source) {
  std::shared_ptr<Directory> d(new Directory(std::move(proto)));
  if (absl::Status s = d->Index(source); !s.ok()) return s;
  return std::shared_ptr<const Directory>(std::move(d));
}

absl::StatusOr<std::shared_ptr<const Directory>> Directory::Load(const std::string& path) {
  cfg::Directory proto;
  if (absl::Status s = config::LoadFile(path, &proto); !s.ok()) return s;
  return Build(std::move(proto), path);
}

absl::Status Directory::Index(const std::string& source) {
  const Problem problem(source);
  std::set<std::string> ids;  // one namespace for every entry's id
  if (absl::Status s = IndexOrganisations(problem, ids); !s.ok()) return s;
  if (absl::Status s = IndexLocations(problem, ids); !s.ok()) return s;
  if (absl::Status s = IndexProfessionals(problem, ids); !s.ok()) return s;
  return IndexPairings(problem);
}

absl::Status Directory::IndexOrganisations(const Problem& problem, std::set<std::string>& ids) {
  for (int i = 0; i < proto_.organisations_size(); ++i) {
    const cfg::Organisation& o = proto_.organisations(i);
    if (absl::Status s = Unique(problem, ids, "organisations", i, o.id()); !s.ok()) return s;
    if (o.kind() == cfg::ORGANISATION_KIND_SCHOOL) {
      if (!IsBrin(o.brin()))
        return problem.At("organisations", i, o.id(),
                          "a school needs a BRIN of two digits and two capitals, e.g. 12AB");
      if (!AllDigits(o.vestiging(), 2))
        return problem.At("organisations", i, o.id(),
                          "a school needs a vestiging of two digits, e.g. 00");
      if (!schools_.emplace(o.brin() + o.vestiging(), &o).second) {
        return problem.At(
            "organisations", i, o.id(),
            absl::StrCat("BRIN ", o.brin(), " vestiging ", o.vestiging(), " is listed twice"));
      }
    } else if (!o.brin().empty() || !o.vestiging().empty()) {
      return problem.At("organisations", i, o.id(), "only schools have a BRIN and vestiging");
    }
    organisations_[o.id()] = &o;
  }
  return absl::OkStatus();
}

namespace {

// Each weekday at most once, 1-7, opening before closing, times as HH:MM.
absl::Status CheckOpeningHours(const Directory::Problem& problem, int i, const cfg::Location& l) {
  std::set<int> days;
  for (int h = 0; h < l.opening_hours_size(); ++h) {
    const cfg::OpeningHours& oh = l.opening_hours(h);
    const std::string at = absl::StrCat("opening_hours[", h, "]: ");
    if (oh.weekday() < 1 || oh.weekday() > 7)
      return problem.At("locations", i, l.id(), at + "weekday must be 1 (Monday) to 7 (Sunday)");
    if (!days.insert(oh.weekday()).second)
      return problem.At("locations", i, l.id(),
                        absl::StrCat(at, "weekday ", oh.weekday(), " is listed twice"));
    const std::optional<int> open = MinutesOfDay(oh.open());
    const std::optional<int> close = MinutesOfDay(oh.close());
    if (!open.has_value() || !close.has_value())
      return problem.At("locations", i, l.id(), at + "open and close must be times as HH:MM");
    if (*close <= *open) return problem.At("locations", i, l.id(), at + "close must be after open");
  }
  return absl::OkStatus();
}

}  // namespace

absl::Status Directory::IndexLocations(const Problem& problem, std::set<std::string>& ids) {
  std::set<std::string> lrk;
  for (int i = 0; i < proto_.locations_size(); ++i) {
    const cfg::Location& l = proto_.locations(i);
    if (absl::Status s = Unique(problem, ids, "locations", i, l.id()); !s.ok()) return s;
    const cfg::Organisation* owner = FindOrganisation(l.organisation_id());
    if (owner == nullptr || owner->kind() != cfg::ORGANISATION_KIND_CHILDCARE) {
      return problem.At("locations", i, l.id(),
                        absl::StrCat("organisation_id '", l.organisation_id(),
                                     "' is not a childcare organisation of the directory"));
    }
    const cfg::Organisation* municipality = FindOrganisation(l.municipality_id());
    if (municipality == nullptr || municipality->kind() != cfg::ORGANISATION_KIND_MUNICIPALITY) {
      return problem.At("locations", i, l.id(),
                        absl::StrCat("municipality_id '", l.municipality_id(),
                                     "' is not a municipality of the directory"));
    }
    if (!AllDigits(l.lrk_number(), 9))
      return problem.At("locations", i, l.id(), "lrk_number must be nine digits");
    if (!lrk.insert(l.lrk_number()).second)
      return problem.At("locations", i, l.id(),
                        absl::StrCat("lrk_number ", l.lrk_number(), " is listed twice"));
    std::set<std::string> groups;
    for (int g = 0; g < l.groups_size(); ++g) {
      const std::string& gid = l.groups(g).id();
      if (!IsDirectoryId(gid))
        return problem.At("locations", i, l.id(),
                          absl::StrCat("groups[", g, "]: id must be 3-64 of a-z, 0-9 and '-'"));
      if (!groups.insert(gid).second)
        return problem.At(
            "locations", i, l.id(),
            absl::StrCat("groups[", g, "]: id '", gid, "' is used twice at this location"));
    }
    if (absl::Status s = CheckOpeningHours(problem, i, l); !s.ok()) return s;
    locations_[l.id()] = &l;
  }
  return absl::OkStatus();
}

absl::Status Directory::IndexProfessionals(const Problem& problem, std::set<std::string>& ids) {
  for (int i = 0; i < proto_.professionals_size(); ++i) {
    const cfg::Professional& p = proto_.professionals(i);
    if (absl::Status s = Unique(problem, ids, "professionals", i, p.id()); !s.ok()) return s;
    if (FindOrganisation(p.organisation_id()) == nullptr) {
      return problem.At(
          "professionals", i, p.id(),
          absl::StrCat("organisation_id '", p.organisation_id(), "' is not in the directory"));
    }
    if (p.roles_size() == 0)
      return problem.At("professionals", i, p.id(), "needs at least one role");
    for (const std::string& loc : p.location_ids()) {
      if (FindLocation(loc) == nullptr)
        return problem.At(
            "professionals", i, p.id(),
            absl::StrCat("location_ids: '", loc, "' is not a location of the directory"));
    }
    professionals_[p.id()] = &p;
  }
  return absl::OkStatus();
}

absl::Status Directory::IndexPairings(const Problem& problem) {
  for (int i = 0; i < proto_.pairings_size(); ++i) {
    const cfg::Pairing& pairing = proto_.pairings(i);
    if (FindLocation(pairing.location_id()) == nullptr) {
      return problem.At("pairings", i, pairing.location_id(),
                        "location_id is not a location of the directory");
    }
    const cfg::Professional* expert = FindProfessional(pairing.expert_id());
    if (expert == nullptr)
      return problem.At("pairings", i, pairing.location_id(),
                        absl::StrCat("expert_id '", pairing.expert_id(),
                                     "' is not a professional of the directory"));
    bool is_expert = false;
    for (int r : expert->roles()) is_expert |= r == cfg::ROLE_YOUTH_CARE_EXPERT;
    if (!is_expert ||
        FindOrganisation(expert->organisation_id())->kind() != cfg::ORGANISATION_KIND_YOUTH_CARE) {
      return problem.At("pairings", i, pairing.location_id(),
                        absl::StrCat("expert_id '", pairing.expert_id(),
                                     "' is not a youth-care expert of a youth-care organisation"));
    }
    if (!pairings_.emplace(pairing.location_id(), expert).second) {
      return problem.At("pairings", i, pairing.location_id(),
                        "the location is paired twice; a location has one fixed expert");
    }
  }
  return absl::OkStatus();
}

template <typename T>
static const T* Lookup(const std::map<std::string, const T*>& m, const std::string& key) {
  auto it = m.find(key);
  return it == m.end() ? nullptr : it->second;
}

const cfg::Organisation* Directory::FindOrganisation(const std::string& id) const {
  return Lookup(organisations_, id);
}
const cfg::Location* Directory::FindLocation(const std::string& id) const {
  return Lookup(locations_, id);
}
const cfg::Professional* Directory::FindProfessional(const std::string& id) const {
  return Lookup(professionals_, id);
}
const cfg::Professional* Directory::PairedExpert(const std::string& location_id) const {
  return Lookup(pairings_, location_id);
}
const cfg::Organisation* Directory::FindSchool(const std::string& brin,
                                               const std::string& vestiging) const {
  return Lookup(schools_, brin + vestiging);
}

const cfg::Group* Directory::FindGroup(const std::string& location_id,
                                       const std::string& group_id) const {
  const cfg::Location* l = FindLocation(location_id);
  if (l == nullptr) return nullptr;
  for (const cfg::Group& g : l->groups()) {
    if (g.id() == group_id) return &g;
  }
  return nullptr;
}

absl::Status DirectoryHolder::Reload(const std::string& path) {
  absl::StatusOr<std::shared_ptr<const Directory>> next = Directory::Load(path);
  if (!next.ok()) return next.status();
  olif::MutexLock lock(&mu_);
  current_ = std::move(*next);
  return absl::OkStatus();
}

void DirectoryHolder::ReloadAndLog(const std::string& path) {
  if (absl::Status s = Reload(path); !s.ok()) {
    log::Error("directory reload refused; the directory in force stays",
               {{"error", std::string(s.message())}});
  } else {
    log::Info("directory reloaded", {{"path", path}});
  }
}

absl::StatusOr<std::unique_ptr<DirectoryHolder>> DirectoryHolder::Load(const std::string& path) {
  absl::StatusOr<std::shared_ptr<const Directory>> loaded = Directory::Load(path);
  if (!loaded.ok()) return loaded.status();
  return std::make_unique<DirectoryHolder>(std::move(*loaded));
}

}  // namespace olif::directory
