#include "services/common/config/config_loader.h"

#include <yaml-cpp/yaml.h>

#include <cstdlib>
#include <fstream>
#include <sstream>

#include <google/protobuf/descriptor.h>
#include <google/protobuf/util/json_util.h>

#include "absl/strings/ascii.h"
#include "absl/strings/match.h"
#include "absl/strings/numbers.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/str_format.h"
#include "absl/strings/str_join.h"
#include "absl/time/time.h"
#include "olifantenpad/config/v1/options.pb.h"
#include "services/common/strings/json.h"

namespace olif::config {
absl::StatusOr<std::string> ExpandEnv(absl::string_view in, const EnvLookup& env) {
  std::string out;
  size_t i = 0;
  while (i < in.size()) {
    const size_t start = in.find("${", i);
    if (start == absl::string_view::npos) break;
    const size_t end = in.find('}', start);
    if (end == absl::string_view::npos)
      return absl::InvalidArgumentError("unterminated ${ in value");
    absl::StrAppend(&out, in.substr(i, start - i));
    std::string name(in.substr(start + 2, end - start - 2));
    std::optional<std::string> fallback;
    if (const size_t dash = name.find(":-"); dash != std::string::npos) {
      fallback = name.substr(dash + 2);
      name.resize(dash);
    }
    if (name.empty()) return absl::InvalidArgumentError("empty ${} in value");
    std::optional<std::string> v = env(name);
    if (!v.has_value() && !fallback.has_value()) {
      return absl::InvalidArgumentError(absl::StrCat("environment variable ", name, " is not set"));
    }
    out += v.has_value() ? *v : *fallback;
    i = end + 1;
  }
  absl::StrAppend(&out, in.substr(i));
  return out;
}

namespace {

namespace pb = google::protobuf;
using FD = pb::FieldDescriptor;

class Converter {
 public:
  Converter(absl::string_view source, const EnvLookup& env) : source_(source), env_(env) {}

  absl::Status Message(const YAML::Node& node, const pb::Descriptor* d, const std::string& path,
                       std::string* out) {
    if (node.IsNull()) {
      *out += "{}";
      return absl::OkStatus();
    }
    if (!node.IsMap()) return Error(node, path, "must be a mapping of keys to values");
    *out += "{";
    bool first = true;
    for (const auto& kv : node) {
      const std::string key = kv.first.as<std::string>();
      const std::string field_path = path.empty() ? key : absl::StrCat(path, ".", key);
      const FD* field = d->FindFieldByName(key);
      if (field == nullptr) {
        std::vector<std::string> known;
        for (int i = 0; i < d->field_count(); ++i) known.push_back(d->field(i)->name());
        return Error(kv.first, field_path,
                     absl::StrCat("unknown key (allowed here: ", absl::StrJoin(known, ", "), ")"));
      }
      if (kv.second.IsNull()) continue;  // `key:` with no value leaves the field unset
      if (!first) *out += ",";
      first = false;
      absl::StrAppend(out, JsonQuote(field->json_name()), ":");
      absl::Status s = Field(kv.second, field, field_path, out);
      if (!s.ok()) return s;
    }
    *out += "}";
    return absl::OkStatus();
  }

  absl::Status Error(const YAML::Node& node, const std::string& path, absl::string_view what) {
    return absl::InvalidArgumentError(
        absl::StrCat(source_, ":", node.Mark().line + 1, ": ", path, ": ", what));
  }

 private:
  absl::Status Field(const YAML::Node& node, const FD* field, const std::string& path,
                     std::string* out) {
    if (field->is_map()) {
      if (!node.IsMap()) return Error(node, path, "must be a mapping");
      const FD* value_field = field->message_type()->FindFieldByName("value");
      *out += "{";
      bool first = true;
      for (const auto& kv : node) {
        const std::string key = kv.first.as<std::string>();
        if (!first) *out += ",";
        first = false;
        absl::StrAppend(out, JsonQuote(key), ":");
        absl::Status s = Single(kv.second, value_field, absl::StrCat(path, ".", key), out);
        if (!s.ok()) return s;
      }
      *out += "}";
      return absl::OkStatus();
    }
    if (field->is_repeated()) {
      if (!node.IsSequence()) return Error(node, path, "must be a list");
      *out += "[";
      for (size_t i = 0; i < node.size(); ++i) {
        if (i > 0) *out += ",";
        absl::Status s = Single(node[i], field, absl::StrCat(path, "[", i, "]"), out);
        if (!s.ok()) return s;
      }
      *out += "]";
      return absl::OkStatus();
    }
    return Single(node, field, path, out);
  }

