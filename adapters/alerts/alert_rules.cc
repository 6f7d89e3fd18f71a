#include "adapters/alerts/alert_rules.h"

#include "absl/strings/ascii.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/strip.h"
#include "services/common/config/config_loader.h"
#include "services/common/ids/ids.h"

namespace olif::alerts {
namespace {

namespace cfg = olifantenpad::config::v1;

bool Selected(const std::string& wanted, const std::string& value) {
  return wanted.empty() || wanted == value;
}

// Every adapter queue of the selected processes and destinations.
template <typename Fn>
void ForEachQueue(const Rule& rule, const Observation& o, Fn fn) {
  for (const auto& [process, view] : o) {
    if (!view.answered || !Selected(rule.process, process)) continue;
    for (const auto& q : view.queues.queues()) {
      if (Selected(rule.target, q.destination())) fn(process, q);
    }
  }
}

template <typename Fn>
void ForEachConsumer(const Rule& rule, const Observation& o, Fn fn) {
  for (const auto& [process, view] : o) {
    if (!view.answered || !Selected(rule.process, process)) continue;
    for (const auto& c : view.status.bus_consumers()) {
      if (Selected(rule.target, c.producer())) fn(process, c);
    }
  }
}

}  // namespace

std::string KindName(cfg::AlertKind kind) {
  return absl::AsciiStrToLower(absl::StripPrefix(cfg::AlertKind_Name(kind), "ALERT_KIND_"));
}

absl::StatusOr<std::vector<Rule>> RulesFromConfig(
    const google::protobuf::RepeatedPtrField<cfg::AlertRule>& rules) {
  std::vector<Rule> out;
  std::set<std::string> names;
  for (int i = 0; i < rules.size(); ++i) {
    const cfg::AlertRule& r = rules[i];
    const std::string field = absl::StrCat("alerts.rules[", i, "]");
    if (!IsDirectoryId(r.name())) {
      return absl::InvalidArgumentError(absl::StrCat(
          field, ".name: \"", r.name(), "\" is not 3-64 characters of a-z, 0-9 and '-'"));
    }
    if (!names.insert(r.name()).second) {
      return absl::InvalidArgumentError(
          absl::StrCat(field, ".name: \"", r.name(), "\" is used by an earlier rule"));
    }
    if (r.kind() == cfg::ALERT_KIND_UNSPECIFIED) {
      return absl::InvalidArgumentError(absl::StrCat(field, ".kind: required"));
    }
    if (r.above() < 0) {
      return absl::InvalidArgumentError(absl::StrCat(field, ".above: must not be negative"));
    }
    if (r.kind() == cfg::ALERT_KIND_ATTENTION && r.attention_kind().empty()) {
      return absl::InvalidArgumentError(
          absl::StrCat(field, ".attention_kind: required for ALERT_KIND_ATTENTION"));
    }
    if (r.kind() != cfg::ALERT_KIND_ATTENTION && !r.attention_kind().empty()) {
      return absl::InvalidArgumentError(
          absl::StrCat(field, ".attention_kind: only for ALERT_KIND_ATTENTION"));
    }
    const absl::Duration hold = config::ToDuration(r.for_());
    if (hold < absl::ZeroDuration()) {
      return absl::InvalidArgumentError(absl::StrCat(field, ".for: must not be negative"));
    }
    out.push_back({r.name(), r.kind(), r.process(), r.target(), r.above(), hold, r.attention_kind(),
                   r.advice()});
  }
  return out;
}

bool Known(const Observation& observation, const std::string& process) {
  auto it = observation.find(process);
  return it != observation.end() && it->second.answered;
}

std::vector<Condition> Evaluate(const Rule& rule, const Observation& o) {
  std::vector<Condition> out;
  const auto add = [&out](const std::string& process, const std::string& what, bool holds,
                          std::string summary) {
    out.push_back({what.empty() ? process : absl::StrCat(process, "/", what), process, holds,
                   std::move(summary)});
  };
  switch (rule.kind) {
    case cfg::ALERT_KIND_QUEUE_BACKLOG:
      ForEachQueue(rule, o, [&](const std::string& p, const auto& q) {
        add(p, q.destination(), q.pending() > rule.above,
            absl::StrCat(q.pending(), " messages wait for ", q.destination(), " at ", p,
                         " (alert above ", rule.above, ")"));
      });
      break;
    case cfg::ALERT_KIND_DEAD_LETTERS:
      ForEachQueue(rule, o, [&](const std::string& p, const auto& q) {
        add(p, q.destination(), q.dead() > rule.above,
            absl::StrCat(q.dead(), " dead letters for ", q.destination(), " at ", p,
                         " wait for an operator (olifantctl dlq list --process ", p, ")"));
      });
      break;
    case cfg::ALERT_KIND_CONSUMER_LAG:
      ForEachConsumer(rule, o, [&](const std::string& p, const auto& c) {
        add(p, c.producer(), c.lag() > rule.above,
            absl::StrCat(p, " is ", c.lag(), " events behind ", c.producer(), " (alert above ",
                         rule.above, ")"));
      });
      break;
    case cfg::ALERT_KIND_CONSUMER_BEHIND_HORIZON:
      ForEachConsumer(rule, o, [&](const std::string& p, const auto& c) {
        add(p, c.producer(), c.behind_horizon(),
            absl::StrCat(p, " needs events ", c.producer(), " has pruned: ", c.last_error(),
                         " (an operator decides: olifantctl replay)"));
      });
      break;
    case cfg::ALERT_KIND_PROCESS_DOWN:
      for (const auto& [process, view] : o) {
        if (!Selected(rule.process, process)) continue;
        const bool down = !view.answered || !view.serving;
        add(process, "", down,
            down ? absl::StrCat(process, " does not serve: ", view.error)
                 : absl::StrCat(process, " serves"));
      }
      break;
    case cfg::ALERT_KIND_ATTENTION:
      for (const auto& [process, view] : o) {
        if (!view.answered || !Selected(rule.process, process)) continue;
        for (const auto& a : view.status.attention()) {
          if (a.kind() == rule.attention_kind) add(process, a.subject(), true, a.detail());
        }
      }
      break;
    default:
      break;
  }
  return out;
}

}  // namespace olif::alerts
