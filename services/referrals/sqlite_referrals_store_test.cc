#include "services/referrals/sqlite_referrals_store.h"

#include <gtest/gtest.h>

#include <google/protobuf/util/time_util.h>

#include "olifantenpad/referrals/v1/events.pb.h"
#include "services/common/ids/ids.h"
#include "services/common/records/records.h"
#include "services/referrals/testing_util.h"

namespace olif::referrals {
namespace {

using google::protobuf::util::TimeUtil;
using testing_util::FreshDbPath;

// A complete request as the service would hand it to the store.
NewRequest Make(const std::string& location, int64_t create_us, v1::RequestStatus status,
                const std::string& content = "content") {
  auto event = std::make_shared<v1::RequestSubmitted>();
  NewRequest n;
  n.request = testing_util::ValidAnonymous(location).request();
  n.request.set_id(NewUuid());
  n.request.set_request_id(NewUuid());
  n.request.set_status(status);
  *n.request.mutable_create_time() = TimeUtil::MicrosecondsToTimestamp(create_us);
  *n.request.mutable_update_time() = n.request.create_time();
  n.content = records::ContentFingerprint(content);
  event->set_request_id(n.request.id());
  n.events.push_back({"referrals.request.submitted", event});
  n.occurred_at = absl::FromUnixMicros(create_us);
  return n;
}

TEST(ReferralsStoreTest, CreateStoresRequestAndEventTogether) {
  auto store = SqliteReferralsStore::Open(FreshDbPath());
  ASSERT_TRUE(store.ok()) << store.status();
  NewRequest n = Make("loc-a01", 1000, v1::REQUEST_STATUS_SUBMITTED);
  auto outcome = (*store)->CreateAndWait(n);
  ASSERT_TRUE(outcome.ok()) << outcome.status();
  EXPECT_TRUE(outcome->created);
  auto got = (*store)->Get(n.request.id());
  ASSERT_TRUE(got.ok());
  EXPECT_EQ(got->SerializeAsString(), n.request.SerializeAsString());

  auto events = (*store)->EventsAfter(0, 10);
  ASSERT_TRUE(events.ok());
  ASSERT_EQ(events->size(), 1u);
  v1::RequestSubmitted payload;
  ASSERT_TRUE((*events)[0].payload().UnpackTo(&payload));
  EXPECT_EQ(payload.request_id(), n.request.id());
}

TEST(ReferralsStoreTest, SameRequestIdSameContentReturnsStoredOnce) {
  auto store = *SqliteReferralsStore::Open(FreshDbPath());
  NewRequest first = Make("loc-a01", 1000, v1::REQUEST_STATUS_SUBMITTED, "same");
  ASSERT_TRUE(store->CreateAndWait(first).ok());
  NewRequest retry = Make("loc-a01", 2000, v1::REQUEST_STATUS_SUBMITTED, "same");
  retry.request.set_request_id(first.request.request_id());
  auto outcome = store->CreateAndWait(retry);
  ASSERT_TRUE(outcome.ok());
  EXPECT_FALSE(outcome->created);
  EXPECT_EQ(outcome->request.id(), first.request.id());
  EXPECT_EQ(store->EventsAfter(0, 10)->size(), 1u) << "a retry publishes nothing twice";
}

TEST(ReferralsStoreTest, SameRequestIdOtherContentIsAlreadyExists) {
  auto store = *SqliteReferralsStore::Open(FreshDbPath());
  NewRequest first = Make("loc-a01", 1000, v1::REQUEST_STATUS_SUBMITTED, "one");
  ASSERT_TRUE(store->CreateAndWait(first).ok());
  NewRequest other = Make("loc-a01", 2000, v1::REQUEST_STATUS_SUBMITTED, "two");
  other.request.set_request_id(first.request.request_id());
  auto outcome = store->CreateAndWait(other);
  EXPECT_EQ(outcome.status().code(), absl::StatusCode::kAlreadyExists);
  EXPECT_FALSE(store->Get(other.request.id()).ok());
  EXPECT_EQ(store->EventsAfter(0, 10)->size(), 1u);
}

TEST(ReferralsStoreTest, GetUnknownIsNotFound) {
  auto store = *SqliteReferralsStore::Open(FreshDbPath());
  EXPECT_EQ(store->Get(NewUuid()).status().code(), absl::StatusCode::kNotFound);
}

TEST(ReferralsStoreTest, ListPagesNewestFirstByLocationAndStatus) {
  auto store = *SqliteReferralsStore::Open(FreshDbPath());
  std::vector<std::string> ids_newest_first;
  for (int i = 0; i < 7; ++i) {
    NewRequest n = Make("loc-a01", 1000 + i * 10,
                        i % 2 == 0 ? v1::REQUEST_STATUS_SUBMITTED : v1::REQUEST_STATUS_RESOLVED);
    ASSERT_TRUE(store->CreateAndWait(n).ok());
    ids_newest_first.insert(ids_newest_first.begin(), n.request.id());
  }
  // Two with the same time: the id breaks the tie, nothing is skipped or repeated.
  NewRequest tie_a = Make("loc-a01", 2000, v1::REQUEST_STATUS_SUBMITTED);
  NewRequest tie_b = Make("loc-a01", 2000, v1::REQUEST_STATUS_SUBMITTED);
  ASSERT_TRUE(store->CreateAndWait(tie_a).ok());
  ASSERT_TRUE(store->CreateAndWait(tie_b).ok());
  const auto& hi = std::max(tie_a.request.id(), tie_b.request.id());
  const auto& lo = std::min(tie_a.request.id(), tie_b.request.id());
  ids_newest_first.insert(ids_newest_first.begin(), {hi, lo});
  ASSERT_TRUE(store->CreateAndWait(Make("loc-b02", 1500, v1::REQUEST_STATUS_SUBMITTED)).ok());

  std::vector<std::string> seen;
  ListQuery q{.location_id = "loc-a01", .limit = 3};
  int pages = 0;
  while (true) {
    auto page = store->List(q);
    ASSERT_TRUE(page.ok()) << page.status();
    ++pages;
    for (const auto& r : page->requests) seen.push_back(r.id());
    if (!page->next) break;
    q.after = page->next;
  }
  EXPECT_EQ(seen, ids_newest_first);
  EXPECT_EQ(pages, 3);

  auto resolved =
      store->List({.location_id = "loc-a01", .status = v1::REQUEST_STATUS_RESOLVED, .limit = 50});
  ASSERT_TRUE(resolved.ok());
  EXPECT_EQ(resolved->requests.size(), 3u);
  for (const auto& r : resolved->requests) EXPECT_EQ(r.status(), v1::REQUEST_STATUS_RESOLVED);
  EXPECT_FALSE(resolved->next.has_value());
}

TEST(ReferralsStoreTest, UpgradesVersionOneDatabaseHoldingDataWithoutLoss) {
  const std::string path = FreshDbPath();
  NewRequest old = Make("loc-a01", 1000, v1::REQUEST_STATUS_SUBMITTED);
  {
    // A database as version 1 of the schema left it: requests, no outbox.
    auto v1db = sqlite::Database::Open(path, Migrations(), {.target_version = 1});
    ASSERT_TRUE(v1db.ok()) << v1db.status();
    ASSERT_EQ(*(*v1db)->SchemaVersion(), 1);
    auto insert = (*v1db)->Prepare(
        "INSERT INTO requests (id, request_id, kind, location_id, status, create_time_us,"
        " update_time_us, content, record) VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9)");
    ASSERT_TRUE(insert.ok());
    (*insert)
        ->Bind(1, old.request.id())
        .Bind(2, old.request.request_id())
        .Bind(3, int64_t{1})
        .Bind(4, "loc-a01")
        .Bind(5, int64_t{2})
        .Bind(6, int64_t{1000})
        .Bind(7, int64_t{1000})
        .BindBlob(8, "content")  // version 1 kept the content itself, not its fingerprint
        .BindBlob(9, old.request.SerializeAsString());
    ASSERT_TRUE((*insert)->Run().ok());
    EXPECT_FALSE((*v1db)->Prepare("SELECT seq FROM outbox").ok()) << "no outbox in version 1";
  }
  auto store = SqliteReferralsStore::Open(path);
  ASSERT_TRUE(store.ok()) << store.status();
  auto got = (*store)->Get(old.request.id());
  ASSERT_TRUE(got.ok()) << got.status();
  EXPECT_EQ(got->SerializeAsString(), old.request.SerializeAsString());
  auto listed = (*store)->List({.location_id = "loc-a01", .limit = 10});
  ASSERT_EQ(listed->requests.size(), 1u);
  // Version 2 works on the upgraded file: the old request keeps its
  // idempotency key and new requests publish events.
  NewRequest retry = Make("loc-a01", 3000, v1::REQUEST_STATUS_SUBMITTED);
  retry.request.set_request_id(old.request.request_id());
  EXPECT_FALSE((*store)->CreateAndWait(retry)->created);
  ASSERT_TRUE((*store)->CreateAndWait(Make("loc-a01", 4000, v1::REQUEST_STATUS_SUBMITTED)).ok());
  olifantenpad::admin::v1::GetStatusResponse status;
  ASSERT_TRUE((*store)->FillStatus(&status).ok());
  EXPECT_EQ(status.outbox().row_count(), 1);
  EXPECT_EQ(status.outbox().head_seq(), 1);
}

}  // namespace
}  // namespace olif::referrals
