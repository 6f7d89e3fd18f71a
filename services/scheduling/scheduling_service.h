#pragma once

// The scheduling service's logic: availability, the visits' lifecycle with
// the conflict rules (visit_rules.h) and optimistic concurrency, compliance
// per group and school year with its announcements, coaching summaries,
// warm-handover meetings from the handover service's requests, and calendar
// feeds behind secret tokens. It knows nothing of gRPC (scheduling_grpc.h),
// SQL (the SchedulingStore's) or config files (main.cc).
//
// Compliance: a group is at risk in a school year when its preventive visits
// held plus booked fall below the minimum and either the plannable days left
// (weekdays outside the region's school holidays) are within the look-ahead,
// or one of its preventive visits was cancelled or missed. VisitMinimumAtRisk
// is announced once per group and school year, VisitMinimumRestored once when
// held plus booked reach the minimum again.
//
// Thread-safe; `store`, `clock` and `directory` must outlive the service.

#include <functional>
#include <map>
#include <string>
#include <vector>

#include "olifantenpad/admin/v1/admin.pb.h"
#include "olifantenpad/config/v1/scheduling.pb.h"
#include "olifantenpad/scheduling/v1/scheduling.pb.h"
#include "services/common/clock/clock.h"
#include "services/common/directory/directory.h"
#include "services/common/sync/mutex.h"
#include "services/scheduling/scheduling_store.h"
#include "services/scheduling/school_calendar.h"

namespace olif::scheduling {

// Each default lives here, once; SettingsFromConfig reads the config over it.
struct Settings {
  std::string time_zone = "Europe/Amsterdam";
  std::string school_year_start = "08-01";
  int visit_minimum = 2;
  int at_risk_look_ahead_days = 40;  // plannable days, about eight school weeks
  absl::Duration meeting_window = absl::Hours(24 * 7 * 8);
  absl::Duration job_interval = absl::Hours(1);
  int suppress_below = 5;
  // Feeds: how often clients should poll, what they are called, how far
  // back they reach.
  absl::Duration refresh_interval = absl::Hours(1);
  std::string calendar_name = "Olifantenpad";
  absl::Duration feed_history = absl::Hours(24 * 180);
};

// The settings in `config`, with the defaults above for what it leaves out.
Settings SettingsFromConfig(const olifantenpad::config::v1::SchedulingConfig& config);

// What a group's preventive visits in a school year come to.
struct Standing {
  int planned = 0;
  int held = 0;
  int cancelled = 0;
  int no_show = 0;
  int minimum = 0;
  int plannable_days_left = 0;
  bool at_risk = false;
  bool enough() const { return held + planned >= minimum; }
};

class SchedulingService {
 public:
  SchedulingService(SchedulingStore& store, const Clock& clock,
                    const directory::DirectoryHolder& directory, SchoolCalendar calendar,
                    Settings settings);

  // Writes never block: `done` runs when the change is durable (or refused),
  // on a thread of the store's.
  using Done = std::function<void(absl::StatusOr<v1::Visit>)>;
  using AvailabilityDone = std::function<void(absl::StatusOr<v1::Availability>)>;
  using TokenDone = std::function<void(absl::StatusOr<v1::IssueFeedTokenResponse>)>;

  void SetAvailability(const v1::SetAvailabilityRequest& call, const std::string& trace_id,
                       AvailabilityDone done);
  void AddException(const v1::AddExceptionRequest& call, const std::string& trace_id,
                    AvailabilityDone done);
  absl::StatusOr<v1::Availability> GetAvailability(const v1::GetAvailabilityRequest& call);

  void Plan(const v1::PlanVisitRequest& call, const std::string& trace_id, Done done);
  void Reschedule(const v1::RescheduleVisitRequest& call, const std::string& trace_id, Done done);
  void Cancel(const v1::CancelVisitRequest& call, const std::string& trace_id, Done done);
  void RecordHeld(const v1::RecordVisitHeldRequest& call, const std::string& trace_id, Done done);
  void RecordNoShow(const v1::RecordNoShowRequest& call, const std::string& trace_id, Done done);
  void ConfirmMeeting(const v1::ConfirmMeetingRequest& call, const std::string& trace_id,
                      Done done);

