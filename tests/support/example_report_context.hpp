#pragma once
// A report context of one CT and one MR image with UTF-8 names: what the report writer's unit test and
// its fuzz harness (which then changes names and figures) start from. Header-only: the fuzz build links
// no test-support library.
#include "report/report_content.hpp"
#include "report/report_uid.hpp"

namespace rtpof::testing {

inline report::ReportContext example_report_context() {
  using namespace rtpof::pipeline;
  using namespace rtpof::report;
  ReportContext c;
  c.subject = {"Chen^Wei=陈^伟", "ID1", "", "19600101", "M", "1.2.3", "20260101", "101010", "S1", "A1", ""};
  c.device.uid = name_based_uid("rtpof device/test");
  c.device.version = "test";
  c.identity = {random_uid(), name_based_uid("series/1.2.3"), "20261126", "120000", 2,
                SourceInstance{"1.2.840.10008.5.1.4.1.1.88.22", "1.2.99", "1.2.98", "1.2.3", "SR"}};
  const SourceInstance ct{"1.2.840.10008.5.1.4.1.1.2", "1.2.10", "1.2.11", "1.2.12", "CT"};
  const SourceInstance mr{"1.2.840.10008.5.1.4.1.1.4", "1.2.20", "1.2.21", "1.2.3", "MR"};
  c.recurrence_object = {"1.2.840.10008.5.1.4.1.1.481.3", "1.2.30", "1.2.31", "1.2.3", "RTSTRUCT"};
  c.evidence = {ct, mr, c.recurrence_object};
  c.registration.source = "auto";
  c.registration.quality = RegistrationQuality{-0.5, 40, 3.0, 0.1, false, "MI -0.5, spread 0.10 mm"};
  return c;
}

}  // namespace rtpof::testing
