#include "services/common/bus/curve.h"
#include "services/common/sync/mutex.h"

#include <atomic>
#include <thread>
#include <zmq.hpp>
#include <zmq_addon.hpp>

#include "absl/strings/str_cat.h"
#include "services/common/bus/context.h"
#include "services/common/bus/signal.h"
#include "services/common/logging/logging.h"

namespace olif::bus {
namespace {

class ZapHandler {
 public:
  static ZapHandler& Get() {
    static auto* handler = new ZapHandler();  // lives as long as the context
    return *handler;
  }

  absl::Status Allow(const std::string& domain, const std::set<std::string>& keys) {
    olif::MutexLock lock(&mu_);
    if (!thread_.joinable()) {
      // Bound here, before any CURVE socket binds, so no handshake goes unchecked.
      auto socket = std::make_shared<zmq::socket_t>(ProcessContext(), zmq::socket_type::rep);
      socket->set(zmq::sockopt::linger, 0);
      try {
        socket->bind("inproc://zeromq.zap.01");
      } catch (const zmq::error_t& e) {
        return absl::InternalError(absl::StrCat("cannot start the ZAP handler: ", e.what()));
      }
      stop_.Drain();
      // The thread owns the socket from here on and closes it when it stops.
      thread_ = std::thread([this, socket]() mutable {
        Loop(*socket);
        socket.reset();
      });
    }
    allowed_[domain] = keys;
    return absl::OkStatus();
  }

  // The last producer gone stops the handler, so no thread outlives them.
  void Forget(const std::string& domain) {
    std::thread stopping;
    {
      olif::MutexLock lock(&mu_);
      allowed_.erase(domain);
      if (!allowed_.empty() || !thread_.joinable()) return;
      stop_.Raise();
      stopping = std::move(thread_);
    }
    stopping.join();
  }

  int64_t refusals() const { return refusals_.load(); }

 private:
  void Loop(zmq::socket_t& socket) {
    while (true) {
      zmq::pollitem_t items[] = {{socket.handle(), 0, ZMQ_POLLIN, 0},
                                 {nullptr, stop_.fd(), ZMQ_POLLIN, 0}};
      zmq::poll(items, 2, std::chrono::milliseconds(-1));
      if (items[1].revents & ZMQ_POLLIN) return;
      std::vector<zmq::message_t> request;
      if (!zmq::recv_multipart(socket, std::back_inserter(request), zmq::recv_flags::dontwait)) {
        continue;
      }
      // ZAP/1.0: version, request id, domain, address, identity, mechanism, credentials...
      std::string status = "400", text = "not allowed";
      const std::string version = request.size() > 0 ? request[0].to_string() : "";
      const std::string request_id = request.size() > 1 ? request[1].to_string() : "";
      if (request.size() >= 7 && version == "1.0" && request[5].to_string() == "CURVE" &&
          request[6].size() == 32) {
        const std::string domain = request[2].to_string();
        char z85[41] = {};
        zmq_z85_encode(z85, static_cast<const uint8_t*>(request[6].data()), 32);
        bool ok = false;
        {
          olif::MutexLock lock(&mu_);
          auto it = allowed_.find(domain);
          ok = it != allowed_.end() && it->second.count(z85) > 0;
        }
        if (ok) {
          status = "200";
          text = "OK";
        } else {
          ++refusals_;
          log::Warn(
              "bus: connection refused, public key not allowed",
              {{"producer", domain}, {"address", request[3].to_string()}, {"public_key", z85}});
        }
      } else {
        ++refusals_;
        log::Warn("bus: connection refused, not CURVE",
                  {{"address", request.size() > 3 ? request[3].to_string() : ""}});
      }
      const std::string reply[] = {"1.0", request_id, status, text, "", ""};
      try {
        for (size_t i = 0; i < 6; ++i) {
          socket.send(zmq::buffer(reply[i]),
                      i < 5 ? zmq::send_flags::sndmore : zmq::send_flags::none);
        }
      } catch (const zmq::error_t&) {
        return;
      }
    }
  }

  olif::Mutex mu_;
  std::thread thread_ ABSL_GUARDED_BY(mu_);
  std::map<std::string, std::set<std::string>> allowed_ ABSL_GUARDED_BY(mu_);
  Signal stop_;
  std::atomic<int64_t> refusals_{0};
};

}  // namespace

absl::StatusOr<CurveKeyPair> GenerateCurveKeyPair() {
  char pub[41] = {}, sec[41] = {};
  if (zmq_curve_keypair(pub, sec) != 0) {
    return absl::UnavailableError(absl::StrCat("zmq_curve_keypair: ", zmq_strerror(zmq_errno())));
  }
  return CurveKeyPair{pub, sec};
}

absl::StatusOr<std::string> CurvePublicKey(const std::string& secret_key) {
  if (absl::Status s = ValidateCurveKey(secret_key, "secret key"); !s.ok()) return s;
  char pub[41] = {};
  if (zmq_curve_public(pub, secret_key.c_str()) != 0) {
    return absl::InvalidArgumentError(absl::StrCat("secret key: ", zmq_strerror(zmq_errno())));
  }
  return std::string(pub);
}

absl::Status ValidateCurveKey(const std::string& key, const std::string& what) {
  uint8_t decoded[32];
  if (key.size() != 40 || zmq_z85_decode(decoded, key.c_str()) == nullptr) {
    return absl::InvalidArgumentError(absl::StrCat(
        what, ": must be a 40-character Z85 CURVE key (make one with --gen-curve-keypair)"));
  }
  return absl::OkStatus();
}

absl::Status AllowCurveClients(const std::string& domain, const std::set<std::string>& keys) {
  return ZapHandler::Get().Allow(domain, keys);
}

void ForgetCurveClients(const std::string& domain) { ZapHandler::Get().Forget(domain); }

int64_t CurveRefusals() { return ZapHandler::Get().refusals(); }

}  // namespace olif::bus
