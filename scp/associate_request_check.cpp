#include "scp/associate_request_check.hpp"

#include <cstdint>

namespace rtpof::scp {
namespace {

std::size_t u16_at(const unsigned char* p) { return (std::size_t{p[0]} << 8) | p[1]; }

std::string hex(unsigned type) {
  const char digits[] = "0123456789ABCDEF";
  return std::string("0x") + digits[(type >> 4) & 15] + digits[type & 15];
}

// Items (type, reserved, 16-bit length, value) from `begin` to `end` must tile it exactly.
std::string items_problem(const unsigned char* p, std::size_t begin, std::size_t end, const char* within,
                          std::size_t value_offset = 0) {
  for (std::size_t at = begin + value_offset; at < end;) {
    if (end - at < 4) return std::string("an item header is cut short within ") + within;
    const std::size_t length = u16_at(p + at + 2);
    if (length > end - at - 4)
      return "item " + hex(p[at]) + " declares " + std::to_string(length) + " bytes, more than " + within + " holds";
    at += 4 + length;
  }
  return {};
}

// One user information sub-item's value (PS3.7 D.3.3, PS3.8 9.3.2.3) must have the inner structure its
// type declares: DCMTK 3.6.7 reads the inner lengths as given and leaks what it allocated for an item
// whose parse then fails, or for a second user identity item. Unknown types are skipped by DCMTK and
// pass here. `v` points at the value, `n` is its length.
std::string user_sub_item_problem(unsigned type, const unsigned char* v, std::size_t n) {
  const auto exact = [&](std::size_t want) {
    return n == want ? std::string()
                     : "user information sub-item " + hex(type) + " of " + std::to_string(n) + " bytes (" +
                           std::to_string(want) + " belong there)";
  };
  const auto uid_field = [&](std::size_t at, const char* what) -> std::string {  // 2-byte length, then a UID
    if (n - at < 2) return std::string(what) + " length cut short in user information sub-item " + hex(type);
    const std::size_t length = u16_at(v + at);
    if (length == 0 || length > 64 || length > n - at - 2)
      return std::string(what) + " of " + std::to_string(length) + " bytes in user information sub-item " + hex(type);
    return {};
  };
  switch (type) {
    case 0x51: case 0x53: return exact(4);  // maximum length; asynchronous operations window
    case 0x52:  // implementation class UID
      return n >= 1 && n <= 64 ? std::string() : "an implementation class UID of " + std::to_string(n) + " bytes";
    case 0x55:  // implementation version name
      return n >= 1 && n <= 16 ? std::string() : "an implementation version name of " + std::to_string(n) + " bytes";
    case 0x54: {  // SCP/SCU role selection: UID, SCU role, SCP role
      if (auto problem = uid_field(0, "a SOP class UID"); !problem.empty()) return problem;
      return exact(2 + u16_at(v) + 2);
    }
    case 0x56:  // SOP class extended negotiation: UID, then the service class's own bytes
      return uid_field(0, "a SOP class UID");
    case 0x57: {  // SOP class common extended negotiation: UID, service class UID, related classes
      if (auto problem = uid_field(0, "a SOP class UID"); !problem.empty()) return problem;
      std::size_t at = 2 + u16_at(v);
      if (auto problem = uid_field(at, "a service class UID"); !problem.empty()) return problem;
      at += 2 + u16_at(v + at);
      if (n - at < 2) return "related SOP classes cut short in user information sub-item 0x57";
      const std::size_t related = u16_at(v + at);
      at += 2;
      if (related != n - at) return "related SOP classes of " + std::to_string(related) + " bytes where " +
                                    std::to_string(n - at) + " remain in user information sub-item 0x57";
      while (at < n) {
        if (auto problem = uid_field(at, "a related SOP class UID"); !problem.empty()) return problem;
        at += 2 + u16_at(v + at);
      }
      return {};
    }
    case 0x58: {  // user identity: type, response requested, primary field, secondary field
      if (n < 6) return exact(6);
      const std::size_t primary = u16_at(v + 2);
      if (primary > n - 6) return "a user identity primary field of " + std::to_string(primary) + " bytes in " +
                                  std::to_string(n) + " bytes";
      return exact(6 + primary + u16_at(v + 4 + primary));
    }
    case 0x59: return "a user identity response (0x59) in a request";
    default: return {};
  }
}

// The user information item's sub-items: each well formed, and the ones PS3.7 allows once at most once.
std::string user_information_problem(const unsigned char* p, std::size_t begin, std::size_t end) {
  unsigned seen[256] = {};
  for (std::size_t at = begin; at < end; at += 4 + u16_at(p + at + 2)) {
    const unsigned type = p[at];
    if (auto problem = user_sub_item_problem(type, p + at + 4, u16_at(p + at + 2)); !problem.empty()) return problem;
    const bool once = type == 0x51 || type == 0x52 || type == 0x53 || type == 0x55 || type == 0x58;
    if (once && ++seen[type] > 1) return "a second user information sub-item " + hex(type) + " (one belongs there)";
  }
  return {};
}

// An AE title as DCMTK reads it: up to the first NUL, without leading and trailing spaces. PS3.8 9.3.2
// makes both titles mandatory; DCMTK 3.6.7 accepts an empty one and then leaks the lists it built for
// the A-ASSOCIATE-AC it cannot construct (found by tests/fuzz/fuzz_association).
bool ae_title_is_empty(const unsigned char* field) {
  for (std::size_t i = 0; i < 16 && field[i] != 0; ++i)
    if (field[i] != ' ') return false;
  return true;
}

}  // namespace

std::string associate_request_problem(const unsigned char* p, std::size_t size) {
  constexpr std::size_t header = 6, fixed = 68;
  if (size < header || p[0] != 0x01) return "not an A-ASSOCIATE-RQ";
  const std::size_t length = (std::size_t{p[2]} << 24) | (std::size_t{p[3]} << 16) | (std::size_t{p[4]} << 8) | p[5];
  if (length != size - header) return "the PDU length disagrees with the bytes received";
  if (length < fixed) return "shorter than the fixed fields of an A-ASSOCIATE-RQ (68 bytes)";
  if (ae_title_is_empty(p + 10)) return "the called AE title is empty";
  if (ae_title_is_empty(p + 26)) return "the calling AE title is empty";
  const std::size_t end = size;
  if (auto problem = items_problem(p, header + fixed, end, "the PDU"); !problem.empty()) return problem;
  std::size_t application_contexts = 0, user_information = 0;
  for (std::size_t at = header + fixed; at < end; at += 4 + u16_at(p + at + 2)) {
    const std::size_t item_end = at + 4 + u16_at(p + at + 2);
    application_contexts += p[at] == 0x10 ? 1 : 0;
    user_information += p[at] == 0x50 ? 1 : 0;
    // PS3.8 9.3.2: an application context, presentation contexts and a user information item, nothing
    // else. DCMTK 3.6.7 leaks the lists it built when it meets another type, so they are refused first.
    if (p[at] != 0x10 && p[at] != 0x20 && p[at] != 0x50)
      return "item type " + hex(p[at]) + " is not an A-ASSOCIATE-RQ item (0x10, 0x20 or 0x50)";
    if (p[at] == 0x20) {  // presentation context: ID and three reserved bytes, then sub-items
      if (item_end - at - 4 < 4) return "a presentation context item shorter than its fixed fields";
      if (auto problem = items_problem(p, at + 4, item_end, "its presentation context", 4); !problem.empty())
        return problem;
      // Its sub-items are one abstract syntax (0x30) and one or more transfer syntaxes (0x40), nothing
      // else (PS3.8 9.3.2.2); DCMTK leaks on a second abstract syntax too.
      std::size_t abstract = 0, transfer = 0;
      for (std::size_t sub = at + 8; sub < item_end; sub += 4 + u16_at(p + sub + 2)) {
        if (p[sub] != 0x30 && p[sub] != 0x40)
          return "sub-item type " + hex(p[sub]) + " in a presentation context (only 0x30 and 0x40 belong there)";
        (p[sub] == 0x30 ? abstract : transfer) += 1;
      }
      if (abstract != 1 || transfer == 0)
        return "a presentation context with " + std::to_string(abstract) + " abstract and " + std::to_string(transfer) +
               " transfer syntax sub-items (one and at least one belong there)";
    } else if (p[at] == 0x50) {  // user information: sub-items
      if (auto problem = items_problem(p, at + 4, item_end, "the user information item"); !problem.empty())
        return problem;
      if (auto problem = user_information_problem(p, at + 4, item_end); !problem.empty()) return problem;
    }
  }
  if (application_contexts != 1) return std::to_string(application_contexts) + " application context items (one belongs there)";
  if (user_information > 1) return std::to_string(user_information) + " user information items (at most one belongs there)";
  return {};
}

}  // namespace rtpof::scp
