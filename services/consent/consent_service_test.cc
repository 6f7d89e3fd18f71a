// The consent service through a real gRPC server on a loopback port 0, over a
// real store, a fake clock and the dev directory.

#include "services/consent/consent_grpc.h"
#include "services/consent/sqlite_consent_store.h"

#include <gtest/gtest.h>

#include <future>

#include "olifantenpad/consent/v1/events.pb.h"
#include "services/common/consent/projection.h"
#include "services/common/grpc/call_observer.h"
#include "services/common/outbox/outbox.h"
#include "services/common/status/status.h"
#include "services/common/testing/grpc_server.h"
#include "services/common/testing/testing.h"
#include "services/consent/example_consents.h"

namespace olif::consent {
namespace {

namespace ex = examples;
using google::protobuf::util::TimeUtil;

const absl::Time kNow =
    absl::FromCivil(absl::CivilSecond(2026, 11, 23, 9, 30, 0), absl::UTCTimeZone());
constexpr char kRequestId[] = "3f0c9d1e-2a4b-4c6d-8e0f-1a2b3c4d5e6f";

class ConsentServiceTest : public testing::Test {
 protected:
  void SetUp() override {
    path_ = (testing_util::FreshTestDir("consent") / "consent.db").string();
    auto store = SqliteConsentStore::Open(path_);
    ASSERT_TRUE(store.ok()) << store.status();
    store_ = std::move(*store);
    auto dir =
        directory::Directory::Load(std::string(OLIF_SOURCE_DIR) + "/config/dev/directory.yaml");
    ASSERT_TRUE(dir.ok()) << dir.status();
    directory_ = std::make_unique<directory::DirectoryHolder>(*dir);
    service_ = std::make_unique<ConsentService>(*store_, clock_, *directory_, Settings{});
    grpc_service_ = std::make_unique<ConsentGrpcService>(*service_);
    server_ = std::make_unique<testing_util::TestGrpcServer>(
        std::vector<grpc::Service*>{grpc_service_.get()}, "consent");
    stub_ = server_->Stub<v1::ConsentService>();
  }

  // Calls `rpc` on the stub with a deadline and `trace_id`; the answer as
  // the logic gave it (`field` of the response) or the call's status.
  template <typename T, typename Request, typename Response, typename Field>
  absl::StatusOr<T> Call(grpc::Status (v1::ConsentService::Stub::*rpc)(grpc::ClientContext*,
                                                                       const Request&, Response*),
                         const Request& request, const std::string& trace_id, Field field) {
    auto ctx = testing_util::TestGrpcServer::Context();
    ctx->AddMetadata(grpcx::kTraceIdHeader, trace_id);
    Response response;
    grpc::Status s = ((*stub_).*rpc)(ctx.get(), request, &response);
    if (!s.ok()) return FromGrpcStatus(s);
    return field(response);
  }
  absl::StatusOr<v1::Consent> Get(const v1::GetConsentRequest& call, const std::string& trace_id) {
    return Call<v1::Consent>(&v1::ConsentService::Stub::GetConsent, call, trace_id,
                             [](const auto& r) { return r.consent(); });
  }

  absl::StatusOr<v1::Consent> Record(const v1::Consent& c,
                                     const std::string& request_id = kRequestId) {
    v1::RecordConsentRequest call;
    call.set_request_id(request_id);
    *call.mutable_consent() = c;
    call.mutable_access()->set_actor_id("prof-sanne-bakker");
    call.mutable_access()->set_reason("consent form signed at intake");
    return Call<v1::Consent>(&v1::ConsentService::Stub::RecordConsent, call, "trace-record",
                             [](const auto& r) { return r.consent(); });
  }
  absl::StatusOr<v1::Decision> Check(v1::Purpose purpose = v1::PURPOSE_DIRECT_LINE,
                                     const std::string& recipient = ex::kKompas) {
    v1::CheckConsentRequest call;
    call.mutable_child()->set_child_ref(ex::kChildRef);
    call.set_purpose(purpose);
    call.set_recipient_organisation_id(recipient);
    return Call<v1::Decision>(&v1::ConsentService::Stub::CheckConsent, call, "trace-check",
                              [](const auto& r) { return r.decision(); });
  }
  absl::StatusOr<v1::Consent> Withdraw(const std::string& id) {
    v1::WithdrawConsentRequest call;
    call.set_id(id);
    call.set_withdrawn_by("Eva Janssen");
    call.set_reason("we willen het eerst zelf bespreken");
    return Call<v1::Consent>(&v1::ConsentService::Stub::WithdrawConsent, call, "trace-withdraw",
                             [](const auto& r) { return r.consent(); });
  }
  absl::StatusOr<v1::ListConsentsResponse> List(const v1::ListConsentsRequest& call) {
    return Call<v1::ListConsentsResponse>(&v1::ConsentService::Stub::ListConsents, call, "t",
                                          [](const auto& r) { return r; });
  }
  std::vector<olifantenpad::common::v1::EventEnvelope> Events() {
    auto db = sqlite::Database::Open(path_, {});
    EXPECT_TRUE(db.ok());
    auto events = outbox::ReadAfter(**db, "consent", 0, 100);
    EXPECT_TRUE(events.ok());
    return *events;
  }

