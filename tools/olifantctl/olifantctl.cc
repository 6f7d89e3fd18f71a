#include "tools/olifantctl/olifantctl.h"

#include <sys/wait.h>
#include <termios.h>
#include <unistd.h>

#include <algorithm>
#include <cstdio>
#include <filesystem>
#include <fstream>
#include <functional>
#include <iostream>
#include <map>
#include <nlohmann/json.hpp>
#include <optional>
#include <ostream>
#include <set>
#include <sstream>

#include <google/protobuf/util/json_util.h>
#include <google/protobuf/util/time_util.h>

#include "absl/strings/ascii.h"
#include "absl/strings/match.h"
#include "absl/strings/numbers.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/str_format.h"
#include "absl/strings/str_join.h"
#include "absl/strings/str_split.h"
#include "absl/time/clock.h"
#include "absl/time/time.h"
#include "olifantenpad/admin/v1/adapter.grpc.pb.h"
#include "olifantenpad/admin/v1/admin.grpc.pb.h"
#include "olifantenpad/config/v1/console.pb.h"
#include "olifantenpad/consent/v1/consent.grpc.pb.h"
#include "services/common/bus/curve.h"
#include "services/console/users.h"
#include "tools/launcher/hub_processes.h"
#include "tools/olifantctl/calls.h"
#include "tools/olifantctl/hub.h"

namespace olif::ctl {
namespace {

namespace admin = olifantenpad::admin::v1;
using google::protobuf::util::TimeUtil;
using nlohmann::json;

// ---------------------------------------------------------------- arguments

struct Flags {
  std::vector<std::string> positional;
  std::map<std::string, std::string> values;
  std::set<std::string> switches;

  std::string Get(const std::string& name, const std::string& fallback = "") const {
    auto it = values.find(name);
    return it == values.end() ? fallback : it->second;
  }
  bool Has(const std::string& name) const { return values.count(name) > 0; }
};

struct UsageError {
  std::string message;
};

struct Command;

// What every command gets.
struct Context {
  const Environment& environment;
  const Command& command;
  const Flags& flags;
  std::string config_dir;
  bool json = false;
  std::chrono::milliseconds timeout{5000};
  std::ostream& out;
  std::ostream& err;

  // The hub of --config-dir, loaded at first use.
  const Hub& hub() const {
    if (!hub_) {
      absl::StatusOr<Hub> loaded = Hub::Load(config_dir, environment.env);
      if (!loaded.ok()) throw UsageError{std::string(loaded.status().message())};
      hub_ = std::move(*loaded);
    }
    return *hub_;
  }
  std::string Required(const std::string& name) const;
  void SetDeadline(grpc::ClientContext& context) const { context.set_deadline(Deadline(timeout)); }

  mutable std::optional<Hub> hub_;  // hub()'s
};

struct Command {
  std::string name;     // "dlq retry"
  std::string summary;  // one line
  std::string usage;    // the flags
  std::string example;
  std::vector<std::string> value_flags;
  std::vector<std::string> switch_flags;
  std::function<int(Context&)> run;
  int max_positional = 0;
};

std::string Context::Required(const std::string& name) const {
  std::string value = flags.Get(name);
  if (value.empty()) {
    throw UsageError{absl::StrCat(command.name, ": --", name, " is required")};
  }
  return value;
}

template <typename T>
T Unwrap(absl::StatusOr<T> v) {
  if (!v.ok()) throw UsageError{std::string(v.status().message())};
  return std::move(*v);
}

int64_t ParseInt(const std::string& flag, const std::string& text) {
  int64_t v = 0;
  if (!absl::SimpleAtoi(text, &v)) {
    throw UsageError{absl::StrCat("--", flag, ": '", text, "' is not a whole number")};
  }
  return v;
}

// RFC 3339 ("2026-12-06T09:00:00+01:00"), or a time ago: "90m", "2h", "7d".
google::protobuf::Timestamp ParseWhen(const std::string& flag, const std::string& text) {
  absl::Time t;
  std::string error;
  if (absl::ParseTime(absl::RFC3339_full, text, &t, &error)) {
    return TimeUtil::MicrosecondsToTimestamp(absl::ToUnixMicros(t));
  }
  absl::Duration ago;
  int64_t days = 0;
  if (absl::EndsWith(text, "d") && absl::SimpleAtoi(text.substr(0, text.size() - 1), &days)) {
    ago = absl::Hours(24 * days);
  } else if (!absl::ParseDuration(text, &ago)) {
    throw UsageError{absl::StrCat("--", flag, ": '", text,
                                  "' is neither an RFC 3339 time nor a time ago such as 2h or 7d")};
  }
  return TimeUtil::MicrosecondsToTimestamp(absl::ToUnixMicros(absl::Now() - ago));
}

// ------------------------------------------------------------------ output

// Columns aligned for people.
class Table {
 public:
  explicit Table(std::vector<std::string> headers) : headers_(std::move(headers)) {}
  void Add(std::vector<std::string> row) { rows_.push_back(std::move(row)); }
  bool empty() const { return rows_.empty(); }
  void Print(std::ostream& out) const {
    std::vector<size_t> width(headers_.size());
    for (size_t i = 0; i < headers_.size(); ++i) width[i] = headers_[i].size();
    for (const auto& row : rows_) {
      for (size_t i = 0; i < row.size() && i < width.size(); ++i) {
        width[i] = std::max(width[i], row[i].size());
      }
    }
    auto line = [&](const std::vector<std::string>& cells) {
      std::string text;
      for (size_t i = 0; i < cells.size(); ++i) {
        text += cells[i];
        if (i + 1 < cells.size()) text += std::string(width[i] - cells[i].size() + 2, ' ');
      }
      out << text << "\n";
    };
    line(headers_);
    for (const auto& row : rows_) line(row);
  }

