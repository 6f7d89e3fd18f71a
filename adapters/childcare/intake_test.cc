// The intake against the corpus in testdata/boomgaard/ (De Boomgaard's
// exports as config/dev/childcare.yaml reads them) and a stand-in for the
// services: what each row becomes, the quarantine reports (compared with the
// expected ones beside the files), idempotency, a file that stops, a service
// that is down, JSON documents, and posted exports.

#include "adapters/childcare/intake.h"

#include <gtest/gtest.h>

#include <filesystem>
#include <fstream>
#include <sstream>

#include "adapters/childcare/testing/chains.h"
#include "services/common/status/status.h"
#include "services/common/sync/mutex.h"
#include "services/common/testing/testing.h"

namespace olif::childcare {
namespace {

namespace fs = std::filesystem;
namespace cv1 = olifantenpad::consent::v1;
namespace hv1 = olifantenpad::handover::v1;
namespace rv1 = olifantenpad::referrals::v1;

// The services as the intake sees them: every call recorded; a consent whose
// evidence_ref starts with "REFUSE" refused as the consent service would;
// everything UNAVAILABLE while `down`.
class FakeHub final : public Hub {
 public:
  absl::StatusOr<std::string> RecordConsent(const cv1::RecordConsentRequest& call) override {
    olif::MutexLock lock(&mu_);
    if (down) return absl::UnavailableError("consent: connection refused");
    if (call.consent().evidence_ref().rfind("REFUSE", 0) == 0) {
      return InvalidField("consent.grantors[0].signed_at", "is after valid_from");
    }
    consents.push_back(call);
    return "consent-" + call.request_id();
  }
  absl::StatusOr<std::string> CreateRequest(const rv1::CreateRequestRequest& call) override {
    olif::MutexLock lock(&mu_);
    if (down) return absl::UnavailableError("referrals: connection refused");
    requests.push_back(call);
    return "request-" + call.request_id();
  }
  absl::StatusOr<hv1::HandoverForm> CreateDraft(const hv1::CreateDraftRequest& call) override {
    olif::MutexLock lock(&mu_);
    steps.push_back("create");
    auto it = forms.find(call.request_id());
    if (it != forms.end()) return it->second;
    hv1::HandoverForm f = call.form();
    f.set_id("handover-" + call.request_id());
    f.set_version(1);
    f.set_status(hv1::HANDOVER_STATUS_DRAFT);
    forms[call.request_id()] = f;
    ids[f.id()] = call.request_id();
    return f;
  }
  absl::StatusOr<hv1::HandoverForm> SubmitForParentReview(
      const hv1::SubmitForParentReviewRequest& call) override {
    return Step(call.handover_id(), call.version(), "submit",
                [](hv1::HandoverForm& f) { f.set_status(hv1::HANDOVER_STATUS_PARENT_REVIEW); });
  }
  absl::StatusOr<hv1::HandoverForm> RecordParentView(
      const hv1::RecordParentViewRequest& call) override {
    return Step(call.handover_id(), call.version(), "view",
                [&call](hv1::HandoverForm& f) { *f.mutable_parent_view() = call.view(); });
  }
  absl::StatusOr<hv1::HandoverForm> Finalise(const hv1::FinaliseRequest& call) override {
    if (fail_finalise) return absl::UnavailableError("handover: connection refused");
    return Step(call.handover_id(), call.version(), "finalise",
                [](hv1::HandoverForm& f) { f.set_status(hv1::HANDOVER_STATUS_SENT); });
  }

  std::vector<std::string> ConsentKeys() {
    olif::MutexLock lock(&mu_);
    std::vector<std::string> out;
    for (const auto& c : consents) out.push_back(c.consent().evidence_ref() + "=" + c.request_id());
    std::sort(out.begin(), out.end());
    return out;
  }

  olif::Mutex mu_;
  bool down = false;
  bool fail_finalise = false;
  std::vector<cv1::RecordConsentRequest> consents;
  std::vector<rv1::CreateRequestRequest> requests;
  std::map<std::string, hv1::HandoverForm> forms;  // by request id
  std::map<std::string, std::string> ids;          // handover id → request id
  std::vector<std::string> steps;

