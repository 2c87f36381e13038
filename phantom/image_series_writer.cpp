#include "phantom/image_series_writer.hpp"

#include <dcmtk/dcmdata/dcfilefo.h>
#include <dcmtk/dcmdata/dcuid.h>

#include <algorithm>
#include <array>
#include <cmath>
#include <cstdio>
#include <functional>
#include <stdexcept>

#include "phantom/dataset_builder.hpp"

namespace rtpof::phantom {
namespace {

using SliceSampler = std::function<void(int slice, Random& noise, std::vector<Uint16>& pixels)>;
using ModalityAttributes = std::function<void(DcmItem&)>;

WrittenSeries write_series(const ImageSeriesRequest& rq, const std::string& sop_class, const SliceSampler& sample,
                           const ModalityAttributes& modality_attributes) {
  const SliceStack& g = rq.geometry;
  WrittenSeries written;
  written.sop_class_uid = sop_class;
  std::vector<Uint16> pixels(static_cast<std::size_t>(g.columns) * g.rows);
  for (int k = 0; k < g.slices; ++k) {
    // One generator per slice: the noise does not depend on the order slices are written in.
    Random noise(hash64(rq.file_prefix + "-noise-" + std::to_string(k), rq.noise_seed));
    sample(k, noise, pixels);
    const std::string sop_uid = rq.uids->uid(rq.series.uid + "/" + std::to_string(k));
    DcmFileFormat file;
    DcmDataset& d = *file.getDataset();
    write_common_modules(d, rq.patient, rq.study, rq.series, sop_class, sop_uid);
    write_frame_of_reference(d, rq.frame_uid);
    write_body_part(d);
    write_content_date(d, rq.study);
    put(d, DCM_AcquisitionNumber, "1");
    put(d, DCM_InstanceNumber, std::to_string(k + 1));
    put(d, DCM_PatientPosition, "HFS");
    put_numbers(d, DCM_ImagePositionPatient, {g.x0, g.y0, g.z(k)});
    put_numbers(d, DCM_ImageOrientationPatient, {1, 0, 0, 0, 1, 0});
    put_numbers(d, DCM_SliceLocation, {g.z(k)});
    put_numbers(d, DCM_SliceThickness, {g.slice_mm});
    put_numbers(d, DCM_PixelSpacing, {g.pixel_mm, g.pixel_mm});
    write_monochrome_pixel_module(d, g.rows, g.columns, 16, 12);  // CT (HU + 1024) and MR both fit 12 bits
    modality_attributes(d);
    if (d.putAndInsertUint16Array(DCM_PixelData, pixels.data(), static_cast<unsigned long>(pixels.size())).bad())
      throw std::runtime_error("cannot write the pixel data of " + rq.file_prefix);
    char name[64];
    std::snprintf(name, sizeof name, "%s_%04d.dcm", rq.file_prefix.c_str(), k + 1);
    written.files.push_back(rq.dir / name);
    save_part10(file, written.files.back());
    written.sop_uids.push_back(sop_uid);
    written.slice_z.push_back(as_written(g.z(k)));
  }
  return written;
}

// A scanner's voxel holds the mean of the object over the voxel (the slice profile and the pixel
// aperture), not its value at the centre. Point samples of sharp tissue boundaries alias: each boundary
// shows where the nearest sample plane happens to fall, up to half a slice (1.25 mm) from where it is,
// and differently in the CT and the MR: on the small phantom (2-3 mm voxels) that alone moved the
// automatic registration 0.78 mm from the truth, 0.31 mm once voxels were averaged. The mean is over
// sub-samples at most `sub_mm` apart.
class VoxelAperture {
 public:
  VoxelAperture(const SliceStack& g, double sub_mm)
      : n_{count(g.pixel_mm, sub_mm), count(g.pixel_mm, sub_mm), count(g.slice_mm, sub_mm)},
        step_{g.pixel_mm / n_[0], g.pixel_mm / n_[1], g.slice_mm / n_[2]} {}
  // The mean of value(p) over the voxel centred on `centre`. A voxel whose centre and corners agree is
  // taken as uniform (the phantom's structures are all thicker than a voxel, so a boundary that crosses
  // the voxel changes a corner): most voxels then cost 3 to 9 evaluations instead of up to 150. Corners
  // are taken only along the axes that are sub-sampled (a 0.5 x 0.5 x 2.5 mm CT voxel: its two faces).
  template <typename Value>
  double mean(const Point3& centre, const Value& value) const {
    const int samples = n_[0] * n_[1] * n_[2];
    const int corners = (n_[0] > 1 ? 2 : 1) * (n_[1] > 1 ? 2 : 1) * (n_[2] > 1 ? 2 : 1);
    if (1 + corners < samples) {
      const double here = value(centre);
      bool uniform = true;
      for (int corner = 0; corner < 8 && uniform; ++corner) {
        if (((corner & 1) && n_[0] == 1) || ((corner & 2) && n_[1] == 1) || ((corner & 4) && n_[2] == 1)) continue;
        uniform = value(Point3{centre.x + half(corner & 1, 0), centre.y + half(corner & 2, 1),
                               centre.z + half(corner & 4, 2)}) == here;
      }
      if (uniform) return here;
    }
    double sum = 0;
    for (int k = 0; k < n_[2]; ++k)
      for (int j = 0; j < n_[1]; ++j)
        for (int i = 0; i < n_[0]; ++i)
          sum += value(Point3{centre.x + offset(i, 0), centre.y + offset(j, 1), centre.z + offset(k, 2)});
    return sum / samples;
  }

