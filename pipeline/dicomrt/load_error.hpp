#pragma once
// The one error every loader throws: which instance, which attribute, what is wrong — enough for a
// physicist to find the object in the planning system and fix it.
#include <stdexcept>
#include <string>

namespace rtpof::pipeline {

class LoadError : public std::runtime_error {
 public:
  // `attribute` is "(gggg,eeee) Keyword", or empty when the fault is the whole object or file.
  LoadError(std::string instance, std::string attribute, std::string problem);

  const std::string& instance() const { return instance_; }    // SOP Instance UID, else the file name
  const std::string& attribute() const { return attribute_; }
  const std::string& problem() const { return problem_; }

 private:
  std::string instance_, attribute_, problem_;
};

}  // namespace rtpof::pipeline