  absl::Status Single(const YAML::Node& node, const FD* field, const std::string& path,
                      std::string* out) {
    if (field->type() == FD::TYPE_MESSAGE && !IsScalarMessage(field->message_type())) {
      return Message(node, field->message_type(), path, out);
    }
    if (!node.IsScalar()) return Error(node, path, "must be a single value");
    std::string value;
    if (absl::Status s = Substitute(node, path, node.Scalar(), &value); !s.ok()) return s;

    if (field->cpp_type() == FD::CPPTYPE_MESSAGE &&
        field->message_type()->full_name() == "google.protobuf.Duration") {
      // Written as people write durations (90s, 1.5h, 168h, 300ms).
      absl::Duration d;
      if (!absl::ParseDuration(value, &d) || d < absl::ZeroDuration()) {
        return Error(
            node, path,
            absl::StrCat("must be a duration such as 30s, 5m, 1.5h or 300ms, not '", value, "'"));
      }
      const int64_t seconds = absl::ToInt64Seconds(d);
      const int64_t nanos = absl::ToInt64Nanoseconds(d - absl::Seconds(seconds));
      *out += JsonQuote(absl::StrFormat("%d.%09ds", seconds, nanos));
      return absl::OkStatus();
    }
    switch (field->cpp_type()) {
      case FD::CPPTYPE_STRING:
      case FD::CPPTYPE_MESSAGE:  // Timestamp: protobuf's JSON parser checks it
        *out += JsonQuote(value);
        return absl::OkStatus();
      case FD::CPPTYPE_BOOL:
        if (value != "true" && value != "false") return Error(node, path, "must be true or false");
        *out += value;
        return absl::OkStatus();
      case FD::CPPTYPE_ENUM:
        return Enum(node, field->enum_type(), path, value, out);
      case FD::CPPTYPE_INT32:
      case FD::CPPTYPE_INT64: {
        int64_t n = 0;
        if (!absl::SimpleAtoi(value, &n) ||
            (field->cpp_type() == FD::CPPTYPE_INT32 && (n < INT32_MIN || n > INT32_MAX))) {
          return Error(node, path, absl::StrCat("must be an integer, not '", value, "'"));
        }
        break;
      }
      case FD::CPPTYPE_UINT32:
      case FD::CPPTYPE_UINT64: {
        uint64_t n = 0;
        if (!absl::SimpleAtoi(value, &n) ||
            (field->cpp_type() == FD::CPPTYPE_UINT32 && n > UINT32_MAX)) {
          return Error(node, path,
                       absl::StrCat("must be a non-negative integer, not '", value, "'"));
        }
        break;
      }
      case FD::CPPTYPE_FLOAT:
      case FD::CPPTYPE_DOUBLE: {
        double d = 0;
        if (!absl::SimpleAtod(value, &d)) {
          return Error(node, path, absl::StrCat("must be a number, not '", value, "'"));
        }
        break;
      }
    }
    // Proto3 JSON accepts numbers as strings, which keeps 64-bit values exact.
    *out += JsonQuote(value);
    return absl::OkStatus();
  }

  absl::Status Enum(const YAML::Node& node, const pb::EnumDescriptor* e, const std::string& path,
                    const std::string& value, std::string* out) {
    // Short names drop the common prefix: LOG_FORMAT_JSON may be written json.
    const std::string prefix = ShortNamePrefix(e);
    std::vector<std::string> allowed;
    for (int i = 0; i < e->value_count(); ++i) {
      const pb::EnumValueDescriptor* v = e->value(i);
      if (v->number() == 0) continue;  // UNSPECIFIED is what leaving the key out means
      std::string short_name = absl::AsciiStrToLower(v->name().substr(prefix.size()));
      if (value == v->name() || absl::AsciiStrToLower(value) == short_name) {
        *out += JsonQuote(v->name());
        return absl::OkStatus();
      }
      allowed.push_back(std::move(short_name));
    }
    return Error(
        node, path,
        absl::StrCat("unknown value '", value, "' (allowed: ", absl::StrJoin(allowed, ", "), ")"));
  }

