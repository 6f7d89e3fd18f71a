#include "services/common/metrics/metrics.h"

#include <gtest/gtest.h>
#include <httplib.h>

#include <thread>

#include "services/common/metrics/http_endpoint.h"

namespace olif::metrics {
namespace {

TEST(MetricsTest, RendersCountersAndGaugesWithLabels) {
  Registry r;
  r.GetCounter("calls_total", "Calls.", {{"method", "/a.B/C"}, {"code", "OK"}}).Inc();
  r.GetCounter("calls_total", "Calls.", {{"method", "/a.B/C"}, {"code", "OK"}}).Inc(2);
  r.GetGauge("depth", "Queue depth.").Set(7);
  const std::string text = r.Render();
  EXPECT_NE(text.find("# HELP calls_total Calls.\n# TYPE calls_total counter\n"),
            std::string::npos);
  EXPECT_NE(text.find("calls_total{method=\"/a.B/C\",code=\"OK\"} 3\n"), std::string::npos) << text;
  EXPECT_NE(text.find("# TYPE depth gauge\ndepth 7\n"), std::string::npos) << text;
}

TEST(MetricsTest, HistogramBucketsAreCumulative) {
  Registry r;
  Histogram& h = r.GetHistogram("lat_seconds", "Latency.", {{"m", "x"}}, {0.1, 1});
  h.Observe(0.05);
  h.Observe(0.1);  // on the bound: counts in that bucket (le)
  h.Observe(0.5);
  h.Observe(3);
  const std::string text = r.Render();
  EXPECT_NE(text.find("lat_seconds_bucket{m=\"x\",le=\"0.10000000000000001\"} 2\n"),
            std::string::npos)
      << text;
  EXPECT_NE(text.find("lat_seconds_bucket{m=\"x\",le=\"1\"} 3\n"), std::string::npos) << text;
  EXPECT_NE(text.find("lat_seconds_bucket{m=\"x\",le=\"+Inf\"} 4\n"), std::string::npos) << text;
  EXPECT_NE(text.find("lat_seconds_count{m=\"x\"} 4\n"), std::string::npos) << text;
  EXPECT_NE(text.find("lat_seconds_sum{m=\"x\"} 3.6499999999999999\n"), std::string::npos) << text;
}

TEST(MetricsTest, LabelValuesAreEscaped) {
  EXPECT_EQ(RenderLabels({{"why", "a \"quoted\"\nline\\"}}),
            "{why=\"a \\\"quoted\\\"\\nline\\\\\"}");
  EXPECT_EQ(RenderLabels({}), "");
}

TEST(MetricsTest, CollectorsRunBeforeRender) {
  Registry r;
  int runs = 0;
  r.AddCollector([&](Registry& reg) { reg.GetGauge("runs", "Renders.").Set(++runs); });
  r.Render();
  EXPECT_NE(r.Render().find("runs 2\n"), std::string::npos);
}

TEST(MetricsTest, ConcurrentIncrementsAreNotLost) {
  Registry r;
  std::vector<std::thread> threads;
  for (int t = 0; t < 4; ++t) {
    threads.emplace_back([&] {
      for (int i = 0; i < 10000; ++i) r.GetCounter("n_total", "N.").Inc();
    });
  }
  for (auto& t : threads) t.join();
  EXPECT_EQ(r.GetCounter("n_total", "N.").value(), 40000);
}

TEST(HttpEndpointTest, ServesMetricsAndHealth) {
  Registry r;
  r.GetCounter("served_total", "Served.").Inc();
  bool healthy = true;
  HttpEndpoint endpoint(r, [&] { return healthy; });
  absl::StatusOr<int> port = endpoint.Start("127.0.0.1:0");
  ASSERT_TRUE(port.ok()) << port.status();
  httplib::Client client("127.0.0.1", *port);
  auto metrics = client.Get("/metrics");
  ASSERT_TRUE(metrics);
  EXPECT_EQ(metrics->status, 200);
  EXPECT_NE(metrics->body.find("served_total 1\n"), std::string::npos);
  auto health = client.Get("/healthz");
  ASSERT_TRUE(health);
  EXPECT_EQ(health->status, 200);
  healthy = false;
  health = client.Get("/healthz");
  ASSERT_TRUE(health);
  EXPECT_EQ(health->status, 503);
  endpoint.Stop();
}

TEST(HttpEndpointTest, ReportsAddressInUse) {
  Registry r;
  HttpEndpoint first(r, [] { return true; });
  absl::StatusOr<int> port = first.Start("127.0.0.1:0");
  ASSERT_TRUE(port.ok());
  HttpEndpoint second(r, [] { return true; });
  absl::StatusOr<int> clash = second.Start("127.0.0.1:" + std::to_string(*port));
  EXPECT_EQ(clash.status().code(), absl::StatusCode::kUnavailable);
}

}  // namespace
}  // namespace olif::metrics
