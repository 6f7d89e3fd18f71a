#include "adapters/school/testing/fake_school.h"

#include <httplib.h>

#include "absl/strings/escaping.h"
#include "absl/strings/numbers.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/str_split.h"
#include "adapters/runtime/http_client.h"
#include "adapters/runtime/http_server.h"
#include "services/common/fhir/identifiers.h"
#include "services/common/logging/logging.h"

namespace olif::fakes {
namespace {

using nlohmann::json;

void Reply(httplib::Response& res, int status, const json& body) {
  res.status = status;
  res.set_content(body.dump(), "application/json");
}

// What a document Bundle must be; the reason when it is not.
std::string Refusal(const json& b) {
  if (!b.is_object() || b.value("resourceType", "") != "Bundle") return "not a Bundle";
  if (b.value("type", "") != "document") return "not a document Bundle";
  if (!b.contains("identifier") || !b["identifier"].is_object()) return "no identifier";
  if (!b.contains("entry") || !b["entry"].is_array() || b["entry"].empty()) return "no entries";
  if (b["entry"][0]["resource"].value("resourceType", "") != "Composition") {
    return "the first entry is not a Composition";
  }
  return "";
}

}  // namespace

FakeSchool::FakeSchool(FakeSchoolOptions options) : options_(std::move(options)) {}

FakeSchool::~FakeSchool() { Stop(); }

std::string FakeSchool::base_url() const {
  return absl::StrCat("http://", host_, ":", port_, "/fhir");
}

absl::StatusOr<int> FakeSchool::Start(const std::string& host, int port) {
  server_ = std::make_unique<httplib::Server>();
  server_->set_keep_alive_timeout(1);  // a stop waits for idle connections no longer
  server_->Post("/fhir/Bundle", [this](const httplib::Request& req, httplib::Response& res) {
    const json b = json::parse(req.body, nullptr, false);
    if (const std::string why = b.is_discarded() ? "not JSON" : Refusal(b); !why.empty()) {
      return Reply(
          res, 400,
          {{"resourceType", "OperationOutcome"},
           {"issue",
            json::array({{{"severity", "error"}, {"code", "invalid"}, {"diagnostics", why}}})}});
    }
    Document d;
    const std::string value = b["identifier"].value("value", "");
    const std::vector<std::string> parts = absl::StrSplit(value, '/');
    d.handover_id = parts[0];
    if (parts.size() > 1 && !absl::SimpleAtoi(parts[1], &d.revision)) d.revision = 0;
    d.title = b["entry"][0]["resource"].value("title", "");
    for (const json& e : b["entry"]) {
      const json& r = e["resource"];
      if (r.value("resourceType", "") != "DocumentReference") continue;
      std::string pdf;
      absl::Base64Unescape(r["content"][0]["attachment"].value("data", ""), &pdf);
      d.pdf_bytes = pdf.size();
    }
    d.received_at = absl::Now();
    {
      olif::MutexLock lock(&mu_);
      documents_[d.handover_id] = d;
    }
    log::Info("fake school: handover received",
              {{"handover", d.handover_id}, {"revision", absl::StrCat(d.revision)}});
    Reply(res, 201, {{"resourceType", "Bundle"}, {"id", d.handover_id}});
  });
  server_->Delete("/fhir/Bundle", [this](const httplib::Request& req, httplib::Response& res) {
    const std::string identifier = req.get_param_value("identifier");
    const std::string prefix = absl::StrCat(fhir::kHandoverSystem, "|");
    const std::string id =
        identifier.rfind(prefix, 0) == 0 ? identifier.substr(prefix.size()) : identifier;
    olif::MutexLock lock(&mu_);
    auto it = documents_.find(id);
    if (it == documents_.end() || it->second.deleted) return Reply(res, 404, json::object());
    it->second.deleted = true;
    res.status = 204;
  });
  server_->Get("/_fake/received", [this](const httplib::Request&, httplib::Response& res) {
    Reply(res, 200, Received());
  });
  server_->Post("/_fake/acknowledge", [this](const httplib::Request& req, httplib::Response& res) {
    const json b = json::parse(req.body, nullptr, false);
    absl::Status s = Acknowledge(b.is_object() ? b.value("handover_id", "") : "");
    Reply(res, s.ok() ? 200 : 502,
          {{"result", s.ok() ? "acknowledged" : std::string(s.message())}});
  });
  host_ = host;
  absl::StatusOr<int> bound =
      adapters::ListenInBackground(*server_, host, port, thread_, "fake school");
  if (!bound.ok()) return bound.status();
  port_ = *bound;
  if (options_.acknowledge_after > absl::ZeroDuration()) {
    acknowledger_ = std::thread([this] { AcknowledgeLoop(); });
  }
  return port_;
}

void FakeSchool::Stop() {
  {
    olif::MutexLock lock(&mu_);
    stopping_ = true;
  }
  if (acknowledger_.joinable()) acknowledger_.join();
  if (server_) server_->stop();
  if (thread_.joinable()) thread_.join();
}

json FakeSchool::Received() {
  olif::MutexLock lock(&mu_);
  json out = json::array();
  for (const auto& [id, d] : documents_) {
    out.push_back({{"identifier", absl::StrCat(fhir::kHandoverSystem, "|", id, "/", d.revision)},
                   {"handover_id", d.handover_id},
                   {"revision", d.revision},
                   {"title", d.title},
                   {"pdf_bytes", d.pdf_bytes},
                   {"received_at", absl::FormatTime(d.received_at)},
                   {"deleted", d.deleted}});
  }
  return out;
}

absl::Status FakeSchool::Acknowledge(const std::string& handover_id) {
  Document d;
  {
    olif::MutexLock lock(&mu_);
    auto it = documents_.find(handover_id);
    if (it == documents_.end() || it->second.deleted) {
      return absl::NotFoundError(absl::StrCat("no document of ", handover_id));
    }
    d = it->second;
  }
  adapters::HttpClientOptions http;
  http.url = options_.receipt_url;
  if (!options_.receipt_token.empty()) {
    http.headers.push_back({"Authorization", "Bearer " + options_.receipt_token});
  }
  const json receipt = {{"handover_id", d.handover_id},
                        {"revision", d.revision},
                        {"school", {{"brin", options_.brin}, {"vestiging", options_.vestiging}}},
                        {"received_by", "Leerlingadministratie (fake school)"}};
  adapters::SendResult r = adapters::SendBody(http, receipt.dump(), "receipt-" + handover_id);
  if (!r.ok) return absl::UnavailableError(r.detail);
  olif::MutexLock lock(&mu_);
  documents_[handover_id].acknowledged = true;
  return absl::OkStatus();
}

void FakeSchool::AcknowledgeLoop() {
  for (;;) {
    std::vector<std::string> due;
    {
      olif::MutexLock lock(&mu_);
      if (mu_.AwaitWithTimeout(&stopping_, absl::Milliseconds(200))) return;
      for (const auto& [id, d] : documents_) {
        if (!d.acknowledged && !d.deleted &&
            absl::Now() - d.received_at >= options_.acknowledge_after) {
          due.push_back(id);
        }
      }
    }
    for (const std::string& id : due) {
      absl::Status s = Acknowledge(id);
      log::Info("fake school: receipt posted",
                {{"handover", id}, {"result", s.ok() ? "ok" : std::string(s.message())}});
    }
  }
}

}  // namespace olif::fakes
