#pragma once
// The node's HTTP port for monitoring ([metrics] in the rules): GET /metrics answers in the Prometheus
// text format, GET /healthz answers 200 "ok" or 503 with the reason. It runs on the node's event loop
// (Boost.Beast), one short request per connection; a loop that stops turning stops answering, which a
// scraper sees as the node being down.
#include <boost/asio/io_context.hpp>
#include <boost/asio/ip/tcp.hpp>
#include <boost/asio/steady_timer.hpp>

#include <cstdint>
#include <functional>
#include <memory>
#include <string>

namespace spdlog {
class logger;
}

namespace rtpof::app {

struct Health {
  bool ok = true;
  std::string reason;  // why not, in words an operator acts on
};

class MetricsEndpoint {
 public:
  // Binds address:port now (port 0: any free port) and throws std::runtime_error naming both when it cannot.
  MetricsEndpoint(boost::asio::io_context& io, const std::string& address, std::uint16_t port,
                  std::function<std::string()> metrics, std::function<Health()> health,
                  std::shared_ptr<spdlog::logger> logger);
  std::uint16_t port() const { return port_; }

 private:
  void accept();

  boost::asio::ip::tcp::acceptor acceptor_;
  boost::asio::steady_timer retry_;
  std::function<std::string()> metrics_;
  std::function<Health()> health_;
  std::shared_ptr<spdlog::logger> logger_;
  std::uint16_t port_ = 0;
};

}  // namespace rtpof::app
