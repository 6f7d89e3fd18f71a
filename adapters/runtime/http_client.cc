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

HttpResponse Exchange(const HttpClientOptions& options, const HttpRequest& request) {
  GlobalInit();
  HttpResponse response;
  // One handle per thread, kept: its connections stay open between
  // exchanges (keep-alive, and no second TLS handshake), which a new handle
  // per message would pay for every time. Reset clears every option.
  thread_local std::unique_ptr<CURL, decltype(&curl_easy_cleanup)> curl(curl_easy_init(),
                                                                        curl_easy_cleanup);
  if (!curl) {
    response.transport_error = "curl_easy_init failed";
    return response;
  }
  CURL* h = curl.get();
  curl_easy_reset(h);
  struct curl_slist* headers = nullptr;
  headers =
      curl_slist_append(headers, absl::StrCat("Content-Type: ", options.content_type).c_str());
  headers = curl_slist_append(headers, absl::StrCat("Accept: ", options.content_type).c_str());
  // No "Expect: 100-continue" round trip before larger bodies.
  headers = curl_slist_append(headers, "Expect:");
  for (const auto& list : {options.headers, request.headers}) {
    for (const auto& [name, value] : list) {
      headers = curl_slist_append(headers, absl::StrCat(name, ": ", value).c_str());
    }
  }
  std::unique_ptr<curl_slist, decltype(&curl_slist_free_all)> header_list(headers,
                                                                          curl_slist_free_all);
  char error[CURL_ERROR_SIZE] = {0};
  curl_easy_setopt(h, CURLOPT_URL, request.url.c_str());
  curl_easy_setopt(h, CURLOPT_CUSTOMREQUEST, request.method.c_str());
  curl_easy_setopt(h, CURLOPT_HTTPHEADER, header_list.get());
  if (request.method != "GET") {
    curl_easy_setopt(h, CURLOPT_POSTFIELDS, request.body.data());
    curl_easy_setopt(h, CURLOPT_POSTFIELDSIZE_LARGE, static_cast<curl_off_t>(request.body.size()));
  }
  curl_easy_setopt(h, CURLOPT_WRITEFUNCTION, Collect);
  curl_easy_setopt(h, CURLOPT_WRITEDATA, &response.body);
  curl_easy_setopt(h, CURLOPT_ERRORBUFFER, error);
  curl_easy_setopt(h, CURLOPT_NOSIGNAL, 1L);
  curl_easy_setopt(h, CURLOPT_CONNECTTIMEOUT_MS,
                   static_cast<long>(absl::ToInt64Milliseconds(options.connect_timeout)));
  curl_easy_setopt(h, CURLOPT_TIMEOUT_MS,
                   static_cast<long>(absl::ToInt64Milliseconds(options.timeout)));
  curl_easy_setopt(h, CURLOPT_PROTOCOLS_STR, "http,https");
  if (!options.ca_file.empty()) curl_easy_setopt(h, CURLOPT_CAINFO, options.ca_file.c_str());
  if (!options.cert_file.empty()) {
    curl_easy_setopt(h, CURLOPT_SSLCERT, options.cert_file.c_str());
    curl_easy_setopt(h, CURLOPT_SSLKEY, options.key_file.c_str());
  }
  const CURLcode rc = curl_easy_perform(h);
  if (rc == CURLE_OK) {
    curl_easy_getinfo(h, CURLINFO_RESPONSE_CODE, &response.status);
  } else {
    response.transport_error =
        absl::StrCat(curl_easy_strerror(rc), error[0] != 0 ? ": " : "", error);
  }
  return response;
}

SendResult SendBody(const HttpClientOptions& options, std::string body,
                    const std::string& event_id) {
  HttpRequest request{.method = options.method,
                      .url = options.url,
                      .body = std::move(body),
                      .headers = {{options.idempotency_header, event_id}}};
  HttpResponse r = Exchange(options, request);
  SendResult result = Classify(r.status, r.body, r.transport_error, options.max_error_body);
  result.sent = std::move(request.body);
  result.response = std::move(r.body);
  return result;
}

SendResult HttpClientConnector::Send(const Delivery& delivery) {
  return SendBody(options_, delivery.payload, delivery.event_id);
}

absl::Status ValidateBaseUrl(const std::string& url, const std::string& field, bool dev_mode) {
  if (url.rfind("https://", 0) != 0 && !(dev_mode && url.rfind("http://", 0) == 0)) {
    return absl::InvalidArgumentError(absl::StrCat(
        field, ": '", url, "' must be an https:// URL (plain http:// only in dev mode)"));
  }
  if (url.back() == '/')
    return absl::InvalidArgumentError(absl::StrCat(field, ": must not end in '/'"));
  return absl::OkStatus();
}

absl::Status ApplyTlsConfig(const olifantenpad::config::v1::HttpClientTlsConfig& tls,
                            const std::string& field, HttpClientOptions& options) {
  if (tls.cert_file().empty() != tls.key_file().empty()) {
    return absl::InvalidArgumentError(
        absl::StrCat(field, ": cert_file and key_file go together (both or neither)"));
  }
  options.ca_file = tls.ca_file();
  options.cert_file = tls.cert_file();
  options.key_file = tls.key_file();
  return absl::OkStatus();
}

}  // namespace olif::adapters