  std::string path_;
  FakeClock clock_{kNow};
  std::unique_ptr<SqliteConsentStore> store_;
  std::unique_ptr<directory::DirectoryHolder> directory_;
  std::unique_ptr<ConsentService> service_;
  std::unique_ptr<ConsentGrpcService> grpc_service_;
  std::unique_ptr<testing_util::TestGrpcServer> server_;
  std::unique_ptr<v1::ConsentService::Stub> stub_;
};

TEST_F(ConsentServiceTest, JointAuthoritySignedByOneParentIsRefusedNamingTheMissingOne) {
  v1::Consent c = ex::ToddlerDirectLine();
  c.mutable_grantors()->RemoveLast();
  absl::StatusOr<v1::Consent> r = Record(c);
  EXPECT_EQ(r.status().code(), absl::StatusCode::kFailedPrecondition);
  EXPECT_EQ(r.status().message(),
            "consent for a child of 3 needs the signature of both parents with joint authority (1 "
            "of 2 signed)");
  EXPECT_TRUE(Events().empty()) << "nothing is announced";
  v1::ListConsentsRequest by_child;
  by_child.set_child_ref(ex::kChildRef);
  EXPECT_EQ(List(by_child)->consents_size(), 0) << "nothing is stored";
}

TEST_F(ConsentServiceTest, RecordedConsentIsActiveAndAnnouncedWithoutNames) {
  absl::StatusOr<v1::Consent> r = Record(ex::ToddlerDirectLine());
  ASSERT_TRUE(r.ok()) << r.status();
  EXPECT_EQ(r->status(), v1::CONSENT_STATUS_ACTIVE);
  EXPECT_EQ(r->trace_id(), "trace-record");
  EXPECT_EQ(TimeUtil::TimestampToMicroseconds(r->create_time()), absl::ToUnixMicros(kNow));
  auto events = Events();
  ASSERT_EQ(events.size(), 1u);
  EXPECT_EQ(events[0].topic(), kTopicGranted);
  v1::ConsentGranted granted;
  ASSERT_TRUE(events[0].payload().UnpackTo(&granted));
  EXPECT_EQ(granted.consent_id(), r->id());
  EXPECT_EQ(granted.child().child_ref(), ex::kChildRef);
  EXPECT_EQ(granted.recipient_organisation_ids(0), ex::kKompas);
  const std::string bytes = events[0].SerializeAsString();
  for (const char* secret : {"Janssen", "2023-05-14", "DOC-2026-11-000123"}) {
    EXPECT_EQ(bytes.find(secret), std::string::npos) << secret << " must not travel";
  }
}

TEST_F(ConsentServiceTest, RecordIsIdempotentOnRequestId) {
  auto first = Record(ex::ToddlerDirectLine());
  ASSERT_TRUE(first.ok());
  clock_.Advance(absl::Minutes(5));
  auto again = Record(ex::ToddlerDirectLine());
  ASSERT_TRUE(again.ok()) << again.status();
  EXPECT_EQ(again->id(), first->id());
  EXPECT_EQ(Events().size(), 1u) << "announced once";
  v1::Consent other = ex::ToddlerDirectLine();
  other.set_evidence_ref("DOC-2026-11-000999");
  auto conflict = Record(other);
  EXPECT_EQ(conflict.status().code(), absl::StatusCode::kAlreadyExists);
  EXPECT_NE(conflict.status().message().find(first->id()), absl::string_view::npos);
}

TEST_F(ConsentServiceTest, MalformedConsentNamesEveryField) {
  v1::Consent c = ex::ToddlerDirectLine();
  c.mutable_child()->set_child_ref("kind-42");
  c.clear_purposes();
  c.add_recipient_organisation_ids("org-onbekend");
  c.clear_evidence_ref();
  c.mutable_grantors(0)->clear_method();
  *c.mutable_valid_until() = c.valid_from();
  c.set_recorded_by("prof-niemand");
  absl::StatusOr<v1::Consent> r = Record(c, "not-a-uuid");
  EXPECT_EQ(r.status().code(), absl::StatusCode::kInvalidArgument);
  EXPECT_EQ(r.status().message(),
            "request_id: must be a UUID; consent.child.child_ref: must be a UUID; "
            "consent.purposes: at least one is required; "
            "consent.recipient_organisation_ids[1]: 'org-onbekend' is not an organisation in the "
            "directory; consent.valid_until: must be after valid_from; consent.evidence_ref: is "
            "required: the signed form's document id; consent.recorded_by: 'prof-niemand' is not a "
            "professional in the directory; consent.grantors[0].method: is required");
  EXPECT_TRUE(Events().empty());
}

TEST_F(ConsentServiceTest, CheckPermitsThenWithdrawalDeniesAtOnce) {
  auto recorded = Record(ex::ToddlerDirectLine());
  ASSERT_TRUE(recorded.ok());
  auto permit = Check();
  ASSERT_TRUE(permit.ok());
  EXPECT_TRUE(permit->permitted());
  EXPECT_EQ(permit->consent_id(), recorded->id());
  EXPECT_EQ(Check(v1::PURPOSE_SCHOOL_HANDOVER)->reason(),
            "no consent covers purpose school_handover");
  EXPECT_EQ(Check(v1::PURPOSE_DIRECT_LINE, "org-jz-wijkteam-oost")->reason(),
            "no consent for purpose direct_line names recipient org-jz-wijkteam-oost");

  clock_.Advance(absl::Hours(2));
  auto withdrawn = Withdraw(recorded->id());
  ASSERT_TRUE(withdrawn.ok()) << withdrawn.status();
  EXPECT_EQ(withdrawn->status(), v1::CONSENT_STATUS_WITHDRAWN);
  EXPECT_EQ(withdrawn->withdrawal().withdrawn_by(), "Eva Janssen");
  auto deny = Check();
  ASSERT_TRUE(deny.ok());
  EXPECT_FALSE(deny->permitted());
  EXPECT_EQ(deny->reason(),
            absl::StrCat("consent ", recorded->id(), " was withdrawn at 2026-11-23T11:30:00Z"));

  // Withdrawing again changes nothing and announces nothing new.
  ASSERT_TRUE(Withdraw(recorded->id()).ok());
  auto events = Events();
  ASSERT_EQ(events.size(), 2u);
  EXPECT_EQ(events[1].topic(), kTopicWithdrawn);
  v1::ConsentWithdrawn w;
  ASSERT_TRUE(events[1].payload().UnpackTo(&w));
  EXPECT_EQ(w.consent_id(), recorded->id());
  EXPECT_EQ(events[1].trace_id(), "trace-withdraw");
  EXPECT_EQ(events[1].SerializeAsString().find("Eva"), std::string::npos);
}

TEST_F(ConsentServiceTest, ExpiryJobExpiresOnceAndAnnounces) {
  auto recorded = Record(ex::ToddlerDirectLine());
  ASSERT_TRUE(recorded.ok());
  EXPECT_EQ(*service_->ExpireDue(), 0);
  clock_.Advance(absl::FromUnixSeconds(recorded->valid_until().seconds()) - kNow -
                 absl::Microseconds(1));
  EXPECT_EQ(*service_->ExpireDue(), 0) << "one microsecond before the end it still holds";
  EXPECT_TRUE(Check()->permitted());
  clock_.Advance(absl::Microseconds(1));
  EXPECT_EQ(*service_->ExpireDue(), 1);
  EXPECT_EQ(*service_->ExpireDue(), 0) << "expired once";
  auto events = Events();
  ASSERT_EQ(events.size(), 2u);
  EXPECT_EQ(events[1].topic(), kTopicExpired);
  EXPECT_EQ(store_->Get(recorded->id())->status(), v1::CONSENT_STATUS_EXPIRED);
  EXPECT_EQ(Check()->reason(),
            absl::StrCat("consent ", recorded->id(), " expired at 2027-08-01T00:00:00Z"));
  auto late = Withdraw(recorded->id());
  EXPECT_EQ(late.status().code(), absl::StatusCode::kFailedPrecondition);
  EXPECT_EQ(late.status().message(),
            absl::StrCat("consent ", recorded->id(),
                         " is CONSENT_STATUS_EXPIRED; only an active consent can be withdrawn"));
}

TEST_F(ConsentServiceTest, ListsByChildAndRecipientInPages) {
  const char* ids[] = {"0a000000-0000-4000-8000-000000000001",
                       "0a000000-0000-4000-8000-000000000002",
                       "0a000000-0000-4000-8000-000000000003"};
  for (const char* id : ids) {
    ASSERT_TRUE(Record(ex::ToddlerDirectLine(), id).ok());
    clock_.Advance(absl::Seconds(1));
  }
  v1::ListConsentsRequest by_recipient;
  by_recipient.set_recipient_organisation_id(ex::kKompas);
  by_recipient.set_page_size(2);
  auto page1 = List(by_recipient);
  ASSERT_TRUE(page1.ok()) << page1.status();
  ASSERT_EQ(page1->consents_size(), 2);
  EXPECT_EQ(page1->consents(0).request_id(), ids[2]) << "newest first";
  by_recipient.set_page_token(page1->next_page_token());
  auto page2 = List(by_recipient);
  ASSERT_TRUE(page2.ok());
  ASSERT_EQ(page2->consents_size(), 1);
  EXPECT_EQ(page2->consents(0).request_id(), ids[0]);
  EXPECT_TRUE(page2->next_page_token().empty());

  v1::ListConsentsRequest withdrawn_only;
  withdrawn_only.set_child_ref(ex::kChildRef);
  withdrawn_only.set_status(v1::CONSENT_STATUS_WITHDRAWN);
  EXPECT_EQ(List(withdrawn_only)->consents_size(), 0);
  withdrawn_only.set_page_token(page1->next_page_token());
  EXPECT_EQ(List(withdrawn_only).status().message(),
            "page_token: was issued for other filters; keep child_ref, recipient_organisation_id "
            "and status the same while paging");
  v1::ListConsentsRequest neither;
  EXPECT_EQ(List(neither).status().message(),
            "child_ref: give exactly one of child_ref and recipient_organisation_id");
}

TEST_F(ConsentServiceTest, EveryCallIsAudited) {
  auto recorded = Record(ex::ToddlerDirectLine());
  ASSERT_TRUE(recorded.ok());
  v1::GetConsentRequest get;
  get.set_id(recorded->id());
  get.mutable_access()->set_actor_id("prof-anna-de-vries");
  get.mutable_access()->set_reason("named-child request");
  ASSERT_TRUE(Get(get, "trace-get").ok());
  get.set_id("0a000000-0000-4000-8000-00000000dead");
  EXPECT_EQ(Get(get, "t").status().code(), absl::StatusCode::kNotFound);
  ASSERT_TRUE(Check().ok());
  ASSERT_TRUE(Withdraw(recorded->id()).ok());

  auto trail = store_->AuditTrail();
  ASSERT_TRUE(trail.ok());
  ASSERT_EQ(trail->size(), 5u);
  const AuditEntry& rec = (*trail)[0];
  EXPECT_EQ(rec.action, "record");
  EXPECT_EQ(rec.actor, "prof-sanne-bakker");
  EXPECT_EQ(rec.reason, "consent form signed at intake");
  EXPECT_EQ(rec.object_id, recorded->id());
  EXPECT_EQ(rec.outcome, "OK");
  EXPECT_EQ(rec.at, kNow);
  const AuditEntry& read = (*trail)[1];
  EXPECT_EQ(read.action, "get");
  EXPECT_EQ(read.actor, "prof-anna-de-vries");
  EXPECT_EQ(read.reason, "named-child request");
  EXPECT_EQ(read.child_ref, ex::kChildRef);
  EXPECT_EQ(read.trace_id, "trace-get");
  EXPECT_EQ((*trail)[2].outcome,
            "NOT_FOUND: consent 0a000000-0000-4000-8000-00000000dead not found");
  EXPECT_EQ((*trail)[3].action, "check");
  EXPECT_EQ((*trail)[3].actor, "unidentified");
  EXPECT_EQ((*trail)[3].outcome, "OK: permit");
  EXPECT_EQ((*trail)[4].action, "withdraw");
  EXPECT_EQ((*trail)[4].child_ref, ex::kChildRef);
}

}  // namespace
}  // namespace olif::consent
