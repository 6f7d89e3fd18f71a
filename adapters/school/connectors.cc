#include "adapters/school/connectors.h"

#include <filesystem>

#include "absl/strings/str_cat.h"
#include "adapters/runtime/folder.h"
#include "adapters/school/mail.h"
#include "adapters/school/routing.h"
#include "services/common/fhir/identifiers.h"
#include "services/common/ids/ids.h"

namespace olif::school {
namespace {

using adapters::SendResult;

// A "send" the handover service will not serve any more: passed, and why.
bool NoLongerSendable(const absl::Status& s) {
  return absl::IsFailedPrecondition(s) || absl::IsNotFound(s);
}

SendResult Passed(const absl::Status& why) {
  SendResult r;
  r.ok = true;
  r.detail =
      absl::StrCat("not sent: the handover service no longer gives the form (", why.message(), ")");
  return r;
}

SendResult Unreadable(const absl::Status& why) {
  SendResult r;
  r.retryable = false;
  r.detail = std::string(why.message());
  return r;
}

}  // namespace

SendResult FhirSchoolConnector::Send(const adapters::Delivery& d) {
  absl::StatusOr<SchoolAction> a = SchoolActionFromJson(d.payload);
  if (!a.ok()) return Unreadable(a.status());
  if (a->action == "withdraw") {
    adapters::HttpRequest request{.method = "DELETE",
                                  .url = absl::StrCat(http_.url, "/Bundle?identifier=",
                                                      fhir::kHandoverSystem, "|", a->handover_id),
                                  .headers = {{http_.idempotency_header, d.event_id}}};
    adapters::HttpResponse r = adapters::Exchange(http_, request);
    if (r.status == 404) r.status = 204;  // nothing left to delete
    SendResult out = adapters::Classify(r.status, r.body, r.transport_error, http_.max_error_body);
    out.sent = absl::StrCat("DELETE ", request.url);
    out.response = std::move(r.body);
    return out;
  }
  absl::StatusOr<std::string> bundle = handover_.Document(
      a->handover_id, {"school-adapter", absl::StrCat("handover to the system of ", school_key_)});
  if (!bundle.ok()) {
    if (NoLongerSendable(bundle.status())) return Passed(bundle.status());
    SendResult r;  // the service is not there now: tried again
    r.detail = absl::StrCat("the handover service: ", bundle.status().message());
    return r;
  }
  adapters::HttpClientOptions post = http_;
  post.url = http_.url + "/Bundle";
  post.method = "POST";
  post.content_type = "application/fhir+json";
  return adapters::SendBody(post, std::move(*bundle), d.event_id);
}

SendResult ReceiptPageConnector::Mail(const adapters::Delivery& d, const std::string& subject,
                                      const std::string& text) {
  const school::Mail mail{
      .from = absl::StrCat(settings_.mail_from_name, " <", settings_.mail_from_address, ">"),
      .to_name = school_.contact_name(),
      .to_address = school_.contact_email(),
      .subject = subject,
      .text = text,
      .message_id = absl::StrCat("<", d.event_id, "@olifantenpad>"),
      .date = clock_.Now()};
  SendResult r;
  std::error_code ec;
  std::filesystem::create_directories(settings_.mail_outbox,
                                      ec);  // gone since the start: made again
  const std::string path = absl::StrCat(settings_.mail_outbox, "/", d.event_id, ".eml");
  if (absl::Status s = adapters::WriteFileAtomically(path, RenderMail(mail)); !s.ok()) {
    r.detail = std::string(s.message());  // the disk may come back: tried again
    return r;
  }
  r.ok = true;
  r.detail = absl::StrCat("mailed to ", school_.contact_email(), " (", path, ")");
  r.sent = absl::StrCat("Subject: ", subject);  // the link stays out of the history
  return r;
}

SendResult ReceiptPageConnector::Send(const adapters::Delivery& d) {
  absl::StatusOr<SchoolAction> a = SchoolActionFromJson(d.payload);
  if (!a.ok()) return Unreadable(a.status());
  const std::shared_ptr<const directory::Directory> dir = directory_.Get();
  const auto* location = dir->FindLocation(a->location_id);
  const std::string from_where = location != nullptr ? location->name() : "de kinderopvang";
  const std::string greeting = absl::StrCat("Beste ", school_.contact_name(), ",\n\n");
  const std::string signature = absl::StrCat(
      "\nMet vriendelijke groet,\n", settings_.mail_from_name, ", namens ", from_where, "\n");
  if (a->action == "withdraw") {
    return Mail(d, "Overdrachtsformulier ingetrokken",
                absl::StrCat(greeting, "Het overdrachtsformulier dat ", from_where,
                             " u stuurde, is ingetrokken",
                             a->school_must_delete ? ". Verwijder het formulier en de PDF waar u "
                                                     "die heeft opgeslagen."
                                                   : ".",
                             "\nDe link naar het formulier werkt niet meer.\n", signature));
  }
  // A revision that is no longer the one to receive (amended again,
  // acknowledged or withdrawn meanwhile) gets no link.
  const std::string token = NewSecretToken();
  const absl::Time created = clock_.Now();
  const absl::Time expires = created + settings_.link_lifetime;
  bool current = true;
  if (absl::Status s = writer_.Run([&](sqlite::Database& db) -> absl::Status {
        absl::StatusOr<std::optional<SentHandover>> h = SchoolStore::FindIn(db, a->handover_id);
        if (!h.ok()) return h.status();
        current =
            h->has_value() && (*h)->state == HandoverState::kSent && (*h)->revision == a->revision;
        if (!current) return absl::OkStatus();
        return SchoolStore::AddLinkIn(db, TokenHash(token), a->handover_id, a->revision, created,
                                      expires);
      });
      !s.ok()) {
    SendResult r;
    r.detail = std::string(s.message());
    return r;
  }
  if (!current) {
    SendResult r;
    r.ok = true;
    r.detail = "not sent: this revision is no longer the one to receive";
    return r;
  }
  const std::string link = absl::StrCat(settings_.public_url, "/ontvangst/", token);
  std::string about = absl::StrCat("een kind dat", a->expected_start_date.empty() ? "" : " op ",
                                   a->expected_start_date, " bij u op school begint");
  return Mail(
      d,
      a->revision > 1 ? absl::StrCat("Gewijzigd overdrachtsformulier (revisie ", a->revision, ")")
                      : "Overdrachtsformulier: ontvangst bevestigen",
      absl::StrCat(
          greeting, "Er staat een ", a->revision > 1 ? "gewijzigd " : "",
          "overdrachtsformulier van ", from_where, " voor u klaar, over ", about, ".\n",
          a->warm ? "Er volgt een warme overdracht: u krijgt een uitnodiging voor het gesprek.\n"
                  : "",
          "\nOpen het formulier met deze link. U leest het daar, downloadt de PDF en bevestigt de "
          "ontvangst; daarna werkt de link niet meer. De link is geldig tot ",
          absl::FormatTime("%d-%m-%Y %H:%M", expires, settings_.zone), ".\n\n", link, "\n",
          "\nDeel de link niet: wie hem heeft, kan het formulier lezen.\n", signature));
}

}  // namespace olif::school
