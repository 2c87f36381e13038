#include "scp/association_policy.hpp"

#include <gtest/gtest.h>

using namespace rtpof::scp;
using Verdict = PolicyDecision::Verdict;

namespace {
ListenerOptions options(bool any) {
  ListenerOptions o;
  o.ae_title = "RTPOF";
  o.accept_any_caller = any;
  o.peers = {{"ECLIPSE", ""}, {"PACS", "127.0.0.2"}};
  return o;
}
}  // namespace

TEST(AssociationPolicy, CalledAeMustBeOurs) {
  const AssociationPolicy policy(options(true));
  EXPECT_EQ(policy.evaluate("OTHER", "ECLIPSE", "127.0.0.1").verdict, Verdict::called_ae_not_recognized);
  EXPECT_TRUE(policy.evaluate("RTPOF ", "ECLIPSE", "127.0.0.1").accepted());  // AE titles are space padded
}

TEST(AssociationPolicy, UnknownCallerRefusedUnlessAnyAccepted) {
  EXPECT_EQ(AssociationPolicy(options(false)).evaluate("RTPOF", "STRANGER", "127.0.0.1").verdict,
            Verdict::calling_ae_not_recognized);
  EXPECT_TRUE(AssociationPolicy(options(true)).evaluate("RTPOF", "STRANGER", "127.0.0.1").accepted());
}

TEST(AssociationPolicy, PeerWithHostAcceptedOnlyFromThatAddress) {
  const AssociationPolicy policy(options(true));  // even when any caller is accepted
  EXPECT_TRUE(policy.evaluate("RTPOF", "PACS", "127.0.0.2").accepted());
  EXPECT_TRUE(policy.evaluate("RTPOF", "PACS", "127.0.0.2:40000").accepted());
  const auto refused = policy.evaluate("RTPOF", "PACS", "127.0.0.1");
  EXPECT_EQ(refused.verdict, Verdict::calling_address_not_allowed);
  EXPECT_NE(refused.reason.find("127.0.0.1"), std::string::npos);
}

TEST(AssociationPolicy, HostNamesResolveAtStartAndBadNamesFail) {
  ListenerOptions o = options(false);
  o.peers = {{"LOCAL", "localhost"}};
  EXPECT_TRUE(AssociationPolicy(o).evaluate("RTPOF", "LOCAL", "127.0.0.1").accepted());
  o.peers = {{"NOWHERE", "no-such-host.invalid"}};
  EXPECT_THROW(AssociationPolicy{o}, std::runtime_error);
}

TEST(AssociationPolicy, NormalisesAddresses) {
  EXPECT_EQ(normalise_address("10.1.2.3:104"), "10.1.2.3");
  EXPECT_EQ(normalise_address("[::1]:104"), "::1");
  EXPECT_EQ(normalise_address("::ffff:10.1.2.3"), "10.1.2.3");
  EXPECT_EQ(normalise_address("::1"), "::1");
}
