// Fuzz harness: the SR writer on fuzzed figures and names (NaN, infinities, huge and negative numbers,
// any bytes as ROI names). It must write a report or refuse with an exception, never crash.
#include <dcmtk/config/osconfig.h>
#include <dcmtk/dcmdata/dcfilefo.h>

#include <cstddef>
#include <cstdint>
#include <exception>

#include "report/report_writer.hpp"
#include "tests/fuzz/fuzz_bytes.hpp"
#include "tests/support/example_report_context.hpp"
#include "tests/fuzz/fuzz_setup.hpp"

using namespace rtpof::pipeline;
using namespace rtpof::report;

namespace {

// The unit test's context, with the parts a peer or the analysis could make odd fuzzed.
ReportContext context(rtpof::fuzz::Bytes& in) {
  ReportContext c = rtpof::testing::example_report_context();
  c.subject.patient_name = in.text(80);
  c.subject.patient_id = in.text(70);
  c.registration.source = in.boolean() ? "auto" : "REG";
  c.registration.reg_uid = "1.2.40";
  c.registration.quality.reset();
  if (c.registration.source == "auto")
    c.registration.quality = RegistrationQuality{in.number(), static_cast<unsigned>(in.integer(0, 100000)), in.number(),
                                                 in.number(), in.boolean(), in.text(100)};
  c.dose_interpretation = in.text(200);
  return c;
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  rtpof::fuzz::initialise_once();
  rtpof::fuzz::Bytes in(data, size);
  CaseResult result;
  result.reference_dose_gy = in.number();
  result.reference_dose_source = in.text(60);
  const std::size_t recurrences = static_cast<std::size_t>(in.integer(0, 4));
  for (std::size_t i = 0; i < recurrences; ++i) {
    RecurrenceResult r;
    r.roi = in.text(64);
    for (double* figure : {&r.volume_cc, &r.coverage_pct, &r.v95_pct, &r.d100_gy, &r.d98_gy, &r.d95_gy, &r.dmean_gy,
                           &r.dmax_gy})
      *figure = in.number();
    if (in.boolean()) r.centroid_dose_gy = in.number();
    if (in.boolean()) r.centroid_in = in.text(64);
    r.miss_class = static_cast<MissClass>(in.integer(0, 2));
    r.borderline = in.boolean();
    r.v95_range_pct = {in.number(), in.number()};
    result.recurrences.push_back(r);
  }
  const std::size_t ctvs = static_cast<std::size_t>(in.integer(0, 3));
  for (std::size_t i = 0; i < ctvs; ++i)
    result.ctvs.push_back({in.text(64), in.text(16), in.number(),
                           in.number(), in.number(), in.number()});
  if (in.boolean()) result.gtv_primary_cc = in.number();
  if (in.boolean()) result.gtv_nodal_cc = in.number();
  try {
    DcmFileFormat file;
    write_report(result, context(in), file);
  } catch (const std::exception&) {
  }
  return 0;
}