 private:
  template <typename Change>
  absl::StatusOr<hv1::HandoverForm> Step(const std::string& id, int64_t version, const char* step,
                                         Change change) {
    olif::MutexLock lock(&mu_);
    hv1::HandoverForm& f = forms.at(ids.at(id));
    if (f.version() != version) return absl::AbortedError("stale version");
    steps.push_back(step);
    change(f);
    f.set_version(f.version() + 1);
    return f;
  }
};

std::string ChainCorpus(const std::string& name) {
  return testing::SourcePath("adapters/childcare/testdata/boomgaard/" + name);
}

std::string FileText(const std::string& path) {
  std::ifstream in(path, std::ios::binary);
  std::ostringstream s;
  s << in.rdbuf();
  return s.str();
}

class IntakeTest : public ::testing::Test {
 protected:
  void SetUp() override {
    dir_ = testing_util::FreshTestDir("intake");
    fs::create_directories(dir_ / "inbox");
    fs::create_directories(dir_ / "quarantine");
    auto db = sqlite::Database::Open((dir_ / "childcare.db").string(), {});
    ASSERT_TRUE(db.ok()) << db.status();
    writer_ = std::make_unique<sqlite::Writer>(std::move(*db));
    ASSERT_TRUE(writer_->Run(ChildcareStore::CreateTables).ok());
    auto store = ChildcareStore::Open((dir_ / "childcare.db").string(), *writer_);
    ASSERT_TRUE(store.ok()) << store.status();
    store_ = std::move(*store);
    Open(testing::DevChain(0));
  }

  // The intake of `chain` (over the same store).
  void Open(std::shared_ptr<const Chain> chain) {
    ASSERT_NE(chain, nullptr);
    intake_ = std::make_unique<ChainIntake>(
        chain, [d = directory_] { return d; }, *store_, hub_, clock_, metrics_,
        (dir_ / "inbox").string(), (dir_ / "quarantine").string(), [this] { ++woken_; });
  }

  // Takes a corpus file as the folder would hand it over (by its path).
  absl::StatusOr<FileOutcome> Take(const std::string& name) {
    return intake_->TakeCsv(ChainCorpus(name), name);
  }

  std::string Report(const std::string& name) {
    return FileText((dir_ / "quarantine" / (name + ".report.csv")).string());
  }

