#pragma once
// Reads rtpof's SR back by walking its Content Sequence with dcmdata alone, not with the SR classes the
// writer uses, so a test compares the report with the analysis through an independent path.
#include <filesystem>
#include <map>
#include <string>
#include <vector>

namespace rtpof::testing {

struct ReportGroup {
  std::string tracking_id, finding;                 // finding: "code,scheme"
  std::map<std::string, double> numbers;            // "concept code" or "concept code/derivation code"
  std::map<std::string, std::string> evaluations;   // concept code -> code value or text
  std::vector<std::string> references;              // referenced SOP instance UIDs
};

struct ParsedReport {
  std::string sop_class_uid, sop_instance_uid, series_uid, study_uid, patient_name, character_set;
  std::vector<ReportGroup> groups;
  std::map<std::string, std::string> case_evaluations;  // the report's Qualitative Evaluations
  std::vector<std::string> case_references;
  std::vector<std::string> evidence;                     // Current Requested Procedure Evidence instances
  std::vector<std::string> declared_schemes;             // Coding Scheme Identification Sequence
  std::vector<std::string> predecessors;                 // Predecessor Documents Sequence instances
  std::string instance_number;
  const ReportGroup* group(const std::string& tracking_id) const;
};

// Throws std::runtime_error naming what is missing.
ParsedReport read_report(const std::filesystem::path& file);

}  // namespace rtpof::testing
