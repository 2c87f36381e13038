#include "pipeline/registration/automatic_registration.hpp"

#include "pipeline/itk_globals.hpp"
#include "pipeline/parallel.hpp"
#include "pipeline/registration/motion_stop.hpp"

#include <itkBinShrinkImageFilter.h>
#include <itkImageMaskSpatialObject.h>
#include <itkImageRegionConstIteratorWithIndex.h>
#include <itkImageRegionIteratorWithIndex.h>
#include <itkImageRegistrationMethodv4.h>
#include <itkMattesMutualInformationImageToImageMetricv4.h>
#include <itkRegistrationParameterScalesFromPhysicalShift.h>
#include <itkSmoothingRecursiveGaussianImageFilter.h>
#include <itkGradientDescentOptimizerv4.h>
#include <itkQuasiNewtonOptimizerv4.h>
#include <itkVersorRigid3DTransform.h>

#include <algorithm>
#include <chrono>
#include <cmath>
#include <cstdio>
#include <random>
#include <stdexcept>
#include <string>
#include <vector>

namespace rtpof::pipeline {
namespace {

using Transform = itk::VersorRigid3DTransform<double>;
using MattesMetric = itk::MattesMutualInformationImageToImageMetricv4<ImageVolume, ImageVolume>;

// ITK's Mattes metric in one work unit. Its work units add their derivative sums into one shared float
// buffer under a lock, in whatever order they finish, so the same input gave answers 3e-5 mm apart from
// run to run once quasi-Newton steps followed the gradient's last bits. ITK's MaximumNumberOfWorkUnits
// caps threads, not work units (its thread pool still runs several); this sets the work units. The cores
// go to independent registrations side by side instead (the z starts, the restarts).
class Metric : public MattesMetric {
 public:
  using Self = Metric;
  using Pointer = itk::SmartPointer<Self>;
  itkNewMacro(Self);

