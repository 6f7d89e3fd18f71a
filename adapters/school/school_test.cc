// The school adapter's parts: mails and invitations as they are written, the
// routing of handover's and scheduling's events, the connectors against the
// fake school system, the receipt page's answers, and the receipts webhook.

#include <gtest/gtest.h>
#include <httplib.h>

#include <filesystem>
#include <fstream>
#include <regex>
#include <sstream>

#include "absl/strings/escaping.h"
#include "adapters/runtime/delivery_queue.h"
#include "adapters/school/connectors.h"
#include "adapters/school/invitation.h"
#include "adapters/school/mail.h"
#include "adapters/school/receipt_page.h"
#include "adapters/school/receipts.h"
#include "adapters/school/routing.h"
#include "adapters/school/testing/fake_handover.h"
#include "adapters/school/testing/fake_school.h"
#include "olifantenpad/handover/v1/events.pb.h"
#include "olifantenpad/scheduling/v1/events.pb.h"
#include "services/common/clock/timestamp.h"
#include "services/common/events/handover_topics.h"
#include "services/common/events/scheduling_topics.h"
#include "services/common/testing/testing.h"

namespace olif::school {
namespace {

namespace fs = std::filesystem;
namespace cfg = olifantenpad::config::v1;
namespace hv1 = olifantenpad::handover::v1;
namespace sv1 = olifantenpad::scheduling::v1;
using testing::FakeHandover;
using testing_util::ApplyEvent;

std::string TextOf(const fs::path& p) {
  std::ifstream in(p, std::ios::binary);
  std::ostringstream s;
  s << in.rdbuf();
  return s.str();
}

// The base64 parts of a mail, decoded, in order.
std::vector<std::string> DecodedParts(const std::string& mail) {
  std::vector<std::string> out;
  const std::regex part(
      "Content-Transfer-Encoding: base64\r\n(?:[^\r\n]+\r\n)*\r\n((?:[A-Za-z0-9+/=]+\r\n)+)");
  for (std::sregex_iterator it(mail.begin(), mail.end(), part), end; it != end; ++it) {
    std::string b64 = (*it)[1];
    b64.erase(std::remove(b64.begin(), b64.end(), '\r'), b64.end());
    b64.erase(std::remove(b64.begin(), b64.end(), '\n'), b64.end());
    std::string decoded;
    EXPECT_TRUE(absl::Base64Unescape(b64, &decoded));
    out.push_back(decoded);
  }
  return out;
}

absl::TimeZone Amsterdam() {
  absl::TimeZone z;
  EXPECT_TRUE(absl::LoadTimeZone("Europe/Amsterdam", &z));
  return z;
}

TEST(MailTest, AMailWithAnInvitationIsMimeWithTextAndCalendarIntact) {
  Mail m{.from = "Olifantenpad <overdracht@olifantenpad.example>",
         .to_name = "Ilse Hendriks-Çelik",
         .to_address = "ib@hetpalet.example",
         .subject = "Uitnodiging: warme overdracht",
         .text = "Beste Ilse,\nTot dan — groet.",
         .message_id = "<e1@olifantenpad>",
         .date = absl::FromUnixSeconds(1796000000),
         .attachment = MailAttachment{"gesprek.ics", "text/calendar; charset=utf-8; method=REQUEST",
                                      "BEGIN:VCALENDAR\r\nEND:VCALENDAR\r\n"}};
  const std::string out = RenderMail(m);
  EXPECT_NE(out.find("To: =?UTF-8?B?"), std::string::npos) << "a name beyond ASCII is encoded";
  EXPECT_NE(out.find("Subject: Uitnodiging: warme overdracht\r\n"), std::string::npos);
  EXPECT_NE(out.find("Message-ID: <e1@olifantenpad>\r\n"), std::string::npos);
  EXPECT_NE(out.find("Content-Type: multipart/mixed; boundary="), std::string::npos);
  EXPECT_NE(out.find("Content-Type: text/calendar; charset=utf-8; method=REQUEST"),
            std::string::npos);
  EXPECT_NE(out.find("Content-Disposition: attachment; filename=\"gesprek.ics\""),
            std::string::npos);
  const std::vector<std::string> parts = DecodedParts(out);
  ASSERT_EQ(parts.size(), 2u);
  EXPECT_EQ(parts[0], "Beste Ilse,\nTot dan — groet.");
  EXPECT_EQ(parts[1], "BEGIN:VCALENDAR\r\nEND:VCALENDAR\r\n");
  EXPECT_TRUE(IsMailAddress("ib@hetpalet.example"));
  for (const char* bad : {"ib", "a@b@c", "ib@", "<ib@x>", "ib@x\r\nBcc: y@z", "i b@x"}) {
    EXPECT_FALSE(IsMailAddress(bad)) << bad;
  }
}

TEST(InvitationTest, AMeetingIsARequestInLocalTimeWithItsZoneAndACancellationRaisesNothingElse) {
  Invitation inv{.visit_id = "visit-7",
                 .sequence = 2,
                 .start = absl::FromCivil(absl::CivilMinute(2026, 12, 15, 15, 0), Amsterdam()),
                 .end = absl::FromCivil(absl::CivilMinute(2026, 12, 15, 15, 45), Amsterdam()),
                 .stamp = absl::FromUnixSeconds(1796000000),
                 .location = "De Boomgaard Noord",
                 .handover_id = "ho-1",
                 .organizer_name = "Olifantenpad, overdracht",
                 .organizer_address = "overdracht@olifantenpad.example",
                 .attendee_name = "Ilse Hendriks",
                 .attendee_address = "ib@hetpalet.example",
                 .zone_name = "Europe/Amsterdam",
                 .zone = Amsterdam()};
  // Unfolded (RFC 5545 3.1): long lines continue after CRLF and a space.
  const auto unfolded = [](std::string text) {
    for (size_t at; (at = text.find("\r\n ")) != std::string::npos;) text.erase(at, 3);
    return text;
  };
  const std::string request = unfolded(RenderInvitation(inv));
  for (const char* line :
       {"METHOD:REQUEST\r\n", "BEGIN:VTIMEZONE\r\n", "TZID:Europe/Amsterdam\r\n",
        "UID:visit-7@olifantenpad\r\n", "SEQUENCE:2\r\n",
        "DTSTART;TZID=Europe/Amsterdam:20261215T150000\r\n",
        "DTEND;TZID=Europe/Amsterdam:20261215T154500\r\n",
        "ORGANIZER;CN=\"Olifantenpad, overdracht\":mailto:overdracht@olifantenpad.example\r\n",
        "STATUS:CONFIRMED\r\n"}) {
    EXPECT_NE(request.find(line), std::string::npos) << line << "\n" << request;
  }
  inv.cancelled = true;
  inv.sequence = 3;
  const std::string cancel = unfolded(RenderInvitation(inv));
  EXPECT_NE(cancel.find("METHOD:CANCEL\r\n"), std::string::npos);
  EXPECT_NE(cancel.find("STATUS:CANCELLED\r\n"), std::string::npos);
  EXPECT_NE(cancel.find("SEQUENCE:3\r\n"), std::string::npos);
}

// A database with the queue and the store, the dev-like schools, and a clock.
class SchoolFixture : public ::testing::Test {
 protected:
  void SetUp() override {
    dir_ = testing_util::FreshTestDir("school");
    path_ = (dir_ / "school.db").string();
    auto db = sqlite::Database::Open(path_, {});
    ASSERT_TRUE(db.ok()) << db.status();
    writer_ = std::make_unique<sqlite::Writer>(std::move(*db));
    for (auto create : {adapters::DeliveryQueue::CreateTables, SchoolStore::CreateTables}) {
      ASSERT_TRUE(writer_->Run(create).ok());
    }
    auto queue = adapters::DeliveryQueue::Open(path_, *writer_, {});
    ASSERT_TRUE(queue.ok());
    queue_ = std::move(*queue);
    auto store = SchoolStore::Open(path_, *writer_);
    ASSERT_TRUE(store.ok());
    store_ = std::move(*store);
    cfg::SchoolSettings settings;
    auto* palet = settings.add_schools();
    palet->set_brin("34CD");
    palet->set_vestiging("00");
    palet->set_contact_name("Ilse Hendriks");
    palet->set_contact_email("ib@hetpalet.example");
    palet->set_fhir_base_url("http://127.0.0.1:1/fhir");
    auto* regenboog = settings.add_schools();
    regenboog->set_brin("12AB");
    regenboog->set_vestiging("00");
    regenboog->set_contact_name("Joost Jansen");
    regenboog->set_contact_email("joost.jansen@deregenboog.example");
    schools_ = SchoolsFromConfig(settings);
    auto directory = directory::DirectoryHolder::Load(std::string(OLIF_SOURCE_DIR) +
                                                      "/config/dev/directory.yaml");
    ASSERT_TRUE(directory.ok());
    directory_ = std::move(*directory);
  }

