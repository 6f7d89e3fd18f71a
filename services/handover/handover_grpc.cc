#include "services/handover/handover_grpc.h"

#include <vector>

#include "absl/base/thread_annotations.h"
#include "absl/strings/str_cat.h"
#include "services/common/grpc/call_observer.h"
#include "services/common/grpc/unary.h"
#include "services/common/sync/mutex.h"

namespace olif::handover {
namespace {

using grpcx::AnswerWhenDone;

// Writes and reads of a form answer with the form as it now stands.
constexpr auto kForm = [](v1::HandoverForm f, auto* response) {
  *response->mutable_form() = std::move(f);
};

// Reads an ImportForms stream: each form goes to the logic as it arrives,
// with at most `limit` awaiting their result; reading pauses at the limit and
// resumes as results come in. Finishes once the stream ended and every form
// has its result. Deletes itself when done.
class ImportReactor final : public grpc::ServerReadReactor<v1::ImportFormsRequest> {
 public:
  ImportReactor(HandoverService& logic, std::string trace_id, v1::ImportFormsResponse* response)
      : logic_(logic),
        trace_id_(std::move(trace_id)),
        response_(response),
        limit_(std::max(1, logic.import_in_flight())),
        max_forms_(logic.import_max_forms()) {
    StartRead(&request_);
  }

  void OnReadDone(bool ok) override {
    if (!ok) {
      bool finish = false;
      {
        olif::MutexLock lock(&mu_);
        ended_ = true;
        finish = in_flight_ == 0;
      }
      if (finish) Complete();
      return;
    }
    int index = 0;
    bool read_on = false;
    bool over = false;
    v1::ImportFormsRequest form;
    {
      // The form leaves request_ before a result can resume reading into it.
      olif::MutexLock lock(&mu_);
      form = std::move(request_);
      request_.Clear();
      index = next_index_++;
      v1::ImportResult& result = results_.emplace_back();
      over = index >= max_forms_;
      if (over) {
        result.set_index(index);
        result.set_request_id(form.request_id());
        result.set_outcome(v1::IMPORT_OUTCOME_FAILED);
        result.set_message(absl::StrCat("not stored: one call takes ", max_forms_,
                                        " forms; send the rest in another call"));
      } else {
        ++in_flight_;
      }
      read_on = in_flight_ < limit_;
      paused_ = !read_on;
    }
    if (read_on) StartRead(&request_);
    if (over) return;
    logic_.ImportForm(form, index, trace_id_,
                      [this](v1::ImportResult r) { OnResult(std::move(r)); });
  }

  void OnDone() override { delete this; }
  void OnCancel() override {}

 private:
  void OnResult(v1::ImportResult r) {
    bool resume = false;
    bool finish = false;
    {
      olif::MutexLock lock(&mu_);
      results_[r.index()] = std::move(r);
      --in_flight_;
      if (paused_ && !ended_) {
        paused_ = false;
        resume = true;
      }
      finish = ended_ && in_flight_ == 0;
    }
    if (resume) StartRead(&request_);
    if (finish) Complete();
  }

  void Complete() {
    {
      olif::MutexLock lock(&mu_);
      Tally();
    }
    Finish(grpc::Status::OK);  // OnDone may follow at once: nothing after this
  }

  void Tally() ABSL_EXCLUSIVE_LOCKS_REQUIRED(mu_) {
    for (v1::ImportResult& r : results_) {
      switch (r.outcome()) {
        case v1::IMPORT_OUTCOME_CREATED:
          response_->set_created(response_->created() + 1);
          break;
        case v1::IMPORT_OUTCOME_ALREADY_IMPORTED:
          response_->set_already_imported(response_->already_imported() + 1);
          break;
        case v1::IMPORT_OUTCOME_INVALID:
          response_->set_invalid(response_->invalid() + 1);
          break;
        default:
          response_->set_failed(response_->failed() + 1);
      }
      *response_->add_results() = std::move(r);
    }
  }

