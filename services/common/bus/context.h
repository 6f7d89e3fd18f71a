#pragma once

#include <zmq.hpp>

namespace olif::bus {

// The process's one ZeroMQ context. Never destroyed: sockets are closed by
// the threads that own them (LINGER 0), so exit never waits on the network.
zmq::context_t& ProcessContext();

}  // namespace olif::bus
