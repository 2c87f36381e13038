// 1 000 mutated copies of each object type (truncated, bytes flipped, VRs changed, lengths made absurd)
// through the loaders. Each must end in a result or a LoadError: never another exception, never a crash
// (this suite also runs under AddressSanitizer and UndefinedBehaviorSanitizer).
#include <gtest/gtest.h>

#include <dcmtk/oflog/oflog.h>

#include <cstring>
#include <fstream>
#include <functional>
#include <iterator>
#include <random>

#include "phantom/phantom_writer.hpp"
#include "pipeline/dicomrt/dose_grid.hpp"
#include "pipeline/dicomrt/image_series.hpp"
#include "pipeline/dicomrt/load_error.hpp"
#include "pipeline/dicomrt/rt_plan.hpp"
#include "pipeline/dicomrt/segmentation.hpp"
#include "pipeline/dicomrt/spatial_registration.hpp"
#include "pipeline/dicomrt/structure_set.hpp"
#include "tests/support/test_paths.hpp"

namespace rtpof::pipeline {
namespace {

namespace fs = std::filesystem;
using Bytes = std::vector<char>;

constexpr int kMutations = 1000;

Bytes read_bytes(const fs::path& file) {
  std::ifstream in(file, std::ios::binary);
  return Bytes(std::istreambuf_iterator<char>(in), std::istreambuf_iterator<char>());
}

// Offsets of explicit-VR element headers: a known VR code right after a 4-byte tag.
std::vector<std::size_t> vr_offsets(const Bytes& bytes) {
  static const char* const vrs[] = {"AE", "AS", "AT", "CS", "DA", "DS", "DT", "FD", "FL", "IS", "LO", "LT", "OB",
                                    "OD", "OF", "OL", "OW", "PN", "SH", "SL", "SQ", "SS", "ST", "TM", "UC", "UI",
                                    "UL", "UN", "UR", "US", "UT"};
  std::vector<std::size_t> offsets;
  for (std::size_t i = 132 + 4; i + 8 < bytes.size(); ++i)
    for (const char* vr : vrs)
      if (bytes[i] == vr[0] && bytes[i + 1] == vr[1]) {
        offsets.push_back(i);
        break;
      }
  return offsets;
}

bool long_length_vr(const Bytes& b, std::size_t at) {
  static const char* const vrs[] = {"OB", "OD", "OF", "OL", "OW", "SQ", "UC", "UN", "UR", "UT"};
  for (const char* vr : vrs)
    if (b[at] == vr[0] && b[at + 1] == vr[1]) return true;
  return false;
}

Bytes mutate(const Bytes& original, const std::vector<std::size_t>& vr_at, std::mt19937_64& rng, int kind) {
  Bytes b = original;
  auto pick = [&](std::size_t n) { return std::uniform_int_distribution<std::size_t>(0, n - 1)(rng); };
  switch (kind) {
    case 0:  // truncated anywhere
      b.resize(pick(b.size()));
      break;
    case 1: {  // 1 to 16 bytes flipped
      const std::size_t flips = 1 + pick(16);
      for (std::size_t i = 0; i < flips; ++i) b[pick(b.size())] ^= static_cast<char>(1 + pick(255));
      break;
    }
    case 2: {  // an element's VR replaced by another
      static const char* const vrs[] = {"US", "SQ", "OB", "UN", "DS", "FD", "UI", "AT", "OW", "SS", "XX"};
      const std::size_t at = vr_at[pick(vr_at.size())];
      const char* vr = vrs[pick(std::size(vrs))];
      b[at] = vr[0];
      b[at + 1] = vr[1];
      break;
    }
    default: {  // an element's length made absurd
      static const std::uint32_t lengths[] = {0xFFFFFFFFu, 0xFFFFFFFEu, 0x7FFFFFFFu, 0xFFFFFFF0u, 0x10000000u, 0xFFFFu,
                                              0xFFFEu, 1, 3, 0};
      const std::size_t at = vr_at[pick(vr_at.size())];
      const std::uint32_t length = pick(3) == 0 ? static_cast<std::uint32_t>(rng()) : lengths[pick(std::size(lengths))];
      if (long_length_vr(b, at)) {
        std::memcpy(&b[at + 4], &length, 4);
      } else {
        const auto short_length = static_cast<std::uint16_t>(length);
        std::memcpy(&b[at + 2], &short_length, 2);
      }
      break;
    }
  }
  return b;
}

class LoaderFuzz : public ::testing::Test {
 protected:
  // A tiny phantom (CT 48 x 48 x 8, MR 42 x 42 x 8 with SEG and REG): small objects, fast mutations.
  static void SetUpTestSuite() {
    OFLog::configure(OFLogger::FATAL_LOG_LEVEL);  // DCMTK's own parser warnings, thousands of them
    dir_ = std::make_unique<testing::TempDir>();
    phantom::PhantomSpec spec = phantom::PhantomSpec::small(3);
    spec.case_name = "in-field";
    spec.columns = spec.rows = 48;
    spec.pixel_spacing_mm = 5.3;
    spec.slices = 8;
    spec.mr_columns = spec.mr_rows = 42;
    spec.mr_pixel_spacing_mm = 5.8;
    spec.mr_slices = 8;
    spec.seg = spec.reg = true;
    spec.truth_points = 1e4;
    files_ = phantom::write_phantom(spec, dir_->path());
  }
  static void TearDownTestSuite() { dir_.reset(); }