 private:
  // The offset of a corner along `axis` (none for an axis that is not sub-sampled).
  double half(int upper, int axis) const {
    return n_[axis] == 1 ? 0.0 : (upper ? 0.5 : -0.5) * n_[axis] * step_[axis];
  }
  static int count(double extent, double sub_mm) { return std::max(1, static_cast<int>(std::ceil(extent / sub_mm - 1e-9))); }
  double offset(int i, int axis) const { return (i + 0.5) * step_[axis] - 0.5 * n_[axis] * step_[axis]; }
  std::array<int, 3> n_;
  std::array<double, 3> step_;
};

constexpr double aperture_sub_mm = 0.5;

}  // namespace

void add_image_references(DcmItem& parent, const DcmTagKey& sequence, const WrittenSeries& images) {
  for (const auto& uid : images.sop_uids) {
    DcmItem& image = add_item(parent, sequence);
    put(image, DCM_ReferencedSOPClassUID, images.sop_class_uid);
    put(image, DCM_ReferencedSOPInstanceUID, uid);
  }
}

WrittenSeries write_ct_series(const ImageSeriesRequest& rq, const Anatomy& anatomy) {
  const SliceStack& g = rq.geometry;
  const VoxelAperture aperture(g, aperture_sub_mm);
  const auto sample = [&](int k, Random& noise, std::vector<Uint16>& pixels) {
    for (int r = 0; r < g.rows; ++r)
      for (int c = 0; c < g.columns; ++c) {
        double hu = aperture.mean({g.x(c), g.y(r), g.z(k)}, [&](const Point3& p) { return anatomy.hounsfield(p); });
        if (hu > -1000.0) hu += rq.noise_sd * noise.gaussian();
        pixels[static_cast<std::size_t>(r) * g.columns + c] =
            static_cast<Uint16>(std::lround(std::clamp(hu, -1024.0, 3071.0) + 1024.0));
      }
  };
  const auto attributes = [](DcmItem& d) {
    put(d, DCM_ImageType, "ORIGINAL\\PRIMARY\\AXIAL");
    put(d, DCM_RescaleIntercept, "-1024");
    put(d, DCM_RescaleSlope, "1");
    put(d, DCM_RescaleType, "HU");
    put(d, DCM_KVP, "120");
    put(d, DCM_WindowCenter, "40");
    put(d, DCM_WindowWidth, "400");
  };
  return write_series(rq, UID_CTImageStorage, sample, attributes);
}

WrittenSeries write_mr_series(const ImageSeriesRequest& rq, const Anatomy& anatomy, const RigidTransform& mr_to_ct,
                              const std::vector<LobulatedEllipsoid>& lesions_mr) {
  const SliceStack& g = rq.geometry;
  const VoxelAperture aperture(g, aperture_sub_mm);
  const auto sample = [&](int k, Random& noise, std::vector<Uint16>& pixels) {
    for (int r = 0; r < g.rows; ++r)
      for (int c = 0; c < g.columns; ++c) {
        const Point3 p_mr{g.x(c), g.y(r), g.z(k)};
        double signal = aperture.mean(p_mr, [&](const Point3& p) {
          const double tissue = anatomy.mr_signal(mr_to_ct.apply(p));
          for (const auto& lesion : lesions_mr)
            if (tissue > 0 && lesion.contains(p)) return 1000.0;  // enhancing tumour on contrast T1
          return tissue;
        });
        signal *= 1.0 + 0.0008 * p_mr.x;  // a mild coil bias
        // Magnitude images: the noise of both channels, as MR's Rician background shows it.
        const double re = signal + rq.noise_sd * noise.gaussian(), im = rq.noise_sd * noise.gaussian();
        pixels[static_cast<std::size_t>(r) * g.columns + c] =
            static_cast<Uint16>(std::lround(std::min(std::sqrt(re * re + im * im), 4095.0)));
      }
  };
  const auto attributes = [&](DcmItem& d) {
    put(d, DCM_ImageType, "ORIGINAL\\PRIMARY\\OTHER");
    put(d, DCM_ScanningSequence, "SE");
    put(d, DCM_SequenceVariant, "NONE");
    put(d, DCM_ScanOptions, "");
    put(d, DCM_MRAcquisitionType, "2D");
    put(d, DCM_RepetitionTime, "550");
    put(d, DCM_EchoTime, "12");
    put(d, DCM_EchoTrainLength, "1");
    put(d, DCM_MagneticFieldStrength, "1.5");
    put(d, DCM_ImagedNucleus, "1H");
    put_numbers(d, DCM_SpacingBetweenSlices, {g.slice_mm});
    put(d, DCM_WindowCenter, "800");
    put(d, DCM_WindowWidth, "1600");
  };
  return write_series(rq, UID_MRImageStorage, sample, attributes);
}

}  // namespace rtpof::phantom