 protected:
  Metric() {
    this->m_SparseGetValueAndDerivativeThreader->SetNumberOfWorkUnits(1);
    this->m_DenseGetValueAndDerivativeThreader->SetNumberOfWorkUnits(1);
  }
};
using Optimizer = itk::GradientDescentOptimizerv4Template<double>;
using QuasiNewton = itk::QuasiNewtonOptimizerv4Template<double>;
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

// The 5th and 99th percentiles of the image's values: its range, whatever the modality's scale (HU, MR
// signal), without the outliers.
std::pair<double, double> robust_range(const ImageVolume& image) {
  std::vector<float> sorted(image.GetBufferPointer(),
                            image.GetBufferPointer() + image.GetLargestPossibleRegion().GetNumberOfPixels());
  const std::size_t n = sorted.size();
  std::nth_element(sorted.begin(), sorted.begin() + static_cast<long>(n / 20), sorted.end());
  const double low = sorted[n / 20];
  std::nth_element(sorted.begin(), sorted.begin() + static_cast<long>(n * 99 / 100), sorted.end());
  return {low, sorted[n * 99 / 100]};
}

// Centre of mass of the voxels brighter than a tenth of the way up the robust range: the body. Also
// returns its extent (RMS radius).
std::pair<Vec3, double> body_centre(const ImageVolume& image) {
  const auto [low, high] = robust_range(image);
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

// A transform of its own with `t`'s centre and parameters: each registration moves its own.
Transform::Pointer copy_of(const Transform& t) {
  auto copy = Transform::New();
  copy->SetFixedParameters(t.GetFixedParameters());
  copy->SetParameters(t.GetParameters());
  return copy;
}

// The voxels of `mr` inside `box`. A box that holds fewer than a thousand of them misses the MR: it is
// refused with the box, rather than left to ITK's "VirtualSampledPointSet must have 1 or more points".
Mask::Pointer region_mask(const ImageVolume& mr, const std::array<double, 6>& box) {
  std::size_t voxels = 0;
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
    voxels += inside;
  }
  if (voxels < 1000) {
    char text[200];
    std::snprintf(text, sizeof text, "x %.0f..%.0f, y %.0f..%.0f, z %.0f..%.0f mm", box[0], box[3], box[1], box[4],
                  box[2], box[5]);
    throw std::runtime_error(std::string("automatic registration: the registration region (MR ") + text + ") holds " +
                             std::to_string(voxels) + " MR voxels: it misses the MR's extent");
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

// Where the metric looks at the MR.
// - jittered: ITK's random strategy, which moves each sample off its voxel centre, so that the MR value
//   there is interpolated. Fine for capture (the pyramid). At full resolution, that smoothing of one
//   image and not the other moved the optimum of the standard phantom 0.25 mm along the CT's 2.5 mm
//   slice axis, while the dense metric over voxel centres peaks at the truth.
// - edge_voxels: voxel centres, as they are, mostly where the MR changes between neighbours (see
//   edge_voxel_samples): the final answer.
enum class Sampling { jittered, edge_voxels };

// How a stage steps.
// - fixed_steps: gradient descent whose every step moves the image by its whole limit (the learning rate
//   re-estimated each iteration, as ANTs does). It cannot overshoot a basin by more than a step: the
//   coarse levels, which must capture. It ends once it circles (motion_stop.hpp).
// - quasi_newton: ITK's quasi-Newton (BFGS) optimiser, its step capped at the limit. Near the optimum
//   the rotation and the translation are coupled (a tilt about the body's centre and a shift along z
//   nearly cancel at the head's edges), and fixed steps zigzag across that valley at a few hundredths
//   of a millimetre of progress each: the last level took 100-260 of them, the settle stage 60-170. The
//   Hessian estimate walks along the valley: 10-40 iterations. It ends once the image stops moving.
enum class Stepping { fixed_steps, quasi_newton };

// A stage's images come smoothed already (LevelCopies below; the settle stage does not smooth).
struct Stage {
  unsigned shrink;
  double maximum_step_mm;
  double samples;  // metric samples per level: the cost of an iteration, whatever the image size
  Sampling sampling = Sampling::jittered;
  Stepping stepping = Stepping::fixed_steps;
};

// The images of one registration: `coarse` copies (voxels of 2 mm or more) for the pyramid, whose levels
// smooth whole images; for the settle stage the MR at 1 mm or more and the CT as it is (the settle does
// not smooth, and its cost is its samples'). And the probes: 8 MR points on a box around the head (0.6 x
// the MR body's RMS radius), where motion and disagreement are measured in mm, whatever the parameters'
// units.
struct Images {
  ImageVolume::ConstPointer mr_coarse, ct_coarse, mr_fine, ct_fine;
  std::vector<Vec3> probes;
};

// `count` voxel centres of `mr` drawn at random with a fixed seed (inside `mask` when there is one): all
// voxels that differ from a face neighbour by more than a tenth of the MR's range, and one in ten of the
// others. Mutual information learns alignment at edges. Uniform samples spend most of themselves on
// flat tissue and air, and 20000 of them left the optimum 0.03-0.46 mm from the truth depending on the
// seed. Favouring edges (importance sampling) kept 0.06-0.11 mm for every seed, at the same cost. The
// flat voxels that stay keep the joint histogram's tissue classes. The optimum stays at the alignment,
// because a correctly aligned pair matches at every sample, whatever its weight.
Metric::FixedSampledPointSetType::Pointer edge_voxel_samples(const ImageVolume& mr, std::size_t count, int seed,
                                                             const Mask* mask) {
  const auto [low, high] = robust_range(mr);
  const double edge = 0.1 * (high - low);
  const auto size = mr.GetLargestPossibleRegion().GetSize();
  std::mt19937 random(static_cast<std::mt19937::result_type>(seed));
  std::array<std::uniform_int_distribution<long>, 3> along{
      std::uniform_int_distribution<long>(0, static_cast<long>(size[0]) - 1),
      std::uniform_int_distribution<long>(0, static_cast<long>(size[1]) - 1),
      std::uniform_int_distribution<long>(0, static_cast<long>(size[2]) - 1)};
  std::uniform_real_distribution<double> keep_flat(0, 1);
  auto points = Metric::FixedSampledPointSetType::New();
  std::size_t kept = 0;
  for (std::size_t tries = 0; kept < count && tries < 50 * count; ++tries) {
    const ImageVolume::IndexType index{{along[0](random), along[1](random), along[2](random)}};
    ImageVolume::PointType p;
    mr.TransformIndexToPhysicalPoint(index, p);
    if (mask && !mask->IsInsideInWorldSpace(p)) continue;
    const double here = mr.GetPixel(index);
    double change = 0;
    for (unsigned a = 0; a < 3; ++a)
      for (const long step : {-1L, 1L}) {
        ImageVolume::IndexType next = index;
        next[a] += step;
        if (next[a] >= 0 && next[a] < static_cast<long>(size[a]))
          change = std::max(change, std::abs(static_cast<double>(mr.GetPixel(next)) - here));
      }
    if (change <= edge && keep_flat(random) > 0.1) continue;
    points->SetPoint(kept++, p);
  }
  return points;
}

Run register_stage(const ImageVolume& mr, const ImageVolume& ct, const Transform& start,
                   const AutomaticRegistrationSettings& s, const Stage& stage, const Mask* mask,
                   const std::vector<Vec3>& probes) {
  auto metric = Metric::New();
  metric->SetNumberOfHistogramBins(s.histogram_bins);
  metric->SetUseMovingImageGradientFilter(false);
  metric->SetUseFixedImageGradientFilter(false);
  // Edge voxel samples are drawn inside the mask already.
  if (mask && stage.sampling == Sampling::jittered) metric->SetFixedImageMask(mask);

  auto scales = itk::RegistrationParameterScalesFromPhysicalShift<Metric>::New();
  scales->SetMetric(metric);
  auto transform = copy_of(start);

  Optimizer::Pointer optimizer;
  auto motion = MotionStop::New();
  if (stage.stepping == Stepping::fixed_steps) {
    optimizer = Optimizer::New();
    // Each step moves the image by maximum_step_mm (the learning rate re-estimated every iteration).
    // It ends when it circles (half a step of net motion over 8 iterations), or when the metric's trend
    // over 20 iterations flattens below 1e-8, whichever comes first.
    optimizer->SetDoEstimateLearningRateOnce(false);
    optimizer->SetDoEstimateLearningRateAtEachIteration(true);
    optimizer->SetMaximumStepSizeInPhysicalUnits(stage.maximum_step_mm);
    optimizer->SetMinimumConvergenceValue(1e-8);
    optimizer->SetConvergenceWindowSize(20);
    motion->watch(optimizer, transform, &probes, s.circling_window, s.circling_fraction * stage.maximum_step_mm);
  } else {
    auto quasi_newton = QuasiNewton::New();
    quasi_newton->SetMaximumNewtonStepSizeInPhysicalUnits(stage.maximum_step_mm);
    // Only the motion ends it. ITK's own tests (no better metric for some iterations, then back to the
    // best; the metric's trend) picked among nearly equal metric values, and which one won turned on
    // the last bits of the metric's threaded sums: the answer differed between runs of the same input.
    quasi_newton->SetMaximumIterationsWithoutProgress(s.iterations);
    quasi_newton->SetConvergenceWindowSize(s.iterations + 1);
    optimizer = quasi_newton;
    motion->watch(optimizer, transform, &probes, s.settled_window, s.settled_mm);
  }
  optimizer->SetScalesEstimator(scales);
  optimizer->SetNumberOfIterations(s.iterations);
  optimizer->AddObserver(itk::IterationEvent(), motion);

  // Each registration gets its own image objects over the shared pixels: ITK's pipeline writes an input's
  // requested region, which must not be shared between registrations running side by side.
  auto fixed = ImageVolume::New();
  fixed->Graft(&mr);
  auto moving = ImageVolume::New();
  moving->Graft(&ct);
  auto registration = Registration::New();
  registration->SetFixedImage(fixed);
  registration->SetMovingImage(moving);
  registration->SetMetric(metric);
  registration->SetOptimizer(optimizer);
  registration->SetInitialTransform(transform);
  registration->InPlaceOn();
  registration->SetNumberOfLevels(1);
  Registration::ShrinkFactorsArrayType shrink(1);
  Registration::SmoothingSigmasArrayType sigmas(1);
  shrink[0] = stage.shrink;
  sigmas[0] = 0;
  registration->SetShrinkFactorsPerLevel(shrink);
  registration->SetSmoothingSigmasPerLevel(sigmas);
  if (stage.sampling == Sampling::edge_voxels) {
    // The samples are given to the metric as points; ITK's sampler must not replace them.
    registration->SetMetricSamplingStrategy(Registration::MetricSamplingStrategyEnum::NONE);
    metric->SetFixedSampledPointSet(edge_voxel_samples(mr, static_cast<std::size_t>(stage.samples), s.seed, mask));
    metric->SetUseSampledPointSet(true);
  } else {
    registration->SetMetricSamplingStrategy(Registration::MetricSamplingStrategyEnum::RANDOM);
    Registration::MetricSamplingPercentageArrayType percentages(1);
    const double voxels = static_cast<double>(mr.GetLargestPossibleRegion().GetNumberOfPixels());
    percentages[0] = std::clamp(stage.samples / (voxels / std::pow(static_cast<double>(stage.shrink), 3)), 0.001, 1.0);
    registration->SetMetricSamplingPercentagePerLevel(percentages);
    registration->MetricSamplingReinitializeSeed(s.seed);
  }
  registration->Update();
  return {transform, optimizer->GetValue(), static_cast<unsigned>(optimizer->GetCurrentIteration())};
}

// The pyramid on the coarse copies, jittered samples, one stage per level: shrink 4, 2, 1 with 8, 4,
// 2 mm smoothing and steps of at most pyramid_steps_mm (2, 1, 1 mm). The two coarse levels take fixed
// steps, so a level's step sets its precision: the coarsest aligns the body outlines from far away, the
// next lands within a millimetre (with one 1 mm step for both, a registration restricted to the upper
// head ended 8 mm off along z). The last level walks to its optimum by quasi-Newton steps.
constexpr unsigned level_shrink[3] = {4, 2, 1};
constexpr double level_sigma_mm[3] = {8, 4, 2};
// Fewer samples where the image is small and only capture matters: a quarter, a half, all of them.
constexpr double level_share[3] = {0.25, 0.5, 1.0};

// Both coarse copies smoothed for one pyramid level, exactly as ImageRegistrationMethodv4 would smooth them
// (SmoothingRecursiveGaussianImageFilter, sigma in mm), but once for every start run at that level: ITK
// smooths both whole images again for each registration, a tenth of a second each time.
struct LevelCopies {
  ImageVolume::ConstPointer mr, ct;
};
LevelCopies smoothed(const Images& images, unsigned level) {
  const auto smooth = [level](const ImageVolume& image) -> ImageVolume::ConstPointer {
    using Smoothing = itk::SmoothingRecursiveGaussianImageFilter<ImageVolume, ImageVolume>;
    auto filter = Smoothing::New();
    filter->SetSigmaArray(Smoothing::SigmaArrayType(level_sigma_mm[level]));
    filter->SetInput(&image);
    filter->Update();
    return filter->GetOutput();
  };
  return {smooth(*images.mr_coarse), smooth(*images.ct_coarse)};
}

// One pyramid level from a start; the copies are smoothed already, so ITK only shrinks the MR's domain.
// `step_mm` replaces the level's own step when given.
Run register_level(const LevelCopies& copies, unsigned level, const Transform& start,
                   const AutomaticRegistrationSettings& s, const Mask* coarse_mask, const std::vector<Vec3>& probes,
                   double step_mm = 0) {
  const Stage stage{level_shrink[level], step_mm > 0 ? step_mm : s.pyramid_steps_mm[level], level_share[level] * s.samples,
                    Sampling::jittered, level == 2 ? Stepping::quasi_newton : Stepping::fixed_steps};
  return register_stage(*copies.mr, *copies.ct, start, s, stage, coarse_mask, probes);
}

// The coarsest level from the start and from the start moved by each of coarse_z_starts_mm along z, side
// by side; the best metric wins. The head's outline is nearly the same from one axial slice to the next,
// so the bodies' centres of mass say little about z (each is the middle of its field of view), and a
// start 19 mm off along z ended in a basin 6-10 mm from the truth.
Run coarsest_level(const Images& images, const Transform& start, const AutomaticRegistrationSettings& s,
                   const Mask* coarse_mask) {
  const LevelCopies copies = smoothed(images, 0);
  std::vector<double> shifts{0.0};  // the start itself first: on a tie it wins
  for (const double dz : s.coarse_z_starts_mm)
    if (dz != 0) shifts.push_back(dz);
  // The starts are made here, not in the tasks: ITK's GetParameters() writes the transform's own
  // parameter array before returning it, so copying one transform on several threads races on it.
  std::vector<Transform::Pointer> starts;
  for (const double dz : shifts) {
    auto moved = copy_of(start);
    Transform::OutputVectorType t = moved->GetTranslation();
    t[2] += dz;
    moved->SetTranslation(t);
    starts.push_back(moved);
  }
  std::vector<Run> tried(shifts.size());
  rethrow_first(for_each_index(shifts.size(), core_count(), [&](std::size_t i) {
    tried[i] = register_level(copies, 0, *starts[i], s, coarse_mask, images.probes);
  }));
  // Mattes MI is negative: lower is better.
  return *std::min_element(tried.begin(), tried.end(), [](const Run& a, const Run& b) { return a.metric < b.metric; });
}

// The answer's last stage, on the fine copies: edge voxel samples, quasi-Newton steps of at most 0.2 mm.
// It removes the jittered samples' bias (0.25 mm on the standard phantom; 0.02-0.16 mm left).
Run settle(const Images& images, const Transform& start, const AutomaticRegistrationSettings& s, const Mask* fine_mask) {
  return register_stage(*images.mr_fine, *images.ct_fine, start, s,
                        {1, s.settle_step_mm, s.samples, Sampling::edge_voxels, Stepping::quasi_newton}, fine_mask,
                        images.probes);
}

}  // namespace

RegistrationChoice register_mr_to_ct(const ImageVolume& mr_input, const ImageVolume& ct_input,
                                     const AutomaticRegistrationSettings& settings) {
  const auto started = std::chrono::steady_clock::now();
  make_itk_globals();  // the starts and restarts are registered side by side, each with its own ITK objects
  Images images{working_copy(mr_input, 2 * settings.working_voxel_mm),
                working_copy(ct_input, 2 * settings.working_voxel_mm),
                working_copy(mr_input, settings.working_voxel_mm),
                // The settle stage reads the CT as it is: its cost is its samples', whatever the CT's
                // size, and a 1 mm copy of a 0.5 mm CT was 31 MB more at the job's peak.
                ImageVolume::ConstPointer(&ct_input),
                {}};
  const ImageVolume& mr = *images.mr_fine;
  // The bodies' centres from the 2 mm copies: a quarter of the time, and nothing lost at that scale.
  const auto [mr_centre, mr_radius] = body_centre(*images.mr_coarse);
  const Vec3 ct_centre = body_centre(*images.ct_coarse).first;
  for (int i = 0; i < 8; ++i)
    images.probes.push_back(mr_centre + Vec3{(i & 1 ? 1 : -1) * mr_radius * 0.6, (i & 2 ? 1 : -1) * mr_radius * 0.6,
                                             (i & 4 ? 1 : -1) * mr_radius * 0.6});

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
  // The pyramid: the coarsest level from the start and its z shifts, then the two finer ones.
  const Run coarsest = coarsest_level(images, *start, settings, coarse_mask.GetPointer());
  const LevelCopies middle = smoothed(images, 1);
  const Run middle_answer = register_level(middle, 1, *coarsest.transform, settings, coarse_mask.GetPointer(), images.probes);
  const LevelCopies last = smoothed(images, 2);
  const Run pyramid = register_level(last, 2, *middle_answer.transform, settings, coarse_mask.GetPointer(), images.probes);

  // The check: restart from the pyramid's answer moved by a few degrees and millimetres. A true optimum
  // is found again from around it; a wrong pair's optimum is one of many, and the restarts land
  // elsewhere. The restarts take the middle level (4 mm smoothing, 2 mm steps: they travel from 6 mm and
  // 6 degrees away; the coarsest level is for the body outline from far away) and the last, and do not
  // settle: they are compared with the settled answer at the scale of the limit (2 mm), and the last level
  // lands within a few tenths of a millimetre of a true optimum. The probes are where a wrong answer shows
  // as distance.
  std::vector<Run> restarts;
  for (unsigned k = 0; k < settings.perturbed_starts; ++k) {
    auto perturbed = copy_of(*pyramid.transform);
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
    restarts.push_back({perturbed, 0, 0});
  }
  // The settle stage (the answer) and the restarts side by side, on the level copies made for the answer:
  // first the settle stage with the restarts' middle levels, then their last levels. Two cores pack these
  // five single-threaded registrations tighter than three chains (0.2 s on the standard phantom).
  Run nominal;
  rethrow_first(for_each_index(1 + restarts.size(), core_count(), [&](std::size_t task) {
    if (task == 0)
      nominal = settle(images, *pyramid.transform, settings, fine_mask.GetPointer());
    else
      restarts[task - 1] = register_level(middle, 1, *restarts[task - 1].transform, settings, coarse_mask.GetPointer(),
                                          images.probes, settings.restart_middle_step_mm);
  }));
  rethrow_first(for_each_index(restarts.size(), core_count(), [&](std::size_t k) {
    restarts[k] = register_level(last, 2, *restarts[k].transform, settings, coarse_mask.GetPointer(), images.probes);
  }));
  result.mr_to_ct = to_rigid(*nominal.transform);
  result.quality->final_metric = nominal.metric;
  result.quality->iterations = nominal.iterations;
  for (const Run& restart : restarts) {
    const RigidTransform answer = to_rigid(*restart.transform);
    for (const Vec3& p : images.probes)
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