  // Feeds kMutations mutants of `file` to `load`; returns how many loaded and how many were refused.
  static void fuzz(const fs::path& file, const std::function<void(DicomObject&)>& load, std::uint64_t seed) {
    const Bytes original = read_bytes(file);
    const std::vector<std::size_t> vr_at = vr_offsets(original);
    ASSERT_GT(vr_at.size(), 20u);
    std::mt19937_64 rng(seed);
    int loaded = 0, refused = 0;
    for (int i = 0; i < kMutations; ++i) {
      const Bytes mutant = mutate(original, vr_at, rng, i % 4);
      try {
        DicomObject object = DicomObject::parse(mutant, "mutant " + std::to_string(i));
        load(object);
        ++loaded;
      } catch (const LoadError& e) {
        EXPECT_FALSE(std::string(e.what()).empty());
        ++refused;
      } catch (const std::exception& e) {
        ADD_FAILURE() << "mutant " << i << " of " << file.filename() << " (kind " << i % 4
                      << ") ended in an untyped exception: " << e.what();
      }
    }
    // Both outcomes must occur, or the mutations are not reaching the loader.
    EXPECT_GT(loaded, 0) << file.filename();
    EXPECT_GT(refused, kMutations / 10) << file.filename();
    std::printf("%s: %d loaded, %d refused with a LoadError\n", file.filename().c_str(), loaded, refused);
  }

  static std::unique_ptr<testing::TempDir> dir_;
  static phantom::PhantomFiles files_;
};
std::unique_ptr<testing::TempDir> LoaderFuzz::dir_;
phantom::PhantomFiles LoaderFuzz::files_;

TEST_F(LoaderFuzz, ImageSeries) {
  const Bytes second = read_bytes(files_.plan.ct[1]);
  fuzz(files_.plan.ct[0], [&](DicomObject& mutant) {
    std::vector<DicomObject> objects;
    objects.push_back(std::move(mutant));
    objects.push_back(DicomObject::parse(second, "slice 2"));
    load_image_series(objects);
  }, 1);
}

TEST_F(LoaderFuzz, Rtstruct) { fuzz(files_.plan.rtstruct, [](DicomObject& o) { load_structure_set(o); }, 2); }
TEST_F(LoaderFuzz, Rtdose) { fuzz(files_.plan.rtdose, [](DicomObject& o) { load_dose_grid(o); }, 3); }
TEST_F(LoaderFuzz, Rtplan) { fuzz(files_.plan.rtplan, [](DicomObject& o) { load_rt_plan(o); }, 4); }
TEST_F(LoaderFuzz, Reg) { fuzz(*files_.followup.reg, [](DicomObject& o) { load_spatial_registration(o); }, 5); }
TEST_F(LoaderFuzz, Seg) { fuzz(files_.followup.recurrence, [](DicomObject& o) { load_segmentation(o); }, 6); }

}  // namespace
}  // namespace rtpof::pipeline
