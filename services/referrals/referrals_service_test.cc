// The referrals service through a real gRPC server on a loopback port 0,
// with the SQLite store in a temporary directory and a fake clock.

#include "services/referrals/referrals_grpc.h"

#include <gtest/gtest.h>

#include <google/protobuf/util/time_util.h>
#include <grpcpp/grpcpp.h>

#include "olifantenpad/referrals/v1/events.pb.h"
#include "services/common/grpc/call_observer.h"
#include "services/common/status/status.h"
#include "services/common/testing/grpc_server.h"
#include "services/referrals/sqlite_referrals_store.h"
#include "services/referrals/testing_util.h"

namespace olif::referrals {
namespace {

using google::protobuf::util::TimeUtil;
using testing_util::ValidAnonymous;
using testing_util::ValidGroup;

class ReferralsServiceTest : public testing::Test {
 protected:
  void SetUp() override {
    store_ = *SqliteReferralsStore::Open(testing_util::FreshDbPath());
    directory_ = testing_util::DevDirectory();
    logic_ = std::make_unique<ReferralsService>(
        *store_, clock_, *directory_, *WorkingDays::Create({}, "Europe/Amsterdam"),
        Settings{.default_page_size = 3, .max_page_size = 4});
    service_ = std::make_unique<ReferralsGrpcService>(*logic_);
    server_ = std::make_unique<olif::testing_util::TestGrpcServer>(
        std::vector<grpc::Service*>{service_.get()}, "referrals");
    stub_ = server_->Stub<v1::ReferralsService>();
  }

  static void Deadline(grpc::ClientContext& ctx) {
    ctx.set_deadline(std::chrono::system_clock::now() + std::chrono::seconds(5));
  }

  grpc::Status Create(const v1::CreateRequestRequest& call, v1::DirectLineRequest* out = nullptr,
                      const std::string& trace_id = "") {
    grpc::ClientContext ctx;
    Deadline(ctx);
    if (!trace_id.empty()) ctx.AddMetadata(grpcx::kTraceIdHeader, trace_id);
    v1::CreateRequestResponse res;
    grpc::Status s = stub_->CreateRequest(&ctx, call, &res);
    if (out != nullptr) *out = res.request();
    return s;
  }

  grpc::Status List(const v1::ListRequestsRequest& call, v1::ListRequestsResponse* out) {
    grpc::ClientContext ctx;
    Deadline(ctx);
    return stub_->ListRequests(&ctx, call, out);
  }

  int64_t OutboxRows() {
    olifantenpad::admin::v1::GetStatusResponse status;
    EXPECT_TRUE(store_->FillStatus(&status).ok());
    return status.outbox().row_count();
  }