  std::shared_ptr<const directory::Directory> directory_ = testing::DevDirectory();
  fs::path dir_;
  FakeHub hub_;
  FakeClock clock_{absl::FromCivil(absl::CivilSecond(2026, 9, 2, 10, 0, 0), absl::UTCTimeZone())};
  metrics::Registry metrics_;
  std::unique_ptr<sqlite::Writer> writer_;
  std::unique_ptr<ChildcareStore> store_;
  std::unique_ptr<ChainIntake> intake_;
  int woken_ = 0;
};

TEST_F(IntakeTest, ConsentRowsWithAByteOrderMarkBecomeRecordConsentCalls) {
  absl::StatusOr<FileOutcome> out = Take("toestemmingen-met-bom.csv");
  ASSERT_TRUE(out.ok()) << out.status();
  EXPECT_EQ(out->rows, 2);
  EXPECT_EQ(out->accepted, 2);
  EXPECT_EQ(out->quarantined, 0);
  EXPECT_TRUE(out->report.empty());
  ASSERT_EQ(hub_.consents.size(), 2u);
  const cv1::RecordConsentRequest* joint = nullptr;
  for (const auto& c : hub_.consents) {
    if (c.consent().evidence_ref() == "TF-2026-0101") joint = &c;
  }
  ASSERT_NE(joint, nullptr);
  const cv1::Consent& c = joint->consent();
  EXPECT_TRUE(IsUuid(c.child().child_ref()));
  EXPECT_EQ(c.child_birth_date(), "2022-03-14");
  EXPECT_EQ(c.holders_of_authority(), 2);
  ASSERT_EQ(c.grantors_size(), 2);
  EXPECT_EQ(c.grantors(0).name(), "Maartje Jansen");
  EXPECT_EQ(c.grantors(0).relation(), cv1::RELATION_PARENT);
  EXPECT_TRUE(c.grantors(0).has_authority());
  EXPECT_EQ(c.grantors(0).method(), cv1::SIGNING_METHOD_PAPER);
  EXPECT_EQ(c.grantors(1).method(), cv1::SIGNING_METHOD_DIGITAL);
  // 28-08-2026 10:15 in Amsterdam (summer time) is 08:15 UTC.
  EXPECT_EQ(c.grantors(0).signed_at().seconds(),
            absl::ToUnixSeconds(
                absl::FromCivil(absl::CivilSecond(2026, 8, 28, 8, 15, 0), absl::UTCTimeZone())));
  EXPECT_EQ(c.purposes_size(), 2);
  EXPECT_EQ(c.purposes(1), cv1::PURPOSE_SCHOOL_HANDOVER);
  EXPECT_EQ(std::vector<std::string>(c.recipient_organisation_ids().begin(),
                                     c.recipient_organisation_ids().end()),
            (std::vector<std::string>{"org-jz-het-kompas", "sch-de-regenboog"}));
  EXPECT_EQ(c.data_categories_size(), 3);
  EXPECT_EQ(c.recorded_by(), "prof-sanne-bakker");
  EXPECT_EQ(joint->access().actor_id(), "childcare-adapter");
  EXPECT_EQ(joint->request_id(), RecordRequestId("boomgaard", "consents", "key:TF-2026-0101"));
}

TEST_F(IntakeTest, DroppingAFileAgainSendsTheSameRequestIdsAndTheSameChild) {
  ASSERT_TRUE(Take("toestemmingen-met-bom.csv").ok());
  const std::vector<std::string> first = hub_.ConsentKeys();
  const std::string child = hub_.consents[0].consent().child().child_ref();
  hub_.consents.clear();
  ASSERT_TRUE(Take("toestemmingen-met-bom.csv").ok());
  EXPECT_EQ(hub_.ConsentKeys(), first);
  // The chain's key field (the form's number) identifies the row across files.
  ASSERT_TRUE(
      intake_->TakeCsv(ChainCorpus("toestemmingen-met-bom.csv"), "toestemmingen-dec.csv").ok());
  const std::vector<std::string> keys = hub_.ConsentKeys();
  EXPECT_EQ(keys.size(), 4u);
  EXPECT_EQ(std::set<std::string>(keys.begin(), keys.end()).size(), 2u);
  bool same_child = false;
  for (const auto& c : hub_.consents) same_child |= c.consent().child().child_ref() == child;
  EXPECT_TRUE(same_child);
}

TEST_F(IntakeTest, Windows1252IsConvertedAndABadDayIsReportedUnderItsColumn) {
  absl::StatusOr<FileOutcome> out = Take("toestemmingen-windows1252.csv");
  ASSERT_TRUE(out.ok()) << out.status();
  EXPECT_EQ(out->accepted, 1);
  EXPECT_EQ(out->quarantined, 1);
  ASSERT_EQ(hub_.consents.size(), 1u);
  EXPECT_EQ(hub_.consents[0].consent().grantors(0).name(), "Zo\xC3\xAB Brouw\xC3\xA9r");
  EXPECT_EQ(Report("toestemmingen-windows1252.csv"),
            FileText(ChainCorpus("toestemmingen-windows1252.csv.report.expected.csv")));
}

TEST_F(IntakeTest, BadQuestionRowsGoToTheReportAndTheGoodOnesAreSent) {
  absl::StatusOr<FileOutcome> out = Take("vragen-met-fouten.csv");
  ASSERT_TRUE(out.ok()) << out.status();
  EXPECT_EQ(out->rows, 7);
  EXPECT_EQ(out->accepted, 2);
  EXPECT_EQ(out->quarantined, 5);
  EXPECT_EQ(Report("vragen-met-fouten.csv"),
            FileText(ChainCorpus("vragen-met-fouten.csv.report.expected.csv")));
  ASSERT_EQ(hub_.requests.size(), 2u);
  const rv1::CreateRequestRequest* named = nullptr;
  for (const auto& r : hub_.requests) {
    if (r.request().kind() == rv1::REQUEST_KIND_CHILD) named = &r;
  }
  ASSERT_NE(named, nullptr);
  EXPECT_EQ(named->request().question(),
            "Mila zegt vaak \"nee\"; ook als ze ja bedoelt.\nHoe helpen we haar?");
  EXPECT_EQ(named->child_identity().bsn(), "111222333");
  EXPECT_EQ(named->child_identity().birth_date(), "2022-03-14");
  EXPECT_EQ(named->request().requester().location_id(), "loc-boomgaard-noord");
  EXPECT_EQ(named->request().requester().organisation_id(), "org-kdv-de-boomgaard");
  EXPECT_TRUE(IsUuid(named->request().child().child_ref()));
  EXPECT_EQ(named->request_id(), RecordRequestId("boomgaard", "questions", "key:V-507"));
}

TEST_F(IntakeTest, AFileWithAnOpenQuoteIsRefusedAfterTheRowsBeforeItAreTaken) {
  absl::StatusOr<FileOutcome> out = Take("toestemmingen-open-quote.csv");
  ASSERT_FALSE(out.ok());
  EXPECT_EQ(out.status().code(), absl::StatusCode::kInvalidArgument);
  EXPECT_NE(out.status().message().find("record 4"), absl::string_view::npos) << out.status();
  EXPECT_EQ(hub_.ConsentKeys().size(), 2u);  // TF-2026-0201 and -0202
  EXPECT_EQ(hub_.ConsentKeys()[0].substr(0, 12), "TF-2026-0201");
}

TEST_F(IntakeTest, WhileAServiceIsDownTheFileWaitsAndNothingIsReported) {
  hub_.down = true;
  absl::StatusOr<FileOutcome> out = Take("vragen-met-fouten.csv");
  ASSERT_FALSE(out.ok());
  EXPECT_EQ(out.status().code(), absl::StatusCode::kUnavailable);
  EXPECT_FALSE(fs::exists(dir_ / "quarantine" / "vragen-met-fouten.csv.report.csv"));
  hub_.down = false;
  out = Take("vragen-met-fouten.csv");
  ASSERT_TRUE(out.ok()) << out.status();
  EXPECT_EQ(hub_.requests.size(), 2u);
}

TEST_F(IntakeTest, AServiceRefusalIsReportedUnderTheColumnItConcerns) {
  const std::string path = (dir_ / "toestemmingen-weigering.csv").string();
  std::string content = FileText(ChainCorpus("toestemmingen-met-bom.csv"));
  content.replace(content.find("TF-2026-0102"), 12, "REFUSE-0102");
  std::ofstream(path, std::ios::binary) << content;
  absl::StatusOr<FileOutcome> out = intake_->TakeCsv(path, "toestemmingen-weigering.csv");
  ASSERT_TRUE(out.ok()) << out.status();
  EXPECT_EQ(out->quarantined, 1);
  EXPECT_EQ(Report("toestemmingen-weigering.csv"),
            "\xEF\xBB\xBFrow;column;reason\r\n3;Getekend 1;is after valid_from\r\n");
}

TEST_F(IntakeTest, AConsentWithoutBirthDateTakesItFromTheRoster) {
  Open(testing::DevChain(0, [](olifantenpad::config::v1::ChildcareChain& c) {
    c.mutable_consents()->mutable_columns()->erase("birth_date");
  }));
  ASSERT_TRUE(Take("kindlijst.csv").ok());
  absl::StatusOr<std::optional<Child>> child = store_->FindChild("boomgaard", "K-2001");
  ASSERT_TRUE(child.ok() && child->has_value());
  EXPECT_EQ((*child)->location_id, "loc-boomgaard-noord");
  EXPECT_EQ((*child)->group_id, "grp-egeltjes");
  absl::StatusOr<FileOutcome> out = Take("toestemmingen-zonder-geboortedatum.csv");
  ASSERT_TRUE(out.ok()) << out.status();
  ASSERT_EQ(hub_.consents.size(), 1u);
  EXPECT_EQ(hub_.consents[0].consent().child_birth_date(), "2022-02-11");
  EXPECT_EQ(hub_.consents[0].consent().child().child_ref(), (*child)->child_ref);
  EXPECT_EQ(Report("toestemmingen-zonder-geboortedatum.csv"),
            "\xEF\xBB\xBFrow;column;reason\r\n3;birth_date;is not given, and the child is not in "
            "the roster\r\n");
}

TEST_F(IntakeTest, ARosterRowWithAGroupOfAnotherLocationIsReported) {
  absl::StatusOr<FileOutcome> out = Take("kindlijst.csv");
  ASSERT_TRUE(out.ok()) << out.status();
  EXPECT_EQ(out->accepted, 2);
  EXPECT_EQ(Report("kindlijst.csv"),
            "\xEF\xBB\xBFrow;column;reason\r\n4;Stamgroep;\"\"\"Egeltjes\"\" is not a group of "
            "loc-boomgaard-zuid\"\r\n");
}

TEST_F(IntakeTest, AFileOfNoExportOrWithoutAColumnIsRefusedWhole) {
  absl::StatusOr<FileOutcome> none = intake_->TakeCsv(ChainCorpus("kindlijst.csv"), "facturen.csv");
  ASSERT_FALSE(none.ok());
  EXPECT_EQ(none.status().message(),
            "\"facturen.csv\" matches none of the chain's exports (boomgaard)");
  absl::StatusOr<FileOutcome> wrong = intake_->TakeCsv(ChainCorpus("kindlijst.csv"), "vragen.csv");
  ASSERT_FALSE(wrong.ok());
  EXPECT_EQ(wrong.status().code(), absl::StatusCode::kInvalidArgument);
  EXPECT_NE(
      wrong.status().message().find(
          "row 1 (the header) lacks the column(s) \"Onderwerpen\" (domains), \"Soort\" (kind), "
          "\"Vraag\" (question), \"Vraagnummer\" (question_id), \"Medewerker\" (staff)"),
      absl::string_view::npos)
      << wrong.status();
  EXPECT_TRUE(hub_.requests.empty());
}

TEST_F(IntakeTest, AFiftyThousandRowRosterIsTakenWhole) {
  const std::string path = (dir_ / "kindlijst-groot.csv").string();
  {
    std::ofstream out(path, std::ios::binary);
    out << "Kindnummer;Geboortedatum;Vestiging;Stamgroep\r\n";
    for (int i = 0; i < 50000; ++i) {
      out << "K-" << (100000 + i) << ";" << (1 + i % 28) << "-0" << (1 + i % 9) << "-2022;"
          << (i % 2 ? "NRD;Vlinders" : "ZD;Kikkers") << "\r\n";
    }
  }
  absl::StatusOr<FileOutcome> out = intake_->TakeCsv(path, "kindlijst-groot.csv");
  ASSERT_TRUE(out.ok()) << out.status();
  EXPECT_EQ(out->rows, 50000);
  EXPECT_EQ(out->accepted, 50000);
  absl::StatusOr<std::optional<Child>> last = store_->FindChild("boomgaard", "K-149999");
  ASSERT_TRUE(last.ok() && last->has_value());
  EXPECT_EQ((*last)->location_id, "loc-boomgaard-noord");
}

TEST_F(IntakeTest, AJsonQuestionIsOneCallAndItsProblemsAreNamedByKey) {
  const std::string good = R"({"document": "direct_line_question", "question_id": "V-900",
    "kind": "groep", "staff": "M0077", "location": "ZD", "group": "Kikkers",
    "domains": ["groepsdynamiek", "gedrag"], "question": "Hoe houden we rust bij het brengen?",
    "priority": "normaal"})";
  ASSERT_TRUE(intake_
                  ->Handle({.source = "webhook",
                            .name = "/childcare/boomgaard",
                            .content_type = "application/json",
                            .body = good})
                  .ok());
  ASSERT_EQ(hub_.requests.size(), 1u);
  EXPECT_EQ(hub_.requests[0].request().group().group_id(), "grp-kikkers");
  EXPECT_EQ(hub_.requests[0].request().question_domains_size(), 2);
  EXPECT_EQ(hub_.requests[0].request_id(), RecordRequestId("boomgaard", "questions", "key:V-900"));

