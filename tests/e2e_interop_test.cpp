// DICOM the way PACS really send it (docs/conformance-statement.md): the same instances re-sent in other
// transfer syntaxes are duplicates, not new versions; a corrected PatientID moves the study to the
// corrected patient, whose report replaces the first; a CT offered only in JPEG 2000 is stored as
// received and analysed like the uncompressed one; a class the node does not store, and a class it
// stores offered only in a syntax it does not read, are named in one "refused contexts" line, and a
// case waiting for the latter says so.
// Real node, real DCMTK storescu/storescp and GDCM's gdcmconv as peers, real index.
#include <gtest/gtest.h>

#include <dcmtk/dcmdata/dcdeftag.h>
#include <dcmtk/dcmdata/dcelem.h>
#include <nlohmann/json.hpp>

#include <algorithm>
#include <cmath>
#include <cstring>
#include <fstream>
#include <sstream>
#include <thread>

#include "tests/support/dicom_files.hpp"
#include "tests/support/node_fixture.hpp"
#include "tests/support/sr_reader.hpp"

namespace rtpof::testing {
namespace {

namespace fs = std::filesystem;
using nlohmann::json;
using namespace std::chrono_literals;

// A storescu configuration (-xf FILE PROFILE): each SOP class with the one syntax group given.
fs::path write_storescu_profile(const fs::path& file, const std::vector<std::pair<std::string, std::string>>& contexts) {
  std::ostringstream out;
  out << "[[TransferSyntaxes]]\n[Uncompressed]\nTransferSyntax1 = LocalEndianExplicit\n"
      << "[J2K]\nTransferSyntax1 = 1.2.840.10008.1.2.4.90\n"
      << "[J2KPart2]\nTransferSyntax1 = 1.2.840.10008.1.2.4.92\n"
      << "[[PresentationContexts]]\n[Contexts]\n";
  for (std::size_t i = 0; i < contexts.size(); ++i)
    out << "PresentationContext" << i + 1 << " = " << contexts[i].first << "\\" << contexts[i].second << "\n";
  out << "[[Profiles]]\n[Profile]\nPresentationContexts = Contexts\n";
  std::ofstream(file) << out.str();
  return file;
}

class NodeInterop : public NodeFixture {
 protected:
  fs::path config_with_destination(int destination_port) {
    std::ostringstream toml;
    toml << "[node]\naccept_any_caller = true\n[logging]\nstats_interval_s = 1\n[matching]\nstable_age_s = 1\n"
         << "[[destinations]]\nae_title = \"DEST\"\nhost = \"127.0.0.1\"\nport = " << destination_port << "\nobjects = [\"sr\"]\n";
    return write_config(toml.str());
  }
  std::vector<storage::OutboxRow> outbox() {
    storage::Index index(data_dir() / "index.sqlite");
    return index.reports().deliveries();
  }
  bool wait_for_sent(std::size_t n, std::chrono::seconds timeout = 60s) {
    const auto deadline = std::chrono::steady_clock::now() + timeout;
    while (std::chrono::steady_clock::now() < deadline) {
      const auto rows = outbox();
      if (static_cast<std::size_t>(std::count_if(rows.begin(), rows.end(),
                                                 [](const auto& r) { return r.state == "sent"; })) >= n)
        return true;
      std::this_thread::sleep_for(200ms);
    }
    return false;
  }
  // Every file of `files` through a DCMTK tool into `dir` (same names); the files the tool cannot
  // convert are copied unchanged when `images_only` (dcmcjpls compresses images, not RT objects).
  std::vector<fs::path> convert(const std::vector<fs::path>& files, const fs::path& dir,
                                const std::vector<std::string>& tool, bool images_only) {
    fs::create_directories(dir);
    std::vector<fs::path> out;
    for (const fs::path& f : files) {
      const fs::path target = dir / f.filename();
      const std::string name = f.filename().string();
      const bool image = name.rfind("CT_", 0) == 0 || name.rfind("MR_", 0) == 0;
      if (images_only && !image) {
        fs::copy_file(f, target);
      } else {
        std::vector<std::string> argv = tool;
        argv.push_back(f.string());
        argv.push_back(target.string());
        const RunResult r = run(argv);
        if (r.exit_code != 0) ADD_FAILURE() << tool[0] << " " << f << ":\n" << r.output;
      }
      out.push_back(target);
    }
    return out;
  }
  std::string transfer_syntax_of_stored(const std::string& sop_instance_uid) {
    storage::Index index(data_dir() / "index.sqlite");
    const auto stored = index.instances().find(sop_instance_uid);
    if (!stored) return "(not stored)";
    const RunResult dump = run({"dcmdump", "-M", "+P", "0002,0010", (data_dir() / "store" / stored->relative_path).string()});
    return dump.output;
  }
  json status_json() {
    const RunResult r = run({rtpof_binary().string(), "status", "--json", "--data-dir", data_dir().string()});
    EXPECT_EQ(r.exit_code, 0) << r.output;
    return json::parse(r.output.substr(r.output.find('{')));
  }
};

TEST_F(NodeInterop, TheSameCaseReencodedExplicitAndJpegLsIsOneJobAndOneReportAndAChangedDoseIsANewVersion) {
  const int port = free_port();
  StorescpProcess destination("DEST", port, source_ / "received", data_ / "storescp.log");
  ASSERT_TRUE(destination.wait_until_ready());
  start_node({"--config", config_with_destination(port).string()});
  const std::vector<fs::path> original = patient_files(patient("marginal", true, 91));

  const auto implicit_vr = convert(original, source_ / "implicit", {"dcmconv", "+ti"}, false);
  send(implicit_vr, "implicit");
  ASSERT_TRUE(wait_for_done(1)) << node_->log();
  ASSERT_TRUE(wait_for_sent(1)) << node_->log();

  // The PACS forwards the same instances again, Explicit VR, then with the images JPEG-LS lossless.
  send(convert(original, source_ / "explicit", {"dcmconv", "+te"}, false), "explicit");
  convert(original, source_ / "jpegls", {"dcmcjpls"}, true);
  // -xt: storescu proposes JPEG-LS lossless beside the uncompressed syntaxes, as separate contexts.
  const RunResult jpegls = storescu(source_ / "jpegls", "STORESCU", {"-xt"});
  ASSERT_EQ(jpegls.exit_code, 0) << jpegls.output;
  std::this_thread::sleep_for(4s);  // stable age 1 s: a new case version would be queued by now

  EXPECT_EQ(jobs().size(), 1u) << node_->log();
  EXPECT_EQ(destination.received().size(), 1u);
  EXPECT_EQ(count_files(data_dir() / "store" / ".superseded"), 0u);
  const std::string log = node_->log();
  EXPECT_EQ(log.find("different content"), std::string::npos) << log;
  const std::string all_duplicate = "0 stored, " + std::to_string(original.size()) + " duplicate";
  std::size_t duplicate_associations = 0;
  for (auto at = log.find(all_duplicate); at != std::string::npos; at = log.find(all_duplicate, at + 1))
    ++duplicate_associations;
  EXPECT_EQ(duplicate_associations, 2u) << log;

  // One changed dose value is a real change: the RTDOSE supersedes, and the case runs again.
  const fs::path changed = source_ / "changed" / "RTDOSE.dcm";
  fs::create_directories(changed.parent_path());
  const fs::path dose = *std::find_if(original.begin(), original.end(),
                                      [](const fs::path& f) { return f.filename() == "RTDOSE.dcm"; });
  rewrite(dose, changed, [](DcmDataset& d) {
    DcmElement* pixels = nullptr;
    ASSERT_TRUE(d.findAndGetElement(DCM_PixelData, pixels).good());
    Uint8* bytes = nullptr;
    ASSERT_TRUE(pixels->getUint8Array(bytes).good());
    bytes[pixels->getLength() / 2] ^= 0x01;  // one voxel, lowest bit
  });
  send({changed}, "changed");
  ASSERT_TRUE(wait_for_done(2)) << node_->log();
  const auto all = jobs();
  ASSERT_EQ(all.size(), 2u);
  EXPECT_EQ(all[1].case_version, 2);
  EXPECT_EQ(count_files(data_dir() / "store" / ".superseded"), 1u);
}

TEST_F(NodeInterop, AJpeg2000CtIsStoredAsReceivedAndAnalysedAsTheUncompressedOneAndRtImageIsNamedRefused) {
  const phantom::PhantomFiles p = patient("marginal", true, 92);
  // The figures of the uncompressed case, from `rtpof analyze` on the same files.
  const fs::path reference_json = data_ / "uncompressed.json";
  const fs::path patient_dir = p.truth.parent_path();
  const RunResult reference = run({rtpof_binary().string(), "analyze", patient_dir.string(), "--json", reference_json.string()});
  ASSERT_EQ(reference.exit_code, 0) << reference.output;

  // CT compressed by GDCM (OpenJPEG), not by DCMTK: another toolkit's codestream.
  std::vector<fs::path> files = convert(p.plan.ct, source_ / "j2k", {"gdcmconv", "--j2k"}, false);
  ASSERT_NE(run({"dcmdump", "-M", "+P", "0002,0010", files[0].string()}).output.find("JPEG2000"), std::string::npos);
  for (const auto& f : patient_files(p))
    if (std::find(p.plan.ct.begin(), p.plan.ct.end(), f) == p.plan.ct.end()) files.push_back(f);
  // An RT Image of the same study, as a PACS forwarding the whole study sends it.
  const fs::path rt_image = source_ / "rtimage" / "RTIMAGE.dcm";
  fs::create_directories(rt_image.parent_path());
  rewrite(p.plan.ct[0], rt_image, [](DcmDataset& d) {
    d.putAndInsertString(DCM_SOPClassUID, "1.2.840.10008.5.1.4.1.1.481.1");
    d.putAndInsertString(DCM_SOPInstanceUID, "1.2.826.0.1.3680043.10.1234.92.1");
    d.putAndInsertString(DCM_Modality, "RTIMAGE");
  });
  files.push_back(rt_image);

  start_node({"--config",
              write_config("[node]\naccept_any_caller = true\n[logging]\nstats_interval_s = 1\n"
                           "[matching]\nstable_age_s = 1\n")
                  .string()});
  const fs::path batch = source_ / "batch-j2k";
  fs::create_directories(batch);
  for (std::size_t i = 0; i < files.size(); ++i) fs::create_hard_link(files[i], batch / (std::to_string(i) + ".dcm"));
  const fs::path profile = write_storescu_profile(
      data_ / "j2k.cfg", {{"CTImageStorage", "J2K"}, {"RTImageStorage", "Uncompressed"},
                          {"MRImageStorage", "Uncompressed"}, {"RTStructureSetStorage", "Uncompressed"},
                          {"RTPlanStorage", "Uncompressed"}, {"RTDoseStorage", "Uncompressed"},
                          {"SpatialRegistrationStorage", "Uncompressed"}});
  // -nh: storescu goes on past the RT Image it has no context for.
  const RunResult sent = storescu(batch, "PACS", {"-xf", profile.string(), "Profile", "-nh"});
  EXPECT_NE(sent.output.find("No presentation context for: (RI)"), std::string::npos) << sent.output;
  ASSERT_TRUE(wait_for_done(1)) << node_->log();

  const std::string log = node_->log();
  const auto refused_line = log.find("refused contexts");
  ASSERT_NE(refused_line, std::string::npos) << log;
  const std::string line = log.substr(refused_line, log.find('\n', refused_line) - refused_line);
  EXPECT_NE(line.find("RTImageStorage [LittleEndianExplicit]: SOP class not stored by rtpof"), std::string::npos) << line;
  EXPECT_EQ(line.find("CTImageStorage"), std::string::npos) << line;
  EXPECT_NE(log.find("contexts refused=1"), std::string::npos) << log;  // the stats line counts it
  EXPECT_NE(transfer_syntax_of_stored(string_of(files[0], DCM_SOPInstanceUID)).find("JPEG2000LosslessOnly"),
            std::string::npos);

  // The node's figures equal the uncompressed case's within 0.01 % (lossless: only the registration's
  // floating-point order may differ).
  const json node_result = json::parse(jobs().at(0).result);
  const json uncompressed = json::parse(read_text(reference_json));
  ASSERT_EQ(node_result.at("recurrences").size(), uncompressed.at("recurrences").size());
  for (std::size_t i = 0; i < node_result.at("recurrences").size(); ++i) {
    const json& a = node_result.at("recurrences").at(i);
    const json& b = uncompressed.at("recurrences").at(i);
    EXPECT_EQ(a.at("class"), b.at("class"));
    for (const char* figure : {"volume_cc", "v95_pct", "d100_gy", "d98_gy", "d95_gy", "dmean_gy", "dmax_gy"}) {
      const double x = a.at(figure).get<double>(), y = b.at(figure).get<double>();
      EXPECT_LE(std::abs(x - y), 1e-4 * std::max(std::abs(y), 1e-9)) << figure << ": " << x << " vs " << y;
    }
  }
}

TEST_F(NodeInterop, ACaseWaitingForADoseOfferedOnlyInAnUnreadSyntaxSaysSoInItsWaitingLine) {
  const phantom::PhantomFiles p = patient("in-field", true, 93);
  start_node({"--stable-age", "1"});
  const fs::path batch = source_ / "batch-part2";
  fs::create_directories(batch);
  std::size_t i = 0;
  for (const auto& f : patient_files(p)) fs::create_hard_link(f, batch / (std::to_string(i++) + ".dcm"));
  // The RTDOSE offered only as JPEG 2000 Part 2 (multi-component), which rtpof does not read.
  const fs::path profile = write_storescu_profile(
      data_ / "part2.cfg", {{"CTImageStorage", "Uncompressed"}, {"MRImageStorage", "Uncompressed"},
                            {"RTStructureSetStorage", "Uncompressed"}, {"RTPlanStorage", "Uncompressed"},
                            {"RTDoseStorage", "J2KPart2"}, {"SpatialRegistrationStorage", "Uncompressed"}});
  storescu(batch, "PACS", {"-xf", profile.string(), "Profile", "-nh"});
  const auto deadline = std::chrono::steady_clock::now() + 20s;
  while (node_->log().find("case waiting") == std::string::npos && std::chrono::steady_clock::now() < deadline)
    std::this_thread::sleep_for(200ms);
  const std::string log = node_->log();
  EXPECT_NE(log.find("RTDoseStorage [JPEG2000MulticomponentLosslessOnly]: no offered transfer syntax is read"),
            std::string::npos) << log;
  const json status = status_json();
  ASSERT_EQ(status.at("cases").size(), 1u) << status.dump(2);
  const std::string detail = status.at("cases").at(0).at("detail").get<std::string>();
  EXPECT_EQ(status.at("cases").at(0).at("state"), "waiting");
  EXPECT_NE(detail.find("RTDoseStorage was refused to \"PACS\", which offered only JPEG2000MulticomponentLosslessOnly"),
            std::string::npos) << detail;
  EXPECT_TRUE(jobs().empty());
}

TEST_F(NodeInterop, ACorrectedPatientIdMovesTheStudyAndSendsACorrectedReportThatReplacesTheFirst) {
  const int port = free_port();
  StorescpProcess destination("DEST", port, source_ / "received", data_ / "storescp.log");
  ASSERT_TRUE(destination.wait_until_ready());
  const fs::path config = config_with_destination(port);
  start_node({"--config", config.string()});
  const phantom::PhantomFiles p = patient("marginal", true, 94);
  send(patient_files(p), "first");
  ASSERT_TRUE(wait_for_done(1)) << node_->log();
  ASSERT_TRUE(wait_for_sent(1)) << node_->log();
  const std::string first_uid = outbox().at(0).report.sop_instance_uid;

  // RIS/PACS reconciliation: the same UIDs again, with the PatientID corrected.
  const std::string corrected_id = "CANARYID-CORRECTED";
  std::vector<fs::path> corrected;
  for (const auto& f : patient_files(p)) {
    corrected.push_back(source_ / "corrected" / f.filename());
    fs::create_directories(corrected.back().parent_path());
    fs::copy_file(f, corrected.back());
    ASSERT_EQ(run({"dcmodify", "-nb", "-m", "(0010,0020)=" + corrected_id, corrected.back().string()}).exit_code, 0);
  }
  ASSERT_EQ(string_of(corrected[0], DCM_PatientID), corrected_id);
  send(corrected, "corrected");
  ASSERT_TRUE(wait_for_done(2)) << node_->log();
  ASSERT_TRUE(wait_for_sent(2)) << node_->log();

  const auto received = destination.received();
  ASSERT_EQ(received.size(), 2u);
  std::vector<ParsedReport> reports;
  for (const auto& f : received) reports.push_back(read_report(f));
  const auto second = std::find_if(reports.begin(), reports.end(), [&](const auto& r) { return r.sop_instance_uid != first_uid; });
  ASSERT_NE(second, reports.end());
  const fs::path second_file = received[static_cast<std::size_t>(second - reports.begin())];
  EXPECT_EQ(string_of(second_file, DCM_PatientID), corrected_id);
  ASSERT_EQ(second->predecessors.size(), 1u);
  EXPECT_EQ(second->predecessors[0], first_uid);
  const std::string log = node_->log();
  EXPECT_NE(log.find("moved from patient"), std::string::npos) << log;
  EXPECT_NE(log.find("a corrected report: it replaces report " + first_uid), std::string::npos) << log;

  // No patient waits: the corrected one is done, the first one's studies moved away.
  const json before = status_json();
  for (const json& c : before.at("cases")) EXPECT_NE(c.at("state"), "waiting") << before.dump(2);
  EXPECT_EQ(before.at("patients"), 1);
  const auto jobs_before = jobs();
  EXPECT_TRUE(jobs_before.at(0).superseded);
  EXPECT_FALSE(jobs_before.at(1).superseded);

  // Reindex from the files alone gives the same patients, studies, cases and jobs.
  ASSERT_EQ(node_->stop(), 0);
  const RunResult reindex = run({rtpof_binary().string(), "reindex", "--data-dir", data_dir().string()});
  ASSERT_EQ(reindex.exit_code, 0) << reindex.output;
  const json after = status_json();
  for (const char* key : {"patients", "studies", "series", "instances", "cases", "jobs"})
    EXPECT_EQ(after.at(key), before.at(key)) << key;
}

}  // namespace
}  // namespace rtpof::testing