  FakeClock clock_{absl::FromCivil(absl::CivilSecond(2026, 11, 23, 9, 30, 0), absl::UTCTimeZone())};
  std::unique_ptr<SqliteReferralsStore> store_;
  std::unique_ptr<directory::DirectoryHolder> directory_;
  std::unique_ptr<ReferralsService> logic_;
  std::unique_ptr<ReferralsGrpcService> service_;
  std::unique_ptr<olif::testing_util::TestGrpcServer> server_;
  std::unique_ptr<v1::ReferralsService::Stub> stub_;
};

TEST_F(ReferralsServiceTest, CreatesAnonymousRequestAndPublishesItInTheOutbox) {
  v1::CreateRequestRequest call = ValidAnonymous();
  v1::DirectLineRequest created;
  grpc::Status s = Create(call, &created, "trace-create-1");
  ASSERT_TRUE(s.ok()) << s.error_message();
  EXPECT_TRUE(IsUuid(created.id()));
  EXPECT_EQ(created.request_id(), call.request_id());
  EXPECT_EQ(created.status(), v1::REQUEST_STATUS_SUBMITTED);
  EXPECT_EQ(created.priority(), v1::PRIORITY_NORMAL);
  EXPECT_EQ(created.question(), call.request().question());
  EXPECT_EQ(TimeUtil::TimestampToSeconds(created.create_time()), absl::ToUnixSeconds(clock_.Now()));
  EXPECT_EQ(created.trace_id(), "trace-create-1");

  grpc::ClientContext ctx;
  Deadline(ctx);
  v1::GetRequestRequest get;
  get.set_id(created.id());
  v1::GetRequestResponse got;
  ASSERT_TRUE(stub_->GetRequest(&ctx, get, &got).ok());
  EXPECT_EQ(got.request().SerializeAsString(), created.SerializeAsString());

  auto events = store_->EventsAfter(0, 10);
  ASSERT_EQ(events->size(), 1u);
  const auto& envelope = (*events)[0];
  EXPECT_EQ(envelope.topic(), kTopicRequestSubmitted);
  EXPECT_EQ(envelope.producer(), "referrals");
  EXPECT_EQ(envelope.trace_id(), "trace-create-1");
  v1::RequestSubmitted event;
  ASSERT_TRUE(envelope.payload().UnpackTo(&event));
  EXPECT_EQ(event.request_id(), created.id());
  EXPECT_EQ(event.kind(), v1::REQUEST_KIND_ANONYMOUS);
  EXPECT_EQ(event.requester().location_id(), "loc-boomgaard-noord");
  EXPECT_EQ(event.question(), call.request().question());
}

TEST_F(ReferralsServiceTest, CreatesGroupRequest) {
  v1::DirectLineRequest created;
  ASSERT_TRUE(Create(ValidGroup(), &created).ok());
  EXPECT_EQ(created.kind(), v1::REQUEST_KIND_GROUP);
  EXPECT_EQ(created.group().group_id(), "grp-egeltjes");
  v1::RequestSubmitted event;
  ASSERT_TRUE((*store_->EventsAfter(0, 1))[0].payload().UnpackTo(&event));
  EXPECT_EQ(event.group().group_id(), "grp-egeltjes");
}

TEST_F(ReferralsServiceTest, RetryWithSameRequestIdReturnsTheStoredRequest) {
  v1::CreateRequestRequest call = ValidAnonymous();
  v1::DirectLineRequest first, again;
  ASSERT_TRUE(Create(call, &first).ok());
  clock_.Advance(absl::Minutes(5));
  // The same content, with the server-side fields a client might echo back.
  call.mutable_request()->set_status(v1::REQUEST_STATUS_RESOLVED);
  call.mutable_request()->set_priority(v1::PRIORITY_NORMAL);
  ASSERT_TRUE(Create(call, &again).ok());
  EXPECT_EQ(again.SerializeAsString(), first.SerializeAsString());
  EXPECT_EQ(OutboxRows(), 1);
}

TEST_F(ReferralsServiceTest, SameRequestIdWithOtherContentIsAlreadyExists) {
  v1::CreateRequestRequest call = ValidAnonymous();
  ASSERT_TRUE(Create(call).ok());
  call.mutable_request()->set_question("Een andere vraag over het slapen in de middag.");
  grpc::Status s = Create(call);
  EXPECT_EQ(s.error_code(), grpc::StatusCode::ALREADY_EXISTS);
  EXPECT_NE(s.error_message().find(call.request_id()), std::string::npos);
  EXPECT_EQ(OutboxRows(), 1);
}

TEST_F(ReferralsServiceTest, RequestsGoToThePairedExpertOrAreRefused) {
  v1::DirectLineRequest created;
  ASSERT_TRUE(Create(ValidAnonymous("loc-zonnestraal-centrum"), &created).ok());
  EXPECT_EQ(created.expert().professional_id(), "prof-mehmet-yilmaz");
  EXPECT_EQ(created.expert().organisation_id(), "org-jz-wijkteam-oost");
  grpc::Status unknown = Create(ValidAnonymous("loc-nergens"));
  EXPECT_EQ(unknown.error_code(), grpc::StatusCode::INVALID_ARGUMENT);
  EXPECT_EQ(unknown.error_message(),
            "request.requester.location_id: 'loc-nergens' is not a location in the directory");
}

TEST_F(ReferralsServiceTest, AGroupQuestionAboutAGroupElsewhereIsRefusedAndNothingStored) {
  v1::CreateRequestRequest call = ValidGroup();
  call.mutable_request()->mutable_group()->set_group_id("grp-zonnetjes");  // another chain's
  grpc::Status refused = Create(call);
  EXPECT_EQ(refused.error_code(), grpc::StatusCode::INVALID_ARGUMENT);
  EXPECT_EQ(refused.error_message(),
            "request.group.group_id: 'grp-zonnetjes' is not a group of location "
            "loc-boomgaard-noord in the directory");
  EXPECT_EQ(OutboxRows(), 0);
  ASSERT_TRUE(Create(ValidGroup()).ok());
  EXPECT_EQ(OutboxRows(), 1);
}

struct Malformed {
  const char* name;
  std::function<void(v1::CreateRequestRequest&)> mutate;
  const char* field;
};

TEST_F(ReferralsServiceTest,
       MalformedCreateRequestsAreInvalidArgumentNamingTheFieldAndStoreNothing) {
  const std::vector<Malformed> cases = {
      {"no request_id", [](auto& c) { c.clear_request_id(); }, "request_id"},
      {"request_id not a UUID", [](auto& c) { c.set_request_id("req-1"); }, "request_id"},
      {"no request", [](auto& c) { c.clear_request(); }, "request"},
      {"no kind", [](auto& c) { c.mutable_request()->clear_kind(); }, "request.kind"},
      {"unknown kind",
       [](auto& c) { c.mutable_request()->set_kind(static_cast<v1::RequestKind>(42)); },
       "request.kind"},
      {"no requester", [](auto& c) { c.mutable_request()->clear_requester(); },
       "request.requester"},
      {"no professional",
       [](auto& c) { c.mutable_request()->mutable_requester()->clear_professional_id(); },
       "request.requester.professional_id"},
      {"organisation id with capitals",
       [](auto& c) { c.mutable_request()->mutable_requester()->set_organisation_id("Org-KDV"); },
       "request.requester.organisation_id"},
      {"location id too long",
       [](auto& c) {
         c.mutable_request()->mutable_requester()->set_location_id(std::string(65, 'l'));
       },
       "request.requester.location_id"},
      {"group question without group",
       [](auto& c) {
         c.mutable_request()->set_kind(v1::REQUEST_KIND_GROUP);
         c.mutable_request()->clear_group();
       },
       "request.group"},
      {"group at another location",
       [](auto& c) {
         c.mutable_request()->set_kind(v1::REQUEST_KIND_GROUP);
         c.mutable_request()->mutable_group()->set_location_id("loc-elders");
         c.mutable_request()->mutable_group()->set_group_id("grp-vlinders");
       },
       "request.group.location_id"},
      {"anonymous question naming a group",
       [](auto& c) { c.mutable_request()->mutable_group()->set_group_id("grp-vlinders"); },
       "request.group"},
      {"no question domain", [](auto& c) { c.mutable_request()->clear_question_domains(); },
       "request.question_domains"},
      {"unspecified domain",
       [](auto& c) { c.mutable_request()->add_question_domains(v1::QUESTION_DOMAIN_UNSPECIFIED); },
       "request.question_domains[1]"},
      {"repeated domain",
       [](auto& c) { c.mutable_request()->add_question_domains(v1::QUESTION_DOMAIN_BEHAVIOUR); },
       "request.question_domains[1]"},
      {"unknown domain",
       [](auto& c) {
         c.mutable_request()->add_question_domains(static_cast<v1::QuestionDomain>(99));
       },
       "request.question_domains[1]"},
      {"no question", [](auto& c) { c.mutable_request()->clear_question(); }, "request.question"},
      {"blank question", [](auto& c) { c.mutable_request()->set_question("   \n\t  "); },
       "request.question"},
      {"question too short", [](auto& c) { c.mutable_request()->set_question("Help?"); },
       "request.question"},
      {"question too long",
       [](auto& c) { c.mutable_request()->set_question(std::string(4001, 'q')); },
       "request.question"},
      {"observations too long",
       [](auto& c) { c.mutable_request()->set_observations(std::string(8001, 'o')); },
       "request.observations"},
      {"unknown priority",
       [](auto& c) { c.mutable_request()->set_priority(static_cast<v1::Priority>(7)); },
       "request.priority"},
  };
  ASSERT_GE(cases.size(), 10u);
  for (const Malformed& m : cases) {
    SCOPED_TRACE(m.name);
    v1::CreateRequestRequest call = ValidAnonymous();
    m.mutate(call);
    grpc::Status s = Create(call);
    EXPECT_EQ(s.error_code(), grpc::StatusCode::INVALID_ARGUMENT);
    google::rpc::BadRequest br;
    ASSERT_TRUE(GetBadRequest(FromGrpcStatus(s), &br)) << "details carry a BadRequest";
    ASSERT_EQ(br.field_violations_size(), 1) << s.error_message();
    EXPECT_EQ(br.field_violations(0).field(), m.field);
    EXPECT_NE(s.error_message().find(m.field), std::string::npos) << s.error_message();
  }
  EXPECT_EQ(OutboxRows(), 0);
  v1::ListRequestsRequest list;
  list.set_location_id("loc-boomgaard-noord");
  v1::ListRequestsResponse listed;
  ASSERT_TRUE(List(list, &listed).ok());
  EXPECT_EQ(listed.requests_size(), 0);
}

TEST_F(ReferralsServiceTest, ListPagesWithTokensAndCapsPageSize) {
  std::vector<std::string> created_ids;
  for (int i = 0; i < 5; ++i) {
    v1::DirectLineRequest r;
    ASSERT_TRUE(Create(i % 2 ? ValidGroup() : ValidAnonymous(), &r).ok());
    created_ids.insert(created_ids.begin(), r.id());
    clock_.Advance(absl::Seconds(1));
  }
  ASSERT_TRUE(Create(ValidAnonymous("loc-zonnestraal-centrum")).ok());

  v1::ListRequestsRequest call;
  call.set_location_id("loc-boomgaard-noord");
  v1::ListRequestsResponse page;
  ASSERT_TRUE(List(call, &page).ok());
  ASSERT_EQ(page.requests_size(), 3) << "configured default page size";
  ASSERT_FALSE(page.next_page_token().empty());
  std::vector<std::string> seen;
  for (const auto& r : page.requests()) seen.push_back(r.id());

  call.set_page_token(page.next_page_token());
  call.set_page_size(100);  // capped at 4; 2 remain
  v1::ListRequestsResponse rest;
  ASSERT_TRUE(List(call, &rest).ok());
  for (const auto& r : rest.requests()) seen.push_back(r.id());
  EXPECT_TRUE(rest.next_page_token().empty());
  EXPECT_EQ(seen, created_ids);

  call.set_status(v1::REQUEST_STATUS_SUBMITTED);
  v1::ListRequestsResponse mismatch;
  grpc::Status s = List(call, &mismatch);
  EXPECT_EQ(s.error_code(), grpc::StatusCode::INVALID_ARGUMENT);
  EXPECT_NE(s.error_message().find("page_token: was issued for other filters"), std::string::npos);
}

TEST_F(ReferralsServiceTest, ListAndGetRefuseBadInput) {
  v1::ListRequestsResponse out;
  v1::ListRequestsRequest no_location;
  EXPECT_EQ(List(no_location, &out).error_code(), grpc::StatusCode::INVALID_ARGUMENT);
  v1::ListRequestsRequest negative;
  negative.set_location_id("loc-boomgaard-noord");
  negative.set_page_size(-1);
  grpc::Status s = List(negative, &out);
  EXPECT_EQ(s.error_message(), "page_size: must not be negative");
  v1::ListRequestsRequest garbage = negative;
  garbage.set_page_size(0);
  garbage.set_page_token("not-a-token!");
  EXPECT_EQ(List(garbage, &out).error_message(), "page_token: is not a token this service issued");

  grpc::ClientContext ctx;
  Deadline(ctx);
  v1::GetRequestRequest get;
  get.set_id("42");
  v1::GetRequestResponse res;
  EXPECT_EQ(stub_->GetRequest(&ctx, get, &res).error_code(), grpc::StatusCode::INVALID_ARGUMENT);
  grpc::ClientContext ctx2;
  Deadline(ctx2);
  get.set_id(NewUuid());
  EXPECT_EQ(stub_->GetRequest(&ctx2, get, &res).error_code(), grpc::StatusCode::NOT_FOUND);
}

TEST_F(ReferralsServiceTest, CallsAreCountedPerMethodAndCode) {
  ASSERT_TRUE(Create(ValidAnonymous()).ok());
  v1::CreateRequestRequest bad = ValidAnonymous();
  bad.clear_request_id();
  EXPECT_FALSE(Create(bad).ok());
  const std::string text = server_->metrics().Render();
  const std::string method = "/olifantenpad.referrals.v1.ReferralsService/CreateRequest";
  EXPECT_NE(text.find("olif_grpc_server_handled_total{method=\"" + method + "\",code=\"OK\"} 1"),
            std::string::npos)
      << text;
  EXPECT_NE(text.find("olif_grpc_server_handled_total{method=\"" + method +
                      "\",code=\"INVALID_ARGUMENT\"} 1"),
            std::string::npos)
      << text;
}

TEST(PageTokenTest, RoundTripsAndIsBoundToFilters) {
  v1::ListRequestsRequest filters;
  filters.set_location_id("loc-a01");
  filters.set_status(v1::REQUEST_STATUS_SUBMITTED);
  const std::string id = NewUuid();
  filters.set_page_token(EncodePageToken(filters, {.create_time_us = 123456, .id = id}));
  auto cursor = DecodePageToken(filters);
  ASSERT_TRUE(cursor.ok());
  EXPECT_EQ(cursor->create_time_us, 123456);
  EXPECT_EQ(cursor->id, id);
  filters.set_location_id("loc-b02");
  EXPECT_FALSE(DecodePageToken(filters).ok());
}

}  // namespace
}  // namespace olif::referrals