  const std::string bad = R"({"document": "direct_line_question", "question_id": "V-901",
    "kind": "kind", "staff": "M9999", "location": "NRD", "domains": [],
    "question": "Een vraag over een kind zonder naam", "child_number": "K-1"})";
  absl::Status s = intake_->Handle({.source = "webhook",
                                    .name = "/childcare/boomgaard",
                                    .content_type = "application/json",
                                    .body = bad});
  ASSERT_EQ(s.code(), absl::StatusCode::kInvalidArgument);
  EXPECT_EQ(s.message(),
            "/childcare/boomgaard: staff: \"M9999\" is not a known member of staff; domains: is "
            "empty; given_name: is empty; family_name: is empty; birth_date: is empty");
  EXPECT_EQ(hub_.requests.size(), 1u);
  EXPECT_EQ(intake_->Handle({.source = "webhook", .name = "x.json", .body = "[1, 2"}).message(),
            "x.json: not a JSON object");
}

constexpr char kHandoverForm[] = R"({
  "document": "handover_form", "form_id": "OV-2026-17", "child_number": "K-1001",
  "location": "NRD", "author": "M0077",
  "form": {
    "child": {"given_name": "Mila", "family_name": "Jansen", "birth_date": "2022-03-14"},
    "receiver": {"brin": "12AB", "vestiging": "00", "expected_start_date": "2026-03-16"},
    "attendance": {"group_id": "Egeltjes"},
    "ve": {"indicated": true, "programme_code": "3"}
  },
  "parent_view": {"text": "Wij herkennen Mila hierin.", "given_by": "Maartje Jansen",
                  "relation": "GUARDIAN_RELATION_PARENT", "seen_at": "2026-09-01T18:00:00Z"},
  "finalise": true
})";

