#pragma once

// The handover service with its SQLite store in a temporary directory, the
// dev region's directory, the shipped OSO code lists and a fake clock; shared
// by the handover tests.

#include <gtest/gtest.h>

#include <future>
#include <memory>
#include <string>
#include <vector>

#include "olifantenpad/consent/v1/events.pb.h"
#include "services/common/clock/clock.h"
#include "services/common/clock/timestamp.h"
#include "services/common/ids/ids.h"
#include "services/common/status/status.h"
#include "services/common/testing/dev_directory.h"
#include "services/common/testing/testing.h"
#include "services/handover/example_forms.h"
#include "services/handover/handover_service.h"
#include "services/handover/sqlite_handover_store.h"

namespace olif::handover::testing_util {

namespace cv1 = olifantenpad::consent::v1;
using EventEnvelope = olifantenpad::common::v1::EventEnvelope;

inline constexpr char kSchoolOrg[] = "sch-de-regenboog";

inline CodeLists ShippedCodeLists() {
  auto lists = CodeLists::Load(std::string(OLIF_SOURCE_DIR) + "/config/oso_voorschools.yaml");
  EXPECT_TRUE(lists.ok()) << lists.status();
  return *lists;
}

using olif::testing_util::ConflictType;

class HandoverTest : public testing::Test {
 protected:
  void SetUp() override {
    path_ = (olif::testing_util::FreshTestDir("handover") / "handover.db").string();
    store_ = *SqliteHandoverStore::Open(path_);
    directory_ = olif::testing_util::DevDirectory();
    service_ = std::make_unique<HandoverService>(*store_, clock_, *directory_, ShippedCodeLists(),
                                                 Settings{});
    handler_ = store_->ConsumerHandler([this](HandoverTransaction& txn, const EventEnvelope& e) {
      return e.topic().rfind("consent.", 0) == 0 ? service_->ApplyConsentEvent(txn, e)
                                                 : service_->ApplySchedulingEvent(txn, e);
    });
  }

  // Waits for a write of the service.
  template <typename Call, typename Method>
  absl::StatusOr<v1::HandoverForm> Wait(Method method, const Call& call) {
    return olif::testing_util::CallAndWait<v1::HandoverForm>(*service_, method, call);
  }

  absl::StatusOr<v1::HandoverForm> Create(const v1::HandoverForm& form) {
    v1::CreateDraftRequest call;
    call.set_request_id(NewUuid());
    *call.mutable_form() = form;
    return Wait(&HandoverService::CreateDraft, call);
  }
  absl::StatusOr<v1::HandoverForm> Update(const v1::HandoverForm& stored,
                                          const v1::HandoverForm& content) {
    v1::UpdateDraftRequest call;
    call.set_handover_id(stored.id());
    call.set_version(stored.version());
    *call.mutable_form() = content;
    return Wait(&HandoverService::UpdateDraft, call);
  }
  absl::StatusOr<v1::HandoverForm> Submit(const v1::HandoverForm& f) {
    v1::SubmitForParentReviewRequest call;
    call.set_handover_id(f.id());
    call.set_version(f.version());
    call.set_by("prof-sanne-bakker");
    return Wait(&HandoverService::SubmitForParentReview, call);
  }
  absl::StatusOr<v1::HandoverForm> ParentView(const v1::HandoverForm& f,
                                              const std::string& text = "Wij herkennen ons kind.") {
    v1::RecordParentViewRequest call;
    call.set_handover_id(f.id());
    call.set_version(f.version());
    call.mutable_view()->set_text(text);
    call.mutable_view()->set_given_by("Łucja Çelik-Van Dijk");
    call.mutable_view()->set_relation(v1::GUARDIAN_RELATION_PARENT);
    call.set_by("prof-fatima-el-amrani");
    return Wait(&HandoverService::RecordParentView, call);
  }
  absl::StatusOr<v1::HandoverForm> Finalise(const v1::HandoverForm& f) {
    v1::FinaliseRequest call;
    call.set_handover_id(f.id());
    call.set_version(f.version());
    call.set_by("prof-sanne-bakker");
    return Wait(&HandoverService::Finalise, call);
  }
  absl::StatusOr<v1::HandoverForm> Acknowledge(const v1::HandoverForm& f, int revision = 0) {
    v1::AcknowledgeReceiptRequest call;
    call.set_handover_id(f.id());
    call.set_revision(revision > 0 ? revision : f.revision());
    call.mutable_school()->set_brin(f.receiver().brin());
    call.mutable_school()->set_vestiging(f.receiver().vestiging());
    call.set_received_by("Joost Jansen");
    return Wait(&HandoverService::AcknowledgeReceipt, call);
  }
  absl::StatusOr<v1::HandoverForm> Amend(const v1::HandoverForm& stored,
                                         const v1::HandoverForm& content) {
    v1::AmendRequest call;
    call.set_handover_id(stored.id());
    call.set_version(stored.version());
    *call.mutable_form() = content;
    call.set_reason("Logopedie gestart");
    return Wait(&HandoverService::Amend, call);
  }
  absl::StatusOr<v1::HandoverForm> Withdraw(const v1::HandoverForm& f) {
    v1::WithdrawHandoverRequest call;
    call.set_handover_id(f.id());
    call.set_version(f.version());
    call.set_by("prof-sanne-bakker");
    call.set_note("Het kind gaat naar een andere school.");
    return Wait(&HandoverService::Withdraw, call);
  }