  static std::string ShortNamePrefix(const pb::EnumDescriptor* e) {
    // ENUM_VALUE_PREFIX lint: values start with the enum's UPPER_SNAKE name.
    std::string prefix;
    for (char c : e->name()) {
      if (absl::ascii_isupper(c) && !prefix.empty()) prefix += '_';
      prefix += absl::ascii_toupper(c);
    }
    prefix += '_';
    for (int i = 0; i < e->value_count(); ++i) {
      if (!absl::StartsWith(e->value(i)->name(), prefix)) return "";
    }
    return prefix;
  }

  static bool IsScalarMessage(const pb::Descriptor* d) {
    return d->full_name() == "google.protobuf.Duration" ||
           d->full_name() == "google.protobuf.Timestamp";
  }

  absl::Status Substitute(const YAML::Node& node, const std::string& path, const std::string& in,
                          std::string* out) {
    absl::StatusOr<std::string> expanded = ExpandEnv(in, env_);
    if (!expanded.ok()) return Error(node, path, std::string(expanded.status().message()));
    *out = std::move(*expanded);
    return absl::OkStatus();
  }

  std::string source_;
  const EnvLookup& env_;
};

// Fields marked required must be present (messages) or non-default (scalars).
// A missing optional message is not descended into.
void CheckRequired(const pb::Message& m, const std::string& path,
                   std::vector<std::string>* missing) {
  const pb::Descriptor* d = m.GetDescriptor();
  const pb::Reflection* r = m.GetReflection();
  for (int i = 0; i < d->field_count(); ++i) {
    const FD* f = d->field(i);
    const std::string field_path = path.empty() ? f->name() : absl::StrCat(path, ".", f->name());
    const bool present = f->is_repeated() ? r->FieldSize(m, f) > 0 : r->HasField(m, f);
    const bool required = f->options().HasExtension(olifantenpad::config::v1::field) &&
                          f->options().GetExtension(olifantenpad::config::v1::field).required();
    if (required && !present) missing->push_back(field_path);
    if (f->type() != FD::TYPE_MESSAGE || f->is_map() || !present) continue;
    if (!f->is_repeated()) {
      CheckRequired(r->GetMessage(m, f), field_path, missing);
      continue;
    }
    for (int k = 0; k < r->FieldSize(m, f); ++k) {
      CheckRequired(r->GetRepeatedMessage(m, f, k), absl::StrCat(field_path, "[", k, "]"), missing);
    }
  }
}

}  // namespace

EnvLookup ProcessEnv() {
  return [](absl::string_view name) -> std::optional<std::string> {
    const char* v = std::getenv(std::string(name).c_str());
    if (v == nullptr) return std::nullopt;
    return std::string(v);
  };
}

absl::Status LoadYaml(absl::string_view yaml, absl::string_view source, pb::Message* out,
                      const EnvLookup& env) {
  out->Clear();
  YAML::Node root;
  try {
    root = YAML::Load(std::string(yaml));
  } catch (const YAML::Exception& e) {
    return absl::InvalidArgumentError(
        absl::StrCat(source, ":", e.mark.line + 1, ": not valid YAML: ", e.msg));
  }
  Converter converter(source, env);
  std::string json;
  try {
    if (absl::Status s = converter.Message(root, out->GetDescriptor(), "", &json); !s.ok()) {
      return s;
    }
  } catch (const YAML::Exception& e) {  // e.g. a key that is a list, not a name
    return absl::InvalidArgumentError(
        absl::StrCat(source, ":", e.mark.line + 1, ": not a config value: ", e.msg));
  }

  pb::util::JsonParseOptions options;
  options.ignore_unknown_fields = false;
  if (auto s = pb::util::JsonStringToMessage(json, out, options); !s.ok()) {
    out->Clear();
    return absl::InvalidArgumentError(absl::StrCat(source, ": ", s.message().as_string()));
  }
  std::vector<std::string> missing;
  CheckRequired(*out, "", &missing);
  if (!missing.empty()) {
    out->Clear();
    return absl::InvalidArgumentError(absl::StrCat(source, ": missing required ",
                                                   missing.size() == 1 ? "key " : "keys ",
                                                   absl::StrJoin(missing, ", ")));
  }
  return absl::OkStatus();
}

absl::Status LoadFile(const std::string& path, pb::Message* out, const EnvLookup& env) {
  std::ifstream in(path);
  if (!in) return absl::NotFoundError(absl::StrCat("config file ", path, ": cannot be read"));
  std::stringstream buffer;
  buffer << in.rdbuf();
  return LoadYaml(buffer.str(), path, out, env);
}

}  // namespace olif::config
