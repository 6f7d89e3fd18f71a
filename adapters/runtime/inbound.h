#pragma once

// What comes in from an external system through an inbound connector (the
// HTTP server for webhooks, the watched folder), and what the adapter says
// about it.

#include <string>

#include "absl/status/status.h"

namespace olif::adapters {

struct InboundMessage {
  std::string source;        // the connector's name, e.g. "webhook" or "folder"
  std::string name;          // the request path, or the file's name
  std::string content_type;  // when the transport says
  std::string body;
  // The file on disk when the connector hands over the path instead of the
  // body (a watched folder with read_body off): the handler reads it itself,
  // in bounded memory.
  std::string path;
  // The file name the sender gave (Content-Disposition: attachment;
  // filename=...), when it gave one.
  std::string file_name;
  std::string peer;  // who sent it: address, client certificate subject, file owner
};

class InboundHandler {
 public:
  virtual ~InboundHandler() = default;
  // OK: accepted (and durably recorded). INVALID_ARGUMENT or
  // FAILED_PRECONDITION: refused for good, the message says why (HTTP 400, a
  // quarantined file). Anything else: cannot be taken now, try again later
  // (HTTP 503, the file stays for the next scan).
  virtual absl::Status Handle(const InboundMessage& message) = 0;
};

}  // namespace olif::adapters