  static hv1::HandoverRef Ref(const std::string& id, const std::string& brin, int revision) {
    hv1::HandoverRef r;
    r.set_handover_id(id);
    r.set_location_id("loc-boomgaard-noord");
    r.set_organisation_id("org-kdv-de-boomgaard");
    r.mutable_school()->set_brin(brin);
    r.mutable_school()->set_vestiging("00");
    r.set_school_organisation_id(brin == "34CD" ? "sch-het-palet" : "sch-de-regenboog");
    r.set_revision(revision);
    return r;
  }
  absl::Status Ready(const std::string& id, const std::string& brin, int revision = 1) {
    hv1::HandoverReadyForSchool e;
    *e.mutable_handover() = Ref(id, brin, revision);
    e.set_warm(true);
    e.set_expected_start_date("2027-01-11");
    return ApplyEvent(*writer_, *router_, handover::kTopicHandoverReadyForSchool, e, clock_.Now());
  }
  std::vector<adapters::Delivery> Due(const std::string& destination) {
    auto due = queue_->Due(destination, absl::InfiniteFuture(), 100);
    EXPECT_TRUE(due.ok());
    return *due;
  }

  fs::path dir_;
  std::string path_;
  std::unique_ptr<sqlite::Writer> writer_;
  std::unique_ptr<adapters::DeliveryQueue> queue_;
  std::unique_ptr<SchoolStore> store_;
  Schools schools_;
  std::unique_ptr<directory::DirectoryHolder> directory_;
  FakeClock clock_{absl::FromCivil(absl::CivilSecond(2026, 12, 7, 9, 0, 0), absl::UTCTimeZone())};
  metrics::Registry metrics_;
  std::unique_ptr<HandoverRouter> router_ =
      std::make_unique<HandoverRouter>(schools_, clock_, metrics_);
};

TEST_F(SchoolFixture, AReadyFormIsQueuedForItsSchoolAndWithdrawnOnlyWhereItWent) {
  ASSERT_TRUE(Ready("ho-1", "34CD").ok());
  std::vector<adapters::Delivery> due = Due(SchoolDestination("34CD", "00"));
  ASSERT_EQ(due.size(), 1u);
  absl::StatusOr<SchoolAction> a = SchoolActionFromJson(due[0].payload);
  ASSERT_TRUE(a.ok());
  EXPECT_EQ(a->action, "send");
  EXPECT_EQ(a->revision, 1);
  EXPECT_TRUE(a->warm);
  ASSERT_TRUE(queue_->Delivered(due[0].id, clock_.Now()).ok());

  hv1::HandoverWithdrawn w;
  *w.mutable_handover() = Ref("ho-1", "34CD", 1);
  w.set_school_must_delete(true);
  ASSERT_TRUE(ApplyEvent(*writer_, *router_, handover::kTopicHandoverWithdrawn, w).ok());
  due = Due(SchoolDestination("34CD", "00"));
  ASSERT_EQ(due.size(), 1u);
  EXPECT_EQ(SchoolActionFromJson(due[0].payload)->action, "withdraw");
  EXPECT_TRUE(SchoolActionFromJson(due[0].payload)->school_must_delete);
  // A form that never went to a school has nothing to withdraw there.
  *w.mutable_handover() = Ref("ho-never", "12AB", 0);
  ASSERT_TRUE(ApplyEvent(*writer_, *router_, handover::kTopicHandoverWithdrawn, w).ok());
  EXPECT_TRUE(Due(SchoolDestination("12AB", "00")).empty());
}

TEST_F(SchoolFixture, AFormForASchoolNotConfiguredWaitsInItsQueueAndIsCounted) {
  hv1::HandoverReadyForSchool e;
  *e.mutable_handover() = Ref("ho-2", "99ZZ", 1);
  ASSERT_TRUE(ApplyEvent(*writer_, *router_, handover::kTopicHandoverReadyForSchool, e).ok());
  EXPECT_EQ(Due(SchoolDestination("99ZZ", "00")).size(), 1u);
  EXPECT_EQ(metrics_.GetCounter("olif_school_unconfigured_total", "", {}).value(), 1);
}

TEST_F(SchoolFixture, SchoolsThatHaveNotAcknowledgedInTimeAreFoundAndAcknowledgedOnesAreNot) {
  ASSERT_TRUE(Ready("ho-late", "34CD").ok());
  clock_.Advance(absl::Hours(24));
  ASSERT_TRUE(Ready("ho-recent", "12AB").ok());
  ASSERT_TRUE(Ready("ho-done", "34CD").ok());
  hv1::HandoverAcknowledged ack;
  *ack.mutable_handover() = Ref("ho-done", "34CD", 1);
  ASSERT_TRUE(ApplyEvent(*writer_, *router_, handover::kTopicHandoverAcknowledged, ack).ok());
  auto late = store_->Unacknowledged(clock_.Now() - absl::Hours(12));
  ASSERT_TRUE(late.ok());
  ASSERT_EQ(late->size(), 1u);
  EXPECT_EQ((*late)[0].handover_id, "ho-late");
  EXPECT_EQ((*late)[0].school_organisation_id, "sch-het-palet");
}

TEST_F(SchoolFixture, AMeetingOfAFormAtASchoolIsMailedToItsContactAsAnInvitation) {
  MeetingRouter meetings(
      schools_, *directory_,
      {"Olifantenpad", "overdracht@olifantenpad.example", "Europe/Amsterdam", Amsterdam()}, clock_,
      metrics_);
  ASSERT_TRUE(Ready("ho-1", "12AB").ok());
  sv1::VisitPlanned planned;
  sv1::VisitSummary& v = *planned.mutable_visit();
  v.set_visit_id("visit-1");
  v.set_kind(sv1::VISIT_KIND_WARM_HANDOVER_MEETING);
  v.set_location_id("loc-boomgaard-noord");
  v.set_handover_id("ho-1");
  v.set_sequence(1);
  *v.mutable_start() =
      ToTimestamp(absl::FromCivil(absl::CivilMinute(2026, 12, 15, 14, 0), Amsterdam()));
  *v.mutable_end() =
      ToTimestamp(absl::FromCivil(absl::CivilMinute(2026, 12, 15, 14, 45), Amsterdam()));
  ASSERT_TRUE(ApplyEvent(*writer_, meetings, scheduling::kTopicVisitPlanned, planned).ok());
  sv1::VisitPlanned group_visit = planned;  // not a meeting: no invitation
  group_visit.mutable_visit()->set_kind(sv1::VISIT_KIND_PREVENTIVE_GROUP_VISIT);
  group_visit.mutable_visit()->set_visit_id("visit-2");
  ASSERT_TRUE(ApplyEvent(*writer_, meetings, scheduling::kTopicVisitPlanned, group_visit).ok());
  std::vector<adapters::Delivery> mails = Due(kMailDestination);
  ASSERT_EQ(mails.size(), 1u);
  EXPECT_NE(mails[0].payload.find("To: Joost Jansen <joost.jansen@deregenboog.example>"),
            std::string::npos);
  const std::vector<std::string> parts = DecodedParts(mails[0].payload);
  ASSERT_EQ(parts.size(), 2u);
  EXPECT_NE(parts[0].find("Waar: De Boomgaard Noord"), std::string::npos) << parts[0];
  EXPECT_NE(parts[1].find("DTSTART;TZID=Europe/Amsterdam:20261215T140000"), std::string::npos);
  EXPECT_NE(parts[1].find("LOCATION:De Boomgaard Noord"), std::string::npos);
}

TEST_F(SchoolFixture, ASystemConnectedSchoolGetsTheDocumentPostedAndDeletedOnWithdrawal) {
  fakes::FakeSchool school({.brin = "34CD", .vestiging = "00"});
  ASSERT_TRUE(school.Start("127.0.0.1", 0).ok());
  FakeHandover handover;
  adapters::HttpClientOptions http;
  http.url = school.base_url();
  FhirSchoolConnector connector(http, handover, "34CD-00");
  adapters::Delivery send{
      .event_id = "e1",
      .payload = ToJson({.action = "send", .handover_id = "ho-1", .revision = 1})};
  adapters::SendResult r = connector.Send(send);
  ASSERT_TRUE(r.ok) << r.detail;
  nlohmann::json received = school.Received();
  ASSERT_EQ(received.size(), 1u);
  EXPECT_EQ(received[0]["handover_id"], "ho-1");
  EXPECT_EQ(received[0]["pdf_bytes"], std::string(FakeHandover::kPdf).size());
  EXPECT_EQ(handover.Reads(), std::vector<std::string>{"handover to the system of 34CD-00"});

  adapters::Delivery withdraw{.event_id = "e2",
                              .payload = ToJson({.action = "withdraw", .handover_id = "ho-1"})};
  ASSERT_TRUE(connector.Send(withdraw).ok);
  EXPECT_EQ(school.Received()[0]["deleted"], true);
  EXPECT_TRUE(connector.Send(withdraw).ok) << "nothing left to delete is done";

  handover.FailDocument(absl::FailedPreconditionError("NO_CONSENT: consent withdrawn"));
  r = connector.Send(send);
  EXPECT_TRUE(r.ok);
  EXPECT_NE(r.detail.find("not sent"), std::string::npos);
  handover.FailDocument(absl::UnavailableError("connection refused"));
  r = connector.Send(send);
  EXPECT_FALSE(r.ok);
  EXPECT_TRUE(r.retryable);
  school.Stop();
}

// The receipt page over a link the connector mailed.
class ReceiptPageTest : public SchoolFixture {
 protected:
  void SetUp() override {
    SchoolFixture::SetUp();
    settings_ = ReceiptPageSettings{.public_url = "",
                                    .link_lifetime = absl::Hours(48),
                                    .mail_outbox = (dir_ / "mail").string(),
                                    .mail_from_name = "Olifantenpad",
                                    .mail_from_address = "overdracht@olifantenpad.example",
                                    .zone = Amsterdam()};
    page_ = std::make_unique<ReceiptPage>(ReceiptPageOptions{}, *store_, handover_, *directory_,
                                          clock_, metrics_);
    auto port = page_->Start();
    ASSERT_TRUE(port.ok()) << port.status();
    port_ = *port;
    settings_.public_url = absl::StrCat("http://127.0.0.1:", port_);
    connector_ = std::make_unique<ReceiptPageConnector>(schools_.at("12AB-00"), settings_, *writer_,
                                                        *directory_, clock_);
  }
  void TearDown() override { page_->Stop(); }