TEST_F(IntakeTest, AHandoverFormGoesFromDraftToFinalAndATakeAgainGoesOnWhereItWas) {
  hub_.fail_finalise = true;  // the service goes away before the last step
  absl::Status s = intake_->TakeJson(kHandoverForm, "overdracht-17.json");
  EXPECT_EQ(s.code(), absl::StatusCode::kUnavailable) << s;
  EXPECT_EQ(hub_.steps, (std::vector<std::string>{"create", "submit", "view"}));
  hub_.fail_finalise = false;
  ASSERT_TRUE(intake_->TakeJson(kHandoverForm, "overdracht-17.json").ok());
  EXPECT_EQ(hub_.steps,
            (std::vector<std::string>{"create", "submit", "view", "create", "finalise"}));
  ASSERT_EQ(hub_.forms.size(), 1u);
  const hv1::HandoverForm& f = hub_.forms.begin()->second;
  EXPECT_EQ(f.status(), hv1::HANDOVER_STATUS_SENT);
  EXPECT_EQ(f.sender().location_id(), "loc-boomgaard-noord");
  EXPECT_EQ(f.sender().lrk_number(), "123456789");
  EXPECT_EQ(f.sender().author_id(), "prof-fatima-el-amrani");
  EXPECT_EQ(f.attendance().group_id(), "grp-egeltjes");
  EXPECT_EQ(f.parent_view().given_by(), "Maartje Jansen");
  EXPECT_TRUE(IsUuid(f.child().child_ref()));
  EXPECT_EQ(hub_.forms.begin()->first, RecordRequestId("boomgaard", "handover", "key:OV-2026-17"));
}

