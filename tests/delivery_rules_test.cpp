// The pure parts of delivery: the retry schedule, what a C-STORE status means, where a report goes; and
// the outbox in the index (schema 4) across a restart and a reindex.
#include <gtest/gtest.h>

#include "rules/node_config.hpp"
#include "rules/report_routing.hpp"
#include "rules/retry_policy.hpp"
#include "delivery/store_sender.hpp"
#include "storage/index.hpp"
#include "storage/utc_time.hpp"
#include "tests/support/test_paths.hpp"

namespace rtpof {
namespace {

TEST(RetryPolicy, BacksOffExponentiallyUpToTheCapAndGivesUpAfterTheWindow) {
  const rules::RetryPolicy policy{10, 2, 600, 72 * 3600.0};
  EXPECT_DOUBLE_EQ(rules::retry_delay_s(policy, 1), 10);
  EXPECT_DOUBLE_EQ(rules::retry_delay_s(policy, 2), 20);
  EXPECT_DOUBLE_EQ(rules::retry_delay_s(policy, 6), 320);
  EXPECT_DOUBLE_EQ(rules::retry_delay_s(policy, 7), 600);
  EXPECT_DOUBLE_EQ(rules::retry_delay_s(policy, 100000), 600);  // no overflow after years of retries
  EXPECT_FALSE(rules::gives_up(policy, 71.9 * 3600));
  EXPECT_TRUE(rules::gives_up(policy, 72 * 3600));
}

TEST(RetryPolicy, ComesFromTheDeliveryTable) {
  rules::NodeConfig config = rules::default_node_config();
  config.retry_base_s = 3;
  config.give_up_after_h = 2;
  const auto policy = rules::retry_policy_from(config);
  EXPECT_DOUBLE_EQ(policy.base_s, 3);
  EXPECT_DOUBLE_EQ(policy.give_up_after_s, 7200);
}

TEST(StoreStatus, TransientPermanentAndWarningsPerRule) {
  using delivery::SendVerdict;
  EXPECT_EQ(delivery::verdict_of_store_status(0x0000, true), SendVerdict::delivered);
  EXPECT_EQ(delivery::verdict_of_store_status(0xA700, true), SendVerdict::transient);
  EXPECT_EQ(delivery::verdict_of_store_status(0xA7FF, true), SendVerdict::transient);
  EXPECT_EQ(delivery::verdict_of_store_status(0x0110, true), SendVerdict::transient);
  EXPECT_EQ(delivery::verdict_of_store_status(0xA900, true), SendVerdict::permanent);
  EXPECT_EQ(delivery::verdict_of_store_status(0xC000, true), SendVerdict::permanent);
  EXPECT_EQ(delivery::verdict_of_store_status(0xC123, true), SendVerdict::permanent);
  EXPECT_EQ(delivery::verdict_of_store_status(0x0122, true), SendVerdict::permanent);
  EXPECT_EQ(delivery::verdict_of_store_status(0xB000, true), SendVerdict::delivered);
  EXPECT_EQ(delivery::verdict_of_store_status(0xB007, false), SendVerdict::transient);
}

TEST(ReportRouting, DestinationsAndTheSenderWhenItIsAPeerToAnswer) {
  rules::NodeConfig config = rules::default_node_config();
  config.destinations = {{"PACS", "10.0.0.5", 104}, {"PACS", "10.0.0.5", 104}};
  config.peers = {{"ECLIPSE", "10.0.0.7", 105}, {"MRI", "", 104}};
  auto routed = rules::report_destinations(rules::routing_rules_from(config), "ECLIPSE");
  ASSERT_EQ(routed.size(), 1u);  // duplicates once; to_sender is off
  config.to_sender = true;
  routed = rules::report_destinations(rules::routing_rules_from(config), "ECLIPSE");
  ASSERT_EQ(routed.size(), 2u);
  EXPECT_EQ(routed[1].label(), "ECLIPSE@10.0.0.7:105");
  // A peer without a host cannot be answered; an unknown sender is not a destination.
  EXPECT_EQ(rules::report_destinations(rules::routing_rules_from(config), "MRI").size(), 1u);
  EXPECT_EQ(rules::report_destinations(rules::routing_rules_from(config), "STRANGER").size(), 1u);
}

TEST(ReportRouting, TlsBelongsToTheHostAndPortOfADestinationOrPeerConfiguredWithIt) {
  rules::NodeConfig config = rules::default_node_config();
  config.destinations = {{"PACS", "10.0.0.5", 2762, true}, {"PACS", "10.0.0.5", 104, false}};
  config.peers = {{"ECLIPSE", "10.0.0.7", 2762, true}};
  const auto endpoints = rules::tls_endpoints(config);
  ASSERT_EQ(endpoints.size(), 2u);
  EXPECT_TRUE(rules::speaks_tls(endpoints, {"PACS", "10.0.0.5", 2762}));
  EXPECT_TRUE(rules::speaks_tls(endpoints, {"ARCHIVE", "10.0.0.5", 2762}));  // another AE at the same TLS port
  EXPECT_FALSE(rules::speaks_tls(endpoints, {"PACS", "10.0.0.5", 104}));
  EXPECT_TRUE(rules::speaks_tls(endpoints, {"ECLIPSE", "10.0.0.7", 2762}));
  EXPECT_FALSE(rules::speaks_tls(endpoints, {"ECLIPSE", "10.0.0.8", 2762}));
}

TEST(UtcTime, ParsesWhatItWrites) {
  const auto now = std::chrono::system_clock::now();
  const std::string text = storage::utc_iso8601(now);
  const auto back = storage::parse_utc_iso8601(text);
  ASSERT_TRUE(back.has_value());
  EXPECT_LT(std::chrono::abs(*back - now), std::chrono::milliseconds(1));
  EXPECT_FALSE(storage::parse_utc_iso8601("yesterday").has_value());
}

TEST(Outbox, RowsPerDestinationSurviveARestartAndAReindexAndDeadLettersRequeue) {
  testing::TempDir dir;
  std::int64_t first_row = 0;
  {
    storage::Index index(dir / "index.sqlite");
    index.cases().record_case("pA", "d1", {{"rtdose", "1.2.3"}}, "2026-11-26T10:00:00.000Z");
    const auto job = index.cases().claim_next_job("2026-11-26T10:00:01.000Z");
    ASSERT_TRUE(job.has_value());
    const storage::ReportRecord report{"1.2.9", "1.2.840.10008.5.1.4.1.1.88.22", "1.2.7", "1.2.8", "pA", "pA/1.2.9.dcm"};
    index.reports().record_report(job->id, "analyse=5ms", "{}", report,
                                 {{"PACS", "127.0.0.1", 104}, {"TPS", "127.0.0.1", 105}}, "2026-11-26T10:00:02.000Z");
    EXPECT_EQ(index.cases().jobs().at(0).state, "done");
    EXPECT_EQ(index.reports().pending_deliveries(), 2);
    EXPECT_EQ(index.reports().latest_report("pA")->sop_instance_uid, "1.2.9");
    EXPECT_FALSE(index.reports().latest_report("pB").has_value());
    // Not yet due before the report existed; due after.
    EXPECT_TRUE(index.reports().due_deliveries("2026-11-26T10:00:01.000Z").empty());
    const auto due = index.reports().due_deliveries("2026-11-26T10:00:03.000Z");
    ASSERT_EQ(due.size(), 2u);
    first_row = due[0].id;
    index.reports().record_delivery_attempt(due[0].id, storage::DeliveryResult::retry, "connection refused",
                                  "2026-11-26T10:00:13.000Z", "2026-11-26T10:00:03.000Z");
    index.reports().record_delivery_attempt(due[1].id, storage::DeliveryResult::dead, "0xA900", "",
                                  "2026-11-26T10:00:03.000Z");
    // The process stops here.
  }
  storage::Index index(dir / "index.sqlite");
  index.instances().clear();  // a reindex keeps reports and the outbox
  EXPECT_TRUE(index.reports().due_deliveries("2026-11-26T10:00:12.000Z").empty());
  const auto due = index.reports().due_deliveries("2026-11-26T10:00:13.000Z");
  ASSERT_EQ(due.size(), 1u);
  EXPECT_EQ(due[0].id, first_row);
  EXPECT_EQ(due[0].attempts, 1);
  EXPECT_EQ(due[0].first_attempt_at, "2026-11-26T10:00:03.000Z");
  EXPECT_EQ(due[0].report.relative_path, "pA/1.2.9.dcm");
  index.reports().record_delivery_attempt(first_row, storage::DeliveryResult::sent, "0x0000 success", "",
                                "2026-11-26T10:00:14.000Z");
  EXPECT_EQ(index.reports().pending_deliveries(), 0);
  EXPECT_EQ(index.reports().requeue_dead_deliveries({first_row}, "2026-11-26T10:01:00.000Z"), 0);  // sent, not dead
  EXPECT_EQ(index.reports().requeue_dead_deliveries({}, "2026-11-26T10:01:00.000Z"), 1);
  const auto outbox = index.reports().deliveries();
  ASSERT_EQ(outbox.size(), 2u);
  EXPECT_EQ(outbox[0].state, "sent");
  EXPECT_EQ(outbox[0].sent_at, "2026-11-26T10:00:14.000Z");
  EXPECT_EQ(outbox[1].state, "pending");
  EXPECT_EQ(outbox[1].attempts, 0);
}

}  // namespace
}  // namespace rtpof
