#pragma once
// An outline carried into another frame and cut on that frame's image slices: the recurrence, outlined
// on the follow-up MR, as closed contours on the planning CT's slice planes (the mapped RTSTRUCT). The cut
// is of the solid itself (RegionShape::contains through the transform), not of the source contours, so
// it does not depend on how the two series' slices lie to each other.
#include "pipeline/dicomrt/image_series.hpp"
#include "pipeline/dosevolume/region_shape.hpp"
#include "pipeline/registration/rigid_transform.hpp"
#include "pipeline/vec3.hpp"

#include <cstddef>
#include <vector>

namespace rtpof::pipeline {

// The slice planes of an image stack, in patient coordinates.
struct SlicePlanes {
  Vec3 origin;                  // centre of pixel (0, 0) of slice 0
  Vec3 u_axis, v_axis, normal;  // the row direction, the column direction, the stacking direction
  double u_spacing = 0, v_spacing = 0, slice_spacing = 0;
  std::size_t slices = 0;

  Vec3 slice_origin(std::size_t k) const { return origin + (static_cast<double>(k) * slice_spacing) * normal; }
};

SlicePlanes slice_planes_of(const ImageVolume& image);

struct SliceOutline {
  std::size_t slice = 0;                        // index into the planes' slices
  std::vector<std::vector<Vec3>> contours;      // closed, the closing point not repeated; holes are contours too
};

// The in-plane sampling step of the cut: a quarter of the finer pixel spacing, between 0.1 and 0.5 mm.
double cut_step_mm(const SlicePlanes& planes);

// `shape` lies in its own frame; `to_planes_frame` carries it into the planes' frame. `extent` are
// points of the shape's frame whose hull holds the shape (its boundary samples). Each slice's slab (its
// plane +/- half the slice spacing, as a planning system extrudes a contour) is sampled every cut_step_mm()
// in-plane and on seven planes across its thickness; the outline is traced (ITK's
// ContourExtractor2DImageFilter) at the coverage level whose outline encloses the slab's volume, so each
// contour extruded over its slab keeps that slab's share. Slices are in increasing order; slices the
// shape misses are absent.
std::vector<SliceOutline> cut_on_slices(const RegionShape& shape, const RigidTransform& to_planes_frame,
                                        const std::vector<Vec3>& extent, const SlicePlanes& planes);

// The outlines of `values` (row-major, `width` x `height`) at `level`, in pixel coordinates (column, row),
// each closed, the closing point not repeated; the image is padded so that every outline closes.
std::vector<std::vector<std::pair<double, double>>> trace_outlines(const std::vector<float>& values, std::size_t width,
                                                                   std::size_t height, double level);

}  // namespace rtpof::pipeline
