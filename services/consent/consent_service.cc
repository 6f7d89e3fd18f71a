#include "services/consent/consent_service.h"

#include <algorithm>

#include "absl/strings/str_cat.h"
#include "services/common/clock/timestamp.h"
#include "services/common/config/config_loader.h"
#include "services/common/consent/decision.h"
#include "services/common/ids/ids.h"
#include "services/common/records/records.h"
#include "services/common/status/status.h"
#include "services/consent/consent_validation.h"

namespace olif::consent {
namespace {

// The fingerprint of the client's content with output-only fields cleared,
// for idempotency.
std::string ClientContent(const v1::Consent& consent) {
  v1::Consent content = consent;
  records::ClearOutputOnly(content);
  return records::ContentFingerprint(records::DeterministicBytes(content));
}

ConsentTerms ToTerms(const v1::Consent& c) {
  ConsentTerms t;
  t.consent_id = c.id();
  for (int p : c.purposes()) t.purposes.push_back(static_cast<v1::Purpose>(p));
  t.recipients.assign(c.recipient_organisation_ids().begin(), c.recipient_organisation_ids().end());
  t.valid_from = FromTimestamp(c.valid_from());
  t.valid_until = FromTimestamp(c.valid_until());
  switch (c.status()) {
    case v1::CONSENT_STATUS_WITHDRAWN:
      t.state = TermsState::kWithdrawn;
      t.state_changed_at = FromTimestamp(c.withdrawal().withdrawn_at());
      break;
    case v1::CONSENT_STATUS_EXPIRED:
      t.state = TermsState::kExpired;
      t.state_changed_at = FromTimestamp(c.update_time());
      break;
    default:
      t.state = TermsState::kActive;
  }
  return t;
}

}  // namespace

Settings SettingsFromConfig(const olifantenpad::config::v1::ConsentSettings& config) {
  Settings s;
  if (config.child_assents_from_age() > 0) {
    s.rules.child_assents_from_age = config.child_assents_from_age();
  }
  if (config.child_alone_from_age() > 0)
    s.rules.child_alone_from_age = config.child_alone_from_age();
  if (config.default_page_size() > 0) s.default_page_size = config.default_page_size();
  if (config.max_page_size() > 0) s.max_page_size = config.max_page_size();
  if (config.has_expiry_check_interval()) {
    s.expiry_check_interval = config::ToDuration(config.expiry_check_interval());
  }
  return s;
}

ConsentService::ConsentService(ConsentStore& store, const Clock& clock,
                               const directory::DirectoryHolder& directory, Settings settings)
    : store_(store), clock_(clock), directory_(directory), settings_(settings) {}

AuditEntry ConsentService::NewAudit(const v1::AccessContext& access, const char* action,
                                    const std::string& trace_id) const {
  return {.at = clock_.Now(),
          .actor = access.actor_id().empty() ? "unidentified" : access.actor_id(),
          .action = action,
          .reason = access.reason(),
          .trace_id = trace_id};
}

template <typename T>
void ConsentService::Audited(AuditEntry audit, absl::StatusOr<T> result, Done<T> done) {
  if (audit.outcome.empty()) audit.outcome = Outcome(result.status());
  auto shared = std::make_shared<absl::StatusOr<T>>(std::move(result));
  store_.Audit(std::move(audit), [shared, done = std::move(done)](const absl::Status& s) {
    if (!s.ok()) {
      done(absl::UnavailableError(
          absl::StrCat("the access could not be recorded in the audit table: ", s.message())));
    } else {
      done(std::move(*shared));
    }
  });
}

void ConsentService::Record(const v1::RecordConsentRequest& call, const std::string& trace_id,
                            Done<v1::Consent> done) {
  AuditEntry audit = NewAudit(call.access(), "record", trace_id);
  audit.child_ref = call.consent().child().child_ref();
  const absl::Time now = audit.at;
  if (absl::Status s = ValidateRecord(call, *directory_.Get(), now, settings_.rules); !s.ok()) {
    Audited<v1::Consent>(std::move(audit), s, std::move(done));
    return;
  }
  NewConsent n;
  n.content = ClientContent(call.consent());
  v1::Consent& c = n.consent;
  c = call.consent();
  c.set_id(NewTimeOrderedUuid());
  c.set_request_id(call.request_id());
  c.set_status(v1::CONSENT_STATUS_ACTIVE);
  c.clear_withdrawal();
  *c.mutable_create_time() = ToTimestamp(now);
  *c.mutable_update_time() = ToTimestamp(now);
  c.set_trace_id(trace_id);
  audit.object_id = c.id();
  audit.outcome = "OK";
  n.audit = audit;
  store_.Record(std::move(n), [this, audit, done](absl::StatusOr<v1::Consent> stored) mutable {
    if (stored.ok()) {
      done(std::move(stored));
    } else {
      audit.object_id.clear();
      audit.outcome.clear();
      Audited<v1::Consent>(std::move(audit), std::move(stored).status(), std::move(done));
    }
  });
}

void ConsentService::Get(const v1::GetConsentRequest& call, const std::string& trace_id,
                         Done<v1::Consent> done) {
  AuditEntry audit = NewAudit(call.access(), "get", trace_id);
  audit.object_id = call.id();
  absl::Status valid = ValidateGet(call);
  absl::StatusOr<v1::Consent> found = valid.ok() ? store_.Get(call.id()) : valid;
  if (found.ok()) audit.child_ref = found->child().child_ref();
  Audited(std::move(audit), std::move(found), std::move(done));
}

void ConsentService::List(const v1::ListConsentsRequest& call, const std::string& trace_id,
                          Done<v1::ListConsentsResponse> done) {
  AuditEntry audit = NewAudit(call.access(), "list", trace_id);
  audit.child_ref = call.child_ref();
  const std::vector<std::string> filters = {call.child_ref(), call.recipient_organisation_id(),
                                            absl::StrCat(call.status())};
  ConsentQuery q{.child_ref = call.child_ref(),
                 .recipient = call.recipient_organisation_id(),
                 .status = call.status(),
                 .limit = call.page_size() == 0
                              ? settings_.default_page_size
                              : std::min(call.page_size(), settings_.max_page_size)};
  absl::Status page_token = absl::OkStatus();
  if (!call.page_token().empty()) {
    absl::StatusOr<records::PageCursor> cursor =
        records::DecodePageToken(call.page_token(), filters,
                                 "keep child_ref, recipient_organisation_id and status the same");
    if (cursor.ok()) {
      q.after = *cursor;
    } else {
      page_token = cursor.status();
    }
  }
  if (absl::Status s = ValidateList(call, page_token); !s.ok()) {
    Audited<v1::ListConsentsResponse>(std::move(audit), s, std::move(done));
    return;
  }
  absl::StatusOr<ConsentPage> page = store_.List(q);
  if (!page.ok()) {
    Audited<v1::ListConsentsResponse>(std::move(audit), std::move(page).status(), std::move(done));
    return;
  }
  v1::ListConsentsResponse response;
  for (auto& c : page->consents) *response.add_consents() = std::move(c);
  if (page->next.has_value()) {
    response.set_next_page_token(records::EncodePageToken(filters, *page->next));
  }
  Audited<v1::ListConsentsResponse>(std::move(audit), std::move(response), std::move(done));
}

void ConsentService::Withdraw(const v1::WithdrawConsentRequest& call, const std::string& trace_id,
                              Done<v1::Consent> done) {
  AuditEntry audit = NewAudit(call.access(), "withdraw", trace_id);
  audit.object_id = call.id();
  if (absl::Status s = ValidateWithdraw(call); !s.ok()) {
    Audited<v1::Consent>(std::move(audit), s, std::move(done));
    return;
  }
  v1::Withdrawal w;
  w.set_withdrawn_by(call.withdrawn_by());
  *w.mutable_withdrawn_at() = ToTimestamp(audit.at);
  w.set_reason(call.reason());
  audit.outcome = "OK";
  store_.Withdraw(call.id(), std::move(w), audit,
                  [this, audit, done](absl::StatusOr<v1::Consent> result) mutable {
                    if (result.ok()) {
                      done(std::move(result));
                    } else {
                      audit.outcome.clear();
                      Audited<v1::Consent>(std::move(audit), std::move(result).status(),
                                           std::move(done));
                    }
                  });
}

void ConsentService::Check(const v1::CheckConsentRequest& call, const std::string& trace_id,
                           Done<v1::Decision> done) {
  AuditEntry audit = NewAudit(call.access(), "check", trace_id);
  audit.child_ref = call.child().child_ref();
  if (absl::Status s = ValidateCheck(call); !s.ok()) {
    Audited<v1::Decision>(std::move(audit), s, std::move(done));
    return;
  }
  absl::StatusOr<std::vector<v1::Consent>> consents = store_.ForChild(call.child().child_ref());
  if (!consents.ok()) {
    Audited<v1::Decision>(std::move(audit), std::move(consents).status(), std::move(done));
    return;
  }
  std::vector<ConsentTerms> terms;
  for (const v1::Consent& c : *consents) terms.push_back(ToTerms(c));
  const absl::Time at = call.has_at() ? FromTimestamp(call.at()) : audit.at;
  v1::Decision decision = Decide(terms, call.purpose(), call.recipient_organisation_id(), at);
  audit.object_id = decision.consent_id();
  audit.outcome =
      decision.permitted() ? "OK: permit" : absl::StrCat("OK: deny: ", decision.reason());
  Audited<v1::Decision>(std::move(audit), std::move(decision), std::move(done));
}

}  // namespace olif::consent
