#include "app/metrics_endpoint.hpp"

#include <boost/asio/ip/address.hpp>
#include <boost/asio/steady_timer.hpp>
#include <boost/beast/core.hpp>
#include <boost/beast/http.hpp>
#include <spdlog/spdlog.h>

#include <chrono>
#include <stdexcept>

namespace rtpof::app {
namespace {

namespace beast = boost::beast;
namespace http = beast::http;
using tcp = boost::asio::ip::tcp;

// One connection: read one request (5 s at most), answer it, close.
class Exchange : public std::enable_shared_from_this<Exchange> {
 public:
  Exchange(tcp::socket socket, const std::function<std::string()>& metrics, const std::function<Health()>& health)
      : stream_(std::move(socket)), metrics_(metrics), health_(health) {}

  void start() {
    stream_.expires_after(std::chrono::seconds(5));
    http::async_read(stream_, buffer_, request_,
                     [self = shared_from_this()](beast::error_code error, std::size_t) { self->answer(error); });
  }

 private:
  void answer(beast::error_code error) {
    if (error) return;  // a peer that closed or stalled: nothing to answer
    response_.version(request_.version());
    response_.keep_alive(false);
    response_.set(http::field::server, "rtpof");
    const std::string target(request_.target());
    if (request_.method() != http::verb::get && request_.method() != http::verb::head) {
      reply(http::status::method_not_allowed, "text/plain", "GET /metrics or GET /healthz\n");
    } else if (target == "/metrics") {
      // The Prometheus text exposition format, version 0.0.4.
      reply(http::status::ok, "text/plain; version=0.0.4; charset=utf-8", metrics_());
    } else if (target == "/healthz") {
      const Health health = health_();
      if (health.ok) reply(http::status::ok, "text/plain", "ok\n");
      else reply(http::status::service_unavailable, "text/plain", health.reason + "\n");
    } else {
      reply(http::status::not_found, "text/plain", "GET /metrics or GET /healthz\n");
    }
    http::async_write(stream_, response_, [self = shared_from_this()](beast::error_code, std::size_t) {
      beast::error_code ignored;
      self->stream_.socket().shutdown(tcp::socket::shutdown_send, ignored);
    });
  }

  void reply(http::status status, const char* type, std::string body) {
    response_.result(status);
    response_.set(http::field::content_type, type);
    response_.body() = std::move(body);
    response_.prepare_payload();
  }

  beast::tcp_stream stream_;
  beast::flat_buffer buffer_;
  http::request<http::empty_body> request_;
  http::response<http::string_body> response_;
  std::function<std::string()> metrics_;
  std::function<Health()> health_;
};

}  // namespace

MetricsEndpoint::MetricsEndpoint(boost::asio::io_context& io, const std::string& address, std::uint16_t port,
                                 std::function<std::string()> metrics, std::function<Health()> health,
                                 std::shared_ptr<spdlog::logger> logger)
    : acceptor_(io), retry_(io), metrics_(std::move(metrics)), health_(std::move(health)), logger_(std::move(logger)) {
  beast::error_code error;
  const auto ip = boost::asio::ip::make_address(address, error);
  if (error) throw std::runtime_error("metrics.address \"" + address + "\" is not an IP address");
  const tcp::endpoint endpoint(ip, port);
  acceptor_.open(endpoint.protocol(), error);
  if (!error) acceptor_.set_option(tcp::acceptor::reuse_address(true), error);
  if (!error) acceptor_.bind(endpoint, error);
  if (!error) acceptor_.listen(boost::asio::socket_base::max_listen_connections, error);
  if (error)
    throw std::runtime_error("cannot serve metrics on " + address + ":" + std::to_string(port) + ": " +
                             error.message() + " (metrics.address, metrics.port)");
  port_ = acceptor_.local_endpoint().port();
  accept();
}

void MetricsEndpoint::accept() {
  acceptor_.async_accept([this](beast::error_code error, tcp::socket socket) {
    if (error == boost::asio::error::operation_aborted) return;
    if (!error) {
      std::make_shared<Exchange>(std::move(socket), metrics_, health_)->start();
      accept();
      return;
    }
    // Out of descriptors, say: tried again in a second rather than in a loop that logs as fast as it fails.
    logger_->warn("metrics port: cannot accept a connection: {}; trying again in 1 s", error.message());
    retry_.expires_after(std::chrono::seconds(1));
    retry_.async_wait([this](beast::error_code wait_error) {
      if (!wait_error) accept();
    });
  });
}

}  // namespace rtpof::app
