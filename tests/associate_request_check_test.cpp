// The gate's structural check of an A-ASSOCIATE-RQ: a real request passes; one whose items overrun
// their parents, or of a type PS3.8 does not define there (the inputs on which the association fuzzer
// found DCMTK 3.6.7 leaking), is named.
#include "scp/associate_request_check.hpp"

#include <gtest/gtest.h>

#include <string>

#include "tests/support/test_paths.hpp"

namespace rtpof::scp {
namespace {

std::string first_pdu(const std::string& bytes) {
  const auto b = [&](std::size_t i) { return static_cast<std::size_t>(static_cast<unsigned char>(bytes[i])); };
  return bytes.substr(0, 6 + (b(2) << 24 | b(3) << 16 | b(4) << 8 | b(5)));
}

std::string problem_of(const std::string& pdu) {
  return associate_request_problem(reinterpret_cast<const unsigned char*>(pdu.data()), pdu.size());
}

TEST(AssociateRequestCheck, ARealRequestPassesAndOverrunningItemsAreNamed) {
  const auto seeds = testing::source_dir() / "tests/fuzz/seeds/association";
  const std::string echo = first_pdu(testing::read_text(seeds / "echo.bin"));
  const std::string store = first_pdu(testing::read_text(seeds / "store.bin"));
  EXPECT_EQ(problem_of(echo), "");
  EXPECT_EQ(problem_of(store), "");

  // The presentation context (at offset 6 + 68 + 25, after the application context) claims 0x2000 bytes.
  std::string overrun = echo;
  overrun[6 + 68 + 25 + 2] = 0x20;
  EXPECT_EQ(problem_of(overrun), "item 0x20 declares 8238 bytes, more than the PDU holds");
  // An abstract syntax sub-item longer than its presentation context.
  std::string sub = echo;
  sub[6 + 68 + 25 + 4 + 4 + 3] = 0x7F;
  EXPECT_NE(problem_of(sub).find("more than its presentation context holds"), std::string::npos) << problem_of(sub);
  EXPECT_EQ(problem_of(echo.substr(0, 40)), "the PDU length disagrees with the bytes received");

  const std::string found = first_pdu(testing::read_text(testing::source_dir() /
      "tests/fuzz/regressions/association/leak-0748effa70e280596470fc289898979850f8e5ff"));
  EXPECT_NE(problem_of(found), "");

  // The second leak the fuzzer found: a presentation context sub-item of type 0x42 (neither abstract
  // nor transfer syntax), on which DCMTK leaks the lists it built.
  const std::string second = first_pdu(testing::read_text(testing::source_dir() /
      "tests/fuzz/regressions/association/leak-64f12e288a69bb6e727bfebc79ac0a68e36eda8b"));
  EXPECT_EQ(problem_of(second), "sub-item type 0x42 in a presentation context (only 0x30 and 0x40 belong there)");
  // The third: two abstract syntax sub-items and no transfer syntax in one presentation context.
  const std::string third = first_pdu(testing::read_text(testing::source_dir() /
      "tests/fuzz/regressions/association/leak-8c6e2e31e93243a283a7e5b30ec6349b61694c8a"));
  EXPECT_EQ(problem_of(third), "a presentation context with 2 abstract and 0 transfer syntax sub-items (one and at "
                               "least one belong there)");
  std::string unknown_item = echo;
  unknown_item[6 + 68] = 0x11;  // the application context item's type
  EXPECT_EQ(problem_of(unknown_item), "item type 0x11 is not an A-ASSOCIATE-RQ item (0x10, 0x20 or 0x50)");
}

}  // namespace
}  // namespace rtpof::scp
