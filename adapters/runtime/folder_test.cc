#include "adapters/runtime/folder.h"

#include <gtest/gtest.h>

#include <filesystem>
#include <fstream>
#include <sstream>

#include "services/common/testing/testing.h"

namespace olif::adapters {
namespace {

namespace fs = std::filesystem;

// Accepts JSON-looking files, refuses the rest with a place, or is "down".
class Handler : public InboundHandler {
 public:
  absl::Status Handle(const InboundMessage& m) override {
    seen.push_back(m.name);
    if (down) return absl::UnavailableError("the referrals service is not reachable");
    if (m.body.empty() || m.body[0] != '{') {
      return absl::InvalidArgumentError("line 1: expected a JSON object, found '" +
                                        m.body.substr(0, 5) + "'");
    }
    bodies.push_back(m.body);
    return absl::OkStatus();
  }
  bool down = false;
  std::vector<std::string> seen;
  std::vector<std::string> bodies;
};

std::string Read(const fs::path& p) {
  std::ifstream in(p);
  std::ostringstream s;
  s << in.rdbuf();
  return s.str();
}

class FolderTest : public testing::Test {
 protected:
  void SetUp() override {
    root_ = testing_util::FreshTestDir("folder").string();
    folder_ = std::make_unique<FolderConnector>(FolderOptions{.root = root_, .max_size = 100},
                                                handler_, registry_, clock_);
    ASSERT_TRUE(folder_->Prepare().ok());
  }
  // Drops a file the proper way: written beside the inbox, renamed into it.
  void Drop(const std::string& name, const std::string& body) {
    const std::string tmp = root_ + "/" + name + ".tmp";
    std::ofstream(tmp) << body;
    fs::rename(tmp, folder_->inbox() + "/" + name);
  }
  std::vector<std::string> In(const std::string& dir) {
    std::vector<std::string> names;
    for (const auto& e : fs::directory_iterator(dir)) names.push_back(e.path().filename());
    std::sort(names.begin(), names.end());
    return names;
  }

