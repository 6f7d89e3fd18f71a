// The peer a user would pick instead of the bus: RabbitMQ with a durable
// queue, persistent messages, publisher confirms and manual consumer acks,
// the same payload size as bus_bench. Publisher and consumer run at once, on
// their own connections; the figure is events/s from the first publish to the
// last message acknowledged by the consumer.
//
// usage: rabbitmq_bench --port PORT [--events N] [--bus-rate EVENTS_PER_S]
// (tests/bench/run.sh starts the broker and passes bus_bench's figure)

#include <amqp.h>
#include <amqp_tcp_socket.h>

#include <chrono>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <map>
#include <string>
#include <thread>

namespace {

constexpr char kQueue[] = "olif-bench";

bool Ok(amqp_rpc_reply_t r, const char* what) {
  if (r.reply_type == AMQP_RESPONSE_NORMAL) return true;
  std::fprintf(stderr, "rabbitmq_bench: %s failed (reply type %d)\n", what, r.reply_type);
  return false;
}

amqp_connection_state_t Connect(int port) {
  amqp_connection_state_t conn = amqp_new_connection();
  amqp_socket_t* socket = amqp_tcp_socket_new(conn);
  if (socket == nullptr || amqp_socket_open(socket, "127.0.0.1", port) != AMQP_STATUS_OK) {
    std::fprintf(stderr, "rabbitmq_bench: cannot connect to 127.0.0.1:%d\n", port);
    std::exit(1);
  }
  if (!Ok(amqp_login(conn, "/", 0, 131072, 0, AMQP_SASL_METHOD_PLAIN, "guest", "guest"), "login")) {
    std::exit(1);
  }
  amqp_channel_open(conn, 1);
  if (!Ok(amqp_get_rpc_reply(conn), "channel.open")) std::exit(1);
  return conn;
}

void Close(amqp_connection_state_t conn) {
  amqp_channel_close(conn, 1, AMQP_REPLY_SUCCESS);
  amqp_connection_close(conn, AMQP_REPLY_SUCCESS);
  amqp_destroy_connection(conn);
}

// Publishes `events` persistent messages with at most `window` unconfirmed.
void Publish(int port, int events, int window) {
  amqp_connection_state_t conn = Connect(port);
  amqp_confirm_select(conn, 1);
  if (!Ok(amqp_get_rpc_reply(conn), "confirm.select")) std::exit(1);
  const std::string body(300, 'q');
  amqp_basic_properties_t props;
  std::memset(&props, 0, sizeof props);
  props._flags = AMQP_BASIC_DELIVERY_MODE_FLAG;
  props.delivery_mode = 2;  // persistent
  uint64_t published = 0, confirmed = 0;
  while (confirmed < static_cast<uint64_t>(events)) {
    while (published < static_cast<uint64_t>(events) &&
           published - confirmed < static_cast<uint64_t>(window)) {
      amqp_basic_publish(conn, 1, amqp_empty_bytes, amqp_cstring_bytes(kQueue), 0, 0, &props,
                         amqp_bytes_t{body.size(), const_cast<char*>(body.data())});
      ++published;
    }
    amqp_frame_t frame;
    if (amqp_simple_wait_frame(conn, &frame) != AMQP_STATUS_OK) {
      std::fprintf(stderr, "rabbitmq_bench: lost the publisher connection\n");
      std::exit(1);
    }
    if (frame.frame_type == AMQP_FRAME_METHOD && frame.payload.method.id == AMQP_BASIC_ACK_METHOD) {
      auto* ack = static_cast<amqp_basic_ack_t*>(frame.payload.method.decoded);
      confirmed = ack->multiple ? ack->delivery_tag : confirmed + 1;
    }
  }
  Close(conn);
}

void Consume(int port, int events) {
  amqp_connection_state_t conn = Connect(port);
  amqp_basic_qos(conn, 1, 0, 1000, 0);
  amqp_basic_consume(conn, 1, amqp_cstring_bytes(kQueue), amqp_empty_bytes, 0, 0, 0,
                     amqp_empty_table);
  if (!Ok(amqp_get_rpc_reply(conn), "basic.consume")) std::exit(1);
  for (int received = 0; received < events;) {
    amqp_maybe_release_buffers(conn);
    amqp_envelope_t envelope;
    if (!Ok(amqp_consume_message(conn, &envelope, nullptr, 0), "consume")) std::exit(1);
    ++received;
    // Acknowledge in groups, as the bus consumer acknowledges per batch.
    if (received % 100 == 0 || received == events) {
      amqp_basic_ack(conn, 1, envelope.delivery_tag, 1);
    }
    amqp_destroy_envelope(&envelope);
  }
  Close(conn);
}

}  // namespace

int main(int argc, char** argv) {
  std::map<std::string, std::string> flags;
  for (int i = 1; i + 1 < argc; i += 2) flags[argv[i]] = argv[i + 1];
  const int port = std::atoi(flags["--port"].c_str());
  const int events = flags.count("--events") ? std::atoi(flags["--events"].c_str()) : 20000;
  {
    amqp_connection_state_t conn = Connect(port);
    amqp_queue_declare(conn, 1, amqp_cstring_bytes(kQueue), 0, /*durable=*/1, 0, 0,
                       amqp_empty_table);
    if (!Ok(amqp_get_rpc_reply(conn), "queue.declare")) return 1;
    amqp_queue_purge(conn, 1, amqp_cstring_bytes(kQueue));
    Close(conn);
  }
  const auto start = std::chrono::steady_clock::now();
  std::thread consumer(Consume, port, events);
  Publish(port, events, 256);
  consumer.join();
  const double seconds =
      std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count();
  const double rate = events / seconds;
  std::printf("%-58s %14.0f\n", "4. RabbitMQ: durable, persistent, confirms, manual acks", rate);
  if (flags.count("--bus-rate")) {
    const double bus = std::atof(flags["--bus-rate"].c_str());
    std::printf("%-58s %14.2f\n", "   ratio bus (2.) / RabbitMQ (4.)", bus / rate);
  }
  return 0;
}
