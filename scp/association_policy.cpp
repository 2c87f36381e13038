#include "scp/association_policy.hpp"

#include "storage/printable.hpp"

#include <netdb.h>
#include <sys/socket.h>

#include <algorithm>
#include <memory>
#include <stdexcept>

namespace rtpof::scp {
namespace {

std::string trim(const std::string& s) {
  const auto begin = s.find_first_not_of(' ');
  if (begin == std::string::npos) return {};
  return s.substr(begin, s.find_last_not_of(' ') - begin + 1);
}

std::set<std::string> resolve(const std::string& host) {
  addrinfo hints{};
  hints.ai_family = AF_UNSPEC;
  hints.ai_socktype = SOCK_STREAM;
  addrinfo* raw = nullptr;
  const int status = ::getaddrinfo(host.c_str(), nullptr, &hints, &raw);
  if (status != 0) throw std::runtime_error("peer host \"" + host + "\" cannot be resolved: " + gai_strerror(status));
  std::unique_ptr<addrinfo, decltype(&freeaddrinfo)> list(raw, &freeaddrinfo);
  std::set<std::string> addresses;
  for (const addrinfo* ai = list.get(); ai != nullptr; ai = ai->ai_next) {
    char text[NI_MAXHOST];
    if (::getnameinfo(ai->ai_addr, ai->ai_addrlen, text, sizeof text, nullptr, 0, NI_NUMERICHOST) == 0)
      addresses.insert(normalise_address(text));
  }
  return addresses;
}

}  // namespace

std::string normalise_address(const std::string& address) {
  std::string a = trim(address);
  if (!a.empty() && a.front() == '[') {
    const auto close = a.find(']');
    return close == std::string::npos ? a : normalise_address(a.substr(1, close - 1));
  }
  if (std::count(a.begin(), a.end(), ':') == 1) a = a.substr(0, a.find(':'));  // IPv4 with port
  const std::string mapped = "::ffff:";
  if (a.compare(0, mapped.size(), mapped) == 0 && a.find('.') != std::string::npos) a = a.substr(mapped.size());
  return a;
}

AssociationPolicy::AssociationPolicy(const ListenerOptions& options)
    : own_ae_title_(trim(options.ae_title)), accept_any_caller_(options.accept_any_caller) {
  for (const auto& peer : options.peers) {
    auto& allowed = peers_[trim(peer.ae_title)];
    if (!peer.host.empty()) {
      const auto addresses = resolve(peer.host);
      allowed.insert(addresses.begin(), addresses.end());
    }
  }
}

PolicyDecision AssociationPolicy::evaluate(const std::string& called_ae, const std::string& calling_ae,
                                           const std::string& calling_address) const {
  using Verdict = PolicyDecision::Verdict;
  const std::string called = trim(called_ae);
  const std::string calling = trim(calling_ae);
  if (called != own_ae_title_)
    return {Verdict::called_ae_not_recognized, "called AE title \"" + storage::printable(called) + "\" is not this node's (\"" +
                                                   own_ae_title_ + "\")"};
  const auto peer = peers_.find(calling);
  if (peer == peers_.end()) {
    if (accept_any_caller_) return {};
    return {Verdict::calling_ae_not_recognized,
            "calling AE title \"" + calling + "\" is not a configured peer (add it under [[peers]])"};
  }
  const std::string address = normalise_address(calling_address);
  if (!peer->second.empty() && peer->second.count(address) == 0)
    return {Verdict::calling_address_not_allowed,
            "calling AE title \"" + calling + "\" is configured for another host, not " + address};
  return {};
}

}  // namespace rtpof::scp
