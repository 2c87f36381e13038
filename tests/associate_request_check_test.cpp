// The gate's structural check of an A-ASSOCIATE-RQ: a real request passes; one whose items overrun
// their parents, or of a type PS3.8 does not define there (the inputs on which the association fuzzer
// found DCMTK 3.6.7 leaking), is named.
#include "scp/associate_request_check.hpp"

#include <gtest/gtest.h>

#include <algorithm>
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

// An item or sub-item: type, reserved byte, 16-bit length, value.
std::string sub(unsigned type, const std::string& value) {
  return std::string{static_cast<char>(type), 0, static_cast<char>(value.size() >> 8),
                     static_cast<char>(value.size() & 0xFF)} + value;
}

// An A-ASSOCIATE-RQ as a peer builds it (verification, implicit little endian), with `user` as the
// user information item's sub-items.
std::string request_with_user_information(const std::string& user) {
  std::string fixed(68, ' ');
  fixed[0] = 0, fixed[1] = 1, fixed[2] = 0, fixed[3] = 0;
  std::fill(fixed.begin() + 36, fixed.end(), '\0');
  fixed.replace(4, 5, "RTPOF");  // called AE title (padded with spaces)
  fixed.replace(20, 4, "TEST");  // calling AE title
  const std::string body = fixed + sub(0x10, "1.2.840.10008.3.1.1.1") +
      sub(0x20, std::string{1, 0, 0, 0} + sub(0x30, "1.2.840.10008.1.1") + sub(0x40, "1.2.840.10008.1.2")) +
      sub(0x50, user);
  const std::size_t n = body.size();
  return std::string{1, 0, static_cast<char>(n >> 24), static_cast<char>(n >> 16), static_cast<char>(n >> 8),
                     static_cast<char>(n)} + body;
}

std::string with_length(const std::string& value) {  // a 2-byte length, then the value
  return std::string{static_cast<char>(value.size() >> 8), static_cast<char>(value.size() & 0xFF)} + value;
}

// The user information sub-items, whose inner lengths DCMTK 3.6.7 trusts and on whose failed parse (or
// second user identity) it leaks what it allocated: each is checked against the structure PS3.7 D.3.3
// gives its type, and those allowed once are allowed once.
// The association fuzzer, once fast, found DCMTK 3.6.7 leaking when a title it reads as empty (a leading
// NUL, or only spaces) is to be echoed in the A-ASSOCIATE-AC.
TEST(AssociateRequestCheck, EmptyAeTitlesAreRefused) {
  const std::string echo = first_pdu(testing::read_text(testing::source_dir() / "tests/fuzz/seeds/association/echo.bin"));
  std::string calling = echo;
  calling[26] = '\0';
  EXPECT_EQ(problem_of(calling), "the calling AE title is empty");
  std::string called = echo;
  std::fill(called.begin() + 10, called.begin() + 26, ' ');
  EXPECT_EQ(problem_of(called), "the called AE title is empty");
  // Trailing NULs (some old peers pad with them) are no problem.
  std::string padded = echo;
  std::fill(padded.begin() + 26 + 8, padded.begin() + 42, '\0');
  EXPECT_EQ(problem_of(padded), "");
  const std::string found = first_pdu(testing::read_text(testing::source_dir() /
      "tests/fuzz/regressions/association/leak-empty-calling-ae-title.bin"));
  EXPECT_EQ(problem_of(found), "the calling AE title is empty");
}

TEST(AssociateRequestCheck, UserInformationSubItemsHaveTheStructureOfTheirType) {
  const std::string max_length = sub(0x51, std::string{0, 0, 0x40, 0});
  const std::string class_uid = sub(0x52, "1.2.276.0.7230010.3.0.3.6.7");
  const std::string version = sub(0x55, "OFFIS_DCMTK_367");
  const std::string role = sub(0x54, with_length("1.2.840.10008.1.1") + std::string{1, 0});
  const std::string identity = sub(0x58, std::string{1, 0} + with_length("physicist") + with_length(""));
  const std::string ext = sub(0x56, with_length("1.2.840.10008.5.1.4.1.2.1.1") + std::string{1});
  const std::string common = sub(0x57, with_length("1.2.840.10008.5.1.4.1.1.481.3") +
                                           with_length("1.2.840.10008.4.2") + with_length(with_length("1.2.3")));
  const std::string unknown = sub(0x7E, "anything");
  EXPECT_EQ(problem_of(request_with_user_information(
                max_length + class_uid + version + role + identity + ext + common + unknown)), "");
  EXPECT_EQ(problem_of(request_with_user_information("")), "");

  EXPECT_EQ(problem_of(request_with_user_information(max_length + identity + identity)),
            "a second user information sub-item 0x58 (one belongs there)");
  EXPECT_EQ(problem_of(request_with_user_information(max_length + max_length)),
            "a second user information sub-item 0x51 (one belongs there)");
  EXPECT_EQ(problem_of(request_with_user_information(sub(0x51, std::string{0, 0x40, 0}))),
            "user information sub-item 0x51 of 3 bytes (4 belong there)");
  EXPECT_EQ(problem_of(request_with_user_information(sub(0x52, ""))), "an implementation class UID of 0 bytes");
  EXPECT_EQ(problem_of(request_with_user_information(sub(0x55, std::string(17, 'V')))),
            "an implementation version name of 17 bytes");
  // A role selection whose UID length runs past the item, and one with bytes left over.
  EXPECT_EQ(problem_of(request_with_user_information(sub(0x54, std::string{0, 40} + "1.2" + std::string{1, 0}))),
            "a SOP class UID of 40 bytes in user information sub-item 0x54");
  EXPECT_EQ(problem_of(request_with_user_information(sub(0x54, with_length("1.2") + std::string{1, 0, 9}))),
            "user information sub-item 0x54 of 8 bytes (7 belong there)");
  EXPECT_EQ(problem_of(request_with_user_information(sub(0x56, std::string{0, 99} + "1.2"))),
            "a SOP class UID of 99 bytes in user information sub-item 0x56");
  // User identity: the primary field claims more than the item holds; the secondary leaves bytes over.
  EXPECT_EQ(problem_of(request_with_user_information(sub(0x58, std::string{1, 0, 0, 50} + "ab" + std::string{0, 0}))),
            "a user identity primary field of 50 bytes in 8 bytes");
  EXPECT_EQ(problem_of(request_with_user_information(sub(0x58, std::string{1, 0} + with_length("ab") +
                                                                   with_length("") + "x"))),
            "user information sub-item 0x58 of 9 bytes (8 belong there)");
  EXPECT_EQ(problem_of(request_with_user_information(sub(0x59, std::string{0, 0}))),
            "a user identity response (0x59) in a request");
  // Common extended negotiation: the related classes' length disagrees with what is left.
  EXPECT_EQ(problem_of(request_with_user_information(
                sub(0x57, with_length("1.2") + with_length("1.3") + std::string{0, 9} + with_length("1.4")))),
            "related SOP classes of 9 bytes where 5 remain in user information sub-item 0x57");
}

}  // namespace
}  // namespace rtpof::scp
