#pragma once
// The fusion rtpof computed, as a Spatial Registration object (PS3.3 A.39), so that a planning system
// shows the same MR-on-CT fusion and the physicist can judge it: its frame of reference is the planning
// CT's; one item registers the CT's own frame (identity), one the MR's (the MR -> CT matrix the job used,
// RIGID). Written for automatic registrations only: when a REG came with the case, that REG is the
// fusion and the SR references it. Pure: the same inputs give the same dataset.
#include <filesystem>
#include <string>
#include <vector>

#include "pipeline/registration/rigid_transform.hpp"
#include "report/report_content.hpp"

class DcmFileFormat;

namespace rtpof::report {

struct RegisteredFrames {
  std::string ct_frame_uid, mr_frame_uid;
  std::vector<SourceInstance> ct_images, mr_images;  // the images each item references
};

// The Content Label of every REG rtpof writes: a REG that comes back with it (a PACS forwarding what it
// got) is rtpof's own earlier fusion, not a physicist's, and a job registers again instead of trusting it.
inline constexpr const char* own_fusion_label = "RTPOF_FUSION";

// The REG's SOP Instance UID for the report whose context is given: name-based, so a re-run of the same
// report writes the same object.
std::string registration_uid(const ReportContext& context);
// The rtpof REG series of a study: one per study, whichever report wrote into it.
std::string registration_series_uid(const std::string& study_uid);

// Fills `out` with the REG in the report's study (context.subject), a series of its own. Throws
// ReportError (report/report_writer.hpp) when DCMTK refuses an attribute.
void write_registration(const pipeline::RigidTransform& mr_to_ct, const RegisteredFrames& frames,
                        const ReportContext& context, DcmFileFormat& out);
// The same as a Part 10 file; std::runtime_error naming the file when it cannot be written.
void write_registration_file(const pipeline::RigidTransform& mr_to_ct, const RegisteredFrames& frames,
                             const ReportContext& context, const std::filesystem::path& file);

}  // namespace rtpof::report
