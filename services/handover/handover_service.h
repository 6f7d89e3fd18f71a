#pragma once

// The handover service's logic: the form's one state machine (draft, the
// parents' review and view, final, the consent gate, sent, receipt,
// amendment, withdrawal, lapse), the warm handover (requested of scheduling,
// its meeting shown from scheduling's events), bulk import, the PDF and the
// FHIR document, and retention. It knows nothing of gRPC (handover_grpc.h),
// SQL (the HandoverStore's) or config files (main.cc).
//
// Privacy: events carry pseudonymous references only; the child's identity
// and free text leave the service through GetHandover, GetHandoverPdf and
// GetHandoverDocument, each audited with who, why and the outcome; the
// document only while the parents' school_handover consent for the receiving
// school holds.
//
// Thread-safe; `store`, `clock` and `directory` must outlive the service.

#include <functional>
#include <string>

#include "absl/time/time.h"
#include "olifantenpad/config/v1/handover.pb.h"
#include "olifantenpad/handover/v1/handover.pb.h"
#include "services/common/clock/clock.h"
#include "services/common/directory/directory.h"
#include "services/handover/code_lists.h"
#include "services/handover/handover_store.h"
#include "services/handover/handover_validation.h"

namespace olif::handover {

// Each default lives here, once; SettingsFromConfig reads the config over it.
struct Settings {
  std::string time_zone = "Europe/Amsterdam";
  absl::Duration consent_wait = absl::Hours(24 * 30);
  absl::Duration retention_grace = absl::Hours(24 * 28);
  absl::Duration job_interval = absl::Hours(1);
  int import_in_flight = 512;
  int import_max_forms = 20000;
};

// The settings in `config`, with the defaults above for what it leaves out.
Settings SettingsFromConfig(const olifantenpad::config::v1::HandoverConfig& config);

// What one run of the periodic job did.
struct JobCounts {
  int lapsed = 0;  // forms that waited for consent too long
  int purged = 0;  // forms whose identity and free text were purged
};

class HandoverService {
 public:
  HandoverService(HandoverStore& store, const Clock& clock,
                  const directory::DirectoryHolder& directory, CodeLists code_lists,
                  Settings settings);

  // Writes never block: `done` runs when the change is durable (or refused),
  // on a thread of the store's.
  using Done = std::function<void(absl::StatusOr<v1::HandoverForm>)>;
  using ImportDone = std::function<void(v1::ImportResult)>;
  using PdfDone = std::function<void(absl::StatusOr<v1::GetHandoverPdfResponse>)>;
  using DocumentDone = std::function<void(absl::StatusOr<v1::GetHandoverDocumentResponse>)>;

  void CreateDraft(const v1::CreateDraftRequest& call, const std::string& trace_id, Done done);
  // One form of an import (the `index`-th of its stream): `done` gets its
  // result, never an error status.
  void ImportForm(const v1::ImportFormsRequest& call, int index, const std::string& trace_id,
                  ImportDone done);
  void UpdateDraft(const v1::UpdateDraftRequest& call, const std::string& trace_id, Done done);
  void SubmitForParentReview(const v1::SubmitForParentReviewRequest& call,
                             const std::string& trace_id, Done done);
  void RecordParentView(const v1::RecordParentViewRequest& call, const std::string& trace_id,
                        Done done);
  void Finalise(const v1::FinaliseRequest& call, const std::string& trace_id, Done done);
  void AcknowledgeReceipt(const v1::AcknowledgeReceiptRequest& call, const std::string& trace_id,
                          Done done);
  void Amend(const v1::AmendRequest& call, const std::string& trace_id, Done done);
  void Withdraw(const v1::WithdrawHandoverRequest& call, const std::string& trace_id, Done done);

  // Reads of a child's data: each audited before it answers.
  void Get(const v1::GetHandoverRequest& call, const std::string& trace_id, Done done);
  void Pdf(const v1::GetHandoverPdfRequest& call, const std::string& trace_id, PdfDone done);
  void Document(const v1::GetHandoverDocumentRequest& call, const std::string& trace_id,
                DocumentDone done);
  // Summaries only: no identity, no free text.
  absl::StatusOr<v1::ListHandoversResponse> List(const v1::ListHandoversRequest& call);

  // A consent event, inside the consumer's transaction: the projection, then
  // forms waiting for it are sent and forms sent under a withdrawn consent
  // are withdrawn.
  absl::Status ApplyConsentEvent(HandoverTransaction& txn,
                                 const olifantenpad::common::v1::EventEnvelope& event);
  // A scheduling event, inside the consumer's transaction: a warm-handover
  // meeting's state shown on its form.
  absl::Status ApplySchedulingEvent(HandoverTransaction& txn,
                                    const olifantenpad::common::v1::EventEnvelope& event);

  // The periodic job: lapses forms that waited for consent too long and
  // purges the identity and free text of forms acknowledged, withdrawn or
  // lapsed longer than the grace period ago. Blocks until durable.
  absl::StatusOr<JobCounts> RunDueJobs();

  const Settings& settings() const { return settings_; }
  int import_in_flight() const { return settings_.import_in_flight; }
  int import_max_forms() const { return settings_.import_max_forms; }

 private:
  using Change =
      std::function<absl::StatusOr<Events>(HandoverTransaction&, v1::HandoverForm&, absl::Time)>;
  // Applies `change` to form `id` through the store, audited as `action`.
  void Transition(const std::string& id, int64_t version, const std::string& trace_id,
                  const std::string& actor, const char* action, Change change, Done done);
  // The new draft of a create or an import, not yet stored.
  NewHandover Draft(const v1::HandoverForm& content, const std::string& request_id,
                    const std::string& trace_id, const char* action) const;
  // Fills the directory-derived fields and the warm-handover need.
  void Derive(v1::HandoverForm& form) const;
  // Releases `form` to the school under `consent_id`: status, revision and
  // the events (ready for school, and the warm-handover request).
  Events Send(v1::HandoverForm& form, const std::string& consent_id, absl::Time now) const;
  // Stores a change made inside a consumer's or the job's transaction:
  // `change` sees the form at its new version and returns its events.
  absl::Status Commit(HandoverTransaction& txn, v1::HandoverForm& form, absl::Time now,
                      const std::function<Events(v1::HandoverForm&)>& change, const char* actor,
                      const char* action);
  FormContext Context(const directory::Directory& dir) const;
  // The PDF of `form` as it now stands.
  absl::StatusOr<std::string> RenderPdfOf(const v1::HandoverForm& form) const;
  absl::StatusOr<v1::GetHandoverPdfResponse> PdfOf(
      const absl::StatusOr<v1::HandoverForm>& form) const;
  absl::StatusOr<v1::GetHandoverDocumentResponse> DocumentOf(
      const absl::StatusOr<v1::HandoverForm>& form, absl::Time now) const;
  // Why `form` may not be shown in full (purged, withdrawn, lapsed); OK when
  // it may.
  absl::Status Readable(const v1::HandoverForm& form) const;
  // Audits a read of form `id` with its outcome, then answers.
  template <typename T>
  void AnswerAudited(const v1::AccessContext& access, const char* action, const std::string& id,
                     const std::string& child_ref, const std::string& trace_id,
                     absl::StatusOr<T> result, std::function<void(absl::StatusOr<T>)> done);

  HandoverStore& store_;
  const Clock& clock_;
  const directory::DirectoryHolder& directory_;
  const CodeLists code_lists_;
  const Settings settings_;
  absl::TimeZone zone_;
};

}  // namespace olif::handover
