// Bulk import through gRPC, as a childcare system's export would arrive: one
// client stream of 10,000 forms, 1% of them invalid.

#include <gtest/gtest.h>

#include <set>

#include "services/common/testing/grpc_server.h"
#include "services/handover/handover_grpc.h"
#include "services/handover/testing_util.h"

namespace olif::handover {
namespace {

using testing_util::HandoverTest;

constexpr int kForms = 10000;

// Request ids fixed per position, as an adapter derives them from file and row.
std::string RequestId(int i) {
  char buf[40];
  std::snprintf(buf, sizeof buf, "6b1a0000-0000-4000-8000-%012d", i);
  return buf;
}

class ImportTest : public HandoverTest {
 protected:
  void SetUp() override {
    HandoverTest::SetUp();
    grpc_ = std::make_unique<HandoverGrpcService>(*service_);
    server_ = std::make_unique<olif::testing_util::TestGrpcServer>(
        std::vector<grpc::Service*>{grpc_.get()});
    stub_ = server_->Stub<v1::HandoverService>();
  }

  // Form i; every hundredth has a broken BSN and no development.
  static v1::ImportFormsRequest Form(int i) {
    v1::ImportFormsRequest r;
    r.set_request_id(RequestId(i));
    char child[40];
    std::snprintf(child, sizeof child, "3c2b0000-0000-4000-8000-%012d", i);
    *r.mutable_form() = examples::VeChild(child, "Kind", "Nummer " + std::to_string(i));
    if (i % 100 == 42) {
      r.mutable_form()->mutable_child()->set_bsn("123456789");
      r.mutable_form()->clear_development();
    }
    return r;
  }

  v1::ImportFormsResponse Import(int n, const std::function<v1::ImportFormsRequest(int)>& form) {
    auto context = olif::testing_util::TestGrpcServer::Context(std::chrono::seconds(240));
    v1::ImportFormsResponse response;
    auto writer = stub_->ImportForms(context.get(), &response);
    for (int i = 0; i < n; ++i) EXPECT_TRUE(writer->Write(form(i)));
    EXPECT_TRUE(writer->WritesDone());
    const grpc::Status s = writer->Finish();
    EXPECT_TRUE(s.ok()) << s.error_message();
    return response;
  }

  int64_t Rows(const std::string& sql) {
    int64_t n = -1;
    EXPECT_TRUE(store_->writer()
                    .Run([&](sqlite::Database& db) -> absl::Status {
                      auto stmt = db.Prepare(sql);
                      if (!stmt.ok()) return stmt.status();
                      return (*stmt)
                          ->ReadOne([&](const sqlite::Statement& r) { n = r.ColumnInt64(0); })
                          .status();
                    })
                    .ok());
    return n;
  }

