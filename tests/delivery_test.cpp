// The delivery layer on its own library: the outbox sender with a real index, a real report file and
// DCMTK's storescp as the destination; a destination that refuses connections is retried on the
// schedule, given up at the give-up time, and delivered once `resend` requeues it and it is up.
#include <gtest/gtest.h>

#include <dcmtk/config/osconfig.h>
#include <dcmtk/dcmdata/dcdeftag.h>
#include <spdlog/sinks/null_sink.h>
#include <spdlog/spdlog.h>

#include <chrono>
#include <functional>
#include <thread>

#include "delivery/outbox_sender.hpp"
#include "storage/index.hpp"
#include "storage/utc_time.hpp"
#include "tests/support/dicom_files.hpp"
#include "tests/support/process.hpp"
#include "tests/support/test_paths.hpp"

namespace rtpof::delivery {
namespace {

namespace fs = std::filesystem;

bool eventually(const std::function<bool()>& condition, std::chrono::seconds timeout) {
  const auto deadline = std::chrono::steady_clock::now() + timeout;
  while (std::chrono::steady_clock::now() < deadline) {
    if (condition()) return true;
    std::this_thread::sleep_for(std::chrono::milliseconds(50));
  }
  return condition();
}

class DeliveryLayer : public ::testing::Test {
 protected:
  void SetUp() override {
    // A report file (any Part 10 object does for the sender) and its rows: a case, its job, the report.
    const fs::path source = testing::realdata_dir() / "pydicom_rt" / "rtplan.dcm";
    fs::create_directories(reports_dir_ / "p1");
    fs::copy_file(source, reports_dir_ / "p1" / "report.dcm");
    index_.cases().record_case("p1", "d1", {{"rtdose", "1.2.3"}}, storage::utc_iso8601());
    job_ = index_.cases().claim_next_job(storage::utc_iso8601())->id;
    record_ = {testing::string_of(source, DCM_SOPInstanceUID), testing::string_of(source, DCM_SOPClassUID), "1.2.4",
               "1.2.5", "p1", "p1/report.dcm"};
  }

  DeliverySettings settings() {
    DeliverySettings s;
    s.calling_ae = "RTPOF";
    s.retry = {0.4, 2, 1.0, 3.0};  // 0.4 s, 0.8 s, then 1 s apart; given up 3 s after the first attempt
    s.send_timeout_s = 10;
    return s;
  }

  std::vector<storage::OutboxRow> rows() { return index_.reports().deliveries(); }

  testing::TempDir dir_;
  fs::path reports_dir_ = dir_ / "reports";
  storage::Index index_{dir_ / "index.sqlite"};
  std::int64_t job_ = 0;
  storage::ReportRecord record_;
};

TEST_F(DeliveryLayer, AnUpDestinationGetsTheReportOnceADownOneIsRetriedOnScheduleThenGivenUp) {
  const int up_port = testing::free_port(), down_port = testing::free_port();
  testing::StorescpProcess storescp("PACS", up_port, dir_ / "received", dir_ / "storescp.log");
  ASSERT_TRUE(storescp.wait_until_ready());
  index_.reports().record_report(job_, "", "{}", record_,
                                 {{"PACS", "127.0.0.1", static_cast<std::uint16_t>(up_port)},
                                  {"GONE", "127.0.0.1", static_cast<std::uint16_t>(down_port)}},
                                 storage::utc_iso8601());
  const auto started = std::chrono::steady_clock::now();
  {
    OutboxSender sender(index_.reports(), reports_dir_, settings(), spdlog::default_logger());
    sender.wake();
    ASSERT_TRUE(eventually([&] { return rows().at(0).state == "sent"; }, std::chrono::seconds(20)))
        << rows().at(0).last_status;
    ASSERT_TRUE(eventually([&] { return rows().at(1).state == "dead"; }, std::chrono::seconds(20)))
        << rows().at(1).state << " " << rows().at(1).last_status;
  }
  const double seconds = std::chrono::duration<double>(std::chrono::steady_clock::now() - started).count();
  EXPECT_EQ(storescp.received().size(), 1u);
  const auto sent = rows().at(0), dead = rows().at(1);
  EXPECT_EQ(sent.attempts, 1);
  EXPECT_NE(sent.last_status.find("0x0000"), std::string::npos) << sent.last_status;
  // 0.4 + 0.8 + 1 + 1 s of waits fit in the 3 s window: 4 or 5 attempts, each refused.
  EXPECT_GE(dead.attempts, 4) << dead.last_status;
  EXPECT_LE(dead.attempts, 6) << dead.last_status;
  EXPECT_GE(seconds, 3.0);
  EXPECT_LT(seconds, 15.0) << "one refusing destination must not hold up the schedule";
}

TEST_F(DeliveryLayer, ADeadReportIsDeliveredOnceRequeuedAndTheDestinationIsUp) {
  const int port = testing::free_port();
  index_.reports().record_report(job_, "", "{}", record_, {{"PACS", "127.0.0.1", static_cast<std::uint16_t>(port)}},
                                 storage::utc_iso8601());
  OutboxSender sender(index_.reports(), reports_dir_, settings(), spdlog::default_logger());
  sender.wake();
  ASSERT_TRUE(eventually([&] { return rows().at(0).state == "dead"; }, std::chrono::seconds(20)));
  testing::StorescpProcess storescp("PACS", port, dir_ / "received", dir_ / "storescp.log");
  ASSERT_TRUE(storescp.wait_until_ready());
  EXPECT_EQ(index_.reports().requeue_dead_deliveries({}, storage::utc_iso8601()), 1);
  sender.wake();
  ASSERT_TRUE(eventually([&] { return rows().at(0).state == "sent"; }, std::chrono::seconds(20)))
      << rows().at(0).last_status;
  EXPECT_EQ(storescp.received().size(), 1u);
}

}  // namespace
}  // namespace rtpof::delivery
