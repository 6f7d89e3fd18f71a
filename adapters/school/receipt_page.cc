#include "adapters/school/receipt_page.h"

#include <httplib.h>

#include "absl/strings/ascii.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/str_replace.h"
#include "adapters/runtime/http_server.h"
#include "nlohmann/json.hpp"
#include "services/common/logging/logging.h"

namespace olif::school {
namespace {

using nlohmann::json;

constexpr char kStyle[] = R"css(
body { font-family: system-ui, sans-serif; max-width: 46rem; margin: 2rem auto; padding: 0 1rem;
       line-height: 1.5; color: #1b1b1b; }
h1 { font-size: 1.6rem; } h2 { font-size: 1.2rem; margin-top: 1.5rem; border-bottom: 1px solid #ccc; }
section { margin-bottom: 1rem; } .notice { padding: .75rem 1rem; background: #f3f3f3; }
label { display: block; font-weight: 600; margin-top: 1rem; }
input[type=text] { font-size: 1rem; padding: .4rem; width: 100%; max-width: 24rem; }
button, a.button { font-size: 1rem; padding: .5rem 1rem; margin-top: .75rem; display: inline-block; }
a:focus, button:focus, input:focus { outline: 3px solid #1a5fb4; outline-offset: 2px; }
)css";

std::string Html(const std::string& text) {
  return absl::StrReplaceAll(
      text, {{"&", "&amp;"}, {"<", "&lt;"}, {">", "&gt;"}, {"\"", "&quot;"}, {"'", "&#39;"}});
}

std::string Page(const std::string& title, const std::string& body) {
  return absl::StrCat("<!doctype html>\n<html lang=\"nl\"><head><meta charset=\"utf-8\">",
                      "<meta name=\"viewport\" content=\"width=device-width, initial-scale=1\">",
                      "<title>", Html(title), "</title><style>", kStyle, "</style></head><body>",
                      "<main><h1>", Html(title), "</h1>", body, "</main></body></html>\n");
}

void Headers(httplib::Response& res) {
  res.set_header("Cache-Control", "no-store");
  res.set_header("Referrer-Policy", "no-referrer");
  res.set_header("X-Content-Type-Options", "nosniff");
  res.set_header("X-Frame-Options", "DENY");
  res.set_header("Content-Security-Policy",
                 "default-src 'none'; style-src 'unsafe-inline'; form-action 'self'; "
                 "frame-ancestors 'none'; base-uri 'none'");
}

void Answer(httplib::Response& res, int status, const std::string& title, const std::string& text) {
  Headers(res);
  res.status = status;
  res.set_content(Page(title, absl::StrCat("<p class=\"notice\">", Html(text), "</p>")),
                  "text/html; charset=utf-8");
}

// The Composition's sections (and their nested ones), each a heading and
// its narrative (XHTML the handover service made, its text escaped there).
void Sections(const json& sections, std::string& out) {
  if (!sections.is_array()) return;
  for (const json& s : sections) {
    absl::StrAppend(&out, "<section><h2>", Html(s.value("title", std::string())), "</h2>");
    if (s.contains("text") && s["text"].contains("div") && s["text"]["div"].is_string()) {
      absl::StrAppend(&out, s["text"]["div"].get<std::string>());
    }
    if (s.contains("section")) Sections(s["section"], out);
    absl::StrAppend(&out, "</section>");
  }
}

}  // namespace

std::string RenderFormPage(const std::string& bundle_json, const std::string& token,
                           const std::string& school_name) {
  const json bundle = json::parse(bundle_json, nullptr, false);
  std::string body = absl::StrCat(
      "<p>Dit overdrachtsformulier is voor ", Html(school_name),
      ". Lees het, download de PDF voor uw administratie en bevestig daarna de ontvangst. Na de "
      "bevestiging werkt deze link niet meer.</p>",
      "<p><a class=\"button\" href=\"/ontvangst/", token,
      "/pdf\" download>Download het formulier (PDF)</a></p>");
  if (!bundle.is_discarded() && bundle.contains("entry") && bundle["entry"].is_array() &&
      !bundle["entry"].empty()) {
    const json& composition = bundle["entry"][0]["resource"];
    Sections(composition.value("section", json::array()), body);
  }
  absl::StrAppend(&body, "<form method=\"post\" action=\"/ontvangst/", token, "/bevestig\">",
                  "<h2>Ontvangst bevestigen</h2>",
                  "<label for=\"naam\">Uw naam (wie het formulier ontving)</label>",
                  "<input type=\"text\" id=\"naam\" name=\"naam\" required maxlength=\"200\" "
                  "autocomplete=\"name\">",
                  "<button type=\"submit\">Ontvangst bevestigen</button></form>");
  return Page("Overdrachtsformulier", body);
}

ReceiptPage::ReceiptPage(ReceiptPageOptions options, SchoolStore& store, HandoverClient& handover,
                         const directory::DirectoryHolder& directory, const Clock& clock,
                         metrics::Registry& metrics)
    : options_(std::move(options)),
      store_(store),
      handover_(handover),
      directory_(directory),
      clock_(clock),
      metrics_(metrics) {}

ReceiptPage::~ReceiptPage() { Stop(); }

void ReceiptPage::Count(const char* result) {
  metrics_
      .GetCounter("olif_school_receipt_page_total", "Receipt page answers by what they were",
                  {{"result", result}})
      .Inc();
}

absl::StatusOr<int> ReceiptPage::Start() {
  server_ = std::make_unique<httplib::Server>();
  const std::string token = R"(/ontvangst/([A-Za-z0-9_-]{20,64}))";
  server_->Get(token,
               [this](const httplib::Request& req, httplib::Response& res) { Show(req, res); });
  server_->Get(token + "/pdf",
               [this](const httplib::Request& req, httplib::Response& res) { Download(req, res); });
  server_->Post(token + "/bevestig",
                [this](const httplib::Request& req, httplib::Response& res) { Confirm(req, res); });
  server_->set_error_handler([](const httplib::Request&, httplib::Response& res) {
    if (res.status == 404) {
      Answer(res, 404, "Niet gevonden", "Deze link is niet (meer) geldig.");
    }
  });
  server_->set_payload_max_length(16 * 1024);
  return adapters::ListenInBackground(*server_, options_.host, options_.port, thread_,
                                      "receipt page");
}

void ReceiptPage::Stop() {
  if (server_) server_->stop();
  if (thread_.joinable()) thread_.join();
}

std::optional<ReceiptLink> ReceiptPage::Usable(const std::string& token, httplib::Response& res) {
  absl::StatusOr<std::optional<ReceiptLink>> link = store_.FindLink(TokenHash(token));
  if (!link.ok()) {
    Count("error");
    Answer(res, 503, "Even niet beschikbaar", "Probeer het over een paar minuten opnieuw.");
    return std::nullopt;
  }
  if (!link->has_value()) {
    Count("unknown");
    Answer(res, 404, "Niet gevonden", "Deze link is niet (meer) geldig.");
    return std::nullopt;
  }
  const ReceiptLink& l = **link;
  if (l.used) {
    Count("used");
    Answer(res, 410, "Al bevestigd",
           "De ontvangst van dit formulier is al bevestigd; de link werkt daarom niet meer.");
    return std::nullopt;
  }
  if (l.handover.state == HandoverState::kWithdrawn) {
    Count("withdrawn");
    Answer(res, 410, "Ingetrokken",
           "Dit overdrachtsformulier is ingetrokken. Verwijder het waar u het heeft opgeslagen.");
    return std::nullopt;
  }
  if (l.revoked) {
    Count("replaced");
    Answer(res, 410, "Niet meer geldig",
           "Er is een nieuwere versie van dit formulier, of de ontvangst is al bevestigd. Gebruik "
           "de link uit de laatste e-mail.");
    return std::nullopt;
  }
  if (clock_.Now() >= l.expires) {
    Count("expired");
    Answer(res, 410, "Verlopen",
           "Deze link is verlopen. Vraag de kinderopvang om het formulier opnieuw te sturen.");
    return std::nullopt;
  }
  return l;
}

void ReceiptPage::Show(const httplib::Request& req, httplib::Response& res) {
  const std::string token = req.matches[1];
  std::optional<ReceiptLink> link = Usable(token, res);
  if (!link) return;
  const std::shared_ptr<const directory::Directory> dir = directory_.Get();
  const auto* school = dir->FindSchool(link->handover.brin, link->handover.vestiging);
  const std::string school_name =
      school != nullptr ? school->name()
                        : absl::StrCat(link->handover.brin, " ", link->handover.vestiging);
  absl::StatusOr<std::string> bundle = handover_.Document(
      link->handover_id, {"school-adapter", absl::StrCat("receipt page of ", link->handover.brin,
                                                         "-", link->handover.vestiging)});
  if (!bundle.ok()) {
    Count("refused");
    Answer(res, absl::IsFailedPrecondition(bundle.status()) ? 410 : 503, "Niet beschikbaar",
           absl::IsFailedPrecondition(bundle.status())
               ? "Dit formulier mag niet (meer) naar uw school; er is niets te tonen."
               : "Probeer het over een paar minuten opnieuw.");
    return;
  }
  Count("shown");
  Headers(res);
  res.set_content(RenderFormPage(*bundle, token, school_name), "text/html; charset=utf-8");
}

void ReceiptPage::Download(const httplib::Request& req, httplib::Response& res) {
  std::optional<ReceiptLink> link = Usable(req.matches[1], res);
  if (!link) return;
  absl::StatusOr<Pdf> pdf = handover_.PdfOf(
      link->handover_id,
      {"school-adapter", absl::StrCat("receipt page of ", link->handover.brin, "-",
                                      link->handover.vestiging, ": PDF downloaded")});
  if (!pdf.ok()) {
    Count("refused");
    Answer(res, 503, "Niet beschikbaar", "Probeer het over een paar minuten opnieuw.");
    return;
  }
  Count("downloaded");
  Headers(res);
  res.set_header("Content-Disposition",
                 absl::StrCat("attachment; filename=\"", pdf->file_name, "\""));
  res.set_content(pdf->bytes, "application/pdf");
}

void ReceiptPage::Confirm(const httplib::Request& req, httplib::Response& res) {
  const std::string site = req.get_header_value("Sec-Fetch-Site");
  const std::string origin = req.get_header_value("Origin");
  // A form posted from this page says so: Sec-Fetch-Site same-origin, and an
  // Origin that is ours (the configured one, or else the host the browser
  // asked for) — or "null", which browsers send under Referrer-Policy:
  // no-referrer.
  const size_t scheme = origin.find("://");
  const bool foreign_origin =
      !origin.empty() && origin != "null" &&
      (options_.public_origin.empty() ? (scheme == std::string::npos ||
                                         origin.substr(scheme + 3) != req.get_header_value("Host"))
                                      : origin != options_.public_origin);
  const bool foreign_site = !site.empty() && site != "same-origin" && site != "none";
  if (foreign_site || foreign_origin) {
    Count("forged");
    Answer(res, 403, "Geweigerd", "Een bevestiging kan alleen vanaf deze pagina worden gegeven.");
    return;
  }
  const std::string token = req.matches[1];
  std::optional<ReceiptLink> link = Usable(token, res);
  if (!link) return;
  std::string name = req.has_param("naam") ? req.get_param_value("naam") : "";
  name = std::string(absl::StripAsciiWhitespace(name));
  if (name.empty() || name.size() > 200) {
    Count("invalid");
    Answer(res, 400, "Naam ontbreekt",
           "Vul uw naam in (hoogstens 200 tekens) en bevestig opnieuw.");
    return;
  }
  absl::Status ack = handover_.Acknowledge(link->handover_id, link->revision, link->handover.brin,
                                           link->handover.vestiging, name);
  if (!ack.ok()) {
    Count("refused");
    log::Warn("a receipt from the page was refused",
              {{"handover", link->handover_id}, {"error", std::string(ack.message())}});
    Answer(res, absl::IsFailedPrecondition(ack) ? 409 : 503, "Niet bevestigd",
           absl::IsFailedPrecondition(ack)
               ? "De ontvangst kon niet worden bevestigd: het formulier is gewijzigd of "
                 "ingetrokken. Gebruik de link uit de laatste e-mail."
               : "Probeer het over een paar minuten opnieuw.");
    return;
  }
  if (absl::Status s = store_.UseLink(TokenHash(token), clock_.Now()); !s.ok()) {
    log::Warn("a confirmed link could not be marked used", {{"error", std::string(s.message())}});
  }
  Count("confirmed");
  log::Info("receipt confirmed on the page",
            {{"handover", link->handover_id}, {"revision", absl::StrCat(link->revision)}});
  Answer(res, 200, "Ontvangst bevestigd",
         "Dank u. De ontvangst is bevestigd en de kinderopvang weet het. Deze link werkt nu niet "
         "meer; bewaar de PDF zoals uw school dat met leerlinggegevens doet.");
}

}  // namespace olif::school
