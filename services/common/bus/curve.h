#pragma once

// CURVE security for the bus: key pairs, and the ZAP handler that admits only
// the consumer public keys each producer allows.
//
// ZeroMQ asks the process's one ZAP handler (inproc://zeromq.zap.01) about
// every connection to a CURVE server socket. The handler answers per ZAP
// domain (a producer's name): 200 for an allowed key, 400 otherwise. Refusals
// are counted and logged with the peer address.

#include <map>
#include <set>
#include <string>

#include "absl/status/statusor.h"

namespace olif::bus {

struct CurveKeyPair {
  std::string public_key;  // Z85, 40 characters
  std::string secret_key;  // Z85, 40 characters
};

absl::StatusOr<CurveKeyPair> GenerateCurveKeyPair();

// The public key of a Z85 secret key.
absl::StatusOr<std::string> CurvePublicKey(const std::string& secret_key);

// INVALID_ARGUMENT unless `key` is a 40-character Z85 key; names `what`.
absl::Status ValidateCurveKey(const std::string& key, const std::string& what);

// Admits, for ZAP domain `domain`, exactly the given public keys (Z85). Starts
// the process's ZAP handler on first use. Thread-safe.
absl::Status AllowCurveClients(const std::string& domain, const std::set<std::string>& public_keys);

// Stops admitting clients for `domain`; when no domain is left the ZAP
// handler's thread stops. A producer calls it when it stops.
void ForgetCurveClients(const std::string& domain);

// How many connections the ZAP handler refused, for tests and status.
int64_t CurveRefusals();

}  // namespace olif::bus
