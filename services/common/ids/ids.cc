#include "services/common/ids/ids.h"

#include <sys/random.h>

#include <algorithm>
#include <array>
#include <atomic>
#include <cerrno>
#include <chrono>
#include <cstdint>
#include <cstdio>
#include <cstdlib>

#include <openssl/sha.h>

namespace olif {
namespace {

void RandomBytes(uint8_t* out, size_t n) {
  size_t done = 0;
  while (done < n) {
    const ssize_t got = getrandom(out + done, n - done, 0);
    if (got < 0) {
      if (errno == EINTR) continue;
      // Without the kernel's random source no safe identifier can be made.
      std::perror("getrandom");
      std::abort();
    }
    done += static_cast<size_t>(got);
  }
}

bool IsHex(char c) {
  return (c >= '0' && c <= '9') || (c >= 'a' && c <= 'f') || (c >= 'A' && c <= 'F');
}

std::string Format(std::array<uint8_t, 16>& b, uint8_t version) {
  b[6] = static_cast<uint8_t>((b[6] & 0x0f) | (version << 4));
  b[8] = static_cast<uint8_t>((b[8] & 0x3f) | 0x80);  // RFC 4122 variant
  static constexpr char kHex[] = "0123456789abcdef";
  std::string out;
  out.reserve(36);
  for (size_t i = 0; i < b.size(); ++i) {
    if (i == 4 || i == 6 || i == 8 || i == 10) out.push_back('-');
    out.push_back(kHex[b[i] >> 4]);
    out.push_back(kHex[b[i] & 0x0f]);
  }
  return out;
}

}  // namespace

std::string NewUuid() {
  std::array<uint8_t, 16> b{};
  RandomBytes(b.data(), b.size());
  return Format(b, 4);
}

std::string NewSecretToken() {
  std::array<uint8_t, 33> b{};  // 33 bytes give 44 characters; the last is dropped
  RandomBytes(b.data(), 32);
  static constexpr char kUrl[] = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_";
  std::string out;
  out.reserve(44);
  for (size_t i = 0; i < b.size(); i += 3) {
    const uint32_t v = (uint32_t{b[i]} << 16) | (uint32_t{b[i + 1]} << 8) | b[i + 2];
    for (int shift = 18; shift >= 0; shift -= 6) out.push_back(kUrl[(v >> shift) & 0x3f]);
  }
  out.resize(43);  // 256 bits: the 44th character would carry only padding
  return out;
}

std::string NewTimeOrderedUuid() {
  // 48 bits of milliseconds and a 12-bit sequence (rand_a, RFC 9562 method 3):
  // one atomic word holds both, so concurrent callers never share a value
  // and a burst of more than 4,096 ids in a millisecond borrows from the next.
  static std::atomic<uint64_t> last{0};
  const uint64_t ms = static_cast<uint64_t>(std::chrono::duration_cast<std::chrono::milliseconds>(
                                                std::chrono::system_clock::now().time_since_epoch())
                                                .count());
  uint64_t prev = last.load(std::memory_order_relaxed);
  uint64_t next = 0;
  do {
    next = std::max(ms << 12, prev + 1);
  } while (!last.compare_exchange_weak(prev, next, std::memory_order_relaxed));
  std::array<uint8_t, 16> b{};
  RandomBytes(b.data() + 8, 8);
  const uint64_t when = next >> 12, seq = next & 0xfff;
  for (int i = 0; i < 6; ++i) b[i] = static_cast<uint8_t>(when >> (40 - 8 * i));
  b[6] = static_cast<uint8_t>(seq >> 8);
  b[7] = static_cast<uint8_t>(seq);
  return Format(b, 7);
}

std::string NameBasedUuid(absl::string_view name_space, absl::string_view name) {
  std::string input;
  input.reserve(16 + name.size());
  int high = -1;
  for (char c : name_space) {  // the namespace's 16 bytes, from its hex digits
    if (!IsHex(c)) continue;
    const int v = c <= '9' ? c - '0' : (c | 0x20) - 'a' + 10;
    if (high < 0) {
      high = v;
    } else {
      input.push_back(static_cast<char>((high << 4) | v));
      high = -1;
    }
  }
  input.append(name.data(), name.size());
  unsigned char digest[SHA256_DIGEST_LENGTH];
  SHA256(reinterpret_cast<const unsigned char*>(input.data()), input.size(), digest);
  std::array<uint8_t, 16> b{};
  std::copy(digest, digest + b.size(), b.begin());
  return Format(b, 8);
}

bool IsUuid(absl::string_view s) {
  if (s.size() != 36) return false;
  for (size_t i = 0; i < s.size(); ++i) {
    const bool dash = i == 8 || i == 13 || i == 18 || i == 23;
    if (dash ? s[i] != '-' : !IsHex(s[i])) return false;
  }
  return true;
}

bool IsDirectoryId(absl::string_view s) {
  if (s.size() < 3 || s.size() > 64) return false;
  for (size_t i = 0; i < s.size(); ++i) {
    const char c = s[i];
    const bool alnum = (c >= 'a' && c <= 'z') || (c >= '0' && c <= '9');
    if (!alnum && !(c == '-' && i > 0)) return false;
  }
  return true;
}

absl::Status ValidateBsn(absl::string_view bsn) {
  if (bsn.size() != 8 && bsn.size() != 9) {
    return absl::InvalidArgumentError("a BSN has 9 digits (or 8 read with a leading 0)");
  }
  for (char c : bsn) {
    if (c < '0' || c > '9') return absl::InvalidArgumentError("a BSN has digits only");
  }
  const std::string digits = NormaliseBsn(bsn);
  int sum = 0;
  for (int i = 0; i < 8; ++i) sum += (9 - i) * (digits[i] - '0');
  sum -= digits[8] - '0';
  if (sum == 0) return absl::InvalidArgumentError("a BSN's check sum must not be 0");
  if (sum % 11 != 0) return absl::InvalidArgumentError("the BSN fails the 11-check");
  return absl::OkStatus();
}

std::string NormaliseBsn(absl::string_view bsn) {
  return bsn.size() == 8 ? "0" + std::string(bsn) : std::string(bsn);
}

}  // namespace olif
