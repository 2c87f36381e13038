#pragma once
// The phantom writes head-first-supine axial slices only; these rewrite its image files into the other
// forms planning systems and scanners send, keeping every voxel at the same patient position (or moving
// all of them by a known rotation), so a loader can be checked against the original.
#include <array>
#include <filesystem>
#include <vector>

namespace rtpof::testing {

enum class PatientPosition { HFP, FFS };

// HFP: rows and columns reversed, ImageOrientationPatient -1\0\0\0\-1\0. FFS: columns reversed,
// -1\0\0\0\1\0, so the slice normal points to the feet. ImagePositionPatient moves to the new first
// pixel; InstanceNumber is written in reverse so that it cannot be what orders the slices.
std::vector<std::filesystem::path> reposition_series(const std::vector<std::filesystem::path>& files,
                                                     const std::filesystem::path& out_dir, PatientPosition position);

// Every slice's geometry rotated by `rotation` (row-major 3x3) about the patient origin: an oblique
// acquisition whose voxel (i, j, k) lies at rotation * (its original position).
std::vector<std::filesystem::path> rotate_series(const std::vector<std::filesystem::path>& files,
                                                 const std::filesystem::path& out_dir,
                                                 const std::array<double, 9>& rotation);

// Stored values v replaced by (2^BitsStored - 1) - v and PhotometricInterpretation MONOCHROME1.
std::vector<std::filesystem::path> invert_to_monochrome1(const std::vector<std::filesystem::path>& files,
                                                         const std::filesystem::path& out_dir);

// One Enhanced MR Image object (shared and per-frame functional groups) holding the slices of `files`
// as frames, in the order given.
void write_enhanced_mr(const std::vector<std::filesystem::path>& files, const std::filesystem::path& out);

// Runs a DCMTK compressor (dcmcjpls, dcmcrle, dcmcjpeg with its flags) on every file.
std::vector<std::filesystem::path> compress_series(const std::vector<std::filesystem::path>& files,
                                                   const std::filesystem::path& out_dir,
                                                   const std::vector<std::string>& tool_and_flags);

}  // namespace rtpof::testing
