#pragma once

// Identifiers: random UUIDs for everything the hub issues, and validation of
// identifiers it receives (UUIDs, directory ids, the Dutch BSN).

#include <string>
#include "absl/strings/string_view.h"

#include "absl/status/status.h"

namespace olif {

// A random (version 4) UUID in lower-case canonical form, drawn from the
// kernel's random source: for what must not tell when it was made (a child's
// pseudonym, a trace id). Thread-safe.
std::string NewUuid();

// A time-ordered (version 7, RFC 9562) UUID: 48 bits of Unix milliseconds,
// then a counter that keeps ids of one process ascending within a
// millisecond, then random bits. For the keys of stored records and events,
// which then land at the end of their index instead of anywhere in it.
// Thread-safe.
std::string NewTimeOrderedUuid();

// A secret for a link (e.g. a calendar feed's): 32 bytes from the kernel's
// random source as 43 characters of unpadded base64url. Thread-safe.
std::string NewSecretToken();

// A name-based UUID (version 8, RFC 9562 appendix B.2: SHA-256 of the
// namespace's 16 bytes and then `name`): the same namespace and name give
// the same UUID, everywhere and always — the idempotency key of a record an
// external system identifies by name (e.g. a chain's file and row).
// `name_space` must be a UUID (checked by the caller).
std::string NameBasedUuid(absl::string_view name_space, absl::string_view name);

// True for a UUID in canonical 8-4-4-4-12 hexadecimal form (either case).
bool IsUuid(absl::string_view s);

// True for a directory identifier: 3 to 64 characters of [a-z0-9-], starting
// with a letter or digit (e.g. "loc-boomgaard-noord").
bool IsDirectoryId(absl::string_view s);

// Validates a BSN (burgerservicenummer): 9 digits, or 8 digits that are read
// with a leading 0; valid when 9*d1 + 8*d2 + ... + 2*d8 - 1*d9 is divisible
// by 11 and not 0. The error says which rule failed.
absl::Status ValidateBsn(absl::string_view bsn);

// The 9-digit form of a valid BSN (8 digits get their leading 0).
std::string NormaliseBsn(absl::string_view bsn);

}  // namespace olif