TEST_F(IntakeTest, AHandoverFormWithUnknownFieldsOrNoParentViewIsRefusedWhole) {
  std::string unknown = kHandoverForm;
  unknown.replace(unknown.find("\"ve\""), 4, "\"vve\"");
  absl::Status s = intake_->TakeJson(unknown, "overdracht.json");
  ASSERT_EQ(s.code(), absl::StatusCode::kInvalidArgument);
  EXPECT_NE(s.message().find("overdracht.json: form: "), absl::string_view::npos) << s;
  EXPECT_NE(s.message().find("vve"), absl::string_view::npos) << s;
  std::string no_view = kHandoverForm;
  no_view.replace(no_view.find("\"parent_view\""), 13, "\"ignored_view\"");
  s = intake_->TakeJson(no_view, "overdracht.json");
  EXPECT_EQ(s.message(),
            "overdracht.json: finalise: needs the parents' view: they must have read the form");
  EXPECT_TRUE(hub_.steps.empty());
}

TEST_F(IntakeTest, APostedExportIsPutIntoTheInboxUnderItsOwnName) {
  const std::string body = FileText(ChainCorpus("kindlijst.csv"));
  adapters::InboundMessage m{.source = "webhook",
                             .name = "/childcare/boomgaard",
                             .content_type = "text/csv",
                             .body = body,
                             .file_name = "kindlijst-2026-12.csv"};
  ASSERT_TRUE(intake_->Handle(m).ok());
  EXPECT_EQ(FileText((dir_ / "inbox" / "kindlijst-2026-12.csv").string()), body);
  EXPECT_EQ(woken_, 1);
  m.file_name = "";
  EXPECT_EQ(intake_->Handle(m).code(), absl::StatusCode::kInvalidArgument);
  m.file_name = "facturen.csv";
  EXPECT_EQ(intake_->Handle(m).message(), "\"facturen.csv\" matches none of the chain's exports");
  EXPECT_FALSE(fs::exists(dir_ / "inbox" / "facturen.csv"));
}

}  // namespace
}  // namespace olif::childcare
