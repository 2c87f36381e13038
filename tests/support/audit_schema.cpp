#include "tests/support/audit_schema.hpp"

#include <gtest/gtest.h>

#include <fstream>

#include "tests/support/test_paths.hpp"

namespace rtpof::testing {

std::filesystem::path audit_schema_rng(const std::filesystem::path& dir) {
  const auto rng = dir / "dicom-audit-message.rng";
  const RunResult converted =
      run({"trang", "-I", "rnc", "-O", "rng", (source_dir() / "tests/audit/dicom-audit-message.rnc").string(),
           rng.string()});
  EXPECT_EQ(converted.exit_code, 0) << converted.output;
  return rng;
}

RunResult validate_audit_message(const std::filesystem::path& rng, const std::string& xml,
                                 const std::filesystem::path& scratch_file) {
  std::ofstream(scratch_file, std::ios::binary) << xml;
  return run({"xmllint", "--noout", "--relaxng", rng.string(), scratch_file.string()});
}

std::string xml_of_record(const std::string& record) {
  const auto bom = record.find("\xEF\xBB\xBF");
  return bom == std::string::npos ? std::string() : record.substr(bom + 3);
}

}  // namespace rtpof::testing
