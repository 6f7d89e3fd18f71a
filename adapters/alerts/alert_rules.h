#pragma once

// Alert rules and what they see. An Observation is one look at every process
// of the hub (its health, its admin status, an adapter's queues); a rule
// turns it into conditions, one per subject (a process, a destination, a
// consumer, an attention item), each holding or not.
//
// A subject a rule does not mention in an observation holds no longer when
// its process answered (the backlog went, the item was dealt with), and is
// unknown when its process did not: a process that cannot be asked keeps its
// alerts as they were (PROCESS_DOWN says it is down).

#include <map>
#include <set>
#include <string>
#include <vector>

#include "absl/status/statusor.h"
#include "absl/time/time.h"
#include "olifantenpad/admin/v1/adapter.pb.h"
#include "olifantenpad/admin/v1/admin.pb.h"
#include "olifantenpad/config/v1/alerts.pb.h"

namespace olif::alerts {

// One process as the last look found it.
struct ProcessView {
  bool answered = false;  // the health check and the status call were answered
  bool serving = false;
  std::string error;  // why not, when not
  olifantenpad::admin::v1::GetStatusResponse status;
  olifantenpad::admin::v1::GetQueueDepthResponse queues;  // adapters only
};

// Every process of the hub, by name.
using Observation = std::map<std::string, ProcessView>;

struct Condition {
  std::string subject;  // "<process>" or "<process>/<what>"
  std::string process;
  bool holds = false;
  std::string summary;  // what is the matter (or was), for people
};

struct Rule {
  std::string name;
  olifantenpad::config::v1::AlertKind kind;
  std::string process;  // empty: all
  std::string target;   // destination or producer; empty: all
  int64_t above = 0;
  absl::Duration hold = absl::ZeroDuration();  // how long before it fires
  std::string attention_kind;
  std::string advice;
};

// "queue_backlog", "dead_letters", ...
std::string KindName(olifantenpad::config::v1::AlertKind kind);

// The rules of a config, checked: names unique and well-formed, a kind set,
// thresholds not negative, ATTENTION with its attention_kind. The error names
// the rule (alerts.rules[i]).
absl::StatusOr<std::vector<Rule>> RulesFromConfig(
    const google::protobuf::RepeatedPtrField<olifantenpad::config::v1::AlertRule>& rules);

// The conditions `rule` finds in `observation`.
std::vector<Condition> Evaluate(const Rule& rule, const Observation& observation);

// Whether `process`'s state is known in `observation` (it answered): a
// subject of it that no condition mentions holds no longer.
bool Known(const Observation& observation, const std::string& process);

}  // namespace olif::alerts
