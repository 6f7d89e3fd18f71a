#include "services/console/console_data.h"

#include <algorithm>
#include <map>

#include "absl/strings/numbers.h"
#include "absl/strings/str_cat.h"
#include "olifantenpad/admin/v1/adapter.grpc.pb.h"
#include "olifantenpad/admin/v1/admin.grpc.pb.h"
#include "olifantenpad/consent/v1/consent.grpc.pb.h"
#include "olifantenpad/handover/v1/handover.grpc.pb.h"
#include "olifantenpad/scheduling/v1/scheduling.grpc.pb.h"
#include "services/common/clock/timestamp.h"
#include "services/common/status/status.h"
#include "services/console/masking.h"

namespace olif::console {
namespace {

namespace admin = olifantenpad::admin::v1;
namespace consent = olifantenpad::consent::v1;
namespace handover = olifantenpad::handover::v1;
namespace scheduling = olifantenpad::scheduling::v1;
using nlohmann::json;

constexpr int kMinutes = 60;  // the overview's window, a bucket a minute

absl::Status Refused(const ctl::HubProcess& p, const grpc::Status& s) {
  absl::Status status = FromGrpcStatus(s);
  return absl::Status(status.code(), absl::StrCat(p.name, ": ", status.message()));
}

json FailuresJson(const std::vector<std::pair<const ctl::HubProcess*, grpc::Status>>& failures) {
  json out = json::array();
  for (const auto& [p, s] : failures)
    out.push_back({{"process", p->name}, {"error", ctl::Describe(s)}});
  return out;
}

// One row of the overview: an adapter's destination (or inbound source).
struct Flow {
  int64_t received = 0, delivered = 0, failed = 0, queued = 0, dead = 0;
  std::vector<int64_t> received_series = std::vector<int64_t>(kMinutes);
  std::vector<int64_t> delivered_series = std::vector<int64_t>(kMinutes);
  std::vector<int64_t> failed_series = std::vector<int64_t>(kMinutes);
};

// Adds one count of the history to its flow.
void Count(Flow& f, const admin::HistoryCount& c) {
  const int b = std::clamp(c.bucket(), 0, kMinutes - 1);
  if (c.direction() == "in") {
    f.received += c.count();
    f.received_series[b] += c.count();
  } else if (c.outcome() == "delivered") {
    f.delivered += c.count();
    f.delivered_series[b] += c.count();
  } else if (c.outcome() == "failed" || c.outcome() == "dead_lettered") {
    f.failed += c.count();
    f.failed_series[b] += c.count();
  }
}

// Puts the time range and limit of a search into `request` (a
// SearchHistoryRequest or SearchAuditRequest): `since` (a duration back from
// now, e.g. 1h) or `from`/`to` (RFC 3339), and `limit` (1 to 1000; 100 when
// absent). INVALID_ARGUMENT names the parameter.
template <typename Request>
absl::Status RangeAndLimit(const Params& params, absl::Time now, Request* request) {
  if (std::string since = Param(params, "since"); !since.empty()) {
    absl::Duration d;
    if (!absl::ParseDuration(since, &d) || d <= absl::ZeroDuration()) {
      return absl::InvalidArgumentError(
          absl::StrCat("since: must be a duration such as 1h or 30m, got \"", since, "\""));
    }
    *request->mutable_from() = ToTimestamp(now - d);
  }
  for (const char* name : {"from", "to"}) {
    const std::string text = Param(params, name);
    if (text.empty()) continue;  // unset: a Timestamp asked for is set, to 1970
    absl::Time t;
    std::string error;
    if (!absl::ParseTime(absl::RFC3339_full, text, &t, &error)) {
      return absl::InvalidArgumentError(
          absl::StrCat(name, ": must be a time such as 2026-12-06T10:00:00Z, got \"", text, "\""));
    }
    *(name[0] == 'f' ? request->mutable_from() : request->mutable_to()) = ToTimestamp(t);
  }
  const std::string limit_text = Param(params, "limit");
  int32_t limit = 100;
  if (!limit_text.empty() && (!absl::SimpleAtoi(limit_text, &limit) || limit < 1 || limit > 1000)) {
    return absl::InvalidArgumentError(
        absl::StrCat("limit: must be a number from 1 to 1000, got \"", limit_text, "\""));
  }
  request->set_limit(limit);
  return absl::OkStatus();
}

// A payload as shown: masked unless revealed.
json Payload(const std::string& payload, bool reveal) {
  if (reveal) return {{"text", payload}, {"masked", 0}, {"revealed", true}};
  Masked m = MaskPayload(payload);
  return {{"text", m.text}, {"masked", m.masked}, {"json", m.json}, {"revealed", false}};
}

json DeliveryJson(const std::string& process, const admin::Delivery& d, bool reveal) {
  json j = ctl::ToJson(d);
  j["process"] = process;
  j["payload"] = Payload(d.payload(), reveal);
  return j;
}

json HistoryJson(const std::string& process, const admin::HistoryEntry& e, bool reveal) {
  json j = ctl::ToJson(e);
  j["process"] = process;
  j["sent"] = Payload(e.sent(), reveal);
  j["response"] = Payload(e.response(), reveal);
  return j;
}

}  // namespace

std::string Param(const Params& params, const std::string& name) {
  auto it = params.find(name);
  return it == params.end() ? "" : it->second;
}

int HttpStatusFor(const absl::Status& status) {
  switch (status.code()) {
    case absl::StatusCode::kOk:
      return 200;
    case absl::StatusCode::kInvalidArgument:
    case absl::StatusCode::kOutOfRange:
      return 400;
    case absl::StatusCode::kUnauthenticated:
      return 401;
    case absl::StatusCode::kPermissionDenied:
      return 403;
    case absl::StatusCode::kNotFound:
      return 404;
    case absl::StatusCode::kFailedPrecondition:
    case absl::StatusCode::kAlreadyExists:
    case absl::StatusCode::kAborted:
      return 409;
    case absl::StatusCode::kUnavailable:
    case absl::StatusCode::kDeadlineExceeded:
    case absl::StatusCode::kUnimplemented:
      return 503;
    default:
      return 500;
  }
}

json ConsoleData::Overview() const {
  const absl::Time now = clock_.Now();
  const absl::Time from = now - absl::Minutes(kMinutes);
  json processes = json::array();
  json flows = json::array();
  for (const ctl::HubProcess& p : hub_.processes()) {
    const ctl::ProcessState st = hub_.Probe(p, timeout_);
    json attention = json::array();
    for (const admin::Attention& a : st.status.attention()) attention.push_back(ctl::ToJson(a));
    processes.push_back({{"name", p.name},
                         {"adapter", p.adapter},
                         {"health", st.health},
                         {"error", st.error},
                         {"version", st.status.version()},
                         {"uptime_seconds", st.status.uptime().seconds()},
                         {"attention", attention}});
    if (!p.adapter || !st.error.empty()) continue;
    std::map<std::string, Flow> rows;
    for (const admin::QueueDepth& q : st.queues.queues()) {
      rows[q.destination()].queued = q.pending();
      rows[q.destination()].dead = q.dead();
    }
    admin::CountHistoryRequest req;
    *req.mutable_from() = ToTimestamp(from);
    *req.mutable_to() = ToTimestamp(now);
    req.mutable_bucket()->set_seconds(60);
    admin::CountHistoryResponse res;
    grpc::ClientContext ctx;
    ctx.set_deadline(ctl::Deadline(timeout_));
    grpc::Status s =
        admin::AdapterAdminService::NewStub(hub_.Channel(p))->CountHistory(&ctx, req, &res);
    if (!s.ok()) processes.back()["error"] = ctl::Describe(s);
    for (const admin::HistoryCount& c : res.counts()) Count(rows[c.destination()], c);
    for (const auto& [destination, f] : rows) {
      flows.push_back({{"process", p.name},
                       {"destination", destination},
                       {"received", f.received},
                       {"delivered", f.delivered},
                       {"failed", f.failed},
                       {"queued", f.queued},
                       {"dead", f.dead},
                       {"series",
                        {{"received", f.received_series},
                         {"delivered", f.delivered_series},
                         {"failed", f.failed_series}}}});
    }
  }
  json out = {{"at", absl::FormatTime(absl::RFC3339_sec, now, absl::UTCTimeZone())},
              {"from", absl::FormatTime(absl::RFC3339_sec, from, absl::UTCTimeZone())},
              {"window_minutes", kMinutes},
              {"processes", processes},
              {"flows", flows},
              {"alerts", json::array()}};
  if (absl::StatusOr<const ctl::HubProcess*> alerts = hub_.Find("alerts"); alerts.ok()) {
    admin::ListAlertsResponse res;
    grpc::ClientContext ctx;
    ctx.set_deadline(ctl::Deadline(timeout_));
    grpc::Status s = admin::AlertService::NewStub(hub_.Channel(**alerts))
                         ->ListAlerts(&ctx, admin::ListAlertsRequest(), &res);
    if (!s.ok()) out["alerts_error"] = ctl::Describe(s);
    for (const admin::Alert& a : res.alerts()) {
      if (a.state() == "firing") out["alerts"].push_back(ctl::ToJson(a));
    }
  }
  return out;
}

absl::StatusOr<json> ConsoleData::DeadLetters(const Params& params) const {
  auto adapters = hub_.Adapters(Param(params, "process"));
  if (!adapters.ok()) return adapters.status();
  admin::ListDeadLettersRequest req;
  req.set_destination(Param(params, "destination"));
  req.set_limit(1000);
  const auto gathered = ctl::ListDeadLetters(hub_, *adapters, req, timeout_);
  json items = json::array();
  for (const auto& [process, d] : gathered.items) items.push_back(DeliveryJson(process, d, false));
  return json{{"items", items}, {"failures", FailuresJson(gathered.failures)}};
}

absl::StatusOr<json> ConsoleData::History(const Params& params) const {
  auto adapters = hub_.Adapters(Param(params, "process"));
  if (!adapters.ok()) return adapters.status();
  admin::SearchHistoryRequest req;
  req.set_destination(Param(params, "destination"));
  req.set_key(Param(params, "key"));
  req.set_event_id(Param(params, "event"));
  req.set_outcome(Param(params, "outcome"));
  req.set_direction(Param(params, "direction"));
  if (absl::Status s = RangeAndLimit(params, clock_.Now(), &req); !s.ok()) return s;
  const auto gathered = ctl::SearchHistory(hub_, *adapters, req, timeout_);
  if (gathered.failures.size() == adapters->size() && !adapters->empty()) {
    return Refused(*gathered.failures.front().first, gathered.failures.front().second);
  }
  json items = json::array();
  for (const auto& [process, e] : gathered.items) items.push_back(HistoryJson(process, e, false));
  return json{{"items", items}, {"failures", FailuresJson(gathered.failures)}};
}

absl::StatusOr<json> ConsoleData::Message(const std::string& process, const std::string& kind,
                                          int64_t id, bool reveal) const {
  auto adapters = hub_.Adapters(process);
  if (!adapters.ok()) return adapters.status();
  if (process.empty()) return absl::InvalidArgumentError("process: required");
  if (id <= 0) return absl::InvalidArgumentError("id: must be a positive number");
  const ctl::HubProcess& p = *adapters->front();
  if (kind == "delivery") {
    admin::Delivery d;
    grpc::Status s = ctl::GetDelivery(hub_, p, id, timeout_, &d);
    if (!s.ok()) return Refused(p, s);
    json j = DeliveryJson(p.name, d, reveal);
    j["kind"] = kind;
    return j;
  }
  if (kind == "history") {
    admin::SearchHistoryRequest req;
    req.set_id(id);
    const auto gathered = ctl::SearchHistory(hub_, {&p}, req, timeout_);
    if (!gathered.failures.empty()) return Refused(p, gathered.failures.front().second);
    if (gathered.items.empty()) {
      return absl::NotFoundError(absl::StrCat(p.name, ": no history entry ", id));
    }
    json j = HistoryJson(p.name, gathered.items.front().second, reveal);
    j["kind"] = kind;
    return j;
  }
  return absl::InvalidArgumentError(
      absl::StrCat("kind: must be \"delivery\" or \"history\", got \"", kind, "\""));
}

absl::StatusOr<json> ConsoleData::Act(const std::string& process,
                                      const ctl::DeliveryAction& action) const {
  auto adapters = hub_.Adapters(process);
  if (!adapters.ok()) return adapters.status();
  if (process.empty()) return absl::InvalidArgumentError("process: required");
  const ctl::HubProcess& p = *adapters->front();
  admin::Delivery after;
  grpc::Status s = ctl::ActOnDelivery(hub_, p, action, timeout_, &after);
  if (!s.ok()) return Refused(p, s);
  return DeliveryJson(p.name, after, false);
}

absl::StatusOr<json> ConsoleData::RetryAll(const std::string& process,
                                           const std::string& destination, const std::string& who,
                                           const std::string& why) const {
  auto adapters = hub_.Adapters(process);
  if (!adapters.ok()) return adapters.status();
  admin::ListDeadLettersRequest req;
  req.set_destination(destination);
  req.set_limit(1000);
  const auto gathered = ctl::ListDeadLetters(hub_, *adapters, req, timeout_);
  if (!gathered.failures.empty()) {
    return Refused(*gathered.failures.front().first, gathered.failures.front().second);
  }
  json results = json::array();
  for (const auto& [name, d] : gathered.items) {  // oldest first, per adapter
    absl::StatusOr<const ctl::HubProcess*> p = hub_.Find(name);
    admin::Delivery after;
    grpc::Status s = ctl::ActOnDelivery(
        hub_, **p, {.verb = "retry", .id = d.id(), .who = who, .why = why}, timeout_, &after);
    json r = {{"process", name}, {"id", d.id()}, {"ok", s.ok()}};
    if (s.ok()) {
      r["state"] = ctl::ToJson(after)["state"];
    } else {
      r["error"] = ctl::Describe(s);
    }
    results.push_back(r);
  }
  return json{{"results", results}};
}

absl::StatusOr<json> ConsoleData::Audit(const Params& params) const {
  std::vector<const ctl::HubProcess*> processes;
  if (std::string name = Param(params, "process"); !name.empty()) {
    absl::StatusOr<const ctl::HubProcess*> p = hub_.Find(name);
    if (!p.ok()) return p.status();
    processes.push_back(*p);
  } else {
    for (const ctl::HubProcess& p : hub_.processes()) processes.push_back(&p);
  }
  admin::SearchAuditRequest req;
  req.set_actor(Param(params, "actor"));
  req.set_action(Param(params, "action"));
  req.set_object_id(Param(params, "object"));
  req.set_child_ref(Param(params, "child"));
  if (absl::Status s = RangeAndLimit(params, clock_.Now(), &req); !s.ok()) return s;
  const auto gathered = ctl::SearchAudit(hub_, processes, req, timeout_);
  json items = json::array();
  for (const auto& [process, e] : gathered.items) {
    json j = ctl::ToJson(e);
    j["process"] = process;
    items.push_back(j);
  }
  return json{{"items", items}, {"failures", FailuresJson(gathered.failures)}};
}

absl::StatusOr<json> ConsoleData::Consents(const std::string& child_ref, const std::string& who,
                                           const std::string& why) const {
  if (child_ref.empty())
    return absl::InvalidArgumentError("child: the child's reference, required");
  absl::StatusOr<const ctl::HubProcess*> p = hub_.Find("consent");
  if (!p.ok()) return p.status();
  consent::ListConsentsRequest req;
  req.set_child_ref(child_ref);
  req.set_page_size(100);
  req.mutable_access()->set_actor_id(who);
  req.mutable_access()->set_reason(why);
  consent::ListConsentsResponse res;
  grpc::ClientContext ctx;
  ctx.set_deadline(ctl::Deadline(timeout_));
  grpc::Status s =
      consent::ConsentService::NewStub(hub_.Channel(**p))->ListConsents(&ctx, req, &res);
  if (!s.ok()) return Refused(**p, s);
  json items = json::array();
  for (const consent::Consent& c : res.consents()) {
    json purposes = json::array();
    for (int purpose : c.purposes()) {
      purposes.push_back(consent::Purpose_Name(static_cast<consent::Purpose>(purpose)));
    }
    items.push_back({{"id", c.id()},
                     {"status", consent::ConsentStatus_Name(c.status())},
                     {"purposes", purposes},
                     {"recipients", c.recipient_organisation_ids()},
                     {"grantors", c.grantors_size()},
                     {"holders_of_authority", c.holders_of_authority()},
                     {"valid_from", ctl::ToJson(c.valid_from())},
                     {"valid_until", c.has_valid_until() ? ctl::ToJson(c.valid_until()) : json()},
                     {"recorded_by", c.recorded_by()}});
  }
  return json{{"child", child_ref}, {"items", items}};
}

namespace {

// The attention items of `process` whose kind is `kind`.
absl::StatusOr<json> AttentionOf(const ctl::Hub& hub, const std::string& process,
                                 const std::string& kind, std::chrono::milliseconds timeout) {
  absl::StatusOr<const ctl::HubProcess*> p = hub.Find(process);
  if (!p.ok()) return p.status();
  const ctl::ProcessState st = hub.Probe(**p, timeout);
  if (!st.error.empty()) {
    return absl::UnavailableError(absl::StrCat(process, ": ", st.error));
  }
  json items = json::array();
  for (const admin::Attention& a : st.status.attention()) {
    if (a.kind() == kind) items.push_back(ctl::ToJson(a));
  }
  return items;
}

}  // namespace

absl::StatusOr<json> ConsoleData::Overdue() const {
  absl::StatusOr<json> items = AttentionOf(hub_, "referrals", "first_response_overdue", timeout_);
  if (!items.ok()) return items.status();
  return json{{"items", *items}};
}

absl::StatusOr<json> ConsoleData::Compliance(const Params& params) const {
  absl::StatusOr<const ctl::HubProcess*> p = hub_.Find("scheduling");
  if (!p.ok()) return p.status();
  auto stub = scheduling::SchedulingService::NewStub(hub_.Channel(**p));
  const std::string only = Param(params, "location");
  json out = {{"school_year", ""},
              {"groups_meeting_minimum", 0},
              {"groups_at_risk", 0},
              {"locations", json::array()}};
  for (const auto& location : directory_->proto().locations()) {
    if (!only.empty() && location.id() != only) continue;
    scheduling::GetComplianceRequest req;  // the service asks for one location at a time
    req.set_school_year(Param(params, "school_year"));
    req.set_location_id(location.id());
    scheduling::GetComplianceResponse res;
    grpc::ClientContext ctx;
    ctx.set_deadline(ctl::Deadline(timeout_));
    grpc::Status s = stub->GetCompliance(&ctx, req, &res);
    if (!s.ok()) return Refused(**p, s);
    json groups = json::array();
    int at_risk = 0;
    for (const scheduling::GroupCompliance& g : res.groups()) {
      json group = ctl::ToJson(g);
      group["group_id"] = g.group().group_id();
      groups.push_back(group);
      at_risk += g.at_risk() ? 1 : 0;
    }
    // The groups at risk first.
    std::stable_sort(groups.begin(), groups.end(),
                     [](const json& a, const json& b) { return a["at_risk"] > b["at_risk"]; });
    out["school_year"] = res.school_year();
    out["groups_meeting_minimum"] =
        out["groups_meeting_minimum"].get<int>() + res.groups_meeting_minimum();
    out["groups_at_risk"] = out["groups_at_risk"].get<int>() + res.groups_at_risk();
    out["locations"].push_back({{"location_id", location.id()},
                                {"name", location.name()},
                                {"at_risk", at_risk},
                                {"groups", groups}});
  }
  if (!only.empty() && out["locations"].empty()) {
    return absl::NotFoundError(
        absl::StrCat("location: no location \"", only, "\" in the directory"));
  }
  return out;
}

absl::StatusOr<json> ConsoleData::Handovers() const {
  absl::StatusOr<const ctl::HubProcess*> p = hub_.Find("handover");
  if (!p.ok()) return p.status();
  auto stub = handover::HandoverService::NewStub(hub_.Channel(**p));
  json out = {{"awaiting_consent", json::array()},
              {"unacknowledged", json::array()},
              {"unsent", json::array()},
              {"overdue", json::array()}};
  for (const auto& location : directory_->proto().locations()) {
    for (auto [status, key] :
         {std::pair{handover::HANDOVER_STATUS_AWAITING_CONSENT, "awaiting_consent"},
          std::pair{handover::HANDOVER_STATUS_SENT, "unacknowledged"}}) {
      handover::ListHandoversRequest req;
      req.set_location_id(location.id());
      req.set_status(status);
      handover::ListHandoversResponse res;
      grpc::ClientContext ctx;
      ctx.set_deadline(ctl::Deadline(timeout_));
      grpc::Status s = stub->ListHandovers(&ctx, req, &res);
      if (!s.ok()) return Refused(**p, s);
      for (const handover::HandoverSummary& h : res.handovers()) {
        json j = ctl::ToJson(h);
        j["location_name"] = location.name();
        out[key].push_back(j);
      }
    }
  }
  // What the school adapter has yet to deliver, and what it finds overdue.
  if (absl::StatusOr<const ctl::HubProcess*> school = hub_.Find("school"); school.ok()) {
    const ctl::ProcessState st = hub_.Probe(**school, timeout_);
    if (!st.error.empty()) out["school_error"] = st.error;
    for (const admin::QueueDepth& q : st.queues.queues()) {
      if (q.pending() > 0 || q.dead() > 0) out["unsent"].push_back(ctl::ToJson(q));
    }
    for (const admin::Attention& a : st.status.attention()) {
      if (a.kind() == "handover_unacknowledged") out["overdue"].push_back(ctl::ToJson(a));
    }
  }
  return out;
}

}  // namespace olif::console
