// ITK's process-wide globals made once, on the calling thread, before the pipeline's parallel sections
// make ITK objects (pipeline/itk_globals.hpp). ctest runs each test in a process of its own, so the
// index starts without them and only make_itk_globals() can have put them there.
#include <gtest/gtest.h>

#include <itkMultiThreaderBase.h>
#include <itkSingleton.h>

#include <string>
#include <vector>

#include "pipeline/itk_globals.hpp"

namespace rtpof::testing {
namespace {

// The names under which ITK 5.2 registers the globals the pipeline's objects use (its .cxx files'
// itkGetGlobal*Macro lines); an analysis run registers no other.
std::vector<std::string> pipeline_globals() {
  std::vector<std::string> names = {"GlobalWarningDisplay", "GlobalReleaseDataFlag", "GlobalTimeStamp",
                                    "ObjectFactoryBase", "MultiThreaderBase",
                                    "MersenneTwisterRandomVariateGenerator", "OutputWindow"};
  if (itk::MultiThreaderBase::GetGlobalDefaultThreader() == itk::MultiThreaderBase::ThreaderEnum::Pool)
    names.emplace_back("ThreadPool");
  return names;
}

TEST(ItkGlobals, OneCallMakesEveryGlobalThePipelineUses) {
  rtpof::pipeline::make_itk_globals();
  rtpof::pipeline::make_itk_globals();  // the second call finds them made
  for (const std::string& name : pipeline_globals())
    EXPECT_NE(itk::SingletonIndex::GetInstance()->GetGlobalInstance<void>(name.c_str()), nullptr) << name;
}

}  // namespace
}  // namespace rtpof::testing
