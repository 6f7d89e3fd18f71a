// olif-bus-tail: follows a producer's events on the bus and prints each one as
// a JSON line, as a durable consumer with its own cursor: stopped and started
// again, it goes on where it was. For operators and tests.
//
//   olif-bus-tail --endpoint tcp://127.0.0.1:7402 --producer referrals
//                 --consumer bus-tail --db var/bus-tail.db [--topics t1,t2]
//
// A line is printed inside the transaction that records the event, so after a
// crash at the wrong moment one line may be printed again; never lost.

#include <signal.h>

#include <cstdio>
#include <map>
#include <string>

#include <google/protobuf/util/json_util.h>

#include "absl/strings/str_split.h"
#include "olifantenpad/consent/v1/events.pb.h"
#include "olifantenpad/referrals/v1/events.pb.h"
#include "services/common/bus/consumer.h"
#include "services/common/logging/logging.h"

namespace {

class Printer : public olif::bus::EventHandler {
 public:
  absl::Status Apply(olif::sqlite::Database&,
                     const olifantenpad::common::v1::EventEnvelope& e) override {
    std::string json;
    google::protobuf::util::JsonPrintOptions options;
    options.preserve_proto_field_names = true;
    if (auto s = google::protobuf::util::MessageToJsonString(e, &json, options); !s.ok()) {
      return absl::InternalError("event " + e.event_id() +
                                 " has a payload of an unknown type: " + s.message().as_string());
    }
    std::fprintf(stdout, "%s\n", json.c_str());
    std::fflush(stdout);
    return absl::OkStatus();
  }
};

constexpr char kUsage[] =
    "usage: olif-bus-tail --endpoint tcp://HOST:PORT --producer NAME --consumer NAME --db FILE "
    "[--topics T1,T2]\n";

}  // namespace

// Every event type the hub publishes, so that its payload prints as JSON (a
// type is known to the JSON printer only when its code is linked in).
void LinkEventTypes() {
  (void)olifantenpad::referrals::v1::RequestSubmitted::descriptor();
  (void)olifantenpad::consent::v1::ConsentGranted::descriptor();
}

int main(int argc, char** argv) {
  LinkEventTypes();
  sigset_t set;
  sigemptyset(&set);
  sigaddset(&set, SIGTERM);
  sigaddset(&set, SIGINT);
  pthread_sigmask(SIG_BLOCK, &set, nullptr);  // before any thread starts

  std::map<std::string, std::string> flags;
  for (int i = 1; i < argc; ++i) {
    const std::string arg = argv[i];
    if (arg == "--help" || arg == "-h") {
      std::fputs(kUsage, stdout);
      return 0;
    }
    if (i + 1 >= argc || arg.rfind("--", 0) != 0) {
      std::fprintf(stderr, "olif-bus-tail: unexpected '%s'\n%s", arg.c_str(), kUsage);
      return 2;
    }
    flags[arg] = argv[++i];
  }
  for (const char* required : {"--endpoint", "--producer", "--consumer", "--db"}) {
    if (flags[required].empty()) {
      std::fprintf(stderr, "olif-bus-tail: %s is required\n%s", required, kUsage);
      return 2;
    }
  }
  olif::log::Init("bus-tail", {});
  auto db = olif::sqlite::Database::Open(flags["--db"], {});
  if (!db.ok()) {
    std::fprintf(stderr, "olif-bus-tail: %s\n", std::string(db.status().message()).c_str());
    return 1;
  }
  olif::sqlite::Writer writer(std::move(*db));
  olif::metrics::Registry registry;
  Printer printer;
  olif::bus::ConsumerOptions options{.name = flags["--consumer"],
                                     .producer = flags["--producer"],
                                     .endpoint = flags["--endpoint"]};
  if (!flags["--topics"].empty()) options.topics = absl::StrSplit(flags["--topics"], ',');
  olif::bus::Consumer consumer(std::move(options), writer, printer, registry);
  if (absl::Status s = consumer.Start(); !s.ok()) {
    std::fprintf(stderr, "olif-bus-tail: %s\n", std::string(s.message()).c_str());
    return 1;
  }
  int sig = 0;
  sigwait(&set, &sig);
  consumer.Stop();
  return 0;
}