  HandoverService& logic_;
  const std::string trace_id_;
  v1::ImportFormsResponse* const response_;
  const int limit_;
  const int max_forms_;
  v1::ImportFormsRequest request_;  // the read in progress (moved out under mu_)
  olif::Mutex mu_;
  std::vector<v1::ImportResult> results_ ABSL_GUARDED_BY(mu_);
  int next_index_ ABSL_GUARDED_BY(mu_) = 0;
  int in_flight_ ABSL_GUARDED_BY(mu_) = 0;
  bool paused_ ABSL_GUARDED_BY(mu_) = false;
  bool ended_ ABSL_GUARDED_BY(mu_) = false;
};

}  // namespace

grpc::ServerUnaryReactor* HandoverGrpcService::CreateDraft(grpc::CallbackServerContext* context,
                                                           const v1::CreateDraftRequest* request,
                                                           v1::CreateDraftResponse* response) {
  return AnswerWhenDone(context, request, response, logic_, &HandoverService::CreateDraft, kForm);
}

grpc::ServerUnaryReactor* HandoverGrpcService::UpdateDraft(grpc::CallbackServerContext* context,
                                                           const v1::UpdateDraftRequest* request,
                                                           v1::UpdateDraftResponse* response) {
  return AnswerWhenDone(context, request, response, logic_, &HandoverService::UpdateDraft, kForm);
}

grpc::ServerUnaryReactor* HandoverGrpcService::SubmitForParentReview(
    grpc::CallbackServerContext* context, const v1::SubmitForParentReviewRequest* request,
    v1::SubmitForParentReviewResponse* response) {
  return AnswerWhenDone(context, request, response, logic_, &HandoverService::SubmitForParentReview,
                        kForm);
}

grpc::ServerUnaryReactor* HandoverGrpcService::RecordParentView(
    grpc::CallbackServerContext* context, const v1::RecordParentViewRequest* request,
    v1::RecordParentViewResponse* response) {
  return AnswerWhenDone(context, request, response, logic_, &HandoverService::RecordParentView,
                        kForm);
}

grpc::ServerUnaryReactor* HandoverGrpcService::Finalise(grpc::CallbackServerContext* context,
                                                        const v1::FinaliseRequest* request,
                                                        v1::FinaliseResponse* response) {
  return AnswerWhenDone(context, request, response, logic_, &HandoverService::Finalise, kForm);
}

grpc::ServerUnaryReactor* HandoverGrpcService::AcknowledgeReceipt(
    grpc::CallbackServerContext* context, const v1::AcknowledgeReceiptRequest* request,
    v1::AcknowledgeReceiptResponse* response) {
  return AnswerWhenDone(context, request, response, logic_, &HandoverService::AcknowledgeReceipt,
                        kForm);
}

grpc::ServerUnaryReactor* HandoverGrpcService::Amend(grpc::CallbackServerContext* context,
                                                     const v1::AmendRequest* request,
                                                     v1::AmendResponse* response) {
  return AnswerWhenDone(context, request, response, logic_, &HandoverService::Amend, kForm);
}

grpc::ServerUnaryReactor* HandoverGrpcService::WithdrawHandover(
    grpc::CallbackServerContext* context, const v1::WithdrawHandoverRequest* request,
    v1::WithdrawHandoverResponse* response) {
  return AnswerWhenDone(context, request, response, logic_, &HandoverService::Withdraw, kForm);
}

grpc::ServerUnaryReactor* HandoverGrpcService::GetHandover(grpc::CallbackServerContext* context,
                                                           const v1::GetHandoverRequest* request,
                                                           v1::GetHandoverResponse* response) {
  return AnswerWhenDone(context, request, response, logic_, &HandoverService::Get, kForm);
}

grpc::ServerUnaryReactor* HandoverGrpcService::GetHandoverPdf(
    grpc::CallbackServerContext* context, const v1::GetHandoverPdfRequest* request,
    v1::GetHandoverPdfResponse* response) {
  return AnswerWhenDone(context, request, response, logic_, &HandoverService::Pdf, grpcx::kWhole);
}

grpc::ServerUnaryReactor* HandoverGrpcService::GetHandoverDocument(
    grpc::CallbackServerContext* context, const v1::GetHandoverDocumentRequest* request,
    v1::GetHandoverDocumentResponse* response) {
  return AnswerWhenDone(context, request, response, logic_, &HandoverService::Document,
                        grpcx::kWhole);
}

grpc::ServerUnaryReactor* HandoverGrpcService::ListHandovers(
    grpc::CallbackServerContext* context, const v1::ListHandoversRequest* request,
    v1::ListHandoversResponse* response) {
  return grpcx::Answer(context, logic_.List(*request), response, grpcx::kWhole);
}

grpc::ServerReadReactor<v1::ImportFormsRequest>* HandoverGrpcService::ImportForms(
    grpc::CallbackServerContext* context, v1::ImportFormsResponse* response) {
  return new ImportReactor(logic_, grpcx::TraceIdOf(context), response);
}

}  // namespace olif::handover
