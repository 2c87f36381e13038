#pragma once
// Ends an ITK v4 registration stage once its transform stops getting anywhere, measured in mm at probe
// points (automatic_registration.cpp puts 8 on a box around the head): when no probe's mean position over
// the last `window` iterations is `distance_mm` or more from its mean over the `window` iterations before.
// A fixed-step optimiser circling its optimum moves a whole step per iteration but gets nowhere; one
// travelling along a valley, however zigzagging, still does. The metric's trend, ITK's own test, is slow
// to flatten on jittered samples (hundreds of iterations), and its decision at 1e-8 turned on the last
// bits of the metric's threaded sums.
#include <itkCommand.h>
#include <itkGradientDescentOptimizerv4.h>
#include <itkVersorRigid3DTransform.h>

#include <cstddef>
#include <vector>

#include "pipeline/vec3.hpp"

namespace rtpof::pipeline {

class MotionStop : public itk::Command {
 public:
  using Self = MotionStop;
  using Pointer = itk::SmartPointer<Self>;
  using Optimizer = itk::GradientDescentOptimizerv4Template<double>;  // quasi-Newton's base too
  using Transform = itk::VersorRigid3DTransform<double>;
  itkNewMacro(Self);

  // Watches `transform` as `optimizer` moves it; both, and `probes`, must outlive the optimisation.
  void watch(Optimizer* optimizer, const Transform* transform, const std::vector<Vec3>* probes, std::size_t window,
             double distance_mm);
  void Execute(itk::Object* caller, const itk::EventObject& event) override;
  void Execute(const itk::Object* caller, const itk::EventObject& event) override;

 private:
  MotionStop() = default;
  std::vector<Vec3> positions() const;

  Optimizer* optimizer_ = nullptr;
  const Transform* transform_ = nullptr;
  const std::vector<Vec3>* probes_ = nullptr;
  std::size_t window_ = 8;
  double distance_mm_ = 0;
  std::vector<std::vector<Vec3>> history_;  // the probes' positions after each iteration
};

}  // namespace rtpof::pipeline
