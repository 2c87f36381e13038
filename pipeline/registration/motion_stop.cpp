#include "pipeline/registration/motion_stop.hpp"

#include <algorithm>

namespace rtpof::pipeline {

void MotionStop::watch(Optimizer* optimizer, const Transform* transform, const std::vector<Vec3>* probes,
                       std::size_t window, double distance_mm) {
  optimizer_ = optimizer, transform_ = transform, probes_ = probes, window_ = window, distance_mm_ = distance_mm;
  history_.assign(1, positions());
}

void MotionStop::Execute(itk::Object* caller, const itk::EventObject& event) {
  Execute(static_cast<const itk::Object*>(caller), event);
}

void MotionStop::Execute(const itk::Object*, const itk::EventObject& event) {
  if (!itk::IterationEvent().CheckEvent(&event)) return;
  history_.push_back(positions());
  const std::size_t n = history_.size();
  if (n < 2 * window_) return;
  double farthest = 0;
  for (std::size_t i = 0; i < probes_->size(); ++i) {
    Vec3 before, last;
    for (std::size_t k = n - 2 * window_; k < n - window_; ++k) before = before + history_[k][i];
    for (std::size_t k = n - window_; k < n; ++k) last = last + history_[k][i];
    farthest = std::max(farthest, norm(last - before) / static_cast<double>(window_));
  }
  if (farthest < distance_mm_) optimizer_->StopOptimization();
}

std::vector<Vec3> MotionStop::positions() const {
  std::vector<Vec3> out;
  for (const Vec3& p : *probes_) {
    Transform::InputPointType point;
    point[0] = p.x, point[1] = p.y, point[2] = p.z;
    const auto moved = transform_->TransformPoint(point);
    out.push_back({moved[0], moved[1], moved[2]});
  }
  return out;
}

}  // namespace rtpof::pipeline