  std::string root_;
  Handler handler_;
  metrics::Registry registry_;
  FakeClock clock_{absl::FromUnixSeconds(1'795'000'000)};
  std::unique_ptr<FolderConnector> folder_;
};

TEST_F(FolderTest, AcceptedFilesAreArchivedAndRefusedOnesQuarantinedWithAReport) {
  Drop("a.json", R"({"kind":"anonymous"})");
  Drop("b.json", "name;bsn\nDaan;123");
  ASSERT_EQ(*folder_->ScanOnce(), 2);
  EXPECT_EQ(handler_.bodies, std::vector<std::string>{R"({"kind":"anonymous"})"});
  EXPECT_TRUE(In(folder_->inbox()).empty());
  EXPECT_TRUE(In(folder_->processing()).empty());
  EXPECT_EQ(In(folder_->archive()), std::vector<std::string>{"a.json"});
  EXPECT_EQ(In(folder_->quarantine()), (std::vector<std::string>{"b.json", "b.json.error.txt"}));
  const std::string report = Read(folder_->quarantine() + "/b.json.error.txt");
  EXPECT_NE(report.find("why: line 1: expected a JSON object"), std::string::npos) << report;
  EXPECT_NE(report.find("picked up from: " + folder_->inbox()), std::string::npos) << report;
  EXPECT_NE(report.find("quarantined at: 2026-11-18T"), std::string::npos) << report;
  EXPECT_EQ(*folder_->ScanOnce(), 0);
}

TEST_F(FolderTest, PartialAndHiddenFilesAreLeftAlone) {
  std::ofstream(folder_->inbox() + "/c.json.part") << "{";
  std::ofstream(folder_->inbox() + "/.d.json") << "{}";
  std::ofstream(folder_->inbox() + "/e.tmp") << "{}";
  EXPECT_EQ(*folder_->ScanOnce(), 0);
  EXPECT_TRUE(handler_.seen.empty());
  EXPECT_EQ(In(folder_->inbox()).size(), 3u);
}

TEST_F(FolderTest, WhenTheHandlerIsDownTheFileWaitsAndGoesFirstLater) {
  Drop("a.json", "{}");
  handler_.down = true;
  EXPECT_EQ(*folder_->ScanOnce(), 0);
  EXPECT_EQ(In(folder_->processing()), std::vector<std::string>{"a.json"});
  Drop("b.json", "{}");
  handler_.down = false;
  EXPECT_EQ(*folder_->ScanOnce(), 2);
  EXPECT_EQ(handler_.seen, (std::vector<std::string>{"a.json", "a.json", "b.json"}));
  EXPECT_EQ(In(folder_->archive()), (std::vector<std::string>{"a.json", "b.json"}));
}

TEST_F(FolderTest, ArchivedNamesAreNeverOverwrittenAndBigFilesNotRead) {
  Drop("a.json", R"({"n":1})");
  ASSERT_EQ(*folder_->ScanOnce(), 1);
  Drop("a.json", R"({"n":2})");
  ASSERT_EQ(*folder_->ScanOnce(), 1);
  EXPECT_EQ(In(folder_->archive()), (std::vector<std::string>{"a.json", "a.json.1"}));
  EXPECT_EQ(Read(folder_->archive() + "/a.json"), R"({"n":1})");
  Drop("big.json", "{" + std::string(200, ' ') + "}");
  ASSERT_EQ(*folder_->ScanOnce(), 1);
  EXPECT_EQ(handler_.seen.back(), "a.json") << "the big file never reached the handler";
  EXPECT_NE(Read(folder_->quarantine() + "/big.json.error.txt").find("more than the 100"),
            std::string::npos);
}

TEST_F(FolderTest, AFileLeftInProcessingByACrashIsTakenAgain) {
  std::ofstream(folder_->processing() + "/left.json") << "{}";
  EXPECT_EQ(*folder_->ScanOnce(), 1);
  EXPECT_EQ(In(folder_->archive()), std::vector<std::string>{"left.json"});
}

TEST_F(FolderTest, AnUnusableRootIsNamed) {
  std::ofstream(root_ + "/blocked") << "a file where a folder should be";
  FolderConnector bad({.root = root_ + "/blocked"}, handler_, registry_, clock_);
  const absl::Status s = bad.Prepare();
  EXPECT_EQ(s.code(), absl::StatusCode::kFailedPrecondition);
  EXPECT_NE(s.message().find(root_ + "/blocked/inbox"), std::string::npos) << s;
}

}  // namespace
}  // namespace olif::adapters

namespace olif::adapters {
namespace {

TEST(FolderOptionsFromConfigTest, TakesTheRootAndTheSizeLimit) {
  olifantenpad::config::v1::FolderConfig f;
  f.set_root("/srv/exports");
  auto o = FolderOptionsFromConfig(f, "childcare.folder", "exports");
  ASSERT_TRUE(o.ok());
  EXPECT_EQ(o->root, "/srv/exports");
  EXPECT_EQ(o->name, "exports");
  EXPECT_EQ(o->max_size, FolderOptions{}.max_size);
  f.set_max_size_bytes(1024);
  EXPECT_EQ(FolderOptionsFromConfig(f, "childcare.folder", "exports")->max_size, 1024u);
  f.set_max_size_bytes(-5);
  EXPECT_EQ(FolderOptionsFromConfig(f, "childcare.folder", "exports").status().message(),
            "childcare.folder.max_size_bytes: must not be negative");
}

// A handler that reads the file itself (a large export, streamed).
class PathHandler : public InboundHandler {
 public:
  absl::Status Handle(const InboundMessage& m) override {
    body_was_empty = m.body.empty();
    content = Read(m.path);
    return absl::OkStatus();
  }
  bool body_was_empty = false;
  std::string content;
};

TEST_F(FolderTest, WithoutReadingTheBodyTheHandlerGetsThePathOfTheClaimedFile) {
  PathHandler handler;
  FolderConnector folder(FolderOptions{.root = root_, .max_size = 100, .read_body = false}, handler,
                         registry_, clock_);
  Drop("big.csv", "a;b\r\n1;2\r\n");
  ASSERT_EQ(*folder.ScanOnce(), 1);
  EXPECT_TRUE(handler.body_was_empty);
  EXPECT_EQ(handler.content, "a;b\r\n1;2\r\n");
  EXPECT_EQ(In(folder.archive()), std::vector<std::string>{"big.csv"});
}

TEST(OutboxFolderConnectorTest, WritesEachMessageOnceAsAFileNamedByItsEvent) {
  const std::string dir = (testing_util::FreshTestDir("outbox") / "out").string();
  OutboxFolderConnector outbox(dir);  // the folder is made when missing
  Delivery d;
  d.event_id = "0190a1b2-c3d4-7e5f-8a9b-0c1d2e3f4a5b";
  d.payload = R"({"notification":"request_accepted"})";
  SendResult r = outbox.Send(d);
  ASSERT_TRUE(r.ok) << r.detail;
  EXPECT_EQ(Read(dir + "/" + d.event_id + ".json"), d.payload);
  ASSERT_TRUE(outbox.Send(d).ok);  // again: the same file, no second one
  std::vector<std::string> names;
  for (const auto& e : fs::directory_iterator(dir)) names.push_back(e.path().filename());
  EXPECT_EQ(names, std::vector<std::string>{d.event_id + ".json"});
  d.event_id = "../escape";
  r = outbox.Send(d);
  EXPECT_FALSE(r.ok);
  EXPECT_FALSE(r.retryable);
}

TEST(OutboxFolderConnectorTest, AFolderThatCannotBeWrittenIsTriedAgain) {
  const fs::path base = testing_util::FreshTestDir("outbox");
  std::ofstream(base / "file") << "x";  // a file where the folder should be
  OutboxFolderConnector outbox((base / "file").string());
  Delivery d;
  d.event_id = "e1";
  d.payload = "{}";
  SendResult r = outbox.Send(d);
  EXPECT_FALSE(r.ok);
  EXPECT_TRUE(r.retryable);
  EXPECT_NE(r.detail.find("cannot write"), std::string::npos) << r.detail;
}

}  // namespace
}  // namespace olif::adapters
