// The REG rtpof writes for an automatic registration (report/registration_writer): read back by rtpof's
// own REG loader, it gives the transform the job used (points 100 mm from the isocentre within 0.01 mm),
// and dicom3tools' dciodvfy finds no error in it.
#include <gtest/gtest.h>

#include <dcmtk/dcmdata/dcfilefo.h>
#include <dcmtk/dcmdata/dcuid.h>

#include <cmath>

#include "pipeline/dicomrt/dicom_object.hpp"
#include "pipeline/dicomrt/spatial_registration.hpp"
#include "pipeline/registration/registration.hpp"
#include "report/registration_writer.hpp"
#include "report/report_writer.hpp"
#include "tests/support/example_report_context.hpp"
#include "tests/support/process.hpp"
#include "tests/support/test_paths.hpp"

namespace rtpof::testing {
namespace {

using pipeline::RigidTransform;
using pipeline::Vec3;

TEST(RegistrationWriter, TheWrittenRegGivesBackTheTransformWithinAHundredthOfAMillimetreAndValidates) {
  // An oblique rotation about a point far from the DICOM origin, then a shift: what a patient on the couch
  // and an MR of another day need.
  const Vec3 isocentre{12.5, -180.25, -420.0};
  const RigidTransform used = RigidTransform::rotation_about(isocentre, Vec3{0.267, 0.535, 0.802}, 7.3)
                                  .then(RigidTransform::translation(Vec3{-4.2, 11.7, 2.9}));
  report::RegisteredFrames frames;
  frames.ct_frame_uid = "1.2.826.0.1.3680043.10.999.1";
  frames.mr_frame_uid = "1.2.826.0.1.3680043.10.999.2";
  const report::ReportContext context = example_report_context();
  frames.ct_images = {{UID_CTImageStorage, "1.2.10", "1.2.11", "1.2.12", "CT"}};
  frames.mr_images = {{UID_MRImageStorage, "1.2.20", "1.2.21", context.subject.study_uid, "MR"}};
  TempDir dir;
  const auto file = dir / "reg.dcm";
  report::write_registration_file(used, frames, context, file);

  pipeline::DicomObject object = pipeline::DicomObject::read_file(file);
  EXPECT_EQ(object.sop_instance_uid(), report::registration_uid(context));
  const pipeline::RegistrationChoice back =
      pipeline::mr_to_ct_from_reg(pipeline::load_spatial_registration(object), frames.mr_frame_uid, frames.ct_frame_uid);
  double worst = 0;
  for (const Vec3 offset : {Vec3{100, 0, 0}, Vec3{-100, 0, 0}, Vec3{0, 100, 0}, Vec3{0, -100, 0}, Vec3{0, 0, 100},
                            Vec3{0, 0, -100}, Vec3{57.7, 57.7, 57.7}}) {
    const Vec3 p{isocentre.x + offset.x, isocentre.y + offset.y, isocentre.z + offset.z};
    const Vec3 a = used.apply(p), b = back.mr_to_ct.apply(p);
    worst = std::max(worst, std::sqrt((a.x - b.x) * (a.x - b.x) + (a.y - b.y) * (a.y - b.y) + (a.z - b.z) * (a.z - b.z)));
  }
  EXPECT_LT(worst, 0.01) << "mm";

  const RunResult checked = run({"dciodvfy", file.string()});
  EXPECT_TRUE(lines_starting(checked.output, "Error").empty()) << checked.output;
  EXPECT_FALSE(lines_starting(checked.output, "SpatialRegistration").empty()) << checked.output;
}

TEST(RegistrationWriter, UnknownFramesAreRefusedWithTheReason) {
  report::RegisteredFrames frames;  // no frames
  DcmFileFormat out;
  try {
    report::write_registration(RigidTransform{}, frames, example_report_context(), out);
    ADD_FAILURE() << "a REG without frames was written";
  } catch (const report::ReportError& e) {
    EXPECT_NE(std::string(e.what()).find("Frame of Reference UID"), std::string::npos) << e.what();
  }
}

}  // namespace
}  // namespace rtpof::testing