  // Sends revision `revision` of `id` and returns the link's path from the mail.
  std::string Mailed(const std::string& id, int revision, const std::string& event) {
    EXPECT_TRUE(Ready(id, "12AB", revision).ok());
    adapters::SendResult r =
        connector_->Send({.event_id = event,
                          .payload = ToJson({.action = "send",
                                             .handover_id = id,
                                             .revision = revision,
                                             .location_id = "loc-boomgaard-noord"})});
    EXPECT_TRUE(r.ok) << r.detail;
    EXPECT_EQ(r.sent.find("ontvangst/"), std::string::npos) << "the link stays out of the history";
    const std::string mail = TextOf(fs::path(settings_.mail_outbox) / (event + ".eml"));
    const std::string text = DecodedParts(mail).at(0);
    std::smatch m;
    EXPECT_TRUE(std::regex_search(
        text, m, std::regex("http://127\\.0\\.0\\.1:\\d+(/ontvangst/[A-Za-z0-9_-]+)")))
        << text;
    return m.size() > 1 ? m[1].str() : "";
  }
  httplib::Client Client() { return httplib::Client("127.0.0.1", port_); }

  FakeHandover handover_;
  ReceiptPageSettings settings_;
  std::unique_ptr<ReceiptPage> page_;
  int port_ = 0;
  std::unique_ptr<ReceiptPageConnector> connector_;
};

TEST_F(ReceiptPageTest, TheLinkShowsTheFormServesThePdfAndIsSpentByTheConfirmation) {
  const std::string link = Mailed("ho-1", 1, "e1");
  httplib::Client c = Client();
  auto page = c.Get(link);
  ASSERT_TRUE(page);
  EXPECT_EQ(page->status, 200);
  EXPECT_NE(page->body.find("<h2>Ontwikkeling</h2>"), std::string::npos);
  EXPECT_NE(page->body.find("zegt &lt;script&gt; na"), std::string::npos) << "text stays text";
  EXPECT_NE(page->body.find("Basisschool De Regenboog"), std::string::npos);
  EXPECT_EQ(page->get_header_value("Referrer-Policy"), "no-referrer");
  EXPECT_EQ(page->get_header_value("Cache-Control"), "no-store");
  auto pdf = c.Get(link + "/pdf");
  ASSERT_TRUE(pdf);
  EXPECT_EQ(pdf->body, FakeHandover::kPdf);
  EXPECT_EQ(pdf->get_header_value("Content-Disposition"),
            "attachment; filename=\"overdracht-ho-1.pdf\"");

  auto nameless = c.Post(link + "/bevestig", "naam=", "application/x-www-form-urlencoded");
  ASSERT_TRUE(nameless);
  EXPECT_EQ(nameless->status, 400);
  auto forged = c.Post(link + "/bevestig", {{"Origin", "https://elders.example"}}, "naam=X",
                       "application/x-www-form-urlencoded");
  ASSERT_TRUE(forged);
  EXPECT_EQ(forged->status, 403);
  auto cross_site =
      c.Post(link + "/bevestig", {{"Sec-Fetch-Site", "cross-site"}, {"Origin", "null"}}, "naam=X",
             "application/x-www-form-urlencoded");
  ASSERT_TRUE(cross_site);
  EXPECT_EQ(cross_site->status, 403);
  EXPECT_TRUE(handover_.Receipts().empty());

  auto confirmed =
      c.Post(link + "/bevestig", "naam=J.+Jansen", "application/x-www-form-urlencoded");
  ASSERT_TRUE(confirmed);
  EXPECT_EQ(confirmed->status, 200);
  ASSERT_EQ(handover_.Receipts().size(), 1u);
  EXPECT_EQ(handover_.Receipts()[0].school, "12AB-00");
  EXPECT_EQ(handover_.Receipts()[0].received_by, "J. Jansen");
  EXPECT_EQ(handover_.Receipts()[0].revision, 1);
  for (const std::string& path : {link, link + "/pdf"}) {
    auto spent = c.Get(path);
    ASSERT_TRUE(spent);
    EXPECT_EQ(spent->status, 410) << path;
  }
  auto unknown = c.Get("/ontvangst/AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA");
  ASSERT_TRUE(unknown);
  EXPECT_EQ(unknown->status, 404);
}

TEST_F(ReceiptPageTest, ExpiredReplacedAndWithdrawnLinksServeNothing) {
  const std::string first = Mailed("ho-1", 1, "e1");
  const std::string second = Mailed("ho-1", 2, "e2");  // an amendment replaces the link
  httplib::Client c = Client();
  EXPECT_EQ(c.Get(first)->status, 410);
  EXPECT_EQ(c.Get(second)->status, 200);
  clock_.Advance(absl::Hours(49));
  EXPECT_EQ(c.Get(second)->status, 410);
  EXPECT_NE(c.Get(second)->body.find("verlopen"), std::string::npos);

  const std::string other = Mailed("ho-2", 1, "e3");
  hv1::HandoverWithdrawn w;
  *w.mutable_handover() = Ref("ho-2", "12AB", 1);
  ASSERT_TRUE(ApplyEvent(*writer_, *router_, handover::kTopicHandoverWithdrawn, w).ok());
  auto withdrawn = c.Get(other);
  EXPECT_EQ(withdrawn->status, 410);
  EXPECT_NE(withdrawn->body.find("ingetrokken"), std::string::npos);
  EXPECT_TRUE(handover_.Receipts().empty());
}

TEST_F(SchoolFixture, ReceiptsFromSchoolSystemsAreCheckedBeforeTheyReachTheService) {
  FakeHandover handover;
  ReceiptWebhook webhook(schools_, handover);
  auto post = [&](const std::string& body) {
    return webhook.Handle({.source = "webhook", .name = "/school/receipt", .body = body});
  };
  EXPECT_EQ(post(R"({"handover_id": "ho-1"})").message(),
            "missing: received_by, school.brin, school.vestiging, revision");
  EXPECT_EQ(post(R"({"handover_id": "ho-1", "revision": 1, "received_by": "x",
                     "school": {"brin": "12AB", "vestiging": "00"}})")
                .message(),
            "school 12AB-00 has no system connection here: it confirms on the receipt page");
  const std::string good =
      R"({"handover_id": "ho-1", "revision": 2, "received_by": "Leerlingadministratie",
                               "school": {"brin": "34CD", "vestiging": "00"}})";
  ASSERT_TRUE(post(good).ok());
  ASSERT_EQ(handover.Receipts().size(), 1u);
  EXPECT_EQ(handover.Receipts()[0].revision, 2);
  handover.FailAcknowledge(absl::FailedPreconditionError("STALE_REVISION: revision 3 is current"));
  EXPECT_EQ(post(good).code(), absl::StatusCode::kInvalidArgument);
  handover.FailAcknowledge(absl::UnavailableError("down"));
  EXPECT_EQ(post(good).code(), absl::StatusCode::kUnavailable);
}

}  // namespace
}  // namespace olif::school
