#pragma once

// The consent service's logic: validation (consent_validation.h) against the
// authority rules and the directory, idempotency, paging, CheckConsent
// through the shared decision rule, and an audit line for every call. It
// knows nothing of gRPC (consent_grpc.h is the shell); storage is the
// ConsentStore's, time the Clock's, the directory the holder's (reloaded on
// SIGHUP by the process).
//
// Every call finishes only once its audit line is durable: a read whose
// access could not be recorded is not answered (UNAVAILABLE).
//
// Thread-safe; store, clock and directory must outlive the service.

#include <functional>
#include <string>

#include "olifantenpad/config/v1/consent.pb.h"
#include "olifantenpad/consent/v1/consent.pb.h"
#include "services/common/clock/clock.h"
#include "services/common/directory/directory.h"
#include "services/consent/consent_rules.h"
#include "services/consent/consent_store.h"

namespace olif::consent {

// Each default lives here (and in AuthorityRules), once; SettingsFromConfig
// reads the config over it.
struct Settings {
  AuthorityRules rules;
  int default_page_size = 50;
  int max_page_size = 500;
  absl::Duration expiry_check_interval = absl::Minutes(1);
};

// The settings in `config`, with the defaults above for what it leaves out.
Settings SettingsFromConfig(const olifantenpad::config::v1::ConsentSettings& config);

class ConsentService {
 public:
  ConsentService(ConsentStore& store, const Clock& clock,
                 const directory::DirectoryHolder& directory, Settings settings);

  // `done` runs once the call's audit line (and its change, if any) is
  // durable, on a store thread.
  template <typename T>
  using Done = std::function<void(absl::StatusOr<T>)>;
  void Record(const v1::RecordConsentRequest& call, const std::string& trace_id,
              Done<v1::Consent> done);
  void Get(const v1::GetConsentRequest& call, const std::string& trace_id, Done<v1::Consent> done);
  void List(const v1::ListConsentsRequest& call, const std::string& trace_id,
            Done<v1::ListConsentsResponse> done);
  void Withdraw(const v1::WithdrawConsentRequest& call, const std::string& trace_id,
                Done<v1::Consent> done);
  void Check(const v1::CheckConsentRequest& call, const std::string& trace_id,
             Done<v1::Decision> done);

  // Marks consents past their period expired and announces them (the expiry
  // job calls it); returns how many.
  absl::StatusOr<int> ExpireDue() { return store_.ExpireDue(clock_.Now()); }

 private:
  AuditEntry NewAudit(const v1::AccessContext& access, const char* action,
                      const std::string& trace_id) const;
  // Records `audit` with `result`'s outcome, then calls `done` with `result`
  // (or UNAVAILABLE when the audit line could not be stored).
  template <typename T>
  void Audited(AuditEntry audit, absl::StatusOr<T> result, Done<T> done);

  ConsentStore& store_;
  const Clock& clock_;
  const directory::DirectoryHolder& directory_;
  Settings settings_;
};

}  // namespace olif::consent