  std::unique_ptr<HandoverGrpcService> grpc_;
  std::unique_ptr<olif::testing_util::TestGrpcServer> server_;
  std::unique_ptr<v1::HandoverService::Stub> stub_;
};

TEST_F(ImportTest, TenThousandFormsThroughGrpcStoreExactlyTheValidOnes) {
  const v1::ImportFormsResponse r = Import(kForms, &ImportTest::Form);
  ASSERT_EQ(r.results_size(), kForms);
  EXPECT_EQ(r.created(), kForms - kForms / 100);
  EXPECT_EQ(r.invalid(), kForms / 100);
  EXPECT_EQ(r.failed(), 0);
  for (int i = 0; i < kForms; ++i) {
    const v1::ImportResult& res = r.results(i);
    ASSERT_EQ(res.index(), i);
    ASSERT_EQ(res.request_id(), RequestId(i));
    if (i % 100 == 42) {
      ASSERT_EQ(res.outcome(), v1::IMPORT_OUTCOME_INVALID);
      std::set<std::string> fields;
      for (const auto& v : res.violations()) fields.insert(v.field());
      ASSERT_EQ(fields, (std::set<std::string>{"form.child.bsn", "form.development"}));
      ASSERT_TRUE(res.handover_id().empty());
    } else {
      ASSERT_EQ(res.outcome(), v1::IMPORT_OUTCOME_CREATED) << res.message();
      ASSERT_FALSE(res.handover_id().empty());
    }
  }
  EXPECT_EQ(Rows("SELECT count(*) FROM handovers"), kForms - kForms / 100);
  EXPECT_EQ(Rows("SELECT count(*) FROM outbox"), kForms - kForms / 100);
  // Nothing of an invalid form was stored (a LIKE over the record blob would
  // stop at its first zero byte, so the check goes by request id).
  EXPECT_EQ(Rows("SELECT count(*) FROM handovers WHERE request_id IN ('" + RequestId(42) + "', '" +
                 RequestId(9942) + "')"),
            0);
  EXPECT_EQ(Rows("SELECT count(*) FROM handovers WHERE request_id = '" + RequestId(43) + "'"), 1);

  // The same file again changes nothing.
  const v1::ImportFormsResponse again = Import(kForms, &ImportTest::Form);
  EXPECT_EQ(again.already_imported(), kForms - kForms / 100);
  EXPECT_EQ(again.invalid(), kForms / 100);
  EXPECT_EQ(again.created(), 0);
  EXPECT_EQ(again.results(7).handover_id(), r.results(7).handover_id());
  EXPECT_EQ(Rows("SELECT count(*) FROM handovers"), kForms - kForms / 100);
  EXPECT_EQ(Rows("SELECT count(*) FROM outbox"), kForms - kForms / 100);
}

TEST_F(ImportTest, FormsBeyondTheLimitOfOneCallThroughGrpcAreNotStoredAndSaySo) {
  Settings small;
  small.import_max_forms = 5;
  small.import_in_flight = 2;
  server_.reset();
  grpc_.reset();
  service_ = std::make_unique<HandoverService>(*store_, clock_, *directory_,
                                               testing_util::ShippedCodeLists(), small);
  grpc_ = std::make_unique<HandoverGrpcService>(*service_);
  server_ = std::make_unique<olif::testing_util::TestGrpcServer>(
      std::vector<grpc::Service*>{grpc_.get()});
  stub_ = server_->Stub<v1::HandoverService>();
  const v1::ImportFormsResponse r = Import(8, &ImportTest::Form);
  ASSERT_EQ(r.results_size(), 8);
  EXPECT_EQ(r.created(), 5);
  EXPECT_EQ(r.failed(), 3);
  EXPECT_EQ(r.results(6).outcome(), v1::IMPORT_OUTCOME_FAILED);
  EXPECT_EQ(r.results(6).request_id(), RequestId(6));
  EXPECT_NE(r.results(6).message().find("one call takes 5 forms"), std::string::npos);
  EXPECT_EQ(Rows("SELECT count(*) FROM handovers"), 5);
}

TEST_F(ImportTest, AFailureInTheMiddleOfAFormThroughGrpcLeavesNothingOfIt) {
  // The form's row is written, then its event fails: the whole form goes.
  ASSERT_TRUE(store_->writer()
                  .Run([](sqlite::Database& db) {
                    return db.Exec(
                        "CREATE TEMP TRIGGER fail_mid_form AFTER INSERT ON main.outbox"
                        " WHEN (SELECT count(*) FROM main.handovers"
                        " WHERE request_id = '6b1a0000-0000-4000-8000-000000000005') > 0"
                        " BEGIN SELECT RAISE(ABORT, 'injected failure'); END");
                  })
                  .ok());
  const v1::ImportFormsResponse r = Import(10, &ImportTest::Form);
  EXPECT_EQ(r.created(), 9);
  EXPECT_EQ(r.failed(), 1);
  EXPECT_EQ(r.results(5).outcome(), v1::IMPORT_OUTCOME_FAILED);
  EXPECT_NE(r.results(5).message().find("injected failure"), std::string::npos);
  EXPECT_EQ(Rows("SELECT count(*) FROM handovers"), 9);
  EXPECT_EQ(Rows("SELECT count(*) FROM handovers WHERE request_id = "
                 "'6b1a0000-0000-4000-8000-000000000005'"),
            0);
  EXPECT_EQ(Rows("SELECT count(*) FROM outbox"), 9);
  EXPECT_EQ(Rows("SELECT count(*) FROM handover_audit"), 9);
}

}  // namespace
}  // namespace olif::handover
