// Handover benchmark: prints one table, every figure from this run on this
// machine, each beside its floor and the ratio.
//
//   1. ImportForms: N forms (default 10 000) in one client stream over gRPC
//      on loopback, each validated and stored durably with its event and its
//      audit line; floor: raw SQLite appends of rows of the form's size
//      through the same Writer with as many in flight.
//   2. GetHandoverPdf's rendering of one full form (three development
//      areas; two pages); floor: a one-page PDF of the header alone (the
//      fixed cost of cairo, pango and fontconfig per document).
//
// usage: handover_bench [--forms N] [--dir DIR]

#include <cstdio>
#include <string>

#include "absl/strings/str_cat.h"
#include "absl/strings/str_format.h"
#include "services/common/clock/clock.h"
#include "services/common/grpc/server_runner.h"
#include "services/common/logging/logging.h"
#include "services/common/metrics/metrics.h"
#include "services/handover/example_forms.h"
#include "services/handover/form_sections.h"
#include "services/handover/handover_grpc.h"
#include "services/handover/handover_pdf.h"
#include "services/handover/sqlite_handover_store.h"
#include "tests/bench/bench_util.h"

namespace olif::handover {
namespace {

using bench::SteadyClock;

struct Fixture {
  explicit Fixture(const std::filesystem::path& dir)
      : store(*SqliteHandoverStore::Open((dir / "handover.db").string())),
        directory(*directory::Directory::Load(std::string(OLIF_SOURCE_DIR) +
                                              "/config/dev/directory.yaml")),
        service(*store, Clock::Real(), directory,
                *CodeLists::Load(std::string(OLIF_SOURCE_DIR) + "/config/oso_voorschools.yaml"),
                Settings{}),
        grpc(service),
        server(
            grpcx::ServerSettings{
                .process = "bench", .listen_address = "127.0.0.1:0", .dev_mode = true},
            metrics) {
    server.AddService(&grpc);
    if (!server.Start().ok()) std::abort();
  }
  ~Fixture() { server.Shutdown(); }
  std::unique_ptr<SqliteHandoverStore> store;
  directory::DirectoryHolder directory;
  HandoverService service;
  HandoverGrpcService grpc;
  metrics::Registry metrics;
  grpcx::ServerRunner server;
};

v1::ImportFormsRequest Form(int i) {
  v1::ImportFormsRequest r;
  r.set_request_id(absl::StrFormat("6b1a0000-0000-4000-8000-%012d", i));
  *r.mutable_form() = examples::VeChild(absl::StrFormat("3c2b0000-0000-4000-8000-%012d", i), "Kind",
                                        absl::StrCat("Nummer ", i));
  return r;
}

}  // namespace
}  // namespace olif::handover

int main(int argc, char** argv) {
  using namespace olif::handover;
  int forms = 10000;
  std::filesystem::path dir = std::filesystem::temp_directory_path() / "olif-bench-handover";
  for (int i = 1; i + 1 < argc; i += 2) {
    const std::string flag = argv[i];
    if (flag == "--forms") forms = std::atoi(argv[i + 1]);
    if (flag == "--dir") dir = argv[i + 1];
  }
  olifantenpad::config::v1::LoggingConfig quiet;
  quiet.set_level(olifantenpad::config::v1::LOG_LEVEL_ERROR);
  olif::log::Init("bench", quiet);

  std::printf("%-52s %12s %12s %8s\n", "figure", "value", "floor", "ratio");
  {
    const auto d = olif::bench::Fresh(dir, "import");
    Fixture f(d);
    auto stub = v1::HandoverService::NewStub(grpc::CreateChannel(
        absl::StrCat("127.0.0.1:", f.server.port()), grpc::InsecureChannelCredentials()));
    grpc::ClientContext context;
    v1::ImportFormsResponse response;
    const auto t0 = SteadyClock::now();
    auto writer = stub->ImportForms(&context, &response);
    for (int i = 0; i < forms; ++i) writer->Write(Form(i));
    writer->WritesDone();
    const grpc::Status s = writer->Finish();
    const double seconds = olif::bench::Seconds(SteadyClock::now() - t0);
    if (!s.ok() || response.created() != forms) {
      std::fprintf(stderr, "import failed: %s (%d created)\n", s.error_message().c_str(),
                   response.created());
      return 1;
    }
    const size_t bytes = f.store->Get(response.results(0).handover_id())->ByteSizeLong();
    const double raw = olif::bench::RawAppendRate(d, forms, Settings{}.import_in_flight, bytes);
    std::printf(
        "%-52s %10.0f/s %10.0f/s %8.2f\n",
        absl::StrCat("ImportForms, ", forms, " forms in one stream (raw append floor)").c_str(),
        forms / seconds, raw, forms / seconds / raw);
    std::printf("%-52s %11.2fs %12s %8s\n",
                absl::StrCat("  all ", forms, " stored with events").c_str(), seconds, "target 10s",
                seconds < 10 ? "met" : "missed");
  }
  {
    olif::directory::DirectoryHolder directory(*olif::directory::Directory::Load(
        std::string(OLIF_SOURCE_DIR) + "/config/dev/directory.yaml"));
    const CodeLists lists =
        *CodeLists::Load(std::string(OLIF_SOURCE_DIR) + "/config/oso_voorschools.yaml");
    absl::TimeZone zone;
    absl::LoadTimeZone("Europe/Amsterdam", &zone);
    v1::HandoverForm form = examples::VeChild("3c2b0000-0000-4000-8000-000000000001");
    form.mutable_sender()->set_organisation_id("org-kdv-de-boomgaard");
    const std::vector<Section> sections = SectionsOf(form, {*directory.Get(), lists, zone});
    size_t bytes = 0;
    const double full = olif::bench::MedianMs(30, [&] {
      auto pdf = RenderPdf({ChildName(form.child()), "Status: verstuurd"}, sections);
      if (!pdf.ok()) std::abort();
      bytes = pdf->size();
    });
    const double header = olif::bench::MedianMs(30, [&] {
      if (!RenderPdf({ChildName(form.child()), ""}, {}).ok()) std::abort();
    });
    std::printf("%-52s %10.2fms %10.2fms %8.2f\n", "PDF of one form (header-only PDF floor)", full,
                header, full / header);
    std::printf("%-52s %10.0fKB\n", "  its size", bytes / 1024.0);
  }
  return 0;
}
