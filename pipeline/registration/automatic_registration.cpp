#include "pipeline/registration/automatic_registration.hpp"

#include <itkBinShrinkImageFilter.h>
#include <itkImageMaskSpatialObject.h>
#include <itkImageRegionConstIteratorWithIndex.h>
#include <itkImageRegionIteratorWithIndex.h>
#include <itkImageRegistrationMethodv4.h>
#include <itkMattesMutualInformationImageToImageMetricv4.h>
#include <itkRegistrationParameterScalesFromPhysicalShift.h>
#include <itkGradientDescentOptimizerv4.h>
#include <itkVersorRigid3DTransform.h>

#include <algorithm>
#include <chrono>
#include <cmath>
#include <cstdio>
#include <vector>

namespace rtpof::pipeline {
namespace {

using Transform = itk::VersorRigid3DTransform<double>;
using Metric = itk::MattesMutualInformationImageToImageMetricv4<ImageVolume, ImageVolume>;
using Optimizer = itk::GradientDescentOptimizerv4Template<double>;
using Registration = itk::ImageRegistrationMethodv4<ImageVolume, ImageVolume, Transform>;
using MaskImage = itk::Image<unsigned char, 3>;
using Mask = itk::ImageMaskSpatialObject<3>;

Vec3 to_vec(const ImageVolume::PointType& p) { return {p[0], p[1], p[2]}; }

// The image averaged down to voxels of at least `floor_mm` along each axis: a planning CT's 0.5 mm pixels
// carry nothing a mutual-information match of an MR needs, and cost four times the smoothing.
ImageVolume::ConstPointer working_copy(const ImageVolume& image, double floor_mm) {
  using Shrink = itk::BinShrinkImageFilter<ImageVolume, ImageVolume>;
  Shrink::ShrinkFactorsType factors;
  bool shrink = false;
  for (unsigned a = 0; a < 3; ++a) {
    factors[a] = std::max(1u, static_cast<unsigned>(std::floor(floor_mm / image.GetSpacing()[a] + 1e-6)));
    shrink = shrink || factors[a] > 1;
  }
  if (!shrink) return ImageVolume::ConstPointer(&image);
  auto filter = Shrink::New();
  filter->SetInput(&image);
  filter->SetShrinkFactors(factors);
  filter->Update();
  return filter->GetOutput();
}

// Centre of mass of the voxels brighter than a tenth of the way from the 5th to the 99th percentile:
// the body, whatever the modality's scale (HU, MR signal). Also returns its extent (RMS radius).
std::pair<Vec3, double> body_centre(const ImageVolume& image) {
  std::vector<float> values(image.GetBufferPointer(),
                            image.GetBufferPointer() + image.GetLargestPossibleRegion().GetNumberOfPixels());
  std::vector<float> sorted = values;
  const std::size_t n = sorted.size();
  std::nth_element(sorted.begin(), sorted.begin() + static_cast<long>(n / 20), sorted.end());
  const double low = sorted[n / 20];
  std::nth_element(sorted.begin(), sorted.begin() + static_cast<long>(n * 99 / 100), sorted.end());
  const double high = sorted[n * 99 / 100];
  const double threshold = low + 0.1 * (high - low);
  Vec3 sum;
  double count = 0, second = 0;
  itk::ImageRegionConstIteratorWithIndex<ImageVolume> it(&image, image.GetLargestPossibleRegion());
  for (; !it.IsAtEnd(); ++it) {
    if (it.Get() <= threshold) continue;
    ImageVolume::PointType p;
    image.TransformIndexToPhysicalPoint(it.GetIndex(), p);
    sum = sum + to_vec(p);
    second += dot(to_vec(p), to_vec(p));
    ++count;
  }
  if (count == 0) {
    ImageVolume::PointType p;
    const auto size = image.GetLargestPossibleRegion().GetSize();
    image.TransformIndexToPhysicalPoint({{long(size[0] / 2), long(size[1] / 2), long(size[2] / 2)}}, p);
    return {to_vec(p), 50.0};
  }
  const Vec3 centre = (1 / count) * sum;
  return {centre, std::sqrt(std::max(0.0, second / count - dot(centre, centre)))};
}

RigidTransform to_rigid(const Transform& t) {
  RigidTransform r;
  const auto m = t.GetMatrix();
  const auto offset = t.GetOffset();
  for (unsigned i = 0; i < 3; ++i) {
    for (unsigned j = 0; j < 3; ++j) r.matrix[4 * i + j] = m[i][j];
    r.matrix[4 * i + 3] = offset[i];
  }
  return r;
}

Mask::Pointer region_mask(const ImageVolume& mr, const std::array<double, 6>& box) {
  auto mask = MaskImage::New();
  mask->CopyInformation(&mr);
  mask->SetRegions(mr.GetLargestPossibleRegion());
  mask->Allocate();
  itk::ImageRegionIteratorWithIndex<MaskImage> it(mask, mask->GetLargestPossibleRegion());
  for (; !it.IsAtEnd(); ++it) {
    ImageVolume::PointType p;
    mr.TransformIndexToPhysicalPoint(it.GetIndex(), p);
    const bool inside = p[0] >= box[0] && p[0] <= box[3] && p[1] >= box[1] && p[1] <= box[4] && p[2] >= box[2] &&
                        p[2] <= box[5];
    it.Set(inside ? 1 : 0);
  }
  auto spatial = Mask::New();
  spatial->SetImage(mask);
  spatial->Update();
  return spatial;
}

struct Run {
  Transform::Pointer transform;
  double metric = 0;
  unsigned iterations = 0;
};

struct Stage {
  std::vector<unsigned> shrink;
  std::vector<double> sigma_mm;
  double maximum_step_mm;
  double samples;  // metric samples per level: the cost of an iteration, whatever the image size
  double convergence;  // the metric's trend over 20 iterations below which a level ends
};

Run register_stage(const ImageVolume& mr, const ImageVolume& ct, const Transform& start,
                   const AutomaticRegistrationSettings& s, const Stage& stage, const Mask* mask) {
  auto metric = Metric::New();
  metric->SetNumberOfHistogramBins(s.histogram_bins);
  metric->SetUseMovingImageGradientFilter(false);
  metric->SetUseFixedImageGradientFilter(false);
  if (mask) metric->SetFixedImageMask(mask);

  auto scales = itk::RegistrationParameterScalesFromPhysicalShift<Metric>::New();
  scales->SetMetric(metric);
  auto optimizer = Optimizer::New();
  optimizer->SetScalesEstimator(scales);
  // Each step moves the image by at most maximum_step_mm (re-estimated every iteration, as ANTs does);
  // convergence: the metric's trend over the last 10 iterations flattens below 1e-6.
  optimizer->SetDoEstimateLearningRateOnce(false);
  optimizer->SetDoEstimateLearningRateAtEachIteration(true);
  optimizer->SetMaximumStepSizeInPhysicalUnits(stage.maximum_step_mm);
  optimizer->SetNumberOfIterations(s.iterations);
  optimizer->SetMinimumConvergenceValue(stage.convergence);
  optimizer->SetConvergenceWindowSize(20);

  auto transform = Transform::New();
  transform->SetFixedParameters(start.GetFixedParameters());
  transform->SetParameters(start.GetParameters());

  auto registration = Registration::New();
  registration->SetFixedImage(&mr);
  registration->SetMovingImage(&ct);
  registration->SetMetric(metric);
  registration->SetOptimizer(optimizer);
  registration->SetInitialTransform(transform);
  registration->InPlaceOn();
  const unsigned levels = static_cast<unsigned>(stage.shrink.size());
  registration->SetNumberOfLevels(levels);
  Registration::ShrinkFactorsArrayType shrink(levels);
  Registration::SmoothingSigmasArrayType sigmas(levels);
  for (unsigned l = 0; l < levels; ++l) shrink[l] = stage.shrink[l], sigmas[l] = stage.sigma_mm[l];
  registration->SetShrinkFactorsPerLevel(shrink);
  registration->SetSmoothingSigmasPerLevel(sigmas);
  registration->SetSmoothingSigmasAreSpecifiedInPhysicalUnits(true);
  registration->SetMetricSamplingStrategy(Registration::MetricSamplingStrategyEnum::RANDOM);
  Registration::MetricSamplingPercentageArrayType percentages(levels);
  const double voxels = static_cast<double>(mr.GetLargestPossibleRegion().GetNumberOfPixels());
  for (unsigned l = 0; l < levels; ++l) {
    const double at_level = voxels / std::pow(static_cast<double>(stage.shrink[l]), 3);
    percentages[l] = std::clamp(stage.samples / at_level, 0.001, 1.0);
  }
  registration->SetMetricSamplingPercentagePerLevel(percentages);
  registration->MetricSamplingReinitializeSeed(s.seed);
  registration->Update();
  return {transform, optimizer->GetValue(), static_cast<unsigned>(optimizer->GetCurrentIteration())};
}

// Two resolutions of each image: `coarse` (voxels of 2 mm or more) for the pyramid, `fine` (1 mm or more)
// for the polish. Building a pyramid level smooths and shrinks whole images, so the pyramid works on
// the small copies.
struct Images {
  ImageVolume::ConstPointer mr_coarse, ct_coarse, mr_fine, ct_fine;
};

// The pyramid (4x to 1x the coarse copies, 8 to 2 mm smoothing; the coarsest level aligns the body
// outlines from far away) with steps of up to maximum_step_mm, then a polish on the fine copies with
// tenth-millimetre steps and twice the samples: each step of this optimiser moves up to its limit, so
// the limit sets the final precision.
Run register_once(const Images& images, const Transform& start, const AutomaticRegistrationSettings& s,
                  const Mask* coarse_mask, const Mask* fine_mask) {
  const Run coarse = register_stage(*images.mr_coarse, *images.ct_coarse, start, s,
                                    {{4, 2, 1}, {8, 4, 2}, s.maximum_step_mm, s.samples, 1e-8}, coarse_mask);
  return register_stage(*images.mr_fine, *images.ct_fine, *coarse.transform, s,
                        {{1}, {0}, 0.1, 2 * s.samples, 1e-7}, fine_mask);
}

}  // namespace

RegistrationChoice register_mr_to_ct(const ImageVolume& mr_input, const ImageVolume& ct_input,
                                     const AutomaticRegistrationSettings& settings) {
  const auto started = std::chrono::steady_clock::now();
  const Images images{working_copy(mr_input, 2 * settings.working_voxel_mm),
                      working_copy(ct_input, 2 * settings.working_voxel_mm),
                      working_copy(mr_input, settings.working_voxel_mm),
                      working_copy(ct_input, settings.working_voxel_mm)};
  const ImageVolume& mr = *images.mr_fine;
  const ImageVolume& ct = *images.ct_fine;
  const auto [mr_centre, mr_radius] = body_centre(mr);
  const Vec3 ct_centre = body_centre(ct).first;

  // The nominal start: rotation about the MR body's centre, which lands on the CT body's centre.
  auto start = Transform::New();
  Transform::InputPointType centre;
  centre[0] = mr_centre.x, centre[1] = mr_centre.y, centre[2] = mr_centre.z;
  start->SetCenter(centre);
  Transform::OutputVectorType shift;
  shift[0] = ct_centre.x - mr_centre.x, shift[1] = ct_centre.y - mr_centre.y, shift[2] = ct_centre.z - mr_centre.z;
  start->SetTranslation(shift);

  Mask::Pointer coarse_mask, fine_mask;
  if (settings.mr_region) {
    coarse_mask = region_mask(*images.mr_coarse, *settings.mr_region);
    fine_mask = region_mask(mr, *settings.mr_region);
  }

  RegistrationChoice result;
  result.source = "auto";
  result.quality.emplace();
  const Run nominal = register_once(images, *start, settings, coarse_mask.GetPointer(), fine_mask.GetPointer());
  result.mr_to_ct = to_rigid(*nominal.transform);
  result.quality->final_metric = nominal.metric;
  result.quality->iterations = nominal.iterations;

  // Eight points on a box around the MR body (its RMS radius): where a wrong answer shows as distance.
  std::vector<Vec3> probes;
  for (int i = 0; i < 8; ++i)
    probes.push_back(mr_centre + Vec3{(i & 1 ? 1 : -1) * mr_radius * 0.6, (i & 2 ? 1 : -1) * mr_radius * 0.6,
                                      (i & 4 ? 1 : -1) * mr_radius * 0.6});
  // The check: restart from the answer moved by a few degrees and millimetres. A true optimum is found
  // again from around it; a wrong pair's optimum is one of many, and the restarts land elsewhere.
  for (unsigned k = 0; k < settings.perturbed_starts; ++k) {
    auto perturbed = Transform::New();
    perturbed->SetFixedParameters(nominal.transform->GetFixedParameters());
    perturbed->SetParameters(nominal.transform->GetParameters());
    const double sign = k % 2 ? -1.0 : 1.0;
    Transform::AxisType axis;
    axis[0] = 1, axis[1] = sign, axis[2] = k % 3 == 2 ? -1 : 1;
    axis.Normalize();
    Transform::VersorType turn;
    turn.Set(axis, sign * settings.start_rotation_deg * M_PI / 180);
    perturbed->SetRotation(turn * perturbed->GetVersor());
    Transform::OutputVectorType moved = perturbed->GetTranslation();
    for (int a = 0; a < 3; ++a) moved[a] += sign * (a == 1 ? -1 : 1) * settings.start_translation_mm / std::sqrt(3.0);
    perturbed->SetTranslation(moved);
    const Run restart = register_once(images, *perturbed, settings, coarse_mask.GetPointer(), fine_mask.GetPointer());
    const RigidTransform answer = to_rigid(*restart.transform);
    for (const Vec3& p : probes)
      result.quality->spread_mm = std::max(result.quality->spread_mm, norm(answer.apply(p) - result.mr_to_ct.apply(p)));
  }
  result.quality->seconds = std::chrono::duration<double>(std::chrono::steady_clock::now() - started).count();
  result.quality->doubtful = result.quality->spread_mm > settings.doubtful_above_mm;
  char line[256];
  std::snprintf(line, sizeof line,
                "Mattes MI %.4f after %u iterations; %u perturbed starts agree within %.2f mm (limit %.1f mm)%s; %.1f s",
                result.quality->final_metric, result.quality->iterations, settings.perturbed_starts,
                result.quality->spread_mm, settings.doubtful_above_mm, result.quality->doubtful ? ": DOUBTFUL" : "",
                result.quality->seconds);
  result.quality->summary = line;
  return result;
}

}  // namespace rtpof::pipeline
