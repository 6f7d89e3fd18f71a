#include "services/handover/form_content.h"

#include <google/protobuf/util/message_differencer.h>

#include <set>

#include "absl/strings/str_cat.h"
#include "services/common/records/records.h"

namespace olif::handover {
namespace {

using google::protobuf::util::MessageDifferencer;

// Collects the path of every difference MessageDifferencer reports.
class PathCollector final : public MessageDifferencer::Reporter {
 public:
  using Path = std::vector<MessageDifferencer::SpecificField>;
  void ReportAdded(const google::protobuf::Message&, const google::protobuf::Message&,
                   const Path& path) override {
    Add(path);
  }
  void ReportDeleted(const google::protobuf::Message&, const google::protobuf::Message&,
                     const Path& path) override {
    Add(path);
  }
  void ReportModified(const google::protobuf::Message&, const google::protobuf::Message&,
                      const Path& path) override {
    Add(path);
  }
  // The leaves only: "development[0]" goes when "development[0].strengths"
  // says more.
  std::vector<std::string> paths() const {
    std::vector<std::string> out;
    for (auto it = paths_.begin(); it != paths_.end(); ++it) {
      auto next = std::next(it);
      const bool has_deeper = next != paths_.end() && next->size() > it->size() &&
                              next->compare(0, it->size(), *it) == 0 &&
                              ((*next)[it->size()] == '.' || (*next)[it->size()] == '[');
      if (!has_deeper) out.push_back(*it);
    }
    return out;
  }

 private:
  void Add(const Path& path) {
    std::string p;
    for (const MessageDifferencer::SpecificField& f : path) {
      if (f.field == nullptr) continue;
      if (!p.empty()) p += ".";
      p += f.field->name();
      const int index = f.index >= 0 ? f.index : f.new_index;
      if (f.field->is_repeated() && index >= 0) absl::StrAppend(&p, "[", index, "]");
    }
    paths_.insert(std::move(p));
  }
  std::set<std::string> paths_;
};

}  // namespace

v1::HandoverForm ContentOf(const v1::HandoverForm& form) {
  v1::HandoverForm content = form;
  records::ClearOutputOnly(content);
  return content;
}

std::string ContentFingerprintOf(const v1::HandoverForm& form) {
  return records::ContentFingerprint(records::DeterministicBytes(ContentOf(form)));
}

void ApplyContent(const v1::HandoverForm& content, v1::HandoverForm& stored) {
  *stored.mutable_child() = content.child();
  *stored.mutable_guardians() = content.guardians();
  *stored.mutable_sender() = content.sender();
  *stored.mutable_receiver() = content.receiver();
  *stored.mutable_attendance() = content.attendance();
  *stored.mutable_ve() = content.ve();
  *stored.mutable_development() = content.development();
  stored.set_particulars(content.particulars());
  stored.set_approach_that_works(content.approach_that_works());
  *stored.mutable_professionals() = content.professionals();
  stored.set_concerns(content.concerns());
}

std::vector<std::string> ChangedPaths(const v1::HandoverForm& before,
                                      const v1::HandoverForm& after) {
  PathCollector collector;
  MessageDifferencer differencer;
  differencer.ReportDifferencesTo(&collector);
  differencer.Compare(ContentOf(before), ContentOf(after));
  return collector.paths();
}

}  // namespace olif::handover