 private:
  std::vector<std::string> headers_;
  std::vector<std::vector<std::string>> rows_;
};

std::string Short(std::string text, size_t max = 60) {
  std::replace(text.begin(), text.end(), '\n', ' ');
  if (text.size() > max) text = text.substr(0, max - 3) + "...";
  return text;
}

std::string When(const google::protobuf::Timestamp& t) {
  if (t.seconds() == 0 && t.nanos() == 0) return "-";
  return absl::FormatTime("%Y-%m-%d %H:%M:%S",
                          absl::FromUnixMicros(TimeUtil::TimestampToMicroseconds(t)),
                          absl::LocalTimeZone());
}

std::string HumanDuration(int64_t seconds) {
  if (seconds < 60) return absl::StrCat(seconds, "s");
  if (seconds < 3600) return absl::StrCat(seconds / 60, "m", seconds % 60, "s");
  if (seconds < 86400) return absl::StrCat(seconds / 3600, "h", (seconds % 3600) / 60, "m");
  return absl::StrCat(seconds / 86400, "d", (seconds % 86400) / 3600, "h");
}

std::string Bytes(int64_t n) {
  if (n < 1024 * 1024) return absl::StrFormat("%.0f KiB", static_cast<double>(n) / 1024);
  return absl::StrFormat("%.1f MiB", static_cast<double>(n) / (1024 * 1024));
}

// A failed call's exit code: unreachable, or refused.
int ExitFor(const grpc::Status& s) {
  return s.error_code() == grpc::StatusCode::UNAVAILABLE ||
                 s.error_code() == grpc::StatusCode::DEADLINE_EXCEEDED
             ? kExitUnreachable
             : kExitRefused;
}

// Reports a failed call about `process` and returns its exit code.
int Failed(Context& c, const HubProcess& process, const grpc::Status& s);

// Reports each process that did not answer; the exit code for them.
template <typename T>
int Failures(Context& c, const Gathered<T>& gathered) {
  int code = kExitOk;
  for (const auto& [p, s] : gathered.failures) code = std::max(code, Failed(c, *p, s));
  return code;
}

int Failed(Context& c, const HubProcess& process, const grpc::Status& s) {
  c.err << "olifantctl: " << process.name << " (" << process.address << "): " << Describe(s)
        << "\n";
  return ExitFor(s);
}

// ------------------------------------------------------------------ status

std::string ConsumerState(const admin::BusConsumerStatus& b) {
  if (b.behind_horizon()) return "BEHIND HORIZON: " + Short(b.last_error(), 50);
  if (!b.connected()) return b.last_error().empty() ? "connecting" : "not connected";
  return "connected";
}

int Status(Context& c) {
  std::vector<ProcessState> all;
  for (const HubProcess& p : c.hub().processes()) all.push_back(c.hub().Probe(p, c.timeout));
  const bool healthy = std::all_of(all.begin(), all.end(),
                                   [](const ProcessState& s) { return s.health == "SERVING"; });
  if (c.json) {
    json processes = json::array();
    for (const ProcessState& s : all) {
      json j = {
          {"process", s.process->name}, {"address", s.process->address}, {"health", s.health}};
      if (!s.error.empty()) j["error"] = s.error;
      if (s.health != "UNREACHABLE") j["status"] = ToJson(s.status);
      if (s.process->adapter) j["queues"] = ToJson(s.queues)["queues"];
      processes.push_back(j);
    }
    c.out << json{{"healthy", healthy}, {"processes", processes}}.dump(2) << "\n";
    return healthy ? kExitOk : kExitNo;
  }
  Table t(
      {"PROCESS", "HEALTH", "VERSION", "UPTIME", "OUTBOX", "LAG", "QUEUED", "DEAD", "DATABASE"});
  Table consumers({"PROCESS", "FOLLOWS", "CURSOR", "HEAD", "LAG", "STATE"});
  std::vector<std::string> attention;
  for (const ProcessState& s : all) {
    if (s.health == "UNREACHABLE") {
      t.Add({s.process->name, "DOWN", "-", "-", "-", "-", "-", "-", Short(s.error, 40)});
      continue;
    }
    const admin::GetStatusResponse& st = s.status;
    int64_t lag = 0;
    for (const auto& b : st.bus_consumers()) {
      lag += b.lag();
      consumers.Add({s.process->name, b.producer(), absl::StrCat(b.cursor()),
                     absl::StrCat(b.producer_head_seq()), absl::StrCat(b.lag()), ConsumerState(b)});
    }
    int64_t pending = 0, dead = 0;
    for (const auto& q : s.queues.queues()) {
      pending += q.pending();
      dead += q.dead();
    }
    std::string database = "-";
    if (st.has_database() && st.database().page_count() > 0) {
      database =
          absl::StrCat(Bytes(st.database().size_bytes()), ", ",
                       st.database().free_pages() * 100 / st.database().page_count(), "% free");
    }
    t.Add({s.process->name, s.health, st.version(), HumanDuration(st.uptime().seconds()),
           st.has_bus_producer() || st.outbox().head_seq() > 0
               ? absl::StrCat(st.outbox().head_seq())
               : "-",
           st.bus_consumers_size() > 0 ? absl::StrCat(lag) : "-",
           s.process->adapter ? absl::StrCat(pending) : "-",
           s.process->adapter ? absl::StrCat(dead) : "-", database});
    for (const auto& a : st.attention()) {
      attention.push_back(absl::StrCat(s.process->name, ": ", a.kind(), " ", a.subject(), " — ",
                                       a.detail(), " (since ", When(a.since()), ")"));
    }
    if (!s.error.empty()) attention.push_back(absl::StrCat(s.process->name, ": ", s.error));
  }
  t.Print(c.out);
  if (!consumers.empty()) {
    c.out << "\n";
    consumers.Print(c.out);
  }
  if (!attention.empty()) {
    c.out << "\nneeds attention:\n";
    for (const std::string& a : attention) c.out << "  " << a << "\n";
  }
  return healthy ? kExitOk : kExitNo;
}

// --------------------------------------------------------------- dead letters

std::string StateName(admin::DeliveryState s) {
  std::string name = admin::DeliveryState_Name(s);
  return absl::AsciiStrToLower(absl::StripPrefix(name, "DELIVERY_STATE_"));
}

int DlqList(Context& c) {
  const auto adapters = Unwrap(c.hub().Adapters(c.flags.Get("process")));
  admin::ListDeadLettersRequest req;
  req.set_destination(c.flags.Get("destination"));
  if (c.flags.Has("limit"))
    req.set_limit(static_cast<int32_t>(ParseInt("limit", c.flags.Get("limit"))));
  json found = json::array();
  Table t({"PROCESS", "ID", "DESTINATION", "KEY", "TOPIC", "ATTEMPTS", "LAST ERROR"});
  const auto gathered = ListDeadLetters(c.hub(), adapters, req, c.timeout);
  const int code = Failures(c, gathered);
  for (const auto& [process, d] : gathered.items) {
    json j = ToJson(d);
    j["process"] = process;
    found.push_back(j);
    t.Add({process, absl::StrCat(d.id()), d.destination(), d.key(), d.topic(),
           absl::StrCat(d.attempts()), Short(d.last_error())});
  }
  if (c.json) {
    c.out << json{{"dead_letters", found}}.dump(2) << "\n";
  } else if (t.empty()) {
    c.out << "no dead letters\n";
  } else {
    t.Print(c.out);
  }
  return code;
}

std::vector<int64_t> Ids(Context& c) {
  std::vector<int64_t> ids;
  for (const std::string& p : c.flags.positional) ids.push_back(ParseInt("id", p));
  return ids;
}

void PrintDelivery(Context& c, const std::string& process, const admin::Delivery& d) {
  if (c.json) {
    json j = ToJson(d);
    j["process"] = process;
    c.out << j.dump(2) << "\n";
    return;
  }
  c.out << "id:           " << d.id() << " (" << process << ")\n"
        << "state:        " << StateName(d.state()) << "\n"
        << "destination:  " << d.destination() << "\n"
        << "key:          " << d.key() << "\n"
        << "event:        " << d.event_id() << " (" << d.topic() << ")\n"
        << "attempts:     " << d.attempts() << "\n"
        << "last error:   " << d.last_error() << "\n";
  for (const auto& a : d.actions()) {
    c.out << "action:       " << When(a.time()) << " " << a.action() << " by " << a.who() << ": "
          << a.why() << "\n";
  }
  json payload = json::parse(d.payload(), nullptr, /*allow_exceptions=*/false);
  c.out << "payload:\n" << (payload.is_discarded() ? d.payload() : payload.dump(2)) << "\n";
}

int DlqShow(Context& c) {
  const HubProcess& p = *Unwrap(c.hub().Adapters(c.Required("process"))).front();
  const std::vector<int64_t> ids = Ids(c);
  if (ids.size() != 1) throw UsageError{"dlq show: give one id"};
  admin::Delivery delivery;
  grpc::Status s = GetDelivery(c.hub(), p, ids[0], c.timeout, &delivery);
  if (!s.ok()) return Failed(c, p, s);
  PrintDelivery(c, p.name, delivery);
  return kExitOk;
}

// One action (retry, skip) over the ids given, or with --all over every dead
// letter the selection holds, oldest first.
int DlqAct(Context& c, const std::string& verb) {
  const std::string who = c.Required("who");
  const std::string why = c.Required("why");
  const bool all = c.flags.switches.count("all") > 0;
  std::vector<std::pair<const HubProcess*, int64_t>> targets;
  if (all) {
    if (!c.flags.positional.empty()) throw UsageError{"give ids or --all, not both"};
    admin::ListDeadLettersRequest req;
    req.set_destination(c.flags.Get("destination"));
    req.set_limit(1000);
    const auto gathered =
        ListDeadLetters(c.hub(), Unwrap(c.hub().Adapters(c.flags.Get("process"))), req, c.timeout);
    if (int code = Failures(c, gathered); code != kExitOk) return code;
    for (const auto& [process, d] : gathered.items) {  // oldest first
      targets.push_back({Unwrap(c.hub().Find(process)), d.id()});
    }
  } else {
    const HubProcess* p = Unwrap(c.hub().Adapters(c.Required("process"))).front();
    const std::vector<int64_t> ids = Ids(c);
    if (ids.empty()) throw UsageError{absl::StrCat("dlq ", verb, ": give ids, or --all")};
    for (int64_t id : ids) targets.push_back({p, id});
  }
  json results = json::array();
  Table t({"PROCESS", "ID", "RESULT"});
  int failures = 0;
  int last_code = kExitOk;
  for (const auto& [p, id] : targets) {
    admin::Delivery after;
    grpc::Status s = ActOnDelivery(c.hub(), *p, {.verb = verb, .id = id, .who = who, .why = why},
                                   c.timeout, &after);
    json j = {{"process", p->name}, {"id", id}, {"ok", s.ok()}};
    if (s.ok()) {
      j["state"] = StateName(after.state());
      t.Add({p->name, absl::StrCat(id), StateName(after.state())});
    } else {
      ++failures;
      last_code = ExitFor(s);
      j["error"] = Describe(s);
      t.Add({p->name, absl::StrCat(id), Describe(s)});
    }
    results.push_back(j);
  }
  if (c.json) {
    c.out << json{{"results", results}}.dump(2) << "\n";
  } else if (t.empty()) {
    c.out << "no dead letters\n";
  } else {
    t.Print(c.out);
  }
  if (failures == 0) return kExitOk;
  return targets.size() == 1 ? last_code : kExitNo;
}

// The corrected payload: from --file, or edited in $EDITOR.
std::optional<std::string> EditedPayload(Context& c, const std::string& current) {
  std::string file = c.flags.Get("file");
  if (!file.empty()) {
    std::ifstream in(file, std::ios::binary);
    if (!in) throw UsageError{absl::StrCat("--file: cannot read ", file)};
    std::stringstream text;
    text << in.rdbuf();
    return text.str();
  }
  std::optional<std::string> editor = c.environment.env("EDITOR");
  if (!editor.has_value() || editor->empty()) {
    throw UsageError{"dlq edit: give --file, or set EDITOR"};
  }
  std::string path = (std::filesystem::temp_directory_path() / "olifantctl-XXXXXX.json").string();
  const int fd = mkstemps(path.data(), 5);
  if (fd < 0) throw UsageError{"dlq edit: cannot make a temporary file"};
  json pretty = json::parse(current, nullptr, false);
  const std::string before = pretty.is_discarded() ? current : pretty.dump(2) + "\n";
  if (write(fd, before.data(), before.size()) != static_cast<ssize_t>(before.size())) {
    close(fd);
    throw UsageError{"dlq edit: cannot write the temporary file"};
  }
  close(fd);
  const std::string command = absl::StrCat(*editor, " '", path, "'");
  const int rc = std::system(command.c_str());
  std::ifstream in(path, std::ios::binary);
  std::stringstream text;
  text << in.rdbuf();
  std::filesystem::remove(path);
  if (rc != 0) throw UsageError{absl::StrCat("dlq edit: the editor exited with ", rc)};
  if (text.str() == before) return std::nullopt;
  return text.str();
}

int DlqEdit(Context& c) {
  const HubProcess& p = *Unwrap(c.hub().Adapters(c.Required("process"))).front();
  const std::vector<int64_t> ids = Ids(c);
  if (ids.size() != 1) throw UsageError{"dlq edit: give one id"};
  const std::string who = c.Required("who");
  const std::string why = c.Required("why");
  admin::Delivery current;
  if (grpc::Status s = GetDelivery(c.hub(), p, ids[0], c.timeout, &current); !s.ok()) {
    return Failed(c, p, s);
  }
  std::optional<std::string> payload = EditedPayload(c, current.payload());
  if (!payload.has_value()) {
    c.err << "olifantctl: nothing changed; the dead letter is left as it was\n";
    return kExitNo;
  }
  admin::Delivery after;
  grpc::Status s = ActOnDelivery(
      c.hub(), p, {.verb = "edit", .id = ids[0], .who = who, .why = why, .payload = *payload},
      c.timeout, &after);
  if (!s.ok()) return Failed(c, p, s);
  PrintDelivery(c, p.name, after);
  return kExitOk;
}

// ----------------------------------------------------------------- history

// Prints what a merged search found: JSON with each entry's process, or a
// table of `headers` and `row`s.
template <typename Entry, typename Row>
int PrintMerged(Context& c, const Gathered<Entry>& gathered, std::vector<std::string> headers,
                Row row) {
  const int code = Failures(c, gathered);
  const auto& found = gathered.items;
  if (c.json) {
    json out = json::array();
    for (const auto& [process, e] : found) {
      json j = ToJson(e);
      j["process"] = process;
      out.push_back(j);
    }
    c.out << json{{"entries", out}}.dump(2) << "\n";
    return code;
  }
  Table t(std::move(headers));
  for (const auto& [process, e] : found) t.Add(row(process, e));
  if (t.empty()) {
    c.out << "nothing found\n";
  } else {
    t.Print(c.out);
  }
  return code;
}

int HistorySearch(Context& c) {
  const auto adapters = Unwrap(c.hub().Adapters(c.flags.Get("process")));
  admin::SearchHistoryRequest req;
  req.set_destination(c.flags.Get("destination"));
  req.set_key(c.flags.Get("key"));
  req.set_event_id(c.flags.Get("event"));
  req.set_outcome(c.flags.Get("outcome"));
  req.set_direction(c.flags.Get("direction"));
  if (c.flags.Has("from")) *req.mutable_from() = ParseWhen("from", c.flags.Get("from"));
  if (c.flags.Has("to")) *req.mutable_to() = ParseWhen("to", c.flags.Get("to"));
  if (c.flags.Has("limit"))
    req.set_limit(static_cast<int32_t>(ParseInt("limit", c.flags.Get("limit"))));
  return PrintMerged(
      c, SearchHistory(c.hub(), adapters, req, c.timeout),
      {"AT", "PROCESS", "DIR", "DESTINATION", "KEY", "EVENT", "OUTCOME", "DETAIL"},
      [](const std::string& process, const admin::HistoryEntry& e) -> std::vector<std::string> {
        return {When(e.at()),  process,
                e.direction(), e.destination(),
                e.key(),       Short(e.event_id(), 40),
                e.outcome(),   Short(e.detail(), 50)};
      });
}

// ------------------------------------------------------------------ replay

int Replay(Context& c) {
  const HubProcess& p = *Unwrap(c.hub().Find(c.Required("process")));
  admin::ReplayConsumerRequest req;
  req.set_producer(c.Required("consumer"));
  req.set_from_seq(ParseInt("from-seq", c.Required("from-seq")));
  req.set_who(c.Required("who"));
  req.set_why(c.Required("why"));
  admin::ReplayConsumerResponse res;
  grpc::ClientContext ctx;
  c.SetDeadline(ctx);
  grpc::Status s =
      admin::AdminService::NewStub(c.hub().Channel(p))->ReplayConsumer(&ctx, req, &res);
  if (!s.ok()) return Failed(c, p, s);
  if (c.json) {
    json j = ToJson(res);
    j["process"] = p.name;
    j["consumer"] = req.producer();
    c.out << j.dump(2) << "\n";
  } else {
    c.out << p.name << " follows " << req.producer() << " again from seq " << req.from_seq()
          << " (cursor " << res.previous_cursor() << " -> " << res.cursor() << ")\n";
  }
  return kExitOk;
}

// ----------------------------------------------------------------- consent

int ConsentCheck(Context& c) {
  const HubProcess& p = *Unwrap(c.hub().Find("consent"));
  olifantenpad::consent::v1::CheckConsentRequest req;
  req.mutable_child()->set_child_ref(c.Required("child"));
  const std::string purpose = absl::AsciiStrToUpper(c.Required("purpose"));
  olifantenpad::consent::v1::Purpose value;
  if (!olifantenpad::consent::v1::Purpose_Parse("PURPOSE_" + purpose, &value) ||
      value == olifantenpad::consent::v1::PURPOSE_UNSPECIFIED) {
    throw UsageError{absl::StrCat("--purpose: '", c.flags.Get("purpose"),
                                  "' is not one of direct_line, group_discussion, "
                                  "school_handover, warm_handover")};
  }
  req.set_purpose(value);
  req.set_recipient_organisation_id(c.Required("recipient"));
  if (c.flags.Has("at")) *req.mutable_at() = ParseWhen("at", c.flags.Get("at"));
  req.mutable_access()->set_actor_id(c.Required("who"));
  req.mutable_access()->set_reason(c.Required("why"));
  olifantenpad::consent::v1::CheckConsentResponse res;
  grpc::ClientContext ctx;
  c.SetDeadline(ctx);
  grpc::Status s = olifantenpad::consent::v1::ConsentService::NewStub(c.hub().Channel(p))
                       ->CheckConsent(&ctx, req, &res);
  if (!s.ok()) return Failed(c, p, s);
  if (c.json) {
    c.out << ToJson(res.decision()).dump(2) << "\n";
  } else if (res.decision().permitted()) {
    c.out << "permitted by consent " << res.decision().consent_id() << "\n";
  } else {
    c.out << "denied: " << res.decision().reason() << "\n";
  }
  return res.decision().permitted() ? kExitOk : kExitNo;
}

// ------------------------------------------------------------------- audit

int AuditSearch(Context& c) {
  std::vector<const HubProcess*> processes;
  if (c.flags.Has("process")) {
    processes.push_back(Unwrap(c.hub().Find(c.flags.Get("process"))));
  } else {
    for (const HubProcess& p : c.hub().processes()) processes.push_back(&p);
  }
  admin::SearchAuditRequest req;
  req.set_actor(c.flags.Get("actor"));
  req.set_action(c.flags.Get("action"));
  req.set_object_id(c.flags.Get("object"));
  req.set_child_ref(c.flags.Get("child"));
  if (c.flags.Has("from")) *req.mutable_from() = ParseWhen("from", c.flags.Get("from"));
  if (c.flags.Has("to")) *req.mutable_to() = ParseWhen("to", c.flags.Get("to"));
  if (c.flags.Has("limit"))
    req.set_limit(static_cast<int32_t>(ParseInt("limit", c.flags.Get("limit"))));
  return PrintMerged(
      c, SearchAudit(c.hub(), processes, req, c.timeout),
      {"AT", "PROCESS", "ACTOR", "ACTION", "OBJECT", "CHILD", "OUTCOME", "REASON"},
      [](const std::string& process, const admin::AuditEntry& e) -> std::vector<std::string> {
        return {When(e.at()),
                process,
                e.actor(),
                e.action(),
                e.object_id(),
                e.child_ref(),
                Short(e.outcome(), 30),
                Short(e.reason(), 40)};
      });
}

// ------------------------------------------------------------------ alerts

int Alerts(Context& c) {
  const HubProcess& p = *Unwrap(c.hub().Find("alerts"));
  admin::ListAlertsRequest req;
  req.set_include_resolved(c.flags.switches.count("all") > 0);
  if (c.flags.Has("limit"))
    req.set_limit(static_cast<int32_t>(ParseInt("limit", c.flags.Get("limit"))));
  admin::ListAlertsResponse res;
  grpc::ClientContext ctx;
  c.SetDeadline(ctx);
  grpc::Status s = admin::AlertService::NewStub(c.hub().Channel(p))->ListAlerts(&ctx, req, &res);
  if (!s.ok()) return Failed(c, p, s);
  const bool firing = std::any_of(res.alerts().begin(), res.alerts().end(),
                                  [](const admin::Alert& a) { return a.state() == "firing"; });
  if (c.json) {
    c.out << json{{"firing", firing}, {"alerts", ToJson(res)["alerts"]}}.dump(2) << "\n";
    return firing ? kExitNo : kExitOk;
  }
  Table t({"STATE", "RULE", "SUBJECT", "SINCE", "FIRED", "RESOLVED", "SUMMARY"});
  for (const admin::Alert& a : res.alerts()) {
    t.Add({a.state(), a.rule(), a.subject(), When(a.since()), When(a.fired_at()),
           When(a.resolved_at()), Short(a.summary(), 70)});
  }
  if (t.empty()) {
    c.out << "no alerts\n";
  } else {
    t.Print(c.out);
  }
  return firing ? kExitNo : kExitOk;
}

// ------------------------------------------------------------------- users

// The console's users file: --users-file, or the one the console's config in
// the config directory names.
std::string UsersFile(Context& c) {
  if (c.flags.Has("users-file")) return c.flags.Get("users-file");
  const std::string path = (std::filesystem::path(c.config_dir) / "console.yaml").string();
  olifantenpad::config::v1::ConsoleConfig config;
  if (absl::Status s = config::LoadFile(path, &config, c.environment.env); !s.ok()) {
    throw UsageError{absl::StrCat("cannot find the users file (give --users-file): ", s.message())};
  }
  return config.console().users_file();
}

// One line of the input, with the terminal's echo off while it is typed.
std::string ReadSecretLine(Context& c, const std::string& prompt) {
  std::istream& in = c.environment.input != nullptr ? *c.environment.input : std::cin;
  const bool terminal = c.environment.input_is_terminal;
  termios saved{};
  if (terminal) {
    c.err << prompt << std::flush;
    tcgetattr(STDIN_FILENO, &saved);
    termios quiet = saved;
    quiet.c_lflag &= ~static_cast<tcflag_t>(ECHO);
    tcsetattr(STDIN_FILENO, TCSANOW, &quiet);
  }
  std::string line;
  std::getline(in, line);
  if (terminal) {
    tcsetattr(STDIN_FILENO, TCSANOW, &saved);
    c.err << "\n";
  }
  if (!line.empty() && line.back() == '\r') line.pop_back();
  return line;
}

int UserAdd(Context& c) {
  if (c.flags.positional.size() != 1) throw UsageError{"user add: give the user's name"};
  const std::string name = c.flags.positional[0];
  absl::StatusOr<console::Role> role = console::ParseRole(c.Required("role"));
  if (!role.ok()) throw UsageError{std::string(role.status().message())};
  const bool from_stdin = c.flags.switches.count("password-stdin") > 0;
  if (!from_stdin && !c.environment.input_is_terminal) {
    throw UsageError{"user add: no terminal to ask the password on; give --password-stdin"};
  }
  const std::string password = ReadSecretLine(c, "password for " + name + ": ");
  if (!from_stdin && ReadSecretLine(c, "the same again: ") != password) {
    c.err << "olifantctl: the two passwords differ; nothing changed\n";
    return kExitNo;
  }
  const std::string file = UsersFile(c);
  absl::Status s =
      console::AddUser(file, name, *role, password, c.flags.switches.count("replace") > 0);
  if (!s.ok()) {
    c.err << "olifantctl: " << s.message() << "\n";
    return s.code() == absl::StatusCode::kInvalidArgument ? kExitUsage : kExitRefused;
  }
  if (c.json) {
    c.out << json{{"user", name}, {"role", console::RoleName(*role)}, {"users_file", file}}.dump(2)
          << "\n";
  } else {
    c.out << "user " << name << " (" << console::RoleName(*role) << ") is in " << file << "\n";
  }
  return kExitOk;
}

int UserRemove(Context& c) {
  if (c.flags.positional.size() != 1) throw UsageError{"user remove: give the user's name"};
  const std::string file = UsersFile(c);
  if (absl::Status s = console::RemoveUser(file, c.flags.positional[0]); !s.ok()) {
    c.err << "olifantctl: " << s.message() << "\n";
    return kExitRefused;
  }
  if (c.json) {
    c.out << json{{"removed", c.flags.positional[0]}, {"users_file", file}}.dump(2) << "\n";
  } else {
    c.out << "user " << c.flags.positional[0] << " removed from " << file << "\n";
  }
  return kExitOk;
}

int UserList(Context& c) {
  const std::string file = UsersFile(c);
  absl::StatusOr<std::vector<console::User>> users = console::ReadUsers(file);
  if (!users.ok()) {
    c.err << "olifantctl: " << users.status().message() << "\n";
    return kExitRefused;
  }
  json list = json::array();
  Table t({"USER", "ROLE"});
  for (const console::User& u : *users) {
    list.push_back({{"user", u.name}, {"role", console::RoleName(u.role)}});
    t.Add({u.name, console::RoleName(u.role)});
  }
  if (c.json) {
    c.out << json{{"users", list}, {"users_file", file}}.dump(2) << "\n";
  } else if (t.empty()) {
    c.out << "no users in " << file << "\n";
  } else {
    t.Print(c.out);
  }
  return kExitOk;
}

// ------------------------------------------------------------------ vacuum

int Vacuum(Context& c) {
  std::vector<const HubProcess*> processes;
  if (c.flags.Has("process")) {
    processes.push_back(Unwrap(c.hub().Find(c.flags.Get("process"))));
  } else {
    for (const HubProcess& p : c.hub().processes()) processes.push_back(&p);
  }
  admin::VacuumRequest req;
  req.set_who(c.Required("who"));
  req.set_why(c.Required("why"));
  json results = json::array();
  Table t({"PROCESS", "BEFORE", "AFTER", "FREE PAGES BEFORE", "REBUILT"});
  int code = kExitOk;
  for (const HubProcess* p : processes) {
    admin::VacuumResponse res;
    grpc::ClientContext ctx;
    // A rebuild of a large file takes longer than a status call.
    ctx.set_deadline(Deadline(std::max(c.timeout, std::chrono::milliseconds(120000))));
    grpc::Status s = admin::AdminService::NewStub(c.hub().Channel(*p))->Vacuum(&ctx, req, &res);
    if (s.error_code() == grpc::StatusCode::UNIMPLEMENTED && processes.size() > 1) continue;
    if (!s.ok()) {
      code = std::max(code, Failed(c, *p, s));
      continue;
    }
    json j = ToJson(res);
    j["process"] = p->name;
    results.push_back(j);
    t.Add({p->name, Bytes(res.before().size_bytes()), Bytes(res.after().size_bytes()),
           absl::StrCat(res.before().free_pages()), res.rebuilt() ? "yes" : "no"});
  }
  if (c.json) {
    c.out << json{{"databases", results}}.dump(2) << "\n";
  } else {
    t.Print(c.out);
  }
  return code;
}

// -------------------------------------------------------- keys and config

int KeysGenCurve(Context& c) {
  absl::StatusOr<bus::CurveKeyPair> pair = bus::GenerateCurveKeyPair();
  if (!pair.ok()) {
    c.err << "olifantctl: " << pair.status().message() << "\n";
    return kExitRefused;
  }
  if (c.json) {
    c.out << json{{"public_key", pair->public_key}, {"secret_key", pair->secret_key}}.dump(2)
          << "\n";
  } else {
    c.out << "public_key: " << pair->public_key << "\n"
          << "secret_key: " << pair->secret_key << "\n"
          << "# Give the secret key to the process through the environment (${NAME} in its\n"
          << "# config file); never commit it. The public key goes in its peers' configs.\n";
  }
  return kExitOk;
}

// Runs `argv` and returns its exit code and what it printed (both streams).
std::pair<int, std::string> RunChild(const std::vector<std::string>& argv) {
  int pipe_fds[2];
  if (pipe(pipe_fds) != 0) return {-1, "cannot make a pipe"};
  const pid_t pid = fork();
  if (pid == 0) {
    dup2(pipe_fds[1], 1);
    dup2(pipe_fds[1], 2);
    close(pipe_fds[0]);
    close(pipe_fds[1]);
    std::vector<char*> raw;
    for (const std::string& a : argv) raw.push_back(const_cast<char*>(a.c_str()));
    raw.push_back(nullptr);
    execv(raw[0], raw.data());
    _exit(127);
  }
  close(pipe_fds[1]);
  std::string output;
  char buf[4096];
  ssize_t n;
  while ((n = read(pipe_fds[0], buf, sizeof buf)) > 0) output.append(buf, static_cast<size_t>(n));
  close(pipe_fds[0]);
  int status = 0;
  waitpid(pid, &status, 0);
  return {WIFEXITED(status) ? WEXITSTATUS(status) : -1, output};
}

int ConfigCheck(Context& c) {
  const std::string dir = c.flags.positional.empty() ? c.config_dir : c.flags.positional[0];
  if (!std::filesystem::is_directory(dir))
    throw UsageError{absl::StrCat(dir, " is not a directory")};
  json results = json::array();
  Table t({"PROCESS", "CONFIG", "RESULT"});
  bool all_ok = true;
  int checked = 0;
  for (const char* name : launcher::kHubProcesses) {
    const std::string file = (std::filesystem::path(dir) / absl::StrCat(name, ".yaml")).string();
    if (!std::filesystem::exists(file)) continue;
    ++checked;
    const std::string binary = (std::filesystem::path(c.environment.bin_dir) / name).string();
    std::pair<int, std::string> result{-1, absl::StrCat(binary, " is missing; build first")};
    if (access(binary.c_str(), X_OK) == 0) {
      result = RunChild({binary, "--check-config", "--config", file});
    }
    const bool ok = result.first == 0;
    all_ok = all_ok && ok;
    std::string message(absl::StripAsciiWhitespace(result.second));
    results.push_back({{"process", name}, {"config", file}, {"ok", ok}, {"message", message}});
    t.Add({name, file, ok ? "OK" : message});
  }
  if (checked == 0) {
    throw UsageError{absl::StrCat("no process of the hub is configured in ", dir)};
  }
  if (c.json) {
    c.out << json{{"ok", all_ok}, {"configs", results}}.dump(2) << "\n";
  } else {
    t.Print(c.out);
  }
  return all_ok ? kExitOk : kExitNo;
}

// ---------------------------------------------------------------- commands

const std::vector<Command>& Commands() {
  static const std::vector<Command> commands = {
      {"status",
       "every process: health, version, uptime, outbox, lag, queues, database",
       "",
       "olifantctl status --output json",
       {},
       {},
       Status},
      {"dlq list",
       "dead letters of the adapters, oldest first",
       "[--process ADAPTER] [--destination D] [--limit N]",
       "olifantctl dlq list --process youthcare_fhir",
       {"process", "destination", "limit"},
       {},
       DlqList},
      {"dlq show",
       "one queued message: state, attempts, actions, payload",
       "--process ADAPTER ID",
       "olifantctl dlq show --process youthcare_fhir 42",
       {"process"},
       {},
       DlqShow,
       1},
      {"dlq retry",
       "send dead letters again (with --all: every one selected, oldest first)",
       "--process ADAPTER ID... | --all [--process ADAPTER] [--destination D]; --who W --why Y",
       "olifantctl dlq retry --all --destination fhir --who j.devries --why \"FHIR server back\"",
       {"process", "destination", "who", "why"},
       {"all"},
       [](Context& c) { return DlqAct(c, "retry"); },
       1000},
      {"dlq skip",
       "give up on dead letters (their key's later messages flow)",
       "--process ADAPTER ID... | --all [--process ADAPTER] [--destination D]; --who W --why Y",
       "olifantctl dlq skip --process school 7 --who j.devries --why \"school closed\"",
       {"process", "destination", "who", "why"},
       {"all"},
       [](Context& c) { return DlqAct(c, "skip"); },
       1000},
      {"dlq edit",
       "correct a dead letter's message and send it again ($EDITOR, or --file)",
       "--process ADAPTER ID [--file F] --who W --why Y",
       "olifantctl dlq edit --process youthcare_fhir 42 --who j.devries --why \"typo in code\"",
       {"process", "file", "who", "why"},
       {},
       DlqEdit,
       1},
      {"history search",
       "the adapters' message history, newest first",
       "[--process ADAPTER] [--destination D] [--key K] [--event E] [--outcome O] "
       "[--direction in|out] [--from T] [--to T] [--limit N]",
       "olifantctl history search --outcome dead_lettered --from 24h",
       {"process", "destination", "key", "event", "outcome", "direction", "from", "to", "limit"},
       {},
       HistorySearch},
      {"replay",
       "make a process's bus consumer fetch again from a seq (recorded with who/why)",
       "--process P --consumer PRODUCER --from-seq N --who W --why Y",
       "olifantctl replay --process youthcare_fhir --consumer referrals --from-seq 120 "
       "--who j.devries --why \"provider restored from backup\"",
       {"process", "consumer", "from-seq", "who", "why"},
       {},
       Replay},
      {"consent check",
       "whether a consent permits sharing a child's data now (audited)",
       "--child REF --purpose direct_line|group_discussion|school_handover|warm_handover "
       "--recipient ORG [--at T] --who W --why Y",
       "olifantctl consent check --child 7b0c... --purpose school_handover --recipient "
       "school-het-palet --who j.devries --why \"parent asked\"",
       {"child", "purpose", "recipient", "at", "who", "why"},
       {},
       ConsentCheck},
      {"audit search",
       "the audit trails (consent, handover) and replays, newest first",
       "[--process P] [--actor A] [--action A] [--object ID] [--child REF] [--from T] [--to T] "
       "[--limit N]",
       "olifantctl audit search --child 7b0c... --from 7d",
       {"process", "actor", "action", "object", "child", "from", "to", "limit"},
       {},
       AuditSearch},
      {"alerts",
       "alerts firing or about to (with --all: those ended too)",
       "[--all] [--limit N]",
       "olifantctl alerts --all",
       {"limit"},
       {"all"},
       Alerts},
      {"vacuum",
       "give the databases' free pages back to the file system",
       "[--process P] --who W --why Y",
       "olifantctl vacuum --who j.devries --why \"after a year's pruning\"",
       {"process", "who", "why"},
       {},
       Vacuum},
      {"keys gen-curve",
       "a new CURVE key pair for the bus (Z85)",
       "",
       "olifantctl keys gen-curve --output json",
       {},
       {},
       KeysGenCurve},
      {"user add",
       "add a console user (password from the terminal, or one line of stdin)",
       "NAME --role read-only|operator [--password-stdin] [--replace] [--users-file F]",
       "olifantctl user add j.devries --role operator",
       {"role", "users-file"},
       {"password-stdin", "replace"},
       UserAdd,
       1},
      {"user remove",
       "remove a console user (their sessions end at their next request)",
       "NAME [--users-file F]",
       "olifantctl user remove j.devries",
       {"users-file"},
       {},
       UserRemove,
       1},
      {"user list",
       "the console's users and their roles",
       "[--users-file F]",
       "olifantctl user list",
       {"users-file"},
       {},
       UserList},
      {"config check",
       "check every config file of a directory as its process would",
       "[DIR]",
       "olifantctl config check config/example-production",
       {},
       {},
       ConfigCheck,
       1},
  };
  return commands;
}

void PrintHelp(std::ostream& out) {
  out << "usage: olifantctl [--config-dir DIR] [--output table|json] [--timeout SECONDS] "
         "COMMAND ...\n\n"
         "The operator's tool for a running Olifantenpad hub: it reads where each process\n"
         "listens from the config directory (default $OLIF_CONFIG_DIR, else config/dev).\n\n"
         "commands:\n";
  for (const Command& cmd : Commands()) {
    out << absl::StrFormat("  %-15s %s\n", cmd.name, cmd.summary);
  }
  out << "\n'olifantctl COMMAND --help' shows a command's flags and an example.\n\n"
         "exit codes: 0 done (status: all serving; consent check: permitted); 1 answered no\n"
         "(a process not serving, an alert firing, consent denied, one of several actions\n"
         "refused, nothing changed); 2 usage; 3 a process unreachable; 4 the hub refused the "
         "request.\n";
}

void PrintCommandHelp(const Command& cmd, std::ostream& out) {
  out << "usage: olifantctl " << cmd.name << (cmd.usage.empty() ? "" : " ") << cmd.usage << "\n\n"
      << cmd.summary << ".\n\nexample:\n  " << cmd.example << "\n";
}

}  // namespace

int Run(const std::vector<std::string>& args, const Environment& environment, std::ostream& out,
        std::ostream& err) {
  // Global flags first, then the command's words, then its flags.
  std::string config_dir = environment.env("OLIF_CONFIG_DIR").value_or("config/dev");
  std::string output = "table";
  std::string timeout_text = "5";
  std::vector<std::string> rest;
  for (size_t i = 0; i < args.size(); ++i) {
    const std::string& a = args[i];
    if ((a == "--config-dir" || a == "--output" || a == "--timeout") && i + 1 < args.size()) {
      (a == "--config-dir" ? config_dir : a == "--output" ? output : timeout_text) = args[++i];
    } else {
      rest.push_back(a);
    }
  }
  if (rest.empty() || rest[0] == "--help" || rest[0] == "-h" || rest[0] == "help") {
    PrintHelp(rest.empty() ? err : out);
    return rest.empty() ? kExitUsage : kExitOk;
  }
  if (output != "table" && output != "json") {
    err << "olifantctl: --output: '" << output << "' is neither table nor json\n";
    return kExitUsage;
  }
  int64_t timeout_s = 0;
  if (!absl::SimpleAtoi(timeout_text, &timeout_s) || timeout_s <= 0) {
    err << "olifantctl: --timeout: '" << timeout_text << "' is not a positive number of seconds\n";
    return kExitUsage;
  }
  // The longest command name that the words make.
  const Command* cmd = nullptr;
  size_t words = 0;
  for (const Command& candidate : Commands()) {
    const std::vector<std::string> parts = absl::StrSplit(candidate.name, ' ');
    if (parts.size() <= rest.size() && std::equal(parts.begin(), parts.end(), rest.begin()) &&
        parts.size() > words) {
      cmd = &candidate;
      words = parts.size();
    }
  }
  if (cmd == nullptr) {
    err << "olifantctl: unknown command '" << absl::StrJoin(rest, " ") << "'\n\n";
    PrintHelp(err);
    return kExitUsage;
  }
  Flags flags;
  for (size_t i = words; i < rest.size(); ++i) {
    const std::string& a = rest[i];
    if (a == "--help" || a == "-h") {
      PrintCommandHelp(*cmd, out);
      return kExitOk;
    }
    if (!absl::StartsWith(a, "--")) {
      flags.positional.push_back(a);
      continue;
    }
    const std::string name = a.substr(2);
    if (std::find(cmd->switch_flags.begin(), cmd->switch_flags.end(), name) !=
        cmd->switch_flags.end()) {
      flags.switches.insert(name);
    } else if (std::find(cmd->value_flags.begin(), cmd->value_flags.end(), name) !=
               cmd->value_flags.end()) {
      if (i + 1 >= rest.size()) {
        err << "olifantctl " << cmd->name << ": --" << name << " needs a value\n";
        return kExitUsage;
      }
      flags.values[name] = rest[++i];
    } else {
      err << "olifantctl " << cmd->name << ": unknown flag " << a << "\n\n";
      PrintCommandHelp(*cmd, err);
      return kExitUsage;
    }
  }
  if (static_cast<int>(flags.positional.size()) > cmd->max_positional) {
    err << "olifantctl " << cmd->name << ": unexpected '" << flags.positional.back() << "'\n\n";
    PrintCommandHelp(*cmd, err);
    return kExitUsage;
  }
  Context context{environment,
                  *cmd,
                  flags,
                  config_dir,
                  output == "json",
                  std::chrono::milliseconds(timeout_s * 1000),
                  out,
                  err};
  try {
    return cmd->run(context);
  } catch (const UsageError& e) {
    err << "olifantctl " << cmd->name << ": " << e.message << "\n";
    return kExitUsage;
  }
}

}  // namespace olif::ctl