  // A draft taken through the parents' view (not yet finalised).
  v1::HandoverForm Reviewed(const v1::HandoverForm& content) {
    absl::StatusOr<v1::HandoverForm> f = Create(content);
    EXPECT_TRUE(f.ok()) << f.status();
    f = Submit(*f);
    EXPECT_TRUE(f.ok()) << f.status();
    f = ParentView(*f);
    EXPECT_TRUE(f.ok()) << f.status();
    return *f;
  }

  // Applies a bus event as the consumer would, in its own transaction.
  void Apply(const std::string& topic, const google::protobuf::Message& payload) {
    ASSERT_TRUE(
        olif::testing_util::ApplyEvent(store_->writer(), *handler_, topic, payload, clock_.Now())
            .ok());
  }
  // The parents' school_handover consent for `child_ref` and the school.
  std::string Consent(const std::string& child_ref, const std::string& school = kSchoolOrg) {
    cv1::ConsentGranted g;
    g.set_consent_id(NewUuid());
    g.mutable_child()->set_child_ref(child_ref);
    g.add_purposes(cv1::PURPOSE_SCHOOL_HANDOVER);
    g.add_recipient_organisation_ids(school);
    *g.mutable_valid_from() = ToTimestamp(clock_.Now() - absl::Hours(24));
    *g.mutable_valid_until() = ToTimestamp(clock_.Now() + absl::Hours(24 * 365));
    Apply("consent.granted", g);
    return g.consent_id();
  }
  void WithdrawConsent(const std::string& consent_id, const std::string& child_ref) {
    cv1::ConsentWithdrawn w;
    w.set_consent_id(consent_id);
    w.mutable_child()->set_child_ref(child_ref);
    w.add_purposes(cv1::PURPOSE_SCHOOL_HANDOVER);
    w.add_recipient_organisation_ids(kSchoolOrg);
    *w.mutable_withdrawn_at() = ToTimestamp(clock_.Now());
    Apply("consent.withdrawn", w);
  }

  std::vector<EventEnvelope> Events() {
    auto e = store_->EventsAfter(0, 100000);
    EXPECT_TRUE(e.ok());
    return e.ok() ? *e : std::vector<EventEnvelope>{};
  }
  int Count(const std::string& topic) {
    int n = 0;
    for (const EventEnvelope& e : Events()) n += e.topic() == topic;
    return n;
  }

  std::string path_;
  FakeClock clock_{absl::FromCivil(absl::CivilSecond(2027, 2, 15, 10, 0, 0), absl::UTCTimeZone())};
  std::unique_ptr<SqliteHandoverStore> store_;
  std::unique_ptr<directory::DirectoryHolder> directory_;
  std::unique_ptr<HandoverService> service_;
  std::unique_ptr<bus::EventHandler> handler_;
};

}  // namespace olif::handover::testing_util
