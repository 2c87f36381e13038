#include "pipeline/itk_globals.hpp"

#include <itkDataObject.h>
#include <itkMersenneTwisterRandomVariateGenerator.h>
#include <itkMultiThreaderBase.h>
#include <itkObject.h>
#include <itkObjectFactoryBase.h>
#include <itkOutputWindow.h>
#include <itkTimeStamp.h>

namespace rtpof::pipeline {

void make_itk_globals() {
  // A function-local static: C++ runs its initialiser once, and other callers wait for it.
  static const bool made = [] {
    itk::Object::GetGlobalWarningDisplay();
    itk::DataObject::GetGlobalReleaseDataFlag();
    itk::TimeStamp().Modified();
    itk::ObjectFactoryBase::GetRegisteredFactories();
    // A threader of the default kind: its settings, and the thread pool's when the pool is the default.
    itk::MultiThreaderBase::New();
    itk::Statistics::MersenneTwisterRandomVariateGenerator::GetInstance();
    itk::OutputWindow::GetInstance();
    return true;
  }();
  static_cast<void>(made);
}

}  // namespace rtpof::pipeline