  absl::StatusOr<v1::Visit> Get(const v1::GetVisitRequest& call);
  absl::StatusOr<v1::ListVisitsResponse> List(const v1::ListVisitsRequest& call);
  absl::StatusOr<v1::GetComplianceResponse> Compliance(const v1::GetComplianceRequest& call);
  absl::StatusOr<v1::GetCoachingSummaryResponse> CoachingSummary(
      const v1::GetCoachingSummaryRequest& call);

  void IssueFeedToken(const v1::IssueFeedTokenRequest& call, const std::string& trace_id,
                      TokenDone done);
  // The iCalendar text of the feed `token` opens; NOT_FOUND ("unknown feed")
  // for a token that is not the feed's current one, whatever the reason.
  absl::StatusOr<std::string> RenderFeed(const std::string& token);

  // A consent event, inside the consumer's transaction: the consent
  // projection reports are checked against.
  absl::Status ApplyConsentEvent(SchedulingTransaction& txn,
                                 const olifantenpad::common::v1::EventEnvelope& event);
  // A handover event, inside the consumer's transaction: a warm-handover
  // request becomes a proposed meeting (once per handover).
  absl::Status ApplyHandoverEvent(SchedulingTransaction& txn,
                                  const olifantenpad::common::v1::EventEnvelope& event);

  // The periodic job: evaluates every group of the directory for the current
  // school year and announces what changed. Blocks until durable; returns
  // the number of announcements.
  absl::StatusOr<int> RunDueJobs();
  // The groups the last RunDueJobs found at risk of missing the visit
  // minimum this school year, as the admin status's `attention` items
  // ("visit_minimum_at_risk", "groups/<location>/<group>/<school year>"),
  // each since the run that first found it.
  std::vector<olifantenpad::admin::v1::Attention> AtRisk() const;

  const SchoolCalendar& calendar() const { return calendar_; }

 private:
  using Change =
      std::function<absl::StatusOr<Events>(SchedulingTransaction&, v1::Visit&, absl::Time now)>;
  // Applies `change` to visit `id` through the store, then re-evaluates the
  // group's compliance when a preventive visit changed.
  void Transition(const std::string& id, int64_t version, const std::string& trace_id,
                  Change change, Done done);
  // The conflict rules that read stored state (availability, other visits).
  absl::Status CheckDiary(SchedulingTransaction& txn, const v1::Visit& visit);
  // The rules that read only the directory and the clock.
  absl::Status CheckPlace(const directory::Directory& dir, const v1::Visit& visit,
                          absl::Time now) const;
  // Re-evaluates the group of `changed` (as it now is, not yet stored) in
  // `school_year` and returns the announcements due.
  absl::StatusOr<Events> EvaluateGroup(SchedulingTransaction& txn, const std::string& location_id,
                                       const std::string& group_id, const std::string& school_year,
                                       absl::Time now, const v1::Visit* changed,
                                       bool* at_risk = nullptr);
  Standing StandingOf(const std::vector<v1::Visit>& visits, const std::string& school_year,
                      olifantenpad::config::v1::SchoolRegion region, absl::Time now) const;
  void WriteAvailability(const std::string& expert_id, int64_t version,
                         std::function<void(v1::Availability&)> change, AvailabilityDone done);

  SchedulingStore& store_;
  const Clock& clock_;
  const directory::DirectoryHolder& directory_;
  const SchoolCalendar calendar_;
  const Settings settings_;
  mutable olif::Mutex mu_;
  // The subject of each group at risk at the last run → the attention item.
  std::map<std::string, olifantenpad::admin::v1::Attention> at_risk_ ABSL_GUARDED_BY(mu_);
};

}  // namespace olif::scheduling
