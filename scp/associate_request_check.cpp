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

}  // namespace

std::string associate_request_problem(const unsigned char* p, std::size_t size) {
  constexpr std::size_t header = 6, fixed = 68;
  if (size < header || p[0] != 0x01) return "not an A-ASSOCIATE-RQ";
  const std::size_t length = (std::size_t{p[2]} << 24) | (std::size_t{p[3]} << 16) | (std::size_t{p[4]} << 8) | p[5];
  if (length != size - header) return "the PDU length disagrees with the bytes received";
  if (length < fixed) return "shorter than the fixed fields of an A-ASSOCIATE-RQ (68 bytes)";
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
    }
  }
  if (application_contexts != 1) return std::to_string(application_contexts) + " application context items (one belongs there)";
  if (user_information > 1) return std::to_string(user_information) + " user information items (at most one belongs there)";
  return {};
}

}  // namespace rtpof::scp
