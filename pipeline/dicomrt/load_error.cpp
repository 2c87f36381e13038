#include "pipeline/dicomrt/load_error.hpp"

namespace rtpof::pipeline {
namespace {

std::string message(const std::string& instance, const std::string& attribute, const std::string& problem) {
  std::string text = "instance " + (instance.empty() ? std::string("(unknown)") : instance);
  if (!attribute.empty()) text += ", " + attribute;
  return text + ": " + problem;
}

}  // namespace

LoadError::LoadError(std::string instance, std::string attribute, std::string problem)
    : std::runtime_error(message(instance, attribute, problem)),
      instance_(std::move(instance)),
      attribute_(std::move(attribute)),
      problem_(std::move(problem)) {}

}  // namespace rtpof::pipeline
