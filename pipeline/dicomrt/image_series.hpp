#pragma once
// An image series (CT, MR; classic single-frame files or one Enhanced multi-frame object) as an ITK
// image in patient coordinates: origin, spacing and direction come from the DICOM geometry.
#include "pipeline/dicomrt/dicom_object.hpp"

#include <itkImage.h>

#include <string>
#include <vector>

namespace rtpof::pipeline {

using ImageVolume = itk::Image<float, 3>;

struct ImageSeries {
  ImageVolume::Pointer image;  // index (column, row, slice); values after the Modality LUT (CT in HU)
  std::string modality;
  std::string study_instance_uid, series_instance_uid, frame_of_reference_uid;
  std::vector<std::string> sop_instance_uids;  // in slice order; one entry for an enhanced object
  std::vector<std::string> notes;              // what was read in a way a physicist may want to know
};

// All `objects` must be one series forming one stack. Throws LoadError naming the offending instance for
// mixed series, gaps, duplicates, gantry tilt, undecodable or short pixel data, and non-image objects.
// MONOCHROME1 MR (any non-CT) is inverted so that brighter is always higher; CT keeps its HU.
ImageSeries load_image_series(std::vector<DicomObject>& objects);
ImageSeries load_image_series(const std::vector<DicomObject*>& objects);

}  // namespace rtpof::pipeline
