#include "services/common/status/status.h"

#include <gtest/gtest.h>

#include "google/rpc/status.pb.h"

namespace olif {
namespace {

TEST(StatusTest, CodesMapOneToOneBothWays) {
  for (int c = 0; c <= 16; ++c) {
    const auto code = static_cast<absl::StatusCode>(c);
    absl::Status in = c == 0 ? absl::OkStatus() : absl::Status(code, "why");
    grpc::Status g = ToGrpcStatus(in);
    EXPECT_EQ(static_cast<int>(g.error_code()), c);
    absl::Status back = FromGrpcStatus(g);
    EXPECT_EQ(back.code(), code);
    if (c != 0) {
      EXPECT_EQ(back.message(), "why");
    }
  }
}

TEST(StatusTest, ViolationsNameEveryFieldAndCarryBadRequest) {
  Violations v;
  EXPECT_TRUE(v.ToStatus().ok());
  v.Add("request.question", "must not be empty");
  v.Add("request_id", "must be a UUID");
  absl::Status s = v.ToStatus();
  EXPECT_EQ(s.code(), absl::StatusCode::kInvalidArgument);
  EXPECT_EQ(s.message(), "request.question: must not be empty; request_id: must be a UUID");
  google::rpc::BadRequest br;
  ASSERT_TRUE(GetBadRequest(s, &br));
  ASSERT_EQ(br.field_violations_size(), 2);
  EXPECT_EQ(br.field_violations(0).field(), "request.question");
  EXPECT_EQ(br.field_violations(1).description(), "must be a UUID");
}

TEST(StatusTest, BadRequestTravelsInGrpcStatusDetails) {
  grpc::Status g = ToGrpcStatus(InvalidField("page_size", "must not be negative"));
  EXPECT_EQ(g.error_code(), grpc::StatusCode::INVALID_ARGUMENT);
  google::rpc::Status details;
  ASSERT_TRUE(details.ParseFromString(g.error_details()));
  EXPECT_EQ(details.code(), 3);
  ASSERT_EQ(details.details_size(), 1);
  google::rpc::BadRequest br;
  ASSERT_TRUE(details.details(0).UnpackTo(&br));
  EXPECT_EQ(br.field_violations(0).field(), "page_size");

  google::rpc::BadRequest round;
  ASSERT_TRUE(GetBadRequest(FromGrpcStatus(g), &round));
  EXPECT_EQ(round.field_violations(0).description(), "must not be negative");
}

TEST(StatusTest, ConflictsCarryPreconditionFailureAcrossGrpc) {
  const absl::Status conflict =
      Conflict("EXPERT_BOOKED", "visits/v-1", "the expert is already booked then");
  EXPECT_EQ(conflict.code(), absl::StatusCode::kFailedPrecondition);
  EXPECT_EQ(conflict.message(), "EXPERT_BOOKED: the expert is already booked then (visits/v-1)");
  grpc::Status g = ToGrpcStatus(conflict);
  EXPECT_EQ(g.error_code(), grpc::StatusCode::FAILED_PRECONDITION);
  google::rpc::PreconditionFailure round;
  ASSERT_TRUE(GetPreconditionFailure(FromGrpcStatus(g), &round));
  ASSERT_EQ(round.violations_size(), 1);
  EXPECT_EQ(round.violations(0).type(), "EXPERT_BOOKED");
  EXPECT_EQ(round.violations(0).subject(), "visits/v-1");
  google::rpc::BadRequest none;
  EXPECT_FALSE(GetBadRequest(FromGrpcStatus(g), &none));
}

TEST(StatusTest, PlainErrorsHaveNoDetails) {
  grpc::Status g = ToGrpcStatus(absl::NotFoundError("request 42 not found"));
  EXPECT_EQ(g.error_code(), grpc::StatusCode::NOT_FOUND);
  EXPECT_TRUE(g.error_details().empty());
  google::rpc::BadRequest br;
  EXPECT_FALSE(GetBadRequest(FromGrpcStatus(g), &br));
}

}  // namespace
}  // namespace olif

namespace olif {
namespace {

TEST(UnsharedTest, CopiesCodeMessageAndPayloads) {
  absl::Status original = InvalidField("request.question", "is required");
  absl::Status copy = Unshared(original);
  EXPECT_EQ(copy, original);
  google::rpc::BadRequest bad;
  ASSERT_TRUE(GetBadRequest(copy, &bad));
  EXPECT_EQ(bad.field_violations(0).field(), "request.question");
  EXPECT_NE(copy.message().data(), original.message().data()) << "the message is not shared";
  EXPECT_TRUE(Unshared(absl::OkStatus()).ok());
}

}  // namespace
}  // namespace olif
