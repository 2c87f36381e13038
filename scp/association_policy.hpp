#pragma once
// Who may open an association: the called AE must be ours, the calling AE a configured peer (unless
// any caller is accepted), and a peer listed with a host only from that host's addresses.
#include <map>
#include <set>
#include <string>

#include "scp/listener_options.hpp"

namespace rtpof::scp {

struct PolicyDecision {
  enum class Verdict { accept, called_ae_not_recognized, calling_ae_not_recognized, calling_address_not_allowed };
  Verdict verdict = Verdict::accept;
  std::string reason;  // one line for the log, empty when accepted
  bool accepted() const { return verdict == Verdict::accept; }
};

class AssociationPolicy {
 public:
  // Resolves peer host names once, here; throws std::runtime_error for a name that does not resolve.
  explicit AssociationPolicy(const ListenerOptions& options);

  // calling_address: the peer's numeric address as DCMTK reports it (a ":port" suffix is ignored).
  PolicyDecision evaluate(const std::string& called_ae, const std::string& calling_ae,
                          const std::string& calling_address) const;

 private:
  std::string own_ae_title_;
  bool accept_any_caller_;
  // AE title -> allowed numeric addresses; an empty set means any address.
  std::map<std::string, std::set<std::string>> peers_;
};

// "10.0.0.1:5678" -> "10.0.0.1", "[::1]:5678" -> "::1", "::ffff:10.0.0.1" -> "10.0.0.1".
std::string normalise_address(const std::string& address);

}  // namespace rtpof::scp
