#include "adapters/youthcare_fhir/testing/fake_fhir_server.h"

#include <httplib.h>

#include <algorithm>
#include <chrono>
#include <optional>
#include <tuple>

#include "absl/strings/match.h"
#include "absl/strings/numbers.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/str_split.h"

namespace olif::fakes {
namespace {

using nlohmann::json;

constexpr char kFhirJson[] = "application/fhir+json";

json Outcome(const std::string& code, const std::string& text) {
  return json{
      {"resourceType", "OperationOutcome"},
      {"issue", json::array({json{{"severity", "error"}, {"code", code}, {"diagnostics", text}}})}};
}

void Reply(httplib::Response& res, int status, const json& body) {
  res.status = status;
  res.set_content(body.dump(), kFhirJson);
}

std::string Instant(int64_t ms) {
  return absl::FormatTime("%Y-%m-%dT%H:%M:%E3SZ", absl::FromUnixMillis(ms), absl::UTCTimeZone());
}

bool ParseInstant(const std::string& s, int64_t* ms) {
  absl::Time t;
  std::string err;
  if (!absl::ParseTime(absl::RFC3339_full, s, &t, &err)) return false;
  *ms = absl::ToUnixMillis(t);
  return true;
}

// Whether `resource` has the identifier "system|value".
bool HasIdentifier(const json& resource, const std::string& token) {
  const auto bar = token.find('|');
  const std::string system = bar == std::string::npos ? "" : token.substr(0, bar);
  const std::string value = bar == std::string::npos ? token : token.substr(bar + 1);
  if (!resource.contains("identifier")) return false;
  for (const json& id : resource["identifier"]) {
    if (id.value("value", "") == value && (system.empty() || id.value("system", "") == system)) {
      return true;
    }
  }
  return false;
}

// Replaces references to the entries' fullUrls by the stored Type/id.
void Resolve(json& node, const std::map<std::string, std::string>& refs) {
  if (node.is_object()) {
    for (auto& [key, value] : node.items()) {
      if (key == "reference" && value.is_string()) {
        auto it = refs.find(value.get<std::string>());
        if (it != refs.end()) value = it->second;
      } else {
        Resolve(value, refs);
      }
    }
  } else if (node.is_array()) {
    for (json& item : node) Resolve(item, refs);
  }
}

// A FHIRPath Patch (Parameters) of the forms the adapter sends: replace
// Type.element, add an element to Type.
absl::StatusOr<json> ApplyPatch(json resource, const json& parameters) {
  for (const json& op : parameters.value("parameter", json::array())) {
    std::string type, path, name;
    json value;
    for (const json& part : op.value("part", json::array())) {
      const std::string n = part.value("name", "");
      for (const auto& [k, v] : part.items()) {
        if (k.rfind("value", 0) != 0) continue;
        if (n == "type") type = v;
        if (n == "path") path = v;
        if (n == "name") name = v;
        if (n == "value") value = v;
      }
    }
    const auto dot = path.find('.');
    if (type == "replace" && dot != std::string::npos) {
      const std::string element = path.substr(dot + 1);
      if (!resource.contains(element)) {
        return absl::InvalidArgumentError("replace " + path + ": no such element");
      }
      if (resource[element].is_array()) {
        // The path selects the list's items: replacing needs exactly one.
        if (resource[element].size() != 1) {
          return absl::InvalidArgumentError(
              absl::StrCat("replace ", path, ": matches ", resource[element].size(), " items"));
        }
        resource[element] = json::array({value});
      } else {
        resource[element] = value;
      }
    } else if (type == "add" && dot == std::string::npos && !name.empty()) {
      resource[name] = value;
    } else {
      return absl::InvalidArgumentError("patch operation " + type + " " + path +
                                        " is not supported here");
    }
  }
  return resource;
}

}  // namespace

FakeFhirServer::FakeFhirServer() = default;

FakeFhirServer::~FakeFhirServer() { Stop(); }

std::string FakeFhirServer::base_url() const { return absl::StrCat("http://", host_, ":", port_); }

void FakeFhirServer::Route(httplib::Server& server) {
  auto handle = [this](const httplib::Request& req, httplib::Response& res) { Handle(req, res); };
  server.Get(".*", handle);
  server.Post(".*", handle);
  server.Put(".*", handle);
  server.set_payload_max_length(16 << 20);
  // As real FHIR servers do, a connection serves many requests; enough
  // threads that the adapter's open connections never starve a newcomer.
  server.set_keep_alive_max_count(10000);
  server.set_tcp_nodelay(true);  // no delayed-ACK wait between an answer's head and body
  server.set_keep_alive_timeout(1);
  server.new_task_queue = [] { return new httplib::ThreadPool(32); };
}

void FakeFhirServer::Serve(std::unique_ptr<httplib::Server> server) {
  server_ = std::move(server);
  listener_ = std::thread([s = server_.get()] { s->listen_after_bind(); });
  // httplib's stop() does nothing until the loop runs: wait for it.
  for (int i = 0; i < 500 && !server_->is_running(); ++i) absl::SleepFor(absl::Milliseconds(2));
}

absl::StatusOr<int> FakeFhirServer::Start(const std::string& host, int port) {
  olif::MutexLock lock(&server_mu_);
  host_ = host;
  auto server = std::make_unique<httplib::Server>();
  Route(*server);
  port_ =
      port == 0 ? server->bind_to_any_port(host) : (server->bind_to_port(host, port) ? port : -1);
  if (port_ < 0) return absl::UnavailableError(absl::StrCat("cannot listen on ", host, ":", port));
  Serve(std::move(server));
  return port_;
}

void FakeFhirServer::Stop() {
  {
    olif::MutexLock lock(&server_mu_);
    stopping_ = true;
    if (server_) server_->stop();
  }
  if (reviver_.joinable()) reviver_.join();
  if (listener_.joinable()) listener_.join();
}

void FakeFhirServer::GoDown(absl::Duration d) {
  olif::MutexLock lock(&server_mu_);
  if (stopping_ || down_ || !server_) return;
  down_ = true;
  server_->stop();
  if (reviver_.joinable()) reviver_.join();  // the last revival, finished
  reviver_ = std::thread([this, d] {
    const absl::Time until = absl::Now() + d;
    for (;;) {
      {
        olif::MutexLock l(&server_mu_);
        if (stopping_) return;
      }
      if (absl::Now() >= until) break;
      absl::SleepFor(absl::Milliseconds(20));
    }
    if (listener_.joinable()) listener_.join();
    auto server = std::make_unique<httplib::Server>();
    Route(*server);
    // The port was ours a moment ago; retry a little in case it lingers.
    bool bound = false;
    for (int i = 0; i < 100 && !bound; ++i) {
      bound = server->bind_to_port(host_, port_);
      if (!bound) absl::SleepFor(absl::Milliseconds(50));
    }
    olif::MutexLock l(&server_mu_);
    down_ = false;
    if (stopping_ || !bound) return;
    Serve(std::move(server));
  });
}

void FakeFhirServer::AddFailure(FailRule rule) {
  olif::MutexLock lock(&mu_);
  failures_.push_back(std::move(rule));
}

void FakeFhirServer::ResetFailures() {
  olif::MutexLock lock(&mu_);
  failures_.clear();
}

bool FakeFhirServer::Injected(const httplib::Request& req, httplib::Response& res) {
  FailRule hit;
  {
    olif::MutexLock lock(&mu_);
    auto it = std::find_if(failures_.begin(), failures_.end(), [&req](const FailRule& r) {
      return r.count != 0 && (r.match.empty() || absl::StrContains(req.body, r.match));
    });
    if (it == failures_.end()) return false;
    hit = *it;
    if (it->count > 0 && --it->count == 0) failures_.erase(it);
  }
  if (hit.delay_ms > 0) absl::SleepFor(absl::Milliseconds(hit.delay_ms));
  if (hit.status == 429) res.set_header("Retry-After", "1");
  Reply(res, hit.status,
        Outcome(hit.status == 400 ? "invalid" : "transient",
                absl::StrCat("failure injected by the fake FHIR server (", hit.status, ")")));
  return true;
}

void FakeFhirServer::Handle(const httplib::Request& req, httplib::Response& res) {
  const std::string& path = req.path;
  {
    // A connection kept open from before going down still reaches this
    // server once: it fails as a server going down would, and is closed.
    olif::MutexLock lock(&server_mu_);
    if (down_) {
      res.set_header("Connection", "close");
      return Reply(res, 503, Outcome("transient", "the server is going down"));
    }
  }
  if (path == "/_fake/down") res.set_header("Connection", "close");
  if (absl::StartsWith(path, "/_fake/")) {
    json body = json::object();
    if (!req.body.empty()) {
      body = json::parse(req.body, nullptr, false);
      if (body.is_discarded() || !body.is_object()) {
        return Reply(res, 400, Outcome("invalid", "control body must be a JSON object"));
      }
    }
    if (path == "/_fake/fail") {
      FailRule r;
      r.status = body.value("status", 500);
      r.count = body.value("count", 1);
      r.match = body.value("match", "");
      r.delay_ms = body.value("delay_ms", 0);
      AddFailure(r);
    } else if (path == "/_fake/down") {
      GoDown(absl::Seconds(body.value("seconds", 10)));
    } else if (path == "/_fake/reset") {
      ResetFailures();
    } else if (path == "/_fake/arrivals") {
      return Reply(res, 200, Arrivals(req.get_param_value("type")));
    } else if (path != "/_fake/stats") {
      return Reply(res, 404, Outcome("not-found", "unknown control " + path));
    }
    return Reply(res, 200, Stats());
  }
  if (path == "/metadata") {
    return Reply(res, 200,
                 json{{"resourceType", "CapabilityStatement"},
                      {"status", "active"},
                      {"date", "2026-01-01"},
                      {"kind", "instance"},
                      {"fhirVersion", "4.0.1"},
                      {"format", json::array({"json"})}});
  }
  if (Injected(req, res)) return;

  json body;
  if (req.method != "GET") {
    body = json::parse(req.body, nullptr, false);
    if (body.is_discarded() || !body.is_object() || !body.contains("resourceType")) {
      return Reply(res, 400, Outcome("structure", "body is not a FHIR JSON resource"));
    }
  }
  std::vector<std::string> parts = absl::StrSplit(path.substr(1), '/', absl::SkipEmpty());
  std::string query;
  for (const auto& [k, v] : req.params) {
    absl::StrAppend(&query, query.empty() ? "" : "&", k, "=", v);
  }
  olif::MutexLock lock(&mu_);
  if (parts.empty() && req.method == "POST") {
    if (body.value("resourceType", "") != "Bundle" || body.value("type", "") != "transaction") {
      return Reply(res, 400, Outcome("invalid", "POST / takes a transaction Bundle"));
    }
    int status = 200;
    json out = Transaction(body, &status);
    return Reply(res, status, out);
  }
  if (parts.size() == 1 && req.method == "GET") {
    int status = 200;
    json out = Searchset(parts[0], query, &status);
    return Reply(res, status, out);
  }
  if (parts.size() == 1 && req.method == "POST") {
    return Reply(res, 201, Create(parts[0], std::move(body)));
  }
  if (parts.size() == 2 && req.method == "GET") {
    auto t = store_.find(parts[0]);
    if (t == store_.end() || !t->second.contains(parts[1])) {
      return Reply(res, 404, Outcome("not-found", path + " is not known"));
    }
    return Reply(res, 200, t->second[parts[1]].resource);
  }
  if (parts.size() == 2 && req.method == "PUT") {
    bool created = false;
    json stored = Put(parts[0], parts[1], std::move(body), &created);
    return Reply(res, created ? 201 : 200, stored);
  }
  Reply(res, 404, Outcome("not-supported", req.method + " " + path + " is not supported here"));
}

void FakeFhirServer::Index(const std::string& type, const json& before, const json& after) {
  auto tokens = [](const json& r) {
    std::vector<std::string> out;
    if (r.is_object() && r.contains("identifier") && r["identifier"].is_array()) {
      for (const json& i : r["identifier"]) {
        if (i.is_object()) out.push_back(i.value("system", "") + "|" + i.value("value", ""));
      }
    }
    return out;
  };
  const std::string id = after.value("id", before.is_object() ? before.value("id", "") : "");
  for (const std::string& t : tokens(before)) by_identifier_[type][t].erase(id);
  for (const std::string& t : tokens(after)) by_identifier_[type][t].insert(id);
}

void FakeFhirServer::Stamp(Stored& s, int64_t version) {
  if (!in_transaction_) last_ms_ = std::max(absl::ToUnixMillis(absl::Now()), last_ms_ + 1);
  s.updated_ms = last_ms_;
  s.resource["meta"] =
      json{{"versionId", absl::StrCat(version)}, {"lastUpdated", Instant(last_ms_)}};
}

json FakeFhirServer::Create(const std::string& type, json resource) {
  const std::string id = absl::StrCat("f", next_id_++);
  resource["id"] = id;
  resource["resourceType"] = type;
  Stored& s = store_[type][id];
  s.resource = std::move(resource);
  s.order = next_order_++;
  s.created_us = absl::ToUnixMicros(absl::Now());
  Stamp(s, 1);
  Index(type, json(), s.resource);
  ++created_;
  return s.resource;
}

json FakeFhirServer::Put(const std::string& type, const std::string& id, json resource,
                         bool* created) {
  auto& of_type = store_[type];
  auto it = of_type.find(id);
  if (it == of_type.end()) {
    *created = true;
    resource["id"] = id;
    Stored& s = of_type[id];
    s.resource = std::move(resource);
    s.resource["resourceType"] = type;
    s.order = next_order_++;
    s.created_us = absl::ToUnixMicros(absl::Now());
    Stamp(s, 1);
    Index(type, json(), s.resource);
    ++created_;
    return s.resource;
  }
  *created = false;
  const int64_t version = std::stoll(it->second.resource["meta"].value("versionId", "1")) + 1;
  resource["id"] = id;
  resource["resourceType"] = type;
  Index(type, it->second.resource, resource);
  it->second.resource = std::move(resource);
  Stamp(it->second, version);
  return it->second.resource;
}

std::vector<FakeFhirServer::Stored*> FakeFhirServer::Match(const std::string& type,
                                                           const std::string& query) {
  std::string identifier;
  int64_t after = -1;
  bool inclusive = false;
  for (absl::string_view param : absl::StrSplit(query, '&', absl::SkipEmpty())) {
    std::pair<std::string, std::string> kv = absl::StrSplit(param, absl::MaxSplits('=', 1));
    if (kv.first == "identifier") identifier = kv.second;
    if (kv.first == "_lastUpdated" && kv.second.size() > 2) {
      inclusive = kv.second.substr(0, 2) == "ge";
      if (!ParseInstant(kv.second.substr(2), &after)) after = -1;
    }
  }
  std::vector<Stored*> candidates;
  auto& of_type = store_[type];
  if (identifier.find('|') != std::string::npos) {
    for (const std::string& id : by_identifier_[type][identifier])
      candidates.push_back(&of_type[id]);
  } else {
    for (auto& [id, s] : of_type) candidates.push_back(&s);
  }
  std::vector<Stored*> found;
  for (Stored* s : candidates) {
    if (!identifier.empty() && !HasIdentifier(s->resource, identifier)) continue;
    if (after >= 0 && (inclusive ? s->updated_ms < after : s->updated_ms <= after)) continue;
    found.push_back(s);
  }
  std::sort(found.begin(), found.end(), [](const Stored* a, const Stored* b) {
    return std::tie(a->updated_ms, a->order) < std::tie(b->updated_ms, b->order);
  });
  return found;
}

json FakeFhirServer::Searchset(const std::string& type, const std::string& query, int* status) {
  int count = 100;
  int64_t page = 0;
  size_t offset = 0;
  for (absl::string_view param : absl::StrSplit(query, '&', absl::SkipEmpty())) {
    std::pair<std::string, std::string> kv = absl::StrSplit(param, absl::MaxSplits('=', 1));
    if (kv.first == "_count" && (!absl::SimpleAtoi(kv.second, &count) || count < 1)) count = 100;
    if (kv.first == "_getpages" && !absl::SimpleAtoi(kv.second, &page)) page = -1;
    if (kv.first == "_getpagesoffset" && !absl::SimpleAtoi(kv.second, &offset)) offset = 0;
  }
  std::vector<json> all;
  if (page != 0) {
    auto kept = pages_.find(page);
    if (kept == pages_.end()) {
      *status = 410;
      return Outcome("not-found", absl::StrCat("search page ", page, " is no longer kept"));
    }
    all = kept->second;
  } else {
    for (const Stored* found : Match(type, query)) {
      all.push_back(json{{"fullUrl", absl::StrCat(base_url(), "/", type, "/",
                                                  found->resource["id"].get<std::string>())},
                         {"resource", found->resource},
                         {"search", json{{"mode", "match"}}}});
    }
  }
  json out = {{"resourceType", "Bundle"},
              {"type", "searchset"},
              {"total", all.size()},
              {"entry", json::array()}};
  for (size_t i = offset; i < all.size() && i < offset + count; ++i) out["entry"].push_back(all[i]);
  if (offset + count < all.size()) {
    if (page == 0) {
      page = next_page_++;
      pages_[page] = std::move(all);
      if (pages_.size() > 64) pages_.erase(pages_.begin());
    }
    out["link"] = json::array(
        {json{{"relation", "next"},
              {"url", absl::StrCat(base_url(), "/", type, "?_getpages=", page,
                                   "&_getpagesoffset=", offset + count, "&_count=", count)}}});
  }
  *status = 200;
  return out;
}

std::optional<json> FakeFhirServer::Target(const json& entry, std::string* type, std::string* id,
                                           int* status) {
  const json& request = entry.value("request", json::object());
  const json& resource = entry.value("resource", json::object());
  const std::string method = request.value("method", "");
  const std::string url = request.value("url", "");
  *type = method == "PATCH" ? url.substr(0, url.find('?')) : resource.value("resourceType", "");
  if (method == "POST" && request.contains("ifNoneExist")) {
    std::vector<Stored*> m = Match(*type, request["ifNoneExist"].get<std::string>());
    if (!m.empty()) *id = m.front()->resource["id"];
  } else if (method == "PATCH") {
    const auto q = url.find('?');
    std::vector<Stored*> m = q == std::string::npos ? std::vector<Stored*>{}
                                                    : Match(url.substr(0, q), url.substr(q + 1));
    if (m.empty()) {
      *status = 404;
      return Outcome("not-found", "PATCH " + url + ": no such resource");
    }
    *id = m.front()->resource["id"];
  } else if (method == "PUT") {
    const auto q = url.find('?');
    if (q != std::string::npos) {
      std::vector<Stored*> m = Match(*type, url.substr(q + 1));
      if (!m.empty()) *id = m.front()->resource["id"].get<std::string>();
    } else {
      std::vector<std::string> p = absl::StrSplit(url, '/');
      *id = p.size() == 2 ? p[1] : "";
    }
  } else if (method != "POST") {
    *status = 400;
    return Outcome("not-supported", "transaction entry method " + method + " is not supported");
  }
  if (type->empty()) {
    *status = 400;
    return Outcome("required", "transaction entry without a resource");
  }
  return std::nullopt;
}

json FakeFhirServer::Transaction(const json& bundle, int* status) {
  ++transactions_;
  const int64_t first_id = next_id_;
  const json entries = bundle.value("entry", json::array());
  // 1. Each entry's target, so references between entries can be resolved;
  //    creations get their ids.
  std::map<std::string, std::string> refs;  // fullUrl → Type/id
  std::vector<Prepared> prepared(entries.size());
  for (size_t i = 0; i < entries.size(); ++i) {
    Prepared& p = prepared[i];
    if (std::optional<json> refused = Target(entries[i], &p.type, &p.id, status)) {
      next_id_ = first_id;
      return *refused;
    }
    p.method = entries[i]["request"].value("method", "");
    if (p.id.empty()) p.id = absl::StrCat("f", next_id_++);
    if (entries[i].contains("fullUrl")) refs[entries[i]["fullUrl"]] = p.type + "/" + p.id;
  }
  // 2. What each entry will store, checked before anything is written: a
  //    transaction is all or nothing, as on a real server.
  for (size_t i = 0; i < entries.size(); ++i) {
    Prepared& p = prepared[i];
    p.resource = entries[i]["resource"];
    Resolve(p.resource, refs);
    if (p.method != "PATCH") continue;
    absl::StatusOr<json> patched = ApplyPatch(store_[p.type][p.id].resource, p.resource);
    if (!patched.ok()) {
      next_id_ = first_id;
      *status = 422;
      return Outcome("processing", std::string(patched.status().message()));
    }
    p.resource = std::move(*patched);
  }
  return Commit(std::move(prepared));
}

json FakeFhirServer::Commit(std::vector<Prepared> prepared) {
  // Everything the transaction writes gets one instant.
  last_ms_ = std::max(absl::ToUnixMillis(absl::Now()), last_ms_ + 1);
  in_transaction_ = true;
  json responses = json::array();
  for (Prepared& p : prepared) {
    const std::string location = p.type + "/" + p.id;
    if (p.method == "POST" && store_[p.type].contains(p.id)) {
      ++duplicates_;
      responses.push_back(json{{"response", json{{"status", "200 OK"}, {"location", location}}}});
      continue;
    }
    bool created = false;
    json stored = Put(p.type, p.id, std::move(p.resource), &created);
    responses.push_back(json{{"response", json{{"status", created ? "201 Created" : "200 OK"},
                                               {"location", location},
                                               {"lastModified", stored["meta"]["lastUpdated"]}}}});
  }
  in_transaction_ = false;
  return json{{"resourceType", "Bundle"}, {"type", "transaction-response"}, {"entry", responses}};
}

std::vector<json> FakeFhirServer::Resources(const std::string& type) const {
  olif::MutexLock lock(&mu_);
  std::vector<const Stored*> all;
  auto t = store_.find(type);
  if (t != store_.end()) {
    for (const auto& [id, s] : t->second) all.push_back(&s);
  }
  std::sort(all.begin(), all.end(),
            [](const Stored* a, const Stored* b) { return a->order < b->order; });
  std::vector<json> out;
  for (const Stored* s : all) out.push_back(s->resource);
  return out;
}

absl::StatusOr<json> FakeFhirServer::Update(const std::string& type, const std::string& id,
                                            json resource) {
  olif::MutexLock lock(&mu_);
  if (!store_[type].contains(id)) return absl::NotFoundError(type + "/" + id + " is not known");
  bool created = false;
  return Put(type, id, std::move(resource), &created);
}

json FakeFhirServer::Arrivals(const std::string& type) const {
  olif::MutexLock lock(&mu_);
  json out = json::array();
  auto it = store_.find(type);
  if (it == store_.end()) return out;
  for (const auto& [id, s] : it->second) {
    json identifiers = json::array();
    if (s.resource.contains("identifier") && s.resource["identifier"].is_array()) {
      for (const json& i : s.resource["identifier"]) {
        if (i.is_object())
          identifiers.push_back(i.value("system", "") + "|" + i.value("value", ""));
      }
    }
    out.push_back(json{{"id", id}, {"identifiers", identifiers}, {"created_us", s.created_us}});
  }
  return out;
}

json FakeFhirServer::Stats() const {
  olif::MutexLock lock(&mu_);
  json counts = json::object();
  for (const auto& [type, of_type] : store_) counts[type] = of_type.size();
  return json{{"transactions", transactions_},
              {"created", created_},
              {"duplicates", duplicates_},
              {"resources", counts},
              {"failure_rules", failures_.size()}};
}

}  // namespace olif::fakes
