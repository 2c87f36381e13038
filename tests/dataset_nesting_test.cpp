// The pre-parse nesting scan (storage/dataset_nesting.hpp) and the escaping of peer text
// (storage/printable.hpp), on files built byte by byte and on the phantom's and real exports.
#include <gtest/gtest.h>

#include <fstream>

#include "pipeline/dicomrt/dicom_object.hpp"
#include "pipeline/dicomrt/load_error.hpp"
#include "storage/dataset_nesting.hpp"
#include "storage/printable.hpp"
#include "tests/support/echo_client.hpp"
#include "tests/support/test_paths.hpp"

namespace rtpof::testing {
namespace {

namespace fs = std::filesystem;

fs::path write_bytes(const TempDir& dir, const std::string& name, const std::string& bytes) {
  const fs::path file = dir.path() / name;
  std::ofstream(file, std::ios::binary) << bytes;
  return file;
}

TEST(DatasetNesting, CountsUndefinedLengthSequencesToTheirDepth) {
  TempDir dir;
  for (const std::size_t depth : {0u, 1u, 7u, 128u}) {
    const auto scan = storage::scan_sequence_nesting(write_bytes(dir, "n.dcm", nested_sequence_file_bytes(depth, "1.2.3")));
    EXPECT_EQ(scan.depth, depth);
    EXPECT_TRUE(scan.complete) << depth;
  }
}

TEST(DatasetNesting, StopsCountingPastTheLimitOnAHostileFile) {
  TempDir dir;
  const auto scan = storage::scan_sequence_nesting(write_bytes(dir, "deep.dcm", nested_sequence_file_bytes(100000, "1.2.3")));
  EXPECT_EQ(scan.depth, storage::max_sequence_nesting + 1);
}

TEST(DatasetNesting, RealExportsNestAFewLevels) {
  // Pinnacle's RTSTRUCT and RTPLAN (explicit and implicit VR, defined-length sequences).
  const fs::path realdata = realdata_dir();
  std::size_t files = 0;
  for (const auto& entry : fs::recursive_directory_iterator(realdata)) {
    if (!entry.is_regular_file() || entry.path().extension() != ".dcm") continue;
    const auto scan = storage::scan_sequence_nesting(entry.path());
    EXPECT_LE(scan.depth, 8u) << entry.path();
    EXPECT_TRUE(scan.overrun.empty()) << entry.path() << ": " << scan.overrun;
    EXPECT_GE(scan.depth, 1u) << entry.path() << ": every RT object has a sequence";
    ++files;
  }
  EXPECT_GT(files, 10u);
}

// The loaders (rtpof analyze, dvh, inspect on any folder) refuse such a file too, from a file or from bytes.
TEST(DatasetNesting, TheLoadersRefuseAHostileFileInsteadOfOverflowingTheStack) {
  TempDir dir;
  const std::string bytes = nested_sequence_file_bytes(10000, "1.2.3");
  const fs::path file = write_bytes(dir, "deep.dcm", bytes);
  EXPECT_THROW(pipeline::DicomObject::read_file(file), pipeline::LoadError);
  EXPECT_THROW(pipeline::DicomObject::parse(std::vector<char>(bytes.begin(), bytes.end()), "bytes"), pipeline::LoadError);
  EXPECT_NO_THROW(pipeline::DicomObject::read_file(write_bytes(dir, "shallow.dcm", nested_sequence_file_bytes(3, "1.2.3"))));
}

// An element declaring more bytes than the file holds (DCMTK would allocate the declared length, up to
// 4 GiB, before finding the file short) is caught by the scan, and the loaders refuse it.
TEST(DatasetNesting, AnElementLongerThanTheFileIsAnOverrun) {
  TempDir dir;
  std::string bytes = nested_sequence_file_bytes(2, "1.2.3");
  // (0010,1000) OtherPatientIDs as UT (32-bit length) declaring 1 GB, followed by 4 bytes.
  bytes += std::string("\x10\x00\x00\x10UT\x00\x00\x00\x00\x00\x40", 12) + "abcd";
  const fs::path file = write_bytes(dir, "overrun.dcm", bytes);
  const auto scan = storage::scan_sequence_nesting(file);
  EXPECT_NE(scan.overrun.find("declares 1073741824 bytes where 4 remain"), std::string::npos) << scan.overrun;
  EXPECT_THROW(pipeline::DicomObject::read_file(file), pipeline::LoadError);
}

TEST(Printable, EscapesControlCharactersAndStopsAtNul) {
  EXPECT_EQ(storage::printable("RTPOF  "), "RTPOF");
  EXPECT_EQ(storage::printable("A\nB"), "A\\x0AB");
  EXPECT_EQ(storage::printable("\x1b[31mX"), "\\x1B[31mX");
  EXPECT_EQ(storage::printable(std::string("1.2\0.3", 6)), "1.2\\x00");
  EXPECT_EQ(storage::printable("a\\b"), "a\\\\b");
  EXPECT_EQ(storage::printable("\xc3\xa9"), "\\xC3\\xA9");
}

}  // namespace
}  // namespace rtpof::testing
