#include "adapters/runtime/http_client.h"

#include <curl/curl.h>

#include <memory>
#include <mutex>

#include "absl/strings/str_cat.h"

namespace olif::adapters {
namespace {

size_t Collect(char* data, size_t size, size_t n, void* out) {
  static_cast<std::string*>(out)->append(data, size * n);
  return size * n;
}

void GlobalInit() {
  static std::once_flag once;
  std::call_once(once, [] { curl_global_init(CURL_GLOBAL_DEFAULT); });
}

}  // namespace

SendResult Classify(long status, const std::string& body, const std::string& transport_error,
                    size_t max_error_body) {
  if (status == 0) return {.ok = false, .retryable = true, .detail = transport_error};
  std::string detail = absl::StrCat("HTTP ", status);
  if (status >= 200 && status < 300) return {.ok = true, .retryable = false, .detail = detail};
  if (!body.empty()) absl::StrAppend(&detail, ": ", body.substr(0, max_error_body));
  const bool retryable = status == 408 || status == 429 || status >= 500 || status < 400;
  return {.ok = false, .retryable = retryable, .detail = detail};
}

HttpClientConnector::HttpClientConnector(HttpClientOptions options) : options_(std::move(options)) {
  GlobalInit();
}

SendResult HttpClientConnector::Send(const Delivery& delivery) {
  std::unique_ptr<CURL, decltype(&curl_easy_cleanup)> curl(curl_easy_init(), curl_easy_cleanup);
  if (!curl) return {.ok = false, .retryable = true, .detail = "curl_easy_init failed"};
  CURL* h = curl.get();
  struct curl_slist* headers = nullptr;
  headers =
      curl_slist_append(headers, absl::StrCat("Content-Type: ", options_.content_type).c_str());
  headers = curl_slist_append(
      headers, absl::StrCat(options_.idempotency_header, ": ", delivery.event_id).c_str());
  for (const auto& [name, value] : options_.headers) {
    headers = curl_slist_append(headers, absl::StrCat(name, ": ", value).c_str());
  }
  std::unique_ptr<curl_slist, decltype(&curl_slist_free_all)> header_list(headers,
                                                                          curl_slist_free_all);
  std::string body;
  char error[CURL_ERROR_SIZE] = {0};
  curl_easy_setopt(h, CURLOPT_URL, options_.url.c_str());
  curl_easy_setopt(h, CURLOPT_CUSTOMREQUEST, options_.method.c_str());
  curl_easy_setopt(h, CURLOPT_HTTPHEADER, header_list.get());
  curl_easy_setopt(h, CURLOPT_POSTFIELDS, delivery.payload.data());
  curl_easy_setopt(h, CURLOPT_POSTFIELDSIZE_LARGE,
                   static_cast<curl_off_t>(delivery.payload.size()));
  curl_easy_setopt(h, CURLOPT_WRITEFUNCTION, Collect);
  curl_easy_setopt(h, CURLOPT_WRITEDATA, &body);
  curl_easy_setopt(h, CURLOPT_ERRORBUFFER, error);
  curl_easy_setopt(h, CURLOPT_NOSIGNAL, 1L);
  curl_easy_setopt(h, CURLOPT_CONNECTTIMEOUT_MS,
                   static_cast<long>(absl::ToInt64Milliseconds(options_.connect_timeout)));
  curl_easy_setopt(h, CURLOPT_TIMEOUT_MS,
                   static_cast<long>(absl::ToInt64Milliseconds(options_.timeout)));
  curl_easy_setopt(h, CURLOPT_PROTOCOLS_STR, "http,https");
  if (!options_.ca_file.empty()) curl_easy_setopt(h, CURLOPT_CAINFO, options_.ca_file.c_str());
  if (!options_.cert_file.empty()) {
    curl_easy_setopt(h, CURLOPT_SSLCERT, options_.cert_file.c_str());
    curl_easy_setopt(h, CURLOPT_SSLKEY, options_.key_file.c_str());
  }
  const CURLcode rc = curl_easy_perform(h);
  long status = 0;
  if (rc == CURLE_OK) curl_easy_getinfo(h, CURLINFO_RESPONSE_CODE, &status);
  const std::string transport =
      rc == CURLE_OK ? "" : absl::StrCat(curl_easy_strerror(rc), error[0] != 0 ? ": " : "", error);
  return Classify(status, body, transport, options_.max_error_body);
}

}  // namespace olif::adapters
