#pragma once

// Every rule about what a handover call may carry, checked before anything
// is stored. Each returns OK or INVALID_ARGUMENT naming every invalid field by
// its path ("form.development[1].observed_at") with a google.rpc.BadRequest.

#include <string>

#include "absl/status/status.h"
#include "olifantenpad/handover/v1/handover.pb.h"
#include "services/common/directory/directory.h"
#include "services/common/status/status.h"
#include "services/handover/code_lists.h"

namespace olif::handover {

namespace v1 = olifantenpad::handover::v1;

// The longest free text of a form field, in characters.
inline constexpr int kMaxText = 4000;

// What the form checks read besides the form.
struct FormContext {
  const directory::Directory& directory;
  const CodeLists& code_lists;
};

// Adds the violations of `form`, its fields named under `prefix` ("form").
void CheckForm(Violations& v, const std::string& prefix, const v1::HandoverForm& form,
               const FormContext& context);

absl::Status ValidateCreateDraft(const v1::CreateDraftRequest& call, const FormContext& context);
absl::Status ValidateImportForm(const v1::ImportFormsRequest& call, const FormContext& context);
absl::Status ValidateUpdateDraft(const v1::UpdateDraftRequest& call, const FormContext& context);
absl::Status ValidateAmend(const v1::AmendRequest& call, const FormContext& context);
absl::Status ValidateRecordParentView(const v1::RecordParentViewRequest& call);
absl::Status ValidateAcknowledgeReceipt(const v1::AcknowledgeReceiptRequest& call);
absl::Status ValidateWithdraw(const v1::WithdrawHandoverRequest& call);
// The id and version of a call that changes a form by them alone, and who
// makes it (a directory id, optional).
absl::Status ValidateIdAndVersion(const std::string& handover_id, int64_t version,
                                  const std::string& by);
// A read of a child's data: the id, and who reads it and why.
absl::Status ValidateRead(const std::string& handover_id, const v1::AccessContext& access);
absl::Status ValidateList(const v1::ListHandoversRequest& call);

}  // namespace olif::handover
