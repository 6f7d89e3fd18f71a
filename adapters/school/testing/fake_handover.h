#pragma once

// A stand-in for the handover service as the school adapter's tests need it:
// a document Bundle of a form (a Composition with two sections, one holding
// text that must stay text, and the PDF in a DocumentReference), the PDF,
// and the receipts it was given. Each call can be made to fail.

#include <string>
#include <vector>

#include "absl/strings/escaping.h"
#include "absl/strings/str_cat.h"
#include "adapters/school/handover_client.h"
#include "nlohmann/json.hpp"
#include "services/common/sync/mutex.h"

namespace olif::school::testing {

struct Receipt {
  std::string handover_id;
  int revision;
  std::string school;
  std::string received_by;
};

class FakeHandover final : public HandoverClient {
 public:
  static constexpr char kPdf[] = "%PDF-1.4 a form of two pages";

  absl::StatusOr<std::string> Document(const std::string& id, const Reader& reader) override {
    olif::MutexLock lock(&mu_);
    reads.push_back(reader.reason);
    if (!document_error.ok()) return document_error;
    const nlohmann::json section = {
        {"title", "Ontwikkeling"},
        {"text",
         {{"status", "generated"},
          {"div",
           "<div xmlns=\"http://www.w3.org/1999/xhtml\"><p><b>Taal</b>: zegt &lt;script&gt; "
           "na</p></div>"}}}};
    const nlohmann::json bundle = {
        {"resourceType", "Bundle"},
        {"type", "document"},
        {"identifier", {{"system", "urn:olifantenpad:handover"}, {"value", id + "/1"}}},
        {"entry",
         {{{"resource",
            {{"resourceType", "Composition"},
             {"title", "Overdrachtsformulier"},
             {"section",
              {{{"title", "Kind"},
                {"text",
                 {{"status", "generated"},
                  {"div", "<div xmlns=\"http://www.w3.org/1999/xhtml\"><p>Sem</p></div>"}}}},
               section}}}}},
          {{"resource",
            {{"resourceType", "DocumentReference"},
             {"content",
              {{{"attachment",
                 {{"contentType", "application/pdf"}, {"data", absl::Base64Escape(kPdf)}}}}}}}}}}}};
    return bundle.dump();
  }
  absl::StatusOr<Pdf> PdfOf(const std::string& id, const Reader& reader) override {
    olif::MutexLock lock(&mu_);
    reads.push_back(reader.reason);
    return Pdf{kPdf, absl::StrCat("overdracht-", id, ".pdf")};
  }
  absl::Status Acknowledge(const std::string& id, int revision, const std::string& brin,
                           const std::string& vestiging, const std::string& by) override {
    olif::MutexLock lock(&mu_);
    if (!acknowledge_error.ok()) return acknowledge_error;
    receipts.push_back({id, revision, absl::StrCat(brin, "-", vestiging), by});
    return absl::OkStatus();
  }

  // Copies, taken under the lock: the page answers on threads of its own.
  std::vector<Receipt> Receipts() {
    olif::MutexLock lock(&mu_);
    return receipts;
  }
  std::vector<std::string> Reads() {
    olif::MutexLock lock(&mu_);
    return reads;
  }
  void FailDocument(absl::Status s) {
    olif::MutexLock lock(&mu_);
    document_error = std::move(s);
  }
  void FailAcknowledge(absl::Status s) {
    olif::MutexLock lock(&mu_);
    acknowledge_error = std::move(s);
  }

 private:
  olif::Mutex mu_;
  absl::Status document_error ABSL_GUARDED_BY(mu_) = absl::OkStatus();
  absl::Status acknowledge_error ABSL_GUARDED_BY(mu_) = absl::OkStatus();
  std::vector<std::string> reads ABSL_GUARDED_BY(mu_);
  std::vector<Receipt> receipts ABSL_GUARDED_BY(mu_);
};

}  // namespace olif::school::testing
