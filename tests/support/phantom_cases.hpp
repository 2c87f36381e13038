#pragma once
// The phantom cases that parameterised tests run through `rtpof phantom`, and their test names.
#include <gtest/gtest.h>

#include <filesystem>
#include <ostream>
#include <string>
#include <vector>

namespace rtpof::testing {

struct PhantomCase {
  std::string name;                // `rtpof phantom --case`
  std::vector<std::string> flags;  // e.g. --reg, --seg
};

// gtest prints a parameter with this (not as bytes): "marginal-93 --reg --seg".
void PrintTo(const PhantomCase& c, std::ostream* out);

// "marginal_93", "marginal_93_seg", "marginal_auto_registration" (no --reg).
std::string phantom_case_test_name(const ::testing::TestParamInfo<PhantomCase>& info);

// Writes the case to `out` with the rtpof binary; fails the calling test when that fails.
void write_phantom_case(const PhantomCase& c, const std::filesystem::path& out);

}  // namespace rtpof::testing
