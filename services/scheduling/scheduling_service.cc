#include "services/scheduling/scheduling_service.h"

#include <algorithm>
#include <map>
#include <set>

#include "absl/strings/str_cat.h"
#include "olifantenpad/handover/v1/events.pb.h"
#include "olifantenpad/scheduling/v1/events.pb.h"
#include "services/common/bus/unpack.h"
#include "services/common/clock/timestamp.h"
#include "services/common/config/config_loader.h"
#include "services/common/events/scheduling_topics.h"
#include "services/common/ids/ids.h"
#include "services/common/logging/logging.h"
#include "services/common/records/records.h"
#include "services/common/status/status.h"
#include "services/scheduling/ical.h"
#include "services/scheduling/scheduling_validation.h"
#include "services/scheduling/visit_rules.h"

namespace olif::scheduling {
namespace {

namespace cfg = olifantenpad::config::v1;
namespace hv1 = olifantenpad::handover::v1;

Slot SlotOf(const v1::Visit& v) { return {FromTimestamp(v.start()), FromTimestamp(v.end())}; }

bool IsPreventive(const v1::Visit& v) { return v.kind() == v1::VISIT_KIND_PREVENTIVE_GROUP_VISIT; }

v1::VisitSummary Summary(const v1::Visit& v) {
  v1::VisitSummary s;
  s.set_visit_id(v.id());
  s.set_kind(v.kind());
  s.set_status(v.status());
  s.set_location_id(v.location_id());
  s.set_group_id(v.group_id());
  if (!v.expert_id().empty()) {
    s.mutable_expert()->set_professional_id(v.expert_id());
    s.mutable_expert()->set_organisation_id(v.expert_organisation_id());
  }
  for (const v1::Participant& p : v.participants()) {
    if (!p.professional_id().empty()) s.add_professional_ids(p.professional_id());
  }
  if (v.has_start()) *s.mutable_start() = v.start();
  if (v.has_end()) *s.mutable_end() = v.end();
  s.set_school_year(v.school_year());
  s.set_sequence(v.sequence());
  s.set_version(v.version());
  s.set_handover_id(v.handover_id());
  if (v.has_child()) *s.mutable_child() = v.child();
  return s;
}

template <typename E>
Event Announce(const char* topic, const v1::Visit& v) {
  auto e = std::make_shared<E>();
  *e->mutable_visit() = Summary(v);
  return {topic, std::move(e)};
}

// What a client chose, for the idempotency comparison.
std::string ClientContent(const v1::PlanVisitRequest& call) {
  v1::Visit content = call.visit();
  records::ClearOutputOnly(content);
  return records::ContentFingerprint(records::DeterministicBytes(content));
}

absl::Status StateConflict(const v1::Visit& v, const char* wanted) {
  return Conflict(
      "VISIT_STATE", absl::StrCat("visits/", v.id()),
      absl::StrCat("visit ", v.id(), " is ", v1::VisitStatus_Name(v.status()), "; ", wanted));
}

std::string Shown(int64_t n, int suppress) {
  return n > 0 && n < suppress ? absl::StrCat("<", suppress) : absl::StrCat(n);
}

}  // namespace

Settings SettingsFromConfig(const cfg::SchedulingConfig& config) {
  Settings s;
  const cfg::SchedulingSettings& c = config.scheduling();
  if (!c.time_zone().empty()) s.time_zone = c.time_zone();
  if (!c.school_year_start().empty()) s.school_year_start = c.school_year_start();
  if (c.visit_minimum() > 0) s.visit_minimum = c.visit_minimum();
  if (c.at_risk_look_ahead_days() > 0) s.at_risk_look_ahead_days = c.at_risk_look_ahead_days();
  if (c.has_meeting_window()) s.meeting_window = config::ToDuration(c.meeting_window());
  if (c.has_job_interval()) s.job_interval = config::ToDuration(c.job_interval());
  if (c.suppress_below() > 0) s.suppress_below = c.suppress_below();
  if (config.feeds().has_refresh_interval()) {
    s.refresh_interval = config::ToDuration(config.feeds().refresh_interval());
  }
  if (!config.feeds().calendar_name().empty()) s.calendar_name = config.feeds().calendar_name();
  if (config.feeds().has_history()) s.feed_history = config::ToDuration(config.feeds().history());
  return s;
}

SchedulingService::SchedulingService(SchedulingStore& store, const Clock& clock,
                                     const directory::DirectoryHolder& directory,
                                     SchoolCalendar calendar, Settings settings)
    : store_(store),
      clock_(clock),
      directory_(directory),
      calendar_(std::move(calendar)),
      settings_(std::move(settings)) {}

// --- availability -----------------------------------------------------------

void SchedulingService::WriteAvailability(const std::string& expert_id, int64_t version,
                                          std::function<void(v1::Availability&)> change,
                                          AvailabilityDone done) {
  const absl::Time now = clock_.Now();
  auto result = std::make_shared<v1::Availability>();
  store_.Write(
      [expert_id, version, now, change = std::move(change),
       result](SchedulingTransaction& txn) -> absl::Status {
        absl::StatusOr<v1::Availability> a = txn.Availability(expert_id);
        if (!a.ok()) return a.status();
        if (a->version() != version) {
          return absl::AbortedError(absl::StrCat("the availability of ", expert_id,
                                                 " is at version ", a->version(), ", not ", version,
                                                 ": read it again and retry"));
        }
        change(*a);
        a->set_version(a->version() + 1);
        *a->mutable_update_time() = ToTimestamp(now);
        if (absl::Status s = txn.SaveAvailability(*a); !s.ok()) return s;
        *result = std::move(*a);
        return absl::OkStatus();
      },
      [result, done = std::move(done)](absl::Status s) {
        if (!s.ok()) return done(s);
        done(std::move(*result));
      });
}

void SchedulingService::SetAvailability(const v1::SetAvailabilityRequest& call, const std::string&,
                                        AvailabilityDone done) {
  if (absl::Status s = ValidateSetAvailability(call, *directory_.Get()); !s.ok()) return done(s);
  WriteAvailability(
      call.expert_id(), call.version(),
      [weekly = call.weekly()](v1::Availability& a) { *a.mutable_weekly() = weekly; },
      std::move(done));
}

void SchedulingService::AddException(const v1::AddExceptionRequest& call, const std::string&,
                                     AvailabilityDone done) {
  if (absl::Status s = ValidateAddException(call, *directory_.Get()); !s.ok()) return done(s);
  v1::AvailabilityException e = call.exception();
  e.set_id(NewTimeOrderedUuid());
  WriteAvailability(
      call.expert_id(), call.version(), [e](v1::Availability& a) { *a.add_exceptions() = e; },
      std::move(done));
}

absl::StatusOr<v1::Availability> SchedulingService::GetAvailability(
    const v1::GetAvailabilityRequest& call) {
  if (absl::Status s = ValidateGetAvailability(call); !s.ok()) return s;
  return store_.GetAvailability(call.expert_id());
}

// --- the conflict rules -----------------------------------------------------

absl::Status SchedulingService::CheckPlace(const directory::Directory& dir, const v1::Visit& visit,
                                           absl::Time now) const {
  const Slot slot = SlotOf(visit);
  if (absl::Status s = CheckNotPast(slot, now); !s.ok()) return s;
  if (absl::Status s = CheckGroupAtLocation(dir, visit.location_id(), visit.group_id()); !s.ok()) {
    return s;
  }
  const cfg::Location* location = dir.FindLocation(visit.location_id());
  if (location == nullptr) {
    return Conflict(
        "UNKNOWN_LOCATION", absl::StrCat("locations/", visit.location_id()),
        absl::StrCat("location ", visit.location_id(), " is no longer in the directory"));
  }
  return CheckLocationOpen(*location, slot, calendar_.zone());
}

absl::Status SchedulingService::CheckDiary(SchedulingTransaction& txn, const v1::Visit& visit) {
  if (visit.expert_id().empty()) return absl::OkStatus();  // a meeting without the expert
  const Slot slot = SlotOf(visit);
  absl::StatusOr<v1::Availability> availability = txn.Availability(visit.expert_id());
  if (!availability.ok()) return availability.status();
  if (absl::Status s = CheckAvailable(*availability, slot, calendar_.zone()); !s.ok()) return s;
  absl::StatusOr<std::vector<v1::Visit>> others =
      txn.ExpertVisitsOverlapping(visit.expert_id(), slot.start, slot.end, visit.id());
  if (!others.ok()) return others.status();
  return CheckNotDoubleBooked(visit.expert_id(), *others, calendar_.zone());
}

// --- compliance -------------------------------------------------------------

Standing SchedulingService::StandingOf(const std::vector<v1::Visit>& visits,
                                       const std::string& school_year, cfg::SchoolRegion region,
                                       absl::Time now) const {
  Standing st;
  st.minimum = settings_.visit_minimum;
  for (const v1::Visit& v : visits) {
    switch (v.status()) {
      case v1::VISIT_STATUS_BOOKED:
        ++st.planned;
        break;
      case v1::VISIT_STATUS_HELD:
        ++st.held;
        break;
      case v1::VISIT_STATUS_CANCELLED:
        ++st.cancelled;
        break;
      case v1::VISIT_STATUS_NO_SHOW:
        ++st.no_show;
        break;
      default:
        break;
    }
  }
  const absl::CivilDay tomorrow = absl::ToCivilDay(now, calendar_.zone()) + 1;
  const absl::CivilDay from = std::max(tomorrow, calendar_.FirstDay(school_year));
  const absl::CivilDay end = calendar_.EndDay(school_year);
  st.plannable_days_left = from < end ? calendar_.PlannableDays(from, end, region) : 0;
  const bool lost_one = st.cancelled + st.no_show > 0;
  st.at_risk =
      !st.enough() && (st.plannable_days_left <= settings_.at_risk_look_ahead_days || lost_one);
  return st;
}

absl::StatusOr<Events> SchedulingService::EvaluateGroup(
    SchedulingTransaction& txn, const std::string& location_id, const std::string& group_id,
    const std::string& school_year, absl::Time now, const v1::Visit* changed, bool* at_risk) {
  absl::StatusOr<std::vector<v1::Visit>> visits =
      txn.GroupVisits(location_id, group_id, school_year, v1::VISIT_KIND_PREVENTIVE_GROUP_VISIT);
  if (!visits.ok()) return visits.status();
  if (changed != nullptr) {
    std::erase_if(*visits, [changed](const v1::Visit& v) { return v.id() == changed->id(); });
    if (IsPreventive(*changed) && changed->school_year() == school_year &&
        changed->location_id() == location_id && changed->group_id() == group_id) {
      visits->push_back(*changed);
    }
  }
  const std::shared_ptr<const directory::Directory> dir = directory_.Get();
  const cfg::Location* location = dir->FindLocation(location_id);
  const cfg::SchoolRegion region =
      location == nullptr ? cfg::SCHOOL_REGION_UNSPECIFIED : location->region();
  const Standing st = StandingOf(*visits, school_year, region, now);
  if (at_risk != nullptr) *at_risk = st.at_risk;
  absl::StatusOr<ComplianceState> state = txn.Compliance(location_id, group_id, school_year);
  if (!state.ok()) return state.status();
  const ComplianceState next =
      st.at_risk && *state == ComplianceState::kNone      ? ComplianceState::kAtRisk
      : st.enough() && *state == ComplianceState::kAtRisk ? ComplianceState::kRestored
                                                          : *state;
  if (next == *state) return Events{};
  if (absl::Status s = txn.SetCompliance(location_id, group_id, school_year, next, now); !s.ok()) {
    return s;
  }
  auto fill = [&](auto& e) {
    e.mutable_group()->set_location_id(location_id);
    e.mutable_group()->set_group_id(group_id);
    e.set_school_year(school_year);
    e.set_held(st.held);
    e.set_booked(st.planned);
    e.set_minimum(st.minimum);
  };
  if (next == ComplianceState::kAtRisk) {
    auto e = std::make_shared<v1::VisitMinimumAtRisk>();
    fill(*e);
    e->set_plannable_days_left(st.plannable_days_left);
    return Events{{kTopicMinimumAtRisk, std::move(e)}};
  }
  auto e = std::make_shared<v1::VisitMinimumRestored>();
  fill(*e);
  return Events{{kTopicMinimumRestored, std::move(e)}};
}

// --- visits -----------------------------------------------------------------

void SchedulingService::Plan(const v1::PlanVisitRequest& call, const std::string& trace_id,
                             Done done) {
  const std::shared_ptr<const directory::Directory> dir = directory_.Get();
  if (absl::Status s = ValidatePlan(call, *dir); !s.ok()) return done(s);
  const absl::Time now = clock_.Now();
  NewVisit n;
  n.content = ClientContent(call);
  v1::Visit& v = n.visit;
  v = call.visit();
  records::ClearOutputOnly(v);
  if (v.expert_id().empty()) {
    const cfg::Professional* paired = dir->PairedExpert(v.location_id());
    if (paired == nullptr) {
      return done(
          Conflict("NO_PAIRED_EXPERT", absl::StrCat("locations/", v.location_id()),
                   absl::StrCat("location ", v.location_id(),
                                " has no paired youth-care expert; name one in expert_id")));
    }
    v.set_expert_id(paired->id());
  }
  v.set_expert_organisation_id(dir->FindProfessional(v.expert_id())->organisation_id());
  v.set_id(NewTimeOrderedUuid());
  v.set_request_id(call.request_id());
  v.set_status(v1::VISIT_STATUS_BOOKED);
  v.set_school_year(calendar_.SchoolYearOf(FromTimestamp(v.start())));
  v.set_version(1);
  v.set_sequence(0);
  *v.mutable_create_time() = ToTimestamp(now);
  *v.mutable_update_time() = ToTimestamp(now);
  v.set_trace_id(trace_id);
  n.occurred_at = now;
  if (absl::Status s = CheckPlace(*dir, v, now); !s.ok()) return done(s);
  n.decide = [this, now](SchedulingTransaction& txn, v1::Visit& visit) -> absl::StatusOr<Events> {
    // Read in the write transaction: two bookings of one slot cannot both pass.
    if (absl::Status s = CheckDiary(txn, visit); !s.ok()) return s;
    Events events{Announce<v1::VisitPlanned>(kTopicVisitPlanned, visit)};
    if (IsPreventive(visit)) {
      absl::StatusOr<Events> more = EvaluateGroup(txn, visit.location_id(), visit.group_id(),
                                                  visit.school_year(), now, &visit);
      if (!more.ok()) return more.status();
      events.insert(events.end(), more->begin(), more->end());
    }
    return events;
  };
  store_.Create(std::move(n), std::move(done));
}

void SchedulingService::Transition(const std::string& id, int64_t version,
                                   const std::string& trace_id, Change change, Done done) {
  const absl::Time now = clock_.Now();
  store_.Update(
      id, version, now, trace_id,
      [this, now, change = std::move(change)](SchedulingTransaction& txn,
                                              v1::Visit& v) -> absl::StatusOr<Events> {
        const std::string year_before = v.school_year();
        absl::StatusOr<Events> events = change(txn, v, now);
        if (!events.ok() || !IsPreventive(v)) return events;
        for (const std::string& year : std::set<std::string>{year_before, v.school_year()}) {
          absl::StatusOr<Events> more =
              EvaluateGroup(txn, v.location_id(), v.group_id(), year, now, &v);
          if (!more.ok()) return more.status();
          events->insert(events->end(), more->begin(), more->end());
        }
        return events;
      },
      std::move(done));
}

void SchedulingService::Reschedule(const v1::RescheduleVisitRequest& call,
                                   const std::string& trace_id, Done done) {
  if (absl::Status s = ValidateReschedule(call); !s.ok()) return done(s);
  Transition(
      call.id(), call.version(), trace_id,
      [this, call](SchedulingTransaction& txn, v1::Visit& v,
                   absl::Time now) -> absl::StatusOr<Events> {
        if (v.status() != v1::VISIT_STATUS_BOOKED) {
          return StateConflict(v, "only a booked visit can be rescheduled");
        }
        auto e = std::make_shared<v1::VisitRescheduled>();
        *e->mutable_previous_start() = v.start();
        *e->mutable_previous_end() = v.end();
        *v.mutable_start() = call.start();
        *v.mutable_end() = call.end();
        v.set_school_year(calendar_.SchoolYearOf(FromTimestamp(v.start())));
        if (absl::Status s = CheckPlace(*directory_.Get(), v, now); !s.ok()) return s;
        if (absl::Status s = CheckDiary(txn, v); !s.ok()) return s;
        v.set_sequence(v.sequence() + 1);
        *e->mutable_visit() = Summary(v);
        return Events{{kTopicVisitRescheduled, std::move(e)}};
      },
      std::move(done));
}

void SchedulingService::Cancel(const v1::CancelVisitRequest& call, const std::string& trace_id,
                               Done done) {
  if (absl::Status s = ValidateCancel(call); !s.ok()) return done(s);
  Transition(
      call.id(), call.version(), trace_id,
      [reason = call.reason()](SchedulingTransaction&, v1::Visit& v,
                               absl::Time) -> absl::StatusOr<Events> {
        if (v.status() != v1::VISIT_STATUS_BOOKED && v.status() != v1::VISIT_STATUS_PROPOSED) {
          return StateConflict(v, "only a proposed or booked visit can be cancelled");
        }
        v.set_status(v1::VISIT_STATUS_CANCELLED);
        v.set_cancel_reason(reason);
        v.set_sequence(v.sequence() + 1);
        auto e = std::make_shared<v1::VisitCancelled>();
        *e->mutable_visit() = Summary(v);
        e->set_reason(reason);
        return Events{{kTopicVisitCancelled, std::move(e)}};
      },
      std::move(done));
}

void SchedulingService::RecordHeld(const v1::RecordVisitHeldRequest& call,
                                   const std::string& trace_id, Done done) {
  const std::shared_ptr<const directory::Directory> dir = directory_.Get();
  if (absl::Status s = ValidateHeld(call, *dir); !s.ok()) return done(s);
  Transition(
      call.id(), call.version(), trace_id,
      [report = call.report()](SchedulingTransaction& txn, v1::Visit& v,
                               absl::Time now) -> absl::StatusOr<Events> {
        if (v.status() != v1::VISIT_STATUS_BOOKED) {
          return StateConflict(v, "only a booked visit can be recorded as held");
        }
        if (FromTimestamp(v.start()) > now) {
          return Conflict("NOT_YET_STARTED", absl::StrCat("visits/", v.id()),
                          absl::StrCat("visit ", v.id(), " starts at ",
                                       absl::FormatTime(FromTimestamp(v.start())),
                                       "; record it once it took place"));
        }
        if (v.kind() == v1::VISIT_KIND_COACHING && report.competencies_coached().empty()) {
          return InvalidField("report.competencies_coached",
                              "a coaching visit's report names at least one competency coached");
        }
        // A child is named in a report only under an active group_discussion
        // consent for the expert's organisation, as the projection knows it now.
        for (const v1::ChildMention& c : report.children()) {
          absl::StatusOr<olifantenpad::consent::v1::Decision> d =
              txn.PermitsGroupDiscussion(c.child().child_ref(), v.expert_organisation_id(), now);
          if (!d.ok()) return d.status();
          if (!d->permitted()) {
            return Conflict(
                "NO_CONSENT", absl::StrCat("children/", c.child().child_ref()),
                absl::StrCat("no active group_discussion consent for child ", c.child().child_ref(),
                             " with ", v.expert_organisation_id(),
                             "; leave the child out of the report"));
          }
        }
        *v.mutable_report() = report;
        if (report.staff_reached().empty()) {
          for (const v1::Participant& p : v.participants()) {
            if (!p.professional_id().empty())
              v.mutable_report()->add_staff_reached(p.professional_id());
          }
        }
        v.set_status(v1::VISIT_STATUS_HELD);
        v.set_sequence(v.sequence() + 1);
        auto e = std::make_shared<v1::VisitHeld>();
        *e->mutable_visit() = Summary(v);
        *e->mutable_competencies() = report.competencies_coached();
        e->set_follow_up_date(report.follow_up_date());
        return Events{{kTopicVisitHeld, std::move(e)}};
      },
      std::move(done));
}

void SchedulingService::RecordNoShow(const v1::RecordNoShowRequest& call,
                                     const std::string& trace_id, Done done) {
  if (absl::Status s = ValidateNoShow(call); !s.ok()) return done(s);
  Transition(
      call.id(), call.version(), trace_id,
      [](SchedulingTransaction&, v1::Visit& v, absl::Time now) -> absl::StatusOr<Events> {
        if (v.status() != v1::VISIT_STATUS_BOOKED) {
          return StateConflict(v, "only a booked visit can be recorded as not taken place");
        }
        if (FromTimestamp(v.start()) > now) {
          return Conflict("NOT_YET_STARTED", absl::StrCat("visits/", v.id()),
                          absl::StrCat("visit ", v.id(), " has not started yet"));
        }
        v.set_status(v1::VISIT_STATUS_NO_SHOW);
        v.set_sequence(v.sequence() + 1);
        return Events{Announce<v1::VisitNoShow>(kTopicVisitNoShow, v)};
      },
      std::move(done));
}

void SchedulingService::ConfirmMeeting(const v1::ConfirmMeetingRequest& call,
                                       const std::string& trace_id, Done done) {
  if (absl::Status s = ValidateConfirm(call, *directory_.Get()); !s.ok()) return done(s);
  Transition(
      call.id(), call.version(), trace_id,
      [this, call](SchedulingTransaction& txn, v1::Visit& v,
                   absl::Time now) -> absl::StatusOr<Events> {
        if (v.kind() != v1::VISIT_KIND_WARM_HANDOVER_MEETING ||
            v.status() != v1::VISIT_STATUS_PROPOSED) {
          return StateConflict(v, "only a proposed warm-handover meeting can be confirmed");
        }
        const Slot slot{FromTimestamp(call.start()), FromTimestamp(call.end())};
        if (slot.start < FromTimestamp(v.window_start()) ||
            slot.end > FromTimestamp(v.window_end())) {
          return Conflict("OUTSIDE_WINDOW", absl::StrCat("visits/", v.id()),
                          absl::StrCat("the meeting must lie between ",
                                       absl::FormatTime(FromTimestamp(v.window_start())), " and ",
                                       absl::FormatTime(FromTimestamp(v.window_end())),
                                       " (before the child's first school day)"));
        }
        *v.mutable_start() = call.start();
        *v.mutable_end() = call.end();
        *v.mutable_participants() = call.participants();
        v.set_school_year(calendar_.SchoolYearOf(slot.start));
        if (absl::Status s = CheckPlace(*directory_.Get(), v, now); !s.ok()) return s;
        if (absl::Status s = CheckDiary(txn, v); !s.ok()) return s;
        v.set_status(v1::VISIT_STATUS_BOOKED);
        return Events{Announce<v1::VisitPlanned>(kTopicVisitPlanned, v)};
      },
      std::move(done));
}

absl::StatusOr<v1::Visit> SchedulingService::Get(const v1::GetVisitRequest& call) {
  if (absl::Status s = ValidateGet(call); !s.ok()) return s;
  return store_.Get(call.id());
}

absl::StatusOr<v1::ListVisitsResponse> SchedulingService::List(const v1::ListVisitsRequest& call) {
  if (absl::Status s = ValidateList(call); !s.ok()) return s;
  const std::string year = calendar_.SchoolYearOf(clock_.Now());
  VisitQuery q;
  q.expert_id = call.expert_id();
  q.location_id = call.location_id();
  q.status = call.status();
  q.from = call.has_from() ? FromTimestamp(call.from())
                           : absl::FromCivil(calendar_.FirstDay(year), calendar_.zone());
  q.to = call.has_to() ? FromTimestamp(call.to())
                       : absl::FromCivil(calendar_.EndDay(year), calendar_.zone());
  q.include_proposed = true;
  absl::StatusOr<std::vector<v1::Visit>> visits = store_.List(q);
  if (!visits.ok()) return visits.status();
  v1::ListVisitsResponse out;
  // Proposed meetings (no time yet) last.
  std::stable_partition(visits->begin(), visits->end(),
                        [](const v1::Visit& v) { return v.has_start(); });
  for (v1::Visit& v : *visits) *out.add_visits() = std::move(v);
  return out;
}

absl::StatusOr<v1::GetComplianceResponse> SchedulingService::Compliance(
    const v1::GetComplianceRequest& call) {
  const std::shared_ptr<const directory::Directory> dir = directory_.Get();
  if (absl::Status s = ValidateCompliance(call, *dir); !s.ok()) return s;
  const absl::Time now = clock_.Now();
  const std::string year =
      call.school_year().empty() ? calendar_.SchoolYearOf(now) : call.school_year();
  v1::GetComplianceResponse out;
  out.set_school_year(year);
  for (const cfg::Location& location : dir->proto().locations()) {
    if (!call.location_id().empty() && location.id() != call.location_id()) continue;
    if (!call.organisation_id().empty() && location.organisation_id() != call.organisation_id()) {
      continue;
    }
    VisitQuery q;
    q.location_id = location.id();
    q.school_year = year;
    absl::StatusOr<std::vector<v1::Visit>> visits = store_.List(q);
    if (!visits.ok()) return visits.status();
    std::map<std::string, std::vector<v1::Visit>> per_group;
    for (v1::Visit& v : *visits) {
      if (IsPreventive(v)) per_group[v.group_id()].push_back(std::move(v));
    }
    for (const cfg::Group& group : location.groups()) {
      if (!call.group_id().empty() && group.id() != call.group_id()) continue;
      const Standing st = StandingOf(per_group[group.id()], year, location.region(), now);
      v1::GroupCompliance* g = out.add_groups();
      g->mutable_group()->set_location_id(location.id());
      g->mutable_group()->set_group_id(group.id());
      g->set_planned(st.planned);
      g->set_held(st.held);
      g->set_cancelled(st.cancelled);
      g->set_no_show(st.no_show);
      g->set_minimum(st.minimum);
      g->set_at_risk(st.at_risk);
      g->set_plannable_days_left(st.plannable_days_left);
      if (st.held >= st.minimum) out.set_groups_meeting_minimum(out.groups_meeting_minimum() + 1);
      if (st.at_risk) out.set_groups_at_risk(out.groups_at_risk() + 1);
    }
  }
  return out;
}

absl::StatusOr<v1::GetCoachingSummaryResponse> SchedulingService::CoachingSummary(
    const v1::GetCoachingSummaryRequest& call) {
  if (absl::Status s = ValidateCoaching(call, *directory_.Get()); !s.ok()) return s;
  const std::string year =
      call.school_year().empty() ? calendar_.SchoolYearOf(clock_.Now()) : call.school_year();
  VisitQuery q;
  q.location_id = call.location_id();
  q.school_year = year;
  q.status = v1::VISIT_STATUS_HELD;
  absl::StatusOr<std::vector<v1::Visit>> visits = store_.List(q);
  if (!visits.ok()) return visits.status();
  std::map<int, std::pair<int64_t, int64_t>> per;  // competency -> sessions, minutes
  std::set<std::string> staff;
  int64_t sessions = 0;
  for (const v1::Visit& v : *visits) {
    if (v.report().competencies_coached().empty()) continue;
    ++sessions;
    const int64_t minutes = absl::ToInt64Minutes(FromTimestamp(v.end()) - FromTimestamp(v.start()));
    for (int c : v.report().competencies_coached()) {
      ++per[c].first;
      per[c].second += minutes;
    }
    staff.insert(v.report().staff_reached().begin(), v.report().staff_reached().end());
  }
  const int suppress = settings_.suppress_below;
  v1::GetCoachingSummaryResponse out;
  out.set_school_year(year);
  out.set_location_id(call.location_id());
  for (int c = v1::COMPETENCY_CHILD_DEVELOPMENT; c <= v1::COMPETENCY_PARENTS_OF_NOTABLE_BEHAVIOUR;
       ++c) {
    v1::CompetencyCoaching* cc = out.add_competencies();
    cc->set_competency(static_cast<v1::Competency>(c));
    const auto [n, minutes] = per[c];
    cc->set_sessions(Shown(n, suppress));
    cc->set_minutes(n > 0 && n < suppress ? absl::StrCat("<", suppress, " sessions")
                                          : absl::StrCat(minutes));
  }
  out.set_sessions(Shown(sessions, suppress));
  out.set_staff_reached(Shown(static_cast<int64_t>(staff.size()), suppress));
  return out;
}

// --- feeds ------------------------------------------------------------------

void SchedulingService::IssueFeedToken(const v1::IssueFeedTokenRequest& call, const std::string&,
                                       TokenDone done) {
  if (absl::Status s = ValidateIssueFeed(call, *directory_.Get()); !s.ok()) return done(s);
  FeedRef feed;
  feed.kind = call.expert_id().empty() ? FeedRef::Kind::kLocation : FeedRef::Kind::kExpert;
  feed.subject_id = call.expert_id().empty() ? call.location_id() : call.expert_id();
  const std::string token = NewSecretToken();
  const absl::Time now = clock_.Now();
  store_.Write([feed, hash = records::ContentFingerprint(token),
                now](SchedulingTransaction& txn) { return txn.SaveFeedToken(feed, hash, now); },
               [token, done = std::move(done)](absl::Status s) {
                 if (!s.ok()) return done(s);
                 v1::IssueFeedTokenResponse response;
                 response.set_token(token);
                 response.set_path(absl::StrCat("/calendar/", token, ".ics"));
                 done(std::move(response));
               });
}

absl::StatusOr<std::string> SchedulingService::RenderFeed(const std::string& token) {
  absl::StatusOr<std::optional<FeedRef>> feed = store_.FeedFor(records::ContentFingerprint(token));
  if (!feed.ok()) return feed.status();
  if (!feed->has_value()) return absl::NotFoundError("unknown feed");
  const std::shared_ptr<const directory::Directory> dir = directory_.Get();
  VisitQuery q;
  CalendarInfo info;
  if ((*feed)->kind == FeedRef::Kind::kExpert) {
    q.expert_id = (*feed)->subject_id;
    const cfg::Professional* p = dir->FindProfessional(q.expert_id);
    info.title =
        absl::StrCat(settings_.calendar_name, " – ", p == nullptr ? q.expert_id : p->name());
  } else {
    q.location_id = (*feed)->subject_id;
    const cfg::Location* l = dir->FindLocation(q.location_id);
    info.title =
        absl::StrCat(settings_.calendar_name, " – ", l == nullptr ? q.location_id : l->name());
  }
  q.from = clock_.Now() - settings_.feed_history;
  absl::StatusOr<std::vector<v1::Visit>> visits = store_.List(q);
  if (!visits.ok()) return visits.status();
  info.product = settings_.calendar_name;
  info.zone_name = settings_.time_zone;
  info.zone = calendar_.zone();
  info.refresh = settings_.refresh_interval;
  return RenderCalendar(info, *visits, *dir);
}

// --- events from other services ----------------------------------------------

absl::Status SchedulingService::ApplyConsentEvent(
    SchedulingTransaction& txn, const olifantenpad::common::v1::EventEnvelope& event) {
  return txn.ApplyConsentEvent(event);
}

absl::Status SchedulingService::ApplyHandoverEvent(
    SchedulingTransaction& txn, const olifantenpad::common::v1::EventEnvelope& event) {
  if (event.topic() != handover::kTopicWarmHandoverRequested) return absl::OkStatus();
  absl::StatusOr<hv1::WarmHandoverRequested> request =
      bus::Unpack<hv1::WarmHandoverRequested>(event);
  absl::CivilDay school_start;
  if (!request.ok() || request->handover_id().empty() ||
      !absl::ParseCivilTime(request->expected_start_date(), &school_start)) {
    // It can never be applied; stopping the consumer for it would hold up
    // every later request. Logged for the operator with the event's id.
    log::Error("warm-handover request refused: no handover id or start date",
               {{"event_id", event.event_id()}});
    return absl::OkStatus();
  }
  absl::StatusOr<std::optional<v1::Visit>> existing = txn.MeetingFor(request->handover_id());
  if (!existing.ok()) return existing.status();
  if (existing->has_value()) return absl::OkStatus();  // asked before
  const absl::Time now = clock_.Now();
  const absl::Time window_end = absl::FromCivil(school_start, calendar_.zone());
  v1::Visit m;
  m.set_id(NewTimeOrderedUuid());
  m.set_kind(v1::VISIT_KIND_WARM_HANDOVER_MEETING);
  m.set_status(v1::VISIT_STATUS_PROPOSED);
  m.set_location_id(request->location_id());
  m.set_group_id(request->group_id());
  m.set_handover_id(request->handover_id());
  *m.mutable_child() = request->child();
  *m.mutable_window_start() = ToTimestamp(std::max(now, window_end - settings_.meeting_window));
  *m.mutable_window_end() = ToTimestamp(window_end);
  m.set_school_year(calendar_.SchoolYearOf(FromTimestamp(m.window_start())));
  m.set_version(1);
  *m.mutable_create_time() = ToTimestamp(now);
  *m.mutable_update_time() = ToTimestamp(now);
  m.set_trace_id(event.trace_id());
  auto e = std::make_shared<v1::MeetingProposed>();
  *e->mutable_visit() = Summary(m);
  *e->mutable_window_start() = m.window_start();
  *e->mutable_window_end() = m.window_end();
  return txn.Insert(m, "", {{kTopicMeetingProposed, std::move(e)}}, now);
}

absl::StatusOr<int> SchedulingService::RunDueJobs() {
  const absl::Time now = clock_.Now();
  const std::string year = calendar_.SchoolYearOf(now);
  const std::shared_ptr<const directory::Directory> dir = directory_.Get();
  int announced = 0;
  std::map<std::string, std::pair<const cfg::Location*, const cfg::Group*>> at_risk;
  absl::Status s = store_.RunTransaction([&](SchedulingTransaction& txn) -> absl::Status {
    at_risk.clear();  // a transaction run again starts over
    for (const cfg::Location& location : dir->proto().locations()) {
      for (const cfg::Group& group : location.groups()) {
        bool risk = false;
        absl::StatusOr<Events> events =
            EvaluateGroup(txn, location.id(), group.id(), year, now, nullptr, &risk);
        if (!events.ok()) return events.status();
        if (risk) {
          at_risk[absl::StrCat("groups/", location.id(), "/", group.id(), "/", year)] = {&location,
                                                                                         &group};
        }
        if (events->empty()) continue;
        if (absl::Status p = txn.Publish(*events, NewUuid(), now); !p.ok()) return p;
        announced += static_cast<int>(events->size());
      }
    }
    return absl::OkStatus();
  });
  if (!s.ok()) return s;
  olif::MutexLock lock(&mu_);
  std::map<std::string, olifantenpad::admin::v1::Attention> next;
  for (const auto& [subject, where] : at_risk) {
    auto it = at_risk_.find(subject);
    if (it != at_risk_.end()) {
      next[subject] = it->second;
      continue;
    }
    olifantenpad::admin::v1::Attention& a = next[subject];
    a.set_kind("visit_minimum_at_risk");
    a.set_subject(subject);
    a.set_detail(absl::StrCat("group ", where.second->name(), " at ", where.first->name(),
                              " may not get its minimum of preventive visits in ", year));
    *a.mutable_since() = ToTimestamp(now);
  }
  at_risk_ = std::move(next);
  return announced;
}

std::vector<olifantenpad::admin::v1::Attention> SchedulingService::AtRisk() const {
  olif::MutexLock lock(&mu_);
  std::vector<olifantenpad::admin::v1::Attention> out;
  for (const auto& [subject, a] : at_risk_) out.push_back(a);
  return out;
}

}  // namespace olif::scheduling
