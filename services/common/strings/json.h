#pragma once

#include <initializer_list>
#include <string>
#include <utility>
#include <vector>

#include "absl/strings/string_view.h"

namespace olif {

// `s` as a JSON string literal, quotes included; control characters and
// invalid UTF-8 bytes are escaped (\u00XX) so the output is always valid JSON.
std::string JsonQuote(absl::string_view s);

// A JSON document built in code (FHIR resources, reports): strings, booleans,
// arrays and objects whose members keep the order they were set in, so the
// output is stable. Dump() writes it compactly; strings go through JsonQuote.
class Json {
 public:
  Json(const char* s) : kind_(Kind::kString), text_(s) {}  // NOLINT: a string literal is a value
  Json(std::string s) : kind_(Kind::kString), text_(std::move(s)) {}  // NOLINT
  static Json Bool(bool b);
  // An object from key/value pairs, in that order.
  static Json Object(std::initializer_list<std::pair<std::string, Json>> members = {});
  static Json Array(std::vector<Json> items = {});

  // Sets (or replaces) a member of an object; returns *this.
  Json& Set(const std::string& key, Json value);
  // Appends to an array; returns *this.
  Json& Push(Json value);
  std::string Dump() const;

 private:
  enum class Kind { kString, kBool, kObject, kArray };
  explicit Json(Kind kind) : kind_(kind) {}
  void DumpTo(std::string* out) const;

  Kind kind_;
  std::string text_;               // kString; "true"/"false" for kBool
  std::vector<std::string> keys_;  // kObject, parallel to items_
  std::vector<Json> items_;        // kObject values, kArray items
};

}  // namespace olif
